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
 * IPv6 header, then its extension headers (hop-by-hop, routing,
 * destination options, fragment). Returns the upper-layer protocol with
 * the cursor on its header, NEXTHDR_FRAGMENT for a fragment that is not
 * the first (no upper-layer header in it), or -1 when truncated or when
 * there are more than IPV6_MAX_EXT_HDRS extension headers.
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
	if (nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING || nh == NEXTHDR_DEST ||
	    nh == NEXTHDR_FRAGMENT)
		return -1;
	return nh;
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
