// SPDX-License-Identifier: GPL-2.0
/*
 * An XDP router between two ports: an IPv4/IPv6 packet that the kernel's
 * FIB would forward out of the other port leaves through it directly,
 * with bpf_redirect_map() into a BPF_MAP_TYPE_DEVMAP. The FIB lookup gives
 * the MACs (from the neighbour table); the program decrements the TTL (and
 * patches the IPv4 checksum) as a router must. Anything else goes to the
 * kernel: local traffic, ARP and ND, TTL 1, unresolved neighbours.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "cursor.bpf.h"
#include "csum.bpf.h"
#include "xdp_redirect.h"

/* Set by the loader: the ifindex of each port. */
const volatile __u32 port_ifindex[XDP_REDIRECT_PORTS];

/* Slot -> the device to transmit on (filled by the loader). */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, XDP_REDIRECT_PORTS);
	__type(key, __u32);
	__type(value, __u32);		/* ifindex */
} tx_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_REDIRECT_PORTS);
	__type(key, __u32);
	__type(value, struct xdp_redirect_count);
} stats SEC(".maps");

SEC("xdp")
int xdp_redirect(struct xdp_md *ctx)
{
	struct bpf_fib_lookup fib = { .ifindex = ctx->ingress_ifindex };
	__u32 in = ctx->ingress_ifindex == port_ifindex[1], out;
	struct xdp_redirect_count *cnt = bpf_map_lookup_elem(&stats, &in);
	struct ipv6hdr *ip6h;
	struct ethhdr *eth;
	struct iphdr *iph;
	struct cursor c;
	__be16 old;

	if (!cnt)
		return XDP_PASS;
	cursor_init_xdp(&c, ctx);
	switch (parse_eth(&c, &eth)) {
	case ETH_P_IP:
		/* TTL 1 expires here: the kernel sends the ICMP time exceeded. */
		if (parse_ipv4(&c, &iph) < 0 || iph->ttl <= 1)
			goto pass;
		fib.family = AF_INET;
		fib.tos = iph->tos;
		fib.l4_protocol = iph->protocol;
		fib.tot_len = bpf_ntohs(iph->tot_len);
		fib.ipv4_src = iph->saddr;
		fib.ipv4_dst = iph->daddr;
		break;
	case ETH_P_IPV6:
		if (parse_ipv6(&c, &ip6h) < 0 || ip6h->hop_limit <= 1)
			goto pass;
		fib.family = AF_INET6;
		fib.l4_protocol = ip6h->nexthdr;
		fib.tot_len = sizeof(*ip6h) + bpf_ntohs(ip6h->payload_len);
		__builtin_memcpy(fib.ipv6_src, &ip6h->saddr, sizeof(fib.ipv6_src));
		__builtin_memcpy(fib.ipv6_dst, &ip6h->daddr, sizeof(fib.ipv6_dst));
		break;
	default:
		goto pass;
	}

	/* Anything but "forward it there, to this MAC" is the kernel's job. */
	if (bpf_fib_lookup(ctx, &fib, sizeof(fib), 0) != BPF_FIB_LKUP_RET_SUCCESS)
		goto pass;
	out = fib.ifindex == port_ifindex[1];
	if (fib.ifindex != port_ifindex[out] || out == in)
		goto pass;		/* not between our two ports */
	if (!bpf_map_lookup_elem(&tx_port, &out))
		goto pass;		/* no device in the slot: nowhere to send it */

	if (fib.family == AF_INET) {
		old = *(__be16 *)&iph->ttl;
		iph->ttl--;
		csum_replace2(&iph->check, old, *(__be16 *)&iph->ttl);
	} else {
		ip6h->hop_limit--;
	}
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	cnt->fwd_packets++;
	cnt->fwd_bytes += ctx->data_end - ctx->data;
	return bpf_redirect_map(&tx_port, out, 0);
pass:
	cnt->passed++;
	return XDP_PASS;
}

/* bpf_fib_lookup is a GPL-only helper. */
char LICENSE[] SEC("license") = "GPL";
