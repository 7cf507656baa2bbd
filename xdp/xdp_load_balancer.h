/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef XDP_LOAD_BALANCER_H
#define XDP_LOAD_BALANCER_H

#define XDP_LOAD_BALANCER_MAX_BACKENDS	64
#define XDP_LOAD_BALANCER_MAX_CONNS	65536

/*
 * Ports the LB may use towards a backend when the client's own port is
 * taken there by another client: above the kernel's default ephemeral
 * range (32768-60999), so they do not meet the LB host's own connections.
 */
#define XDP_LOAD_BALANCER_NAT_PORT_MIN	61000
#define XDP_LOAD_BALANCER_NAT_PORTS	4500
#define XDP_LOAD_BALANCER_NAT_TRIES	8

enum xdp_load_balancer_stat {
	XDP_LOAD_BALANCER_STAT_TO_BACKEND,	/* client -> VIP packets sent on to a backend */
	XDP_LOAD_BALANCER_STAT_TO_CLIENT,	/* backend -> LB packets sent back to the client */
	XDP_LOAD_BALANCER_STAT_PASS,		/* not ours: left to the kernel */
	XDP_LOAD_BALANCER_STAT_NO_BACKEND,	/* VIP packets while no backend is set: passed */
	XDP_LOAD_BALANCER_STAT_NO_NEIGH,	/* dropped: the next hop's MAC is not known yet */
	XDP_LOAD_BALANCER_STAT_NO_ROUTE,	/* dropped: bpf_fib_lookup found no way out */
	XDP_LOAD_BALANCER_STAT_TOO_BIG,		/* dropped: larger than the way out's MTU */
	XDP_LOAD_BALANCER_STAT_NO_PORT,		/* dropped: no free NAT port towards the backend */
	XDP_LOAD_BALANCER_STAT_LEARNED_MAC,	/* to a client the kernel has no neighbour for */
	XDP_LOAD_BALANCER_NSTATS,
};

/* Per backend, summed over both directions of its connections. */
struct xdp_load_balancer_count {
	__u64 packets;
	__u64 bytes;
	__u64 conns;		/* connections (SYNs, retransmits not counted) sent to it */
};

/* A client as the LB sees it (the VIP and its port are fixed). */
struct xdp_load_balancer_client {
	__be32 addr;
	__be16 port;
	__u16 pad;
};

/*
 * Where a backend's replies go back to: the client, and the MAC its
 * packets came from (the client or its router), used when the kernel has
 * no neighbour entry for it: the client's traffic never reached the kernel.
 */
struct xdp_load_balancer_return {
	struct xdp_load_balancer_client client;
	__u8 mac[6];
	__u16 pad;
};

/* The LB's side of a connection to a backend (its port is the VIP's). */
struct xdp_load_balancer_nat {
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
struct xdp_load_balancer_conn {
	struct xdp_load_balancer_nat nat;
	__be32 isn;
};

/*
 * The connection hash that picks a backend (and the alternative NAT
 * ports). Shared with the tests, which predict the choice with it.
 */
static inline __u32 xdp_load_balancer_mix(__u32 h)
{
	h ^= h >> 16;
	h *= 0x7feb352d;
	h ^= h >> 15;
	h *= 0x846ca68b;
	h ^= h >> 16;
	return h;
}

static inline __u32 xdp_load_balancer_hash(__be32 saddr, __be16 sport, __be32 daddr,
					   __be16 dport)
{
	__u32 h = xdp_load_balancer_mix((__u32)sport << 16 | dport);

	h = xdp_load_balancer_mix(daddr ^ h);
	return xdp_load_balancer_mix(saddr ^ h);
}

#endif
