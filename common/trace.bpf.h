/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --trace, the BPF side. An example keeps its program as it is and adds a
 * second entry point that returns the same verdict through trace_xdp()
 * (or trace_skb() at tc):
 *
 *	SEC("xdp") int prog(struct xdp_md *ctx) { return verdict(ctx); }
 *	SEC("xdp") int prog_trace(struct xdp_md *ctx)
 *	{
 *		return trace_xdp(ctx, verdict(ctx));
 *	}
 *
 * The loader loads one of the two (trace_pick() in trace.h). Each packet
 * that prog_trace sees leaves a struct trace_pkt in the ring buffer
 * trace_rb: addresses, ports or ICMP type, length and verdict. At most
 * trace_rate events a second are written; the others are only counted,
 * so tracing a flood stays cheap and the reader learns how many lines
 * were left out.
 *
 * Why two programs and not one with a `const volatile bool trace_on`?
 * The verifier would drop the tracing code when the flag is false, but
 * clang tests the flag at every return of the program: measured on
 * xdp_drop, 76 more instructions for the verifier to walk and a load and
 * a branch per packet. With two programs, no --trace costs nothing.
 */
#ifndef CATALOG_TRACE_BPF_H
#define CATALOG_TRACE_BPF_H

#include "cursor.bpf.h"
#include "trace.h"

#ifdef TRACE_COMPILED_OUT
/* The program as it would be without tracing (a test's baseline). */
#define trace_xdp(ctx, verdict) (verdict)
#define trace_skb(skb, verdict) (verdict)
#else

/* Set by the loader before load (a constant for the verifier). */
const volatile __u32 trace_rate = TRACE_DEFAULT_RATE;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);		/* bytes, a power of 2 pages */
} trace_rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TRACE_NCOUNTS);
	__type(key, __u32);
	__type(value, __u64);
} trace_counts SEC(".maps");

/* The rate limit: events written in the one-second window that began at start. */
struct trace_window {
	struct bpf_spin_lock lock;
	__u32 sent;
	__u64 start;		/* ns, bpf_ktime_get_ns() */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct trace_window);
} trace_win SEC(".maps");

static __always_inline void trace_count(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&trace_counts, &slot);

	if (n)
		(*n)++;
}

/* One more event this second? Packets on every CPU share the budget. */
static __always_inline bool trace_admit(void)
{
	struct trace_window *w;
	__u64 now = bpf_ktime_get_ns();
	__u32 zero = 0;
	bool ok = false;

	w = bpf_map_lookup_elem(&trace_win, &zero);
	if (!w)
		return false;
	bpf_spin_lock(&w->lock);
	if (now - w->start >= 1000000000ULL) {
		w->start = now;
		w->sent = 0;
	}
	if (w->sent < trace_rate) {
		w->sent++;
		ok = true;
	}
	bpf_spin_unlock(&w->lock);
	return ok;
}

/* ARP for IPv4 over Ethernet, the only kind a lab sees. */
struct trace_arp {
	__be16 htype, ptype;
	__u8 hlen, plen;
	__be16 op;
	__u8 sha[6], spa[4], tha[6], tpa[4];
};

/* What the packet is, read again from the start: the example's own parse stays as it was. */
static __always_inline void trace_parse(struct trace_pkt *e, void *data, void *data_end)
{
	struct ipv6hdr *ip6h = NULL;
	struct iphdr *iph = NULL;
	struct trace_arp *arp;
	struct icmphdr *icmp;
	struct tcphdr *th;
	struct udphdr *uh;
	struct cursor c;
	int proto, l4;

	cursor_init(&c, data, data_end);
	proto = parse_eth(&c, NULL);
	if (proto < 0)
		return;
	e->eth_proto = proto;
	if (proto == ETH_P_ARP) {
		arp = cursor_pull(&c, sizeof(*arp));
		if (!arp) {
			e->flags = TRACE_F_SHORT;
			return;
		}
		e->type = bpf_ntohs(arp->op);
		__builtin_memcpy(e->mac, arp->sha, 6);
		__builtin_memcpy(e->saddr, arp->spa, 4);
		__builtin_memcpy(e->daddr, arp->tpa, 4);
		return;
	}
	if (proto == ETH_P_IP) {
		l4 = parse_ipv4(&c, &iph);
		if (!iph) {
			e->flags = TRACE_F_SHORT;
			return;
		}
		e->family = 4;
		e->proto = l4;
		__builtin_memcpy(e->saddr, &iph->saddr, 4);
		__builtin_memcpy(e->daddr, &iph->daddr, 4);
		if (iph->frag_off & bpf_htons(IP_OFFSET)) {
			e->flags = TRACE_F_FRAG;
			return;
		}
	} else if (proto == ETH_P_IPV6) {
		l4 = parse_ipv6(&c, &ip6h);
		if (!ip6h) {
			e->flags = TRACE_F_SHORT;
			return;
		}
		e->family = 6;
		__builtin_memcpy(e->saddr, &ip6h->saddr, 16);
		__builtin_memcpy(e->daddr, &ip6h->daddr, 16);
		if (l4 < 0) {
			e->flags = TRACE_F_SHORT;
			return;
		}
		if (l4 == NEXTHDR_FRAGMENT) {
			e->flags = TRACE_F_FRAG;
			return;
		}
		e->proto = l4;
	} else {
		return;
	}

	switch (e->proto) {
	case IPPROTO_TCP:
		th = parse_tcp(&c);
		if (!th)
			break;
		e->sport = bpf_ntohs(th->source);
		e->dport = bpf_ntohs(th->dest);
		return;
	case IPPROTO_UDP:
		uh = parse_udp(&c);
		if (!uh)
			break;
		e->sport = bpf_ntohs(uh->source);
		e->dport = bpf_ntohs(uh->dest);
		return;
	case IPPROTO_ICMP:
	case NEXTHDR_ICMP:
		icmp = cursor_pull(&c, 2);	/* type and code lead both headers */
		if (!icmp)
			break;
		e->type = icmp->type;
		e->code = icmp->code;
		return;
	default:
		return;
	}
	e->flags = TRACE_F_SHORT;
}

static __noinline void trace_packet(void *data, void *data_end, __u32 len, int verdict,
				    __u8 hook)
{
	struct trace_pkt *e;

	if (!trace_admit()) {
		trace_count(TRACE_MISSED);
		return;
	}
	e = bpf_ringbuf_reserve(&trace_rb, sizeof(*e), 0);
	if (!e) {
		trace_count(TRACE_MISSED);
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->len = len;
	e->verdict = verdict;
	e->hook = hook;
	trace_parse(e, data, data_end);
	bpf_ringbuf_submit(e, 0);
	trace_count(TRACE_SHOWN);
}

/* Emit the packet's line (rate permitting) and return its verdict. */
static __always_inline int trace_xdp(struct xdp_md *ctx, int verdict)
{
	trace_packet((void *)(long)ctx->data, (void *)(long)ctx->data_end,
		     ctx->data_end - ctx->data, verdict, TRACE_HOOK_XDP);
	return verdict;
}

/* The same at tc; call it after any bpf_skb_pull_data(), it reads skb->data anew. */
static __always_inline int trace_skb(struct __sk_buff *skb, int verdict)
{
	trace_packet((void *)(long)skb->data, (void *)(long)skb->data_end, skb->len,
		     verdict, TRACE_HOOK_TC);
	return verdict;
}

#endif /* TRACE_COMPILED_OUT */
#endif
