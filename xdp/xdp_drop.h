/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef XDP_DROP_H
#define XDP_DROP_H

/* Counters, one slot per reason; each slot is struct xdp_drop_count. */
enum xdp_drop_stat {
	XDP_DROP_STAT_ICMP4_ECHO,	/* IPv4 ICMP echo request or reply */
	XDP_DROP_STAT_ICMP6_ECHO,	/* ICMPv6 echo request or reply */
	XDP_DROP_STAT_ALL_IP,		/* --all-ip: any other IPv4/IPv6 packet */
	XDP_DROP_STAT_PASS_OTHER,	/* everything else, ARP and ND included */
	XDP_DROP_STAT_BLOCKED,		/* --block: the source's longest prefix is blocked */
	XDP_DROP_STAT_LONG_CHAIN,	/* IPv6 behind more extension headers than followed */
	XDP_DROP_NSTATS,
};

struct xdp_drop_count {
	__u64 packets;
	__u64 bytes;
};

/*
 * --block/--allow: BPF_MAP_TYPE_LPM_TRIE keys, a prefix length and then
 * the address bytes in network order. The value is 1 for a blocked
 * prefix, 0 for an allowed one; the longest matching prefix decides.
 */
struct xdp_drop_lpm4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct xdp_drop_lpm6 {
	__u32 prefixlen;
	__u8 addr[16];
};

#define XDP_DROP_MAX_PREFIXES 1024

#endif
