/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SCHED_CLS_H
#define SCHED_CLS_H

/* Counters, one slot per protocol; each slot is struct cls_count. */
enum cls_stat {
	CLS_ICMP,		/* IPv4 ICMP */
	CLS_ICMP6,		/* ICMPv6 (neighbour discovery included) */
	CLS_TCP,		/* TCP over IPv4 or IPv6 */
	CLS_UDP,		/* UDP over IPv4 or IPv6 */
	CLS_OTHER_IP,		/* any other IPv4/IPv6 payload, IPv6 later fragments */
	CLS_ARP,
	CLS_OTHER,		/* any other EtherType */
	CLS_MALFORMED,		/* headers cut short or invalid */
	CLS_NSTATS,
};

struct cls_count {
	__u64 packets;
	__u64 bytes;
	__u64 dropped;
};

/* Policy maps: drop_proto[IP protocol] != 0, drop_port{port} != 0. */
#define CLS_MAX_PORTS 64

#endif
