/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef CGROUP_SOCK_ADDR_H
#define CGROUP_SOCK_ADDR_H

/* An IPv4 service address; everything in network byte order. */
struct cgroup_sock_addr_svc {
	__u32 ip4;
	__u16 port;
	__u16 pad;
};

/* Reverse translation, per socket: the backend it talks to → the VIP. */
struct cgroup_sock_addr_revnat_key {
	__u64 cookie;		/* bpf_get_socket_cookie() */
	struct cgroup_sock_addr_svc backend;
};

enum cgroup_sock_addr_stat {
	CGROUP_SOCK_ADDR_STAT_CONNECT4,
	CGROUP_SOCK_ADDR_STAT_CONNECT6,
	CGROUP_SOCK_ADDR_STAT_BIND4,
	CGROUP_SOCK_ADDR_STAT_BIND6,
	CGROUP_SOCK_ADDR_STAT_SENDMSG4,
	CGROUP_SOCK_ADDR_STAT_SENDMSG6,
	CGROUP_SOCK_ADDR_STAT_RECVMSG4,
	CGROUP_SOCK_ADDR_STAT_GETPEERNAME4,
	CGROUP_SOCK_ADDR_STAT_SOCK_CREATE,
	CGROUP_SOCK_ADDR_NSTATS,
};

/* Per hook, per-CPU: calls seen, refused, addresses rewritten. */
struct cgroup_sock_addr_count {
	__u64 seen;
	__u64 refused;
	__u64 rewritten;
};

#endif
