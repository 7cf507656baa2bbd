/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef CGROUP_SOCK_ADDR_H
#define CGROUP_SOCK_ADDR_H

/* An IPv4 service address; everything in network byte order. */
struct svc_addr {
	__u32 ip4;
	__u16 port;
	__u16 pad;
};

/* Reverse translation, per socket: the backend it talks to → the VIP. */
struct revnat_key {
	__u64 cookie;		/* bpf_get_socket_cookie() */
	struct svc_addr backend;
};

enum hook_stat {
	ST_CONNECT4, ST_CONNECT6, ST_BIND4, ST_BIND6, ST_SENDMSG4, ST_SENDMSG6,
	ST_RECVMSG4, ST_GETPEERNAME4, ST_SOCK_CREATE,
	ST_NHOOKS,
};

/* Per hook, per-CPU: calls seen, refused, addresses rewritten. */
struct hook_count {
	__u64 seen;
	__u64 refused;
	__u64 rewritten;
};

#endif
