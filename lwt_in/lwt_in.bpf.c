// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * An LWT "in" program lives on a route: it sees every packet that the
 * route's lookup chose on input (forwarded or locally delivered), starting
 * at the IP header, before ip_forward()/ip_local_deliver(). This one counts
 * packets and bytes per IP protocol and may drop one protocol.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "cursor.bpf.h"
#include "lwt_in.h"

/* Set by the loader before load; -1 drops nothing. */
const volatile int drop_proto = -1;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LWT_IN_NSTATS);
	__type(key, __u32);
	__type(value, struct lwt_in_count);
} stats SEC(".maps");

SEC("lwt_in")
int lwt_in_count(struct __sk_buff *skb)
{
	struct lwt_in_count *cnt;
	struct cursor c;
	int proto = -1;
	__u32 slot;

	/* No link-layer header here: data starts at the IP header. */
	cursor_init_skb(&c, skb);
	switch (bpf_ntohs(skb->protocol)) {
	case ETH_P_IP:
		proto = parse_ipv4(&c, NULL);
		break;
	case ETH_P_IPV6:
		proto = parse_ipv6_chain(&c, NULL);
		/* Cut short by the end of the linear part, not of the packet. */
		if (proto < 0 && skb->data_end - skb->data < skb->len)
			proto = PARSE_CHAIN_TOO_LONG;
		break;
	}
	/*
	 * A chain longer than we follow hides the protocol: the stack would
	 * follow it, so with a protocol to drop it is dropped (fail closed).
	 */
	if (proto == PARSE_CHAIN_TOO_LONG)
		slot = LWT_IN_STAT_LONG_CHAIN;
	else
		slot = proto < 0 ? LWT_IN_STAT_MALFORMED : proto;
	cnt = bpf_map_lookup_elem(&stats, &slot);
	if (cnt) {
		cnt->packets++;
		cnt->bytes += skb->len;
	}
	if (slot == LWT_IN_STAT_LONG_CHAIN)
		return drop_proto >= 0 ? BPF_DROP : BPF_OK;
	/*
	 * A header we cannot parse goes on: the IP layer has validated it
	 * before the route lookup, so this only happens with crafted input,
	 * which ip6_input() drops when it cannot read it either.
	 */
	if (proto >= 0 && proto == drop_proto)
		return BPF_DROP;
	return BPF_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
