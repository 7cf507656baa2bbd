// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Drop ping: IPv4 ICMP echo and ICMPv6 echo, both directions of the
 * exchange, at the earliest point a packet can be seen. With drop_all_ip
 * every other IPv4/IPv6 packet goes too, but never ARP or IPv6 neighbour
 * discovery: without them no address on the link resolves, and the host
 * is cut off in ways that look like anything but a filter.
 *
 * With a blocklist (--block/--allow) the policy is different: drop every
 * IPv4/IPv6 packet whose source address's longest matching prefix in an
 * LPM trie is a blocked one, whatever it carries; pass the rest.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "cursor.bpf.h"
#include "trace.bpf.h"
#include "xdp_drop.h"

const volatile bool drop_all_ip;
const volatile bool use_blocklist;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_DROP_NSTATS);
	__type(key, __u32);
	__type(value, struct xdp_drop_count);
} stats SEC(".maps");

/* Longest prefix match: value 1 = blocked, 0 = allowed (an exception). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* required for LPM tries */
	__uint(max_entries, XDP_DROP_MAX_PREFIXES);
	__type(key, struct xdp_drop_lpm4);
	__type(value, __u8);
} prefixes4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XDP_DROP_MAX_PREFIXES);
	__type(key, struct xdp_drop_lpm6);
	__type(value, __u8);
} prefixes6 SEC(".maps");

static __always_inline bool blocked4(const struct iphdr *iph)
{
	struct xdp_drop_lpm4 key = { .prefixlen = 32 };	/* a lookup uses the full address */
	__u8 *block;

	__builtin_memcpy(key.addr, &iph->saddr, sizeof(key.addr));
	block = bpf_map_lookup_elem(&prefixes4, &key);
	return block && *block;
}

static __always_inline bool blocked6(const struct ipv6hdr *ip6h)
{
	struct xdp_drop_lpm6 key = { .prefixlen = 128 };
	__u8 *block;

	__builtin_memcpy(key.addr, &ip6h->saddr, sizeof(key.addr));
	block = bpf_map_lookup_elem(&prefixes6, &key);
	return block && *block;
}

static __always_inline int count(struct xdp_md *ctx, __u32 slot, int verdict)
{
	struct xdp_drop_count *cnt = bpf_map_lookup_elem(&stats, &slot);

	if (cnt) {
		cnt->packets++;
		cnt->bytes += ctx->data_end - ctx->data;
	}
	return verdict;
}

static __always_inline bool is_ndisc(__u8 type)
{
	return type >= NDISC_ROUTER_SOLICITATION && type <= 137;	/* 133..137: RS, RA, NS, NA, redirect */
}

static __always_inline int xdp_drop_verdict(struct xdp_md *ctx)
{
	struct ipv6hdr *ip6h = NULL;
	struct icmp6hdr *icmp6;
	struct icmphdr *icmp;
	struct iphdr *iph = NULL;
	struct cursor c;
	int proto, l4;

	cursor_init_xdp(&c, ctx);
	proto = parse_eth(&c, NULL);

	if (proto == ETH_P_IP) {
		l4 = parse_ipv4(&c, &iph);
		if (use_blocklist && l4 >= 0 && blocked4(iph))
			return count(ctx, XDP_DROP_STAT_BLOCKED, XDP_DROP);
		if (use_blocklist)
			return count(ctx, XDP_DROP_STAT_PASS_OTHER, XDP_PASS);
		/* Only a first fragment (offset 0) starts with the ICMP header. */
		if (l4 == IPPROTO_ICMP && !(iph->frag_off & bpf_htons(IP_OFFSET))) {
			icmp = parse_icmp(&c);
			if (icmp && (icmp->type == ICMP_ECHO || icmp->type == ICMP_ECHOREPLY))
				return count(ctx, XDP_DROP_STAT_ICMP4_ECHO, XDP_DROP);
		}
		if (drop_all_ip)
			return count(ctx, XDP_DROP_STAT_ALL_IP, XDP_DROP);
	} else if (proto == ETH_P_IPV6) {
		l4 = parse_ipv6_chain(&c, &ip6h);
		/*
		 * The kernel follows a chain of any length to an echo request
		 * and answers it; past the 64 headers we follow, we cannot tell
		 * ping from the rest, so we drop (the source still decides for
		 * --block, and --all-ip drops it anyway).
		 */
		if (l4 == PARSE_CHAIN_TOO_LONG && !use_blocklist)
			return count(ctx, XDP_DROP_STAT_LONG_CHAIN, XDP_DROP);
		if (l4 == NEXTHDR_ICMP) {
			icmp6 = parse_icmp6(&c);
			if (!use_blocklist && icmp6 &&
			    (icmp6->icmp6_type == ICMPV6_ECHO_REQUEST ||
			     icmp6->icmp6_type == ICMPV6_ECHO_REPLY))
				return count(ctx, XDP_DROP_STAT_ICMP6_ECHO, XDP_DROP);
			if (icmp6 && is_ndisc(icmp6->icmp6_type))
				return count(ctx, XDP_DROP_STAT_PASS_OTHER, XDP_PASS);
		}
		/* A header cut short behind a valid IPv6 header still names its source. */
		if (use_blocklist && ip6h && blocked6(ip6h))
			return count(ctx, XDP_DROP_STAT_BLOCKED, XDP_DROP);
		if (use_blocklist)
			return count(ctx, XDP_DROP_STAT_PASS_OTHER, XDP_PASS);
		if (drop_all_ip)
			return count(ctx, XDP_DROP_STAT_ALL_IP, XDP_DROP);
	}
	return count(ctx, XDP_DROP_STAT_PASS_OTHER, XDP_PASS);
}

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	return xdp_drop_verdict(ctx);
}

/*
 * --trace loads this program instead of the one above: the same verdicts,
 * and each packet leaves a line in a ring buffer (common/trace.bpf.h).
 * Two programs, so that without --trace the kernel runs exactly the
 * program without tracing, not one instruction more.
 */
SEC("xdp")
int xdp_drop_trace(struct xdp_md *ctx)
{
	return trace_xdp(ctx, xdp_drop_verdict(ctx));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
