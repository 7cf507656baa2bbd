// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A direct-action tc classifier: count packets and bytes per protocol, and
 * drop what the policy maps name (an IP protocol, or a TCP/UDP port at
 * either end). The same object runs as a tcx program and as a cls_bpf
 * filter: the loader decides, before load, which one it becomes.
 *
 * Verdicts: TC_ACT_SHOT drops; TC_ACT_UNSPEC (= TCX_NEXT) lets the next
 * program or filter on the hook decide, and passes the packet if there is
 * none. A classifier that passes with TC_ACT_OK would hide the packet from
 * everyone attached after it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "cursor.bpf.h"
#include "trace.bpf.h"
#include "sched_cls.h"

/* Set by the loader: is there any port in drop_port? Anything to drop at all? */
const volatile bool have_ports;
const volatile bool have_policy;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCHED_CLS_NSTATS);
	__type(key, __u32);
	__type(value, struct sched_cls_count);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);		/* IP protocol number */
	__type(value, __u8);
} drop_proto SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SCHED_CLS_MAX_PORTS);
	__type(key, __u16);		/* port, host byte order */
	__type(value, __u8);
} drop_port SEC(".maps");

/* Enough to hold every header we parse; more is not worth copying. */
#define PULL_LEN 256

static __always_inline int verdict(struct __sk_buff *skb, __u32 slot, bool drop)
{
	struct sched_cls_count *cnt = bpf_map_lookup_elem(&stats, &slot);

	if (cnt) {
		cnt->packets++;
		cnt->bytes += skb->len;
		if (drop)
			cnt->dropped++;
	}
	return drop ? TC_ACT_SHOT : TC_ACT_UNSPEC;
}

static __always_inline bool port_blocked(__be16 sport, __be16 dport)
{
	__u16 s = bpf_ntohs(sport), d = bpf_ntohs(dport);

	return bpf_map_lookup_elem(&drop_port, &s) || bpf_map_lookup_elem(&drop_port, &d);
}

static __always_inline int sched_cls_verdict(struct __sk_buff *skb)
{
	struct tcphdr *th;
	struct udphdr *uh;
	struct iphdr *iph;
	struct cursor c;
	bool first = true;
	int proto, l4;
	__u32 slot, key;
	__u8 *drop;

	/* Direct access reaches only the linear part: make the headers linear. */
	if (skb->data_end - skb->data < skb->len)
		bpf_skb_pull_data(skb, skb->len < PULL_LEN ? skb->len : PULL_LEN);
	/* The pull moved data and data_end: keep clang from reusing old addresses. */
	asm volatile("" : "+r"(skb));

	cursor_init_skb(&c, skb);
	proto = parse_eth(&c, NULL);
	if (proto < 0)
		return verdict(skb, SCHED_CLS_STAT_MALFORMED, false);
	if (proto == ETH_P_ARP)
		return verdict(skb, SCHED_CLS_STAT_ARP, false);
	if (proto == ETH_P_IP) {
		l4 = parse_ipv4(&c, &iph);
		if (l4 < 0)
			return verdict(skb, SCHED_CLS_STAT_MALFORMED, false);
		/* Only the fragment at offset 0 carries the ports. */
		first = !(iph->frag_off & bpf_htons(IP_OFFSET));
	} else if (proto == ETH_P_IPV6) {
		l4 = parse_ipv6_chain(&c, NULL);
		/*
		 * The stack follows a chain of any length to UDP or TCP: one
		 * longer than we follow would walk past every rule, so with
		 * a policy it is dropped (fail closed). So is one that goes
		 * on past the bytes the pull made linear.
		 */
		if (l4 == PARSE_CHAIN_TOO_LONG || (l4 < 0 && skb->data_end - skb->data < skb->len))
			return verdict(skb, SCHED_CLS_STAT_LONG_CHAIN, have_policy);
		if (l4 < 0)
			return verdict(skb, SCHED_CLS_STAT_MALFORMED, false);
		if (l4 == NEXTHDR_FRAGMENT)	/* a later fragment: protocol unknown */
			return verdict(skb, SCHED_CLS_STAT_OTHER_IP, false);
	} else {
		return verdict(skb, SCHED_CLS_STAT_OTHER, false);
	}

	switch (l4) {
	case IPPROTO_ICMP:
		slot = SCHED_CLS_STAT_ICMP;
		break;
	case NEXTHDR_ICMP:
		slot = SCHED_CLS_STAT_ICMP6;
		break;
	case IPPROTO_TCP:
		slot = SCHED_CLS_STAT_TCP;
		break;
	case IPPROTO_UDP:
		slot = SCHED_CLS_STAT_UDP;
		break;
	default:
		slot = SCHED_CLS_STAT_OTHER_IP;
	}

	key = l4;
	drop = bpf_map_lookup_elem(&drop_proto, &key);
	if (drop && *drop)
		return verdict(skb, slot, true);
	if (!first || (l4 != IPPROTO_TCP && l4 != IPPROTO_UDP))
		return verdict(skb, slot, false);

	if (l4 == IPPROTO_TCP) {
		th = parse_tcp(&c);
		/*
		 * Ports we cannot read cannot be checked: with a port policy,
		 * drop (a tiny first fragment is the classic way around a
		 * port filter, RFC 1858); without one, the stack drops it.
		 */
		if (!th)
			return verdict(skb, SCHED_CLS_STAT_MALFORMED, have_ports);
		return verdict(skb, slot, have_ports && port_blocked(th->source, th->dest));
	}
	uh = parse_udp(&c);
	if (!uh)
		return verdict(skb, SCHED_CLS_STAT_MALFORMED, have_ports);
	return verdict(skb, slot, have_ports && port_blocked(uh->source, uh->dest));
}

SEC("tc")
int sched_cls(struct __sk_buff *skb)
{
	return sched_cls_verdict(skb);
}

/*
 * --trace loads this program instead of the one above: the same verdicts,
 * and each packet leaves a line in a ring buffer (common/trace.bpf.h).
 * Two programs, so that without --trace the kernel runs exactly the
 * program without tracing, not one instruction more.
 */
SEC("tc")
int sched_cls_trace(struct __sk_buff *skb)
{
	return trace_skb(skb, sched_cls_verdict(skb));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
