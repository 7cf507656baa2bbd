/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SCHED_CLS_H
#define SCHED_CLS_H

/* Counters, one slot per protocol; each slot is struct sched_cls_count. */
enum sched_cls_stat {
	SCHED_CLS_STAT_ICMP,		/* IPv4 ICMP */
	SCHED_CLS_STAT_ICMP6,		/* ICMPv6 (neighbour discovery included) */
	SCHED_CLS_STAT_TCP,		/* TCP over IPv4 or IPv6 */
	SCHED_CLS_STAT_UDP,		/* UDP over IPv4 or IPv6 */
	SCHED_CLS_STAT_OTHER_IP,	/* any other IPv4/IPv6 payload, IPv6 later fragments */
	SCHED_CLS_STAT_ARP,
	SCHED_CLS_STAT_OTHER,		/* any other EtherType */
	SCHED_CLS_STAT_MALFORMED,	/* headers cut short or invalid */
	SCHED_CLS_STAT_LONG_CHAIN,	/* IPv6 upper layer not reached: too many extension headers */
	SCHED_CLS_NSTATS,
};

struct sched_cls_count {
	__u64 packets;
	__u64 bytes;
	__u64 dropped;
};

/* Policy maps: drop_proto[IP protocol] != 0, drop_port{port} != 0. */
#define SCHED_CLS_MAX_PORTS 64

#endif
