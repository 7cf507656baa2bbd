// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A parser split into stages that hand the packet on with bpf_tail_call():
 * the entry program reads Ethernet and jumps to the IPv4 or IPv6 stage,
 * which jumps to the TCP, UDP or ICMP stage. A tail call replaces the
 * running program (no return to the caller, the same stack depth), so
 * each stage is a separately verified program, and the last one's return
 * value is the verdict. The header offsets travel in skb->cb[].
 *
 * Every stage counts itself: the counters prove which programs ran.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "cursor.bpf.h"
#include "tc_tailcall.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, TC_TAILCALL_NSTAGES);
	__type(key, __u32);
	__type(value, __u32);		/* program fds, filled by the loader */
} stages SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TC_TAILCALL_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline int count(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&stats, &slot);

	if (n)
		(*n)++;
	return TC_ACT_UNSPEC;		/* no opinion: the next program decides */
}

/* Hand on to a stage; only an empty slot makes bpf_tail_call() return. */
static __always_inline int next(struct __sk_buff *skb, __u32 stage)
{
	bpf_tail_call(skb, &stages, stage);
	return count(TC_TAILCALL_STAT_MISSED);
}

/* A cursor at the offset an earlier stage left in skb->cb[]. */
static __always_inline bool cursor_at(struct cursor *c, struct __sk_buff *skb, __u32 off)
{
	cursor_init_skb(c, skb);
	if (off > 256)			/* bounded, for the verifier */
		return false;
	c->pos += off;
	return true;
}

SEC("tc")
int tc_tailcall(struct __sk_buff *skb)
{
	struct cursor c;
	int proto;

	count(TC_TAILCALL_STAT_ETH);
	/* Direct access reaches only the linear part: make the headers linear. */
	if (skb->data_end - skb->data < skb->len)
		bpf_skb_pull_data(skb, skb->len < 256 ? skb->len : 256);
	asm volatile("" : "+r"(skb));	/* the pull moved data: reload it */
	cursor_init_skb(&c, skb);
	proto = parse_eth(&c, NULL);
	skb->cb[TC_TAILCALL_CB_L3_OFF] = cursor_offset(&c, (void *)(long)skb->data);
	if (proto == ETH_P_IP)
		return next(skb, TC_TAILCALL_STAGE_IPV4);
	if (proto == ETH_P_IPV6)
		return next(skb, TC_TAILCALL_STAGE_IPV6);
	return count(proto < 0 ? TC_TAILCALL_STAT_MALFORMED : TC_TAILCALL_STAT_OTHER);
}

/* After IPv4 or IPv6: the L4 stage for protocol l4, from the cursor on. */
static __always_inline int to_l4(struct __sk_buff *skb, struct cursor *c, int l4)
{
	skb->cb[TC_TAILCALL_CB_L4_OFF] = cursor_offset(c, (void *)(long)skb->data);
	switch (l4) {
	case IPPROTO_TCP:
		return next(skb, TC_TAILCALL_STAGE_TCP);
	case IPPROTO_UDP:
		return next(skb, TC_TAILCALL_STAGE_UDP);
	case IPPROTO_ICMP:
	case NEXTHDR_ICMP:
		return next(skb, TC_TAILCALL_STAGE_ICMP);
	}
	return count(l4 < 0 ? TC_TAILCALL_STAT_MALFORMED : TC_TAILCALL_STAT_OTHER);
}

SEC("tc")
int stage_ipv4(struct __sk_buff *skb)
{
	struct iphdr *iph;
	struct cursor c;
	int l4;

	count(TC_TAILCALL_STAT_IPV4);
	if (!cursor_at(&c, skb, skb->cb[TC_TAILCALL_CB_L3_OFF]))
		return count(TC_TAILCALL_STAT_MALFORMED);
	l4 = parse_ipv4(&c, &iph);
	/* A later fragment carries no L4 header. */
	if (l4 >= 0 && (iph->frag_off & bpf_htons(IP_OFFSET)))
		return count(TC_TAILCALL_STAT_OTHER);
	return to_l4(skb, &c, l4);
}

SEC("tc")
int stage_ipv6(struct __sk_buff *skb)
{
	struct cursor c;
	int l4;

	count(TC_TAILCALL_STAT_IPV6);
	if (!cursor_at(&c, skb, skb->cb[TC_TAILCALL_CB_L3_OFF]))
		return count(TC_TAILCALL_STAT_MALFORMED);
	l4 = parse_ipv6(&c, NULL);
	if (l4 == NEXTHDR_FRAGMENT)
		return count(TC_TAILCALL_STAT_OTHER);
	return to_l4(skb, &c, l4);
}

SEC("tc")
int stage_tcp(struct __sk_buff *skb)
{
	struct cursor c;

	count(TC_TAILCALL_STAT_TCP);
	if (!cursor_at(&c, skb, skb->cb[TC_TAILCALL_CB_L4_OFF]) || !parse_tcp(&c))
		return count(TC_TAILCALL_STAT_MALFORMED);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int stage_udp(struct __sk_buff *skb)
{
	struct cursor c;

	count(TC_TAILCALL_STAT_UDP);
	if (!cursor_at(&c, skb, skb->cb[TC_TAILCALL_CB_L4_OFF]) || !parse_udp(&c))
		return count(TC_TAILCALL_STAT_MALFORMED);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int stage_icmp(struct __sk_buff *skb)
{
	struct cursor c;

	count(TC_TAILCALL_STAT_ICMP);
	/* ICMP and ICMPv6 headers start alike: type, code, checksum. */
	if (!cursor_at(&c, skb, skb->cb[TC_TAILCALL_CB_L4_OFF]) || !parse_icmp(&c))
		return count(TC_TAILCALL_STAT_MALFORMED);
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
