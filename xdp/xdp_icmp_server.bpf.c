// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Answer ping from XDP: turn an echo request into its reply in place and
 * send it back out of the interface it came in on (XDP_TX). The kernel's
 * ICMP code never sees the request, which is what the tests check.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "cursor.bpf.h"
#include "csum.bpf.h"
#include "xdp_icmp_server.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ICMP_SRV_NSTATS);
	__type(key, __u32);
	__type(value, struct icmp_server_count);
} stats SEC(".maps");

static __always_inline void swap_mac(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

/* The type and code share one 16-bit word of the ICMP checksum. */
static __always_inline void set_icmp_type(__u8 *type, __sum16 *csum, __u8 new_type)
{
	__be16 old = *(__be16 *)type;

	*type = new_type;
	csum_replace2(csum, old, *(__be16 *)type);
}

static __always_inline int echo_v4(struct cursor *c, struct ethhdr *eth)
{
	struct icmphdr *icmp;
	struct iphdr *iph;
	__be16 old_ttl;
	__be32 addr;

	if (parse_ipv4(c, &iph) != IPPROTO_ICMP || ipv4_is_fragment(iph))
		return XDP_PASS;
	/* A packet shorter than its IP length is corrupt: the kernel drops it. */
	if ((void *)iph + bpf_ntohs(iph->tot_len) > c->end)
		return XDP_PASS;
	icmp = parse_icmp(c);
	if (!icmp || icmp->type != ICMP_ECHO || icmp->code != 0)
		return XDP_PASS;
	/* Broadcast and multicast pings are the kernel's policy to answer. */
	if ((eth->h_dest[0] & 1) || (bpf_ntohl(iph->daddr) >> 28) == 0xe ||
	    iph->daddr == 0xffffffff)
		return XDP_PASS;

	swap_mac(eth);
	/* Swapping addresses leaves the IP header checksum as it was. */
	addr = iph->saddr;
	iph->saddr = iph->daddr;
	iph->daddr = addr;
	old_ttl = *(__be16 *)&iph->ttl;
	iph->ttl = ICMP_SRV_REPLY_TTL;
	csum_replace2(&iph->check, old_ttl, *(__be16 *)&iph->ttl);
	set_icmp_type(&icmp->type, &icmp->checksum, ICMP_ECHOREPLY);
	return XDP_TX;
}

static __always_inline int echo_v6(struct cursor *c, struct ethhdr *eth)
{
	struct in6_addr addr;
	struct icmp6hdr *icmp6;
	struct ipv6hdr *ip6h;

	/*
	 * Only a plain IPv6 header: a reply to a request with extension
	 * headers would have to rebuild them, so the kernel gets those.
	 */
	if (parse_ipv6(c, &ip6h) != NEXTHDR_ICMP || ip6h->nexthdr != NEXTHDR_ICMP)
		return XDP_PASS;
	if ((void *)(ip6h + 1) + bpf_ntohs(ip6h->payload_len) > c->end)
		return XDP_PASS;
	icmp6 = parse_icmp6(c);
	if (!icmp6 || icmp6->icmp6_type != ICMPV6_ECHO_REQUEST || icmp6->icmp6_code != 0)
		return XDP_PASS;
	if ((eth->h_dest[0] & 1) || ip6h->daddr.in6_u.u6_addr8[0] == 0xff)
		return XDP_PASS;

	swap_mac(eth);
	/* The pseudo-header sum is the same with the addresses swapped. */
	addr = ip6h->saddr;
	ip6h->saddr = ip6h->daddr;
	ip6h->daddr = addr;
	ip6h->hop_limit = ICMP_SRV_REPLY_TTL;
	set_icmp_type(&icmp6->icmp6_type, &icmp6->icmp6_cksum, ICMPV6_ECHO_REPLY);
	return XDP_TX;
}

SEC("xdp")
int xdp_icmp_server(struct xdp_md *ctx)
{
	struct icmp_server_count *cnt;
	struct ethhdr *eth;
	struct cursor c;
	int verdict = XDP_PASS;
	__u32 slot;

	cursor_init_xdp(&c, ctx);
	switch (parse_eth(&c, &eth)) {
	case ETH_P_IP:
		verdict = echo_v4(&c, eth);
		slot = ICMP_SRV_REPLY4;
		break;
	case ETH_P_IPV6:
		verdict = echo_v6(&c, eth);
		slot = ICMP_SRV_REPLY6;
		break;
	}
	if (verdict != XDP_TX)
		slot = ICMP_SRV_PASS;
	cnt = bpf_map_lookup_elem(&stats, &slot);
	if (cnt) {
		cnt->packets++;
		cnt->bytes += ctx->data_end - ctx->data;
	}
	return verdict;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
