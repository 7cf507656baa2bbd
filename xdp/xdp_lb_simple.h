/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef XDP_LB_SIMPLE_H
#define XDP_LB_SIMPLE_H

enum xdp_lb_simple_stat {
	XDP_LB_SIMPLE_STAT_TO_B0,	/* client packets sent to backend 0 */
	XDP_LB_SIMPLE_STAT_TO_B1,	/* ... to backend 1 */
	XDP_LB_SIMPLE_STAT_TO_CLIENT,	/* backend packets sent back to the client */
	XDP_LB_SIMPLE_STAT_PASS,	/* not ours: left to the kernel */
	XDP_LB_SIMPLE_NSTATS,
};

/*
 * The backend of a connection: the top bit of a multiplicative (Fibonacci)
 * hash of its 4-tuple, so every packet of one connection goes to the same
 * backend. Shared with the tests, which predict the choice.
 */
static inline __u32 xdp_lb_simple_pick(__u32 saddr, __u16 sport, __u32 daddr, __u16 dport)
{
	__u32 h = saddr ^ daddr ^ ((__u32)sport << 16 | dport);

	return (h * 0x9e3779b1u) >> 31;
}

#endif
