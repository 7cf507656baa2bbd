// SPDX-License-Identifier: GPL-2.0
/*
 * A BPF_PROG_TYPE_NETFILTER program: it runs at a netfilter hook like an
 * iptables/nftables chain, at the priority the link was given, and
 * returns NF_ACCEPT or NF_DROP. The packet is read through a dynptr over
 * the skb (bpf_dynptr_from_skb + bpf_dynptr_slice), which copies into a
 * stack buffer when the bytes are not linear. GPL: the kfuncs are GPL-only.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "cursor.bpf.h"	/* net.bpf.h, IPV6_CHAIN_MAX_HDRS */
#include "netfilter.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NETFILTER_NSTATS);
	__type(key, __u32);
	__type(value, struct netfilter_count);
} stats SEC(".maps");

/* The ports to drop, filled by the loader; the value counts the drops. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NETFILTER_MAX_PORTS * 2);
	__type(key, struct netfilter_port_key);
	__type(value, __u64);
} drop_ports SEC(".maps");

/* Offset of the L4 header and its protocol, or -1 when there is none to read. */
static __always_inline int l4_of_ipv4(const struct bpf_dynptr *p, __u32 *off)
{
	struct iphdr buf, *iph = bpf_dynptr_slice(p, 0, &buf, sizeof(buf));

	if (!iph || iph->version != 4 || iph->ihl < 5)
		return -1;
	/* A later fragment has no L4 header; the first one does. */
	if (iph->frag_off & bpf_htons(IP_OFFSET))
		return -1;
	*off = iph->ihl * 4;
	return iph->protocol;
}

/*
 * The chain is followed up to IPV6_CHAIN_MAX_HDRS headers (and
 * IPV6_CHAIN_MAX_BYTES bytes): the offset is a plain number here, so a
 * bounded loop costs the verifier a few rounds. Beyond that the answer is
 * PARSE_CHAIN_TOO_LONG, and the packet is dropped: the stack would follow
 * the chain to TCP or UDP and deliver it past the ports listed.
 */
static __always_inline int l4_of_ipv6(const struct bpf_dynptr *p, __u32 *off)
{
	struct ipv6hdr buf, *ip6h = bpf_dynptr_slice(p, 0, &buf, sizeof(buf));
	struct { __u8 nexthdr; __u8 len; __be16 frag_off; } ebuf, *ext;
	__u32 pos = sizeof(*ip6h);
	__u8 nh;

	if (!ip6h || ip6h->version != 6)
		return -1;
	nh = ip6h->nexthdr;
#pragma clang loop unroll(disable)
	for (int i = 0; i < IPV6_CHAIN_MAX_HDRS; i++) {
		if (!ipv6_is_ext(nh))
			break;
		ext = bpf_dynptr_slice(p, pos, &ebuf, sizeof(ebuf));
		if (!ext)
			return -1;
		if (nh == NEXTHDR_FRAGMENT) {
			if (ext->frag_off & bpf_htons(0xfff8))
				return -1;
			pos += 8;
		} else {
			pos += (ext->len + 1) * 8;
		}
		nh = ext->nexthdr;
		if (pos - sizeof(*ip6h) > IPV6_CHAIN_MAX_BYTES)
			return PARSE_CHAIN_TOO_LONG;
	}
	if (ipv6_is_ext(nh))
		return PARSE_CHAIN_TOO_LONG;
	*off = pos;
	return nh;
}

static __always_inline void count(__u32 slot, __u64 len)
{
	struct netfilter_count *c = bpf_map_lookup_elem(&stats, &slot);

	if (c) {
		c->packets++;
		c->bytes += len;
	}
}

SEC("netfilter")
int nf_drop_ports(struct bpf_nf_ctx *ctx)
{
	struct sk_buff *skb = ctx->skb;
	struct netfilter_port_key key = {};
	struct bpf_dynptr p;
	struct { __be16 source, dest; } pbuf, *ports;
	__u64 *drops;
	__u32 off = 0;
	int proto = -1;

	/* The dynptr starts at skb->data: the network header at every hook. */
	if (bpf_dynptr_from_skb((struct __sk_buff *)skb, 0, &p))
		return NF_ACCEPT;
	if (ctx->state->pf == NFPROTO_IPV4)
		proto = l4_of_ipv4(&p, &off);
	else if (ctx->state->pf == NFPROTO_IPV6)
		proto = l4_of_ipv6(&p, &off);
	/* There is always a port to drop: a chain we cannot follow fails closed. */
	if (proto == PARSE_CHAIN_TOO_LONG) {
		count(NETFILTER_STAT_LONG_CHAIN, skb->len);
		return NF_DROP;
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
		count(proto < 0 ? NETFILTER_STAT_UNPARSED : NETFILTER_STAT_ACCEPT, skb->len);
		return NF_ACCEPT;
	}
	/* TCP and UDP both start with the two ports: read just those. */
	ports = bpf_dynptr_slice(&p, off, &pbuf, sizeof(pbuf));
	if (!ports) {
		count(NETFILTER_STAT_UNPARSED, skb->len);
		return NF_ACCEPT;
	}
	key.port = bpf_ntohs(ports->dest);
	key.proto = proto;
	drops = bpf_map_lookup_elem(&drop_ports, &key);
	if (!drops) {
		count(NETFILTER_STAT_ACCEPT, skb->len);
		return NF_ACCEPT;
	}
	__sync_fetch_and_add(drops, 1);
	count(NETFILTER_STAT_DROP, skb->len);
	return NF_DROP;
}

char LICENSE[] SEC("license") = "GPL";
