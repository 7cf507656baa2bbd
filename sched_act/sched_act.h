/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SCHED_ACT_H
#define SCHED_ACT_H

/* One per-CPU slot of counters. */
struct sched_act_count {
	__u64 seen;		/* every packet */
	__u64 icmp;		/* ICMP and ICMPv6 (neighbour discovery excepted) */
	__u64 dropped;		/* the ICMP packets the dice dropped */
};

#endif
