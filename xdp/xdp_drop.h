/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef XDP_DROP_H
#define XDP_DROP_H

/* Counters, one slot per reason; each slot is struct xdp_drop_count. */
enum xdp_drop_stat {
	DROP_ICMP4_ECHO,	/* IPv4 ICMP echo request or reply */
	DROP_ICMP6_ECHO,	/* ICMPv6 echo request or reply */
	DROP_ALL_IP,		/* --all-ip: any other IPv4/IPv6 packet */
	PASS_OTHER,		/* everything else, ARP and ND included */
	XDP_DROP_NSTATS,
};

struct xdp_drop_count {
	__u64 packets;
	__u64 bytes;
};

#endif
