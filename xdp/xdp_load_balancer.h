/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef XDP_LOAD_BALANCER_H
#define XDP_LOAD_BALANCER_H

#define LB_MAX_BACKENDS	64
#define LB_MAX_CONNS	65536

/*
 * Ports the LB may use towards a backend when the client's own port is
 * taken there by another client: above the kernel's default ephemeral
 * range (32768-60999), so they do not meet the LB host's own connections.
 */
#define LB_NAT_PORT_MIN	61000
#define LB_NAT_PORTS	4500
#define LB_NAT_TRIES	8

enum lb_stat {
	LB_TO_BACKEND,		/* client -> VIP packets sent on to a backend */
	LB_TO_CLIENT,		/* backend -> LB packets sent back to the client */
	LB_PASS,		/* not ours: left to the kernel */
	LB_NO_BACKEND,		/* for the VIP while the backend set is empty: passed */
	LB_NO_NEIGH,		/* dropped: the next hop's MAC is not known yet */
	LB_NO_ROUTE,		/* dropped: bpf_fib_lookup found no way out */
	LB_TOO_BIG,		/* dropped: larger than the way out's MTU */
	LB_NO_PORT,		/* dropped: no free NAT port towards the backend */
	LB_LEARNED_MAC,		/* to a client the kernel has no neighbour entry for */
	LB_NSTATS,
};

/* Per backend, summed over both directions of its connections. */
struct lb_count {
	__u64 packets;
	__u64 bytes;
	__u64 conns;		/* connections (SYNs, retransmits not counted) sent to it */
};

/* A client as the LB sees it (the VIP and its port are fixed). */
struct lb_client {
	__be32 addr;
	__be16 port;
	__u16 pad;
};

/*
 * Where a backend's replies go back to: the client, and the MAC its
 * packets came from (the client or its router), used when the kernel has
 * no neighbour entry for it: the client's traffic never reached the kernel.
 */
struct lb_return {
	struct lb_client client;
	__u8 mac[6];
	__u16 pad;
};

/* The LB's side of a connection to a backend (its port is the VIP's). */
struct lb_nat {
	__be32 backend;
	__be16 port;		/* the LB's source port towards the backend */
	__u16 pad;
};

/*
 * A client's connection: where it goes, and the initial sequence number
 * of its SYN. A SYN with another ISN on the same client address and port
 * is a new connection (the client reused its port), one with the same
 * ISN a retransmit of this one.
 */
struct lb_conn {
	struct lb_nat nat;
	__be32 isn;
};

/*
 * The connection hash that picks a backend (and the alternative NAT
 * ports). Shared with the tests, which predict the choice with it.
 */
static inline __u32 lb_mix(__u32 h)
{
	h ^= h >> 16;
	h *= 0x7feb352d;
	h ^= h >> 15;
	h *= 0x846ca68b;
	h ^= h >> 16;
	return h;
}

static inline __u32 lb_hash(__be32 saddr, __be16 sport, __be32 daddr, __be16 dport)
{
	return lb_mix(saddr ^ lb_mix(daddr ^ lb_mix((__u32)sport << 16 | dport)));
}

#endif
