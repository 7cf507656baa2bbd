/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One bounds-checked cursor for direct packet access (XDP, tc, LWT, flow
 * dissector). Every parse_* either returns a header that lies wholly inside
 * the packet and advances the cursor past it, or fails (NULL / -1) and
 * leaves the caller to give its verdict for a short or malformed packet.
 */
#ifndef CATALOG_CURSOR_BPF_H
#define CATALOG_CURSOR_BPF_H

#include "net.bpf.h"

struct cursor {
	void *pos;
	void *end;
};

static __always_inline void cursor_init(struct cursor *c, void *data, void *data_end)
{
	c->pos = data;
	c->end = data_end;
}

#define cursor_init_xdp(c, ctx) \
	cursor_init(c, (void *)(long)(ctx)->data, (void *)(long)(ctx)->data_end)
#define cursor_init_skb(c, skb) \
	cursor_init(c, (void *)(long)(skb)->data, (void *)(long)(skb)->data_end)

/* len bytes at the cursor, or NULL when the packet is shorter. */
static __always_inline void *cursor_pull(struct cursor *c, __u32 len)
{
	void *p = c->pos;

	if (p + len > c->end)
		return NULL;
	c->pos = p + len;
	return p;
}

/* Offset of the cursor from the start of the packet. */
static __always_inline __u32 cursor_offset(const struct cursor *c, void *data)
{
	return c->pos - data;
}

/*
 * Ethernet, then up to two VLAN tags (802.1ad outer, 802.1Q inner).
 * Returns the inner EtherType in host order, or -1 when truncated.
 */
static __always_inline int parse_eth(struct cursor *c, struct ethhdr **ethp)
{
	struct ethhdr *eth = cursor_pull(c, sizeof(*eth));
	struct vlan_hdr { __be16 tci; __be16 proto; } *vlan;
	__u16 proto;

	if (!eth)
		return -1;
	if (ethp)
		*ethp = eth;
	proto = bpf_ntohs(eth->h_proto);
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
			break;
		vlan = cursor_pull(c, sizeof(*vlan));
		if (!vlan)
			return -1;
		proto = bpf_ntohs(vlan->proto);
	}
	return proto;
}

/*
 * IPv4 header with its options. Returns the L4 protocol, or -1 when the
 * header is truncated or its version/IHL/total length are invalid.
 */
static __always_inline int parse_ipv4(struct cursor *c, struct iphdr **iphp)
{
	struct iphdr *iph = cursor_pull(c, sizeof(*iph));
	__u32 hlen;

	if (!iph || iph->version != 4)
		return -1;
	hlen = iph->ihl * 4;
	if (hlen < sizeof(*iph) || bpf_ntohs(iph->tot_len) < hlen)
		return -1;
	if (hlen > sizeof(*iph) && !cursor_pull(c, hlen - sizeof(*iph)))
		return -1;
	if (iphp)
		*iphp = iph;
	return iph->protocol;
}

static __always_inline bool ipv4_is_fragment(const struct iphdr *iph)
{
	return iph->frag_off & bpf_htons(IP_MF | IP_OFFSET);
}

#define IPV6_MAX_EXT_HDRS 6
/*
 * parse_ipv6_chain() follows up to this many headers, of at most this
 * many bytes in all (six can already be 12 KiB). A 1500-byte packet holds
 * some 180 empty destination options headers, so any bounded parser meets
 * chains it cannot follow: it returns PARSE_CHAIN_TOO_LONG for them, apart
 * from -1 (truncated), and a drop policy fails closed on it.
 */
#define IPV6_CHAIN_MAX_HDRS 64
#define IPV6_CHAIN_MAX_BYTES 16384
#define PARSE_CHAIN_TOO_LONG (-2)

static __always_inline bool ipv6_is_ext(__u8 nh)
{
	return nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING || nh == NEXTHDR_DEST ||
	       nh == NEXTHDR_FRAGMENT;
}

/*
 * IPv6 header, then its extension headers (hop-by-hop, routing,
 * destination options, fragment). Returns the upper-layer protocol with
 * the cursor on its header, NEXTHDR_FRAGMENT for a fragment that is not
 * the first (no upper-layer header in it), -1 when truncated or invalid,
 * or PARSE_CHAIN_TOO_LONG when there are more than IPV6_MAX_EXT_HDRS
 * extension headers (the upper layer lies behind them: not reached, which
 * is not the same as truncated).
 */
static __always_inline int parse_ipv6(struct cursor *c, struct ipv6hdr **ip6hp)
{
	struct ipv6hdr *ip6h = cursor_pull(c, sizeof(*ip6h));
	struct { __u8 nexthdr; __u8 len; __be16 frag_off; } *ext;
	__u8 nh;

	if (!ip6h || ip6h->version != 6)
		return -1;
	if (ip6hp)
		*ip6hp = ip6h;
	nh = ip6h->nexthdr;
#pragma unroll
	for (int i = 0; i < IPV6_MAX_EXT_HDRS; i++) {
		switch (nh) {
		case NEXTHDR_HOP:
		case NEXTHDR_ROUTING:
		case NEXTHDR_DEST:
			ext = cursor_pull(c, 8);
			if (!ext || !cursor_pull(c, ext->len * 8))
				return -1;
			nh = ext->nexthdr;
			break;
		case NEXTHDR_FRAGMENT:
			ext = cursor_pull(c, 8);
			if (!ext)
				return -1;
			if (ext->frag_off & bpf_htons(0xFFF8))
				return NEXTHDR_FRAGMENT;
			nh = ext->nexthdr;
			break;
		default:
			return nh;
		}
	}
	/* Six followed: next is the upper layer, or one header too many. */
	return ipv6_is_ext(nh) ? PARSE_CHAIN_TOO_LONG : nh;
}

/*
 * parse_ipv6() for programs that enforce a policy on the upper layer: the
 * same results, but the chain is followed up to IPV6_CHAIN_MAX_HDRS
 * headers (IPV6_CHAIN_MAX_BYTES) in a bounded loop, which the verifier
 * walks round by round instead of an unrolled copy per header (5.3 and
 * later). The offset is a scalar bounded on every round, so that the
 * cursor stays within what the verifier accepts for a packet pointer
 * (64 KiB) however often the loop turns.
 */
static __always_inline int parse_ipv6_chain(struct cursor *c, struct ipv6hdr **ip6hp)
{
	struct ipv6hdr *ip6h = cursor_pull(c, sizeof(*ip6h));
	struct { __u8 nexthdr; __u8 len; __be16 frag_off; } *ext;
	void *base = c->pos;
	__u64 off;
	__u8 nh;

	if (!ip6h || ip6h->version != 6)
		return -1;
	if (ip6hp)
		*ip6hp = ip6h;
	nh = ip6h->nexthdr;
	/*
	 * off is 0, but the verifier is not to know: a packet field xored
	 * with itself is 0..0xffff to it (it xors the known bits only).
	 * With its widest range from the first round, each round's state
	 * covers the next one's, and the loop and the rest of the program
	 * are verified a few times, not once per length of chain seen.
	 */
	off = ip6h->payload_len;
	asm volatile("%0 ^= %0" : "+r"(off));
	off &= 0x7ff8;
#pragma clang loop unroll(disable)
	for (int i = 0; i < IPV6_CHAIN_MAX_HDRS; i++) {
		c->pos = base + off;
		if (!ipv6_is_ext(nh))
			break;
		/* The next 8 bytes there prove the header before was whole. */
		ext = cursor_pull(c, 8);
		if (!ext)
			return -1;
		if (nh == NEXTHDR_FRAGMENT) {
			if (ext->frag_off & bpf_htons(0xFFF8))
				return NEXTHDR_FRAGMENT;
			off += 8;
		} else {
			off += (ext->len + 1) * 8;
		}
		nh = ext->nexthdr;
		if (off > IPV6_CHAIN_MAX_BYTES)
			return PARSE_CHAIN_TOO_LONG;
		/*
		 * A no-op (off is at most 16 KiB, a multiple of 8) that clang
		 * cannot drop behind the barrier: it forgets the lower bound
		 * this round added, so the range is the same on every round.
		 */
		asm volatile("" : "+r"(off));
		off &= 0x7ff8;
	}
	c->pos = base + off;
	if (ipv6_is_ext(nh))
		return PARSE_CHAIN_TOO_LONG;
	/* The last extension header must be whole, as in parse_ipv6(). */
	return cursor_pull(c, 0) ? nh : -1;
}

static __always_inline struct tcphdr *parse_tcp(struct cursor *c)
{
	struct tcphdr *th = cursor_pull(c, sizeof(*th));
	__u32 hlen;

	if (!th)
		return NULL;
	hlen = th->doff * 4;
	if (hlen < sizeof(*th))
		return NULL;
	if (hlen > sizeof(*th) && !cursor_pull(c, hlen - sizeof(*th)))
		return NULL;
	return th;
}

static __always_inline struct udphdr *parse_udp(struct cursor *c)
{
	return cursor_pull(c, sizeof(struct udphdr));
}

static __always_inline struct icmphdr *parse_icmp(struct cursor *c)
{
	return cursor_pull(c, sizeof(struct icmphdr));
}

static __always_inline struct icmp6hdr *parse_icmp6(struct cursor *c)
{
	return cursor_pull(c, sizeof(struct icmp6hdr));
}

#endif
