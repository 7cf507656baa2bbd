/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SOCK_OPS_H
#define SOCK_OPS_H

enum sock_ops_kind {
	SOCK_OPS_KIND_ACTIVE,	/* our connect() completed */
	SOCK_OPS_KIND_PASSIVE,	/* a connection to our listener completed */
	SOCK_OPS_KIND_STATE,	/* arg0 old state, arg1 new state (BPF_TCP_*) */
	SOCK_OPS_KIND_RTT,	/* arg0 measured RTT in us, arg1 smoothed RTT in us */
	SOCK_OPS_KIND_RETRANS,	/* arg0 first sequence number, arg1 segments */
	SOCK_OPS_NKINDS,
};

/* One ring buffer record per callback, with --events. */
struct sock_ops_event {
	__u32 kind;
	__u32 family;
	__u32 laddr[4];		/* network order; IPv4 in laddr[0] */
	__u32 raddr[4];
	__u16 lport;		/* host byte order */
	__u16 rport;
	__u32 arg0;
	__u32 arg1;
};

/* Per-CPU counters, beyond the EV_* ones. */
enum sock_ops_stat {
	SOCK_OPS_STAT_BUF_SET = SOCK_OPS_NKINDS,	/* sockets whose buffers we set */
	SOCK_OPS_STAT_BUF_FAIL,				/* bpf_setsockopt refused */
	SOCK_OPS_STAT_DROPS,				/* events lost: ring buffer full */
	SOCK_OPS_NSTATS,
};

#endif
