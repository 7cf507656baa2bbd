/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef NETFILTER_EXAMPLE_H
#define NETFILTER_EXAMPLE_H

/* Slots of the per-verdict counters. */
enum nf_stat {
	NF_STAT_ACCEPT,		/* let through (NF_ACCEPT) */
	NF_STAT_DROP,		/* TCP/UDP to a listed port (NF_DROP) */
	NF_STAT_UNPARSED,	/* accepted without ports: truncated, later fragment */
	NF_STAT_MAX,
};

struct nf_count {
	__u64 packets;
	__u64 bytes;
};

/* Key of the port map: protocol and destination port (host order). */
struct nf_port_key {
	__u16 port;
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 pad;
};

#define NF_MAX_PORTS 64

#endif
