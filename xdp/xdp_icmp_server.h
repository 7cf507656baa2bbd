/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef XDP_ICMP_SERVER_H
#define XDP_ICMP_SERVER_H

enum xdp_icmp_server_stat {
	XDP_ICMP_SERVER_STAT_REPLY4,	/* IPv4 echo requests answered with XDP_TX */
	XDP_ICMP_SERVER_STAT_REPLY6,	/* ICMPv6 echo requests answered with XDP_TX */
	XDP_ICMP_SERVER_STAT_PASS,	/* everything else, left to the kernel */
	XDP_ICMP_SERVER_NSTATS,
};

struct xdp_icmp_server_count {
	__u64 packets;
	__u64 bytes;
};

/* Addresses of one family the loader copies from the interface. */
#define XDP_ICMP_SERVER_MAX_ADDRS 8

/*
 * Longest ICMP message answered from XDP (32256 bytes); longer ones (only
 * lo's 64 KiB MTU allows them) go to the kernel. The checksum loop reads
 * 512-byte chunks, and the verifier tracks packet offsets below 64 KiB.
 */
#define XDP_ICMP_SERVER_CHUNK 512
#define XDP_ICMP_SERVER_MAX_MSG (63 * XDP_ICMP_SERVER_CHUNK)

/*
 * What the kernel knows and XDP cannot look up cheaply: the interface's
 * MAC and addresses, and the sysctls that shape the kernel's reply. The
 * loader fills it before attaching and refreshes it every second.
 * Addresses, masks and prefixes are in network byte order.
 */
struct xdp_icmp_server_cfg {
	__u8 mac[6];
	__u8 loopback;		/* IFACE is lo: sources are our own addresses */
	__u8 ttl;		/* net.ipv4.ip_default_ttl */
	__u8 hop_limit;		/* net.ipv6.conf.IFACE.hop_limit */
	__u8 ignore4;		/* net.ipv4.icmp_echo_ignore_all */
	__u8 ignore6;		/* net.ipv6.icmp.echo_ignore_all */
	__u8 pad;
	__u32 n4, n6;
	struct { __u32 addr, mask; } a4[XDP_ICMP_SERVER_MAX_ADDRS];
	struct { __u32 addr[4], mask[4]; } a6[XDP_ICMP_SERVER_MAX_ADDRS];
};

#endif
