// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A tc action: drop a share of ICMP packets at random, pass the rest.
 *
 * As an act_bpf action the return value is the action's verdict:
 * TC_ACT_SHOT drops, TC_ACT_UNSPEC means "the action's default" (the loader
 * configures pipe: go on). Where the kernel has no act_bpf, the loader
 * loads this same program as a direct-action classifier, where
 * TC_ACT_UNSPEC means "next filter or program, else pass": both readings
 * pass the packet on.
 *
 * IPv6 neighbour discovery (ICMPv6 133-137) is never dropped: losing it
 * breaks every IPv6 exchange on the link, not just ping.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "cursor.bpf.h"
#include "sched_act.h"

/* Drop when a random u32 is below threshold: percent * 2^32 / 100. */
const volatile __u64 threshold;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sched_act_count);
} stats SEC(".maps");

#define PULL_LEN 256

static __always_inline bool is_icmp(struct __sk_buff *skb)
{
	struct icmp6hdr *icmp6;
	struct cursor c;
	int proto;

	cursor_init_skb(&c, skb);
	proto = parse_eth(&c, NULL);
	if (proto == ETH_P_IP)
		return parse_ipv4(&c, NULL) == IPPROTO_ICMP;
	if (proto != ETH_P_IPV6 || parse_ipv6(&c, NULL) != NEXTHDR_ICMP)
		return false;
	icmp6 = parse_icmp6(&c);
	return icmp6 && (icmp6->icmp6_type < NDISC_ROUTER_SOLICITATION ||
			 icmp6->icmp6_type > 137);
}

SEC("action")
int sched_act(struct __sk_buff *skb)
{
	struct sched_act_count *st = bpf_map_lookup_elem(&stats, &(__u32){ 0 });

	if (!st)
		return TC_ACT_UNSPEC;
	st->seen++;
	if (skb->data_end - skb->data < skb->len)
		bpf_skb_pull_data(skb, skb->len < PULL_LEN ? skb->len : PULL_LEN);
	/* The pull moved data and data_end: keep clang from reusing old addresses. */
	asm volatile("" : "+r"(skb));
	if (!is_icmp(skb))
		return TC_ACT_UNSPEC;
	st->icmp++;
	if (bpf_get_prandom_u32() < threshold) {
		st->dropped++;
		return TC_ACT_SHOT;
	}
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
