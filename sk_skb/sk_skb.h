/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SK_SKB_H
#define SK_SKB_H

/*
 * Pair n of the proxy uses two sockmap slots: 2n for the client's socket,
 * 2n + 1 for the backend's. The partner of slot s is s ^ 1.
 */
#define SK_SKB_MAX_PAIRS	1024

enum sk_skb_stat {
	SK_SKB_STAT_SPLICED,	/* chunks redirected to the partner socket */
	SK_SKB_STAT_LOST,	/* chunks with no partner socket to go to (dropped) */
	SK_SKB_NSTATS,
};

struct sk_skb_count {
	__u64 chunks;
	__u64 bytes;
};

#endif
