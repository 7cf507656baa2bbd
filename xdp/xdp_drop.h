/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef XDP_DROP_H
#define XDP_DROP_H

/* Counters, one slot per reason; each slot is struct xdp_drop_count. */
enum xdp_drop_stat {
	DROP_ICMP4_ECHO,	/* IPv4 ICMP echo request or reply */
	DROP_ICMP6_ECHO,	/* ICMPv6 echo request or reply */
	DROP_ALL_IP,		/* --all-ip: any other IPv4/IPv6 packet */
	PASS_OTHER,		/* everything else, ARP and ND included */
	DROP_BLOCKED,		/* --block: the source's longest prefix is blocked */
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
