/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef XDP_ICMP_SERVER_H
#define XDP_ICMP_SERVER_H

enum icmp_server_stat {
	ICMP_SRV_REPLY4,	/* IPv4 echo requests answered with XDP_TX */
	ICMP_SRV_REPLY6,	/* ICMPv6 echo requests answered with XDP_TX */
	ICMP_SRV_PASS,		/* everything else, left to the kernel */
	ICMP_SRV_NSTATS,
};

struct icmp_server_count {
	__u64 packets;
	__u64 bytes;
};

/* The hop limit we put in replies, as the kernel's default would. */
#define ICMP_SRV_REPLY_TTL 64

#endif
