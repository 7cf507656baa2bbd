/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SOCK_OPS_H
#define SOCK_OPS_H

enum sockops_kind {
	EV_ACTIVE,		/* our connect() completed */
	EV_PASSIVE,		/* a connection to our listener completed */
	EV_STATE,		/* arg0 old state, arg1 new state (BPF_TCP_*) */
	EV_RTT,			/* arg0 measured RTT in us, arg1 smoothed RTT in us */
	EV_RETRANS,		/* arg0 first sequence number, arg1 segments */
	EV_NKINDS,
};

/* One ring buffer record per callback, with --events. */
struct sockops_event {
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
enum sockops_stat {
	ST_BUF_SET = EV_NKINDS,	/* sockets whose buffers we set */
	ST_BUF_FAIL,		/* bpf_setsockopt refused */
	ST_DROPS,		/* events lost: ring buffer full */
	ST_NSTATS,
};

#endif
