/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LWT_IN_H
#define LWT_IN_H

/*
 * Counters are indexed by the IP protocol number of the packet (0..255,
 * the upper-layer protocol after any IPv6 extension headers); one more
 * slot counts packets whose headers could not be parsed, another IPv6
 * packets whose protocol lies behind more extension headers than followed.
 */
enum lwt_in_stat {
	LWT_IN_STAT_MALFORMED = 256,
	LWT_IN_STAT_LONG_CHAIN,
	LWT_IN_NSTATS,
};

struct lwt_in_count {
	__u64 packets;
	__u64 bytes;
};

#endif
