/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef XDP_REDIRECT_H
#define XDP_REDIRECT_H

/* The two ports: slot 0 is the first IFACE, slot 1 the second. */
#define XDP_REDIRECT_PORTS 2

/* Per port a packet was *received* on: forwarded to the other port, passed. */
struct xdp_redirect_count {
	__u64 fwd_packets;
	__u64 fwd_bytes;
	__u64 passed;		/* to the kernel: local, ARP/ND, no neighbour yet, TTL 1 ... */
};

#endif
