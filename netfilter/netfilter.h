/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef NETFILTER_H
#define NETFILTER_H

/* Slots of the per-verdict counters. */
enum netfilter_stat {
	NETFILTER_STAT_ACCEPT,		/* let through (NF_ACCEPT) */
	NETFILTER_STAT_DROP,		/* TCP/UDP to a listed port (NF_DROP) */
	NETFILTER_STAT_UNPARSED,	/* accepted without ports: truncated, later fragment */
	NETFILTER_STAT_LONG_CHAIN,	/* IPv6, more extension headers than followed (NF_DROP) */
	NETFILTER_NSTATS,
};

struct netfilter_count {
	__u64 packets;
	__u64 bytes;
};

/* Key of the port map: protocol and destination port (host order). */
struct netfilter_port_key {
	__u16 port;
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 pad;
};

#define NETFILTER_MAX_PORTS 64

#endif
