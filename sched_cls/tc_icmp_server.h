/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef TC_ICMP_SERVER_H
#define TC_ICMP_SERVER_H

enum tc_icmp_server_stat {
	TC_ICMP_SERVER_STAT_REPLY4,	/* IPv4 echo requests answered (clone + redirect) */
	TC_ICMP_SERVER_STAT_REPLY6,	/* ICMPv6 echo requests answered */
	TC_ICMP_SERVER_STAT_PASS,	/* everything else, left to the kernel */
	TC_ICMP_SERVER_STAT_TX_ERR,	/* bpf_clone_redirect() failed: request dropped */
	TC_ICMP_SERVER_NSTATS,
};

struct tc_icmp_server_count {
	__u64 packets;
	__u64 bytes;
};

/* The hop limit we put in replies, as the kernel's default would. */
#define TC_ICMP_SERVER_REPLY_TTL 64

#endif
