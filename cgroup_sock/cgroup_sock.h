/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef CGROUP_SOCK_H
#define CGROUP_SOCK_H

/* Per-CPU counter of socket() calls, one per kind of socket and verdict. */
struct cgroup_sock_create_key {
	__u16 family;		/* AF_INET, AF_INET6 */
	__u16 type;		/* SOCK_STREAM, SOCK_DGRAM, SOCK_RAW */
	__u16 protocol;		/* IPPROTO_* */
	__u16 allowed;		/* 1 allowed, 0 refused */
};

/* Per-CPU counter of successful binds, one per local port. */
struct cgroup_sock_bind_key {
	__u16 family;
	__u16 protocol;
	__u16 port;		/* host byte order */
	__u16 pad;
};

#endif
