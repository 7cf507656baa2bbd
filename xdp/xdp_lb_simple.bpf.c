// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A load balancer from scratch, the stepping stone to xdp_load_balancer:
 * TCP to VIP:port goes to one of two backends, the backends' answers go
 * back to the one client, all rewritten in place and sent back out with
 * XDP_TX. Addresses and MACs are fixed at load time; see the README for
 * what else is simplified on purpose.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "cursor.bpf.h"
#include "csum.bpf.h"
#include "xdp_lb_simple.h"

/* Set by the loader before load; addresses and port in network order. */
const volatile __be32 vip, lb_addr, client_addr, backend_addr[2];
const volatile __be16 port;
const volatile __u8 lb_mac[ETH_ALEN], client_mac[ETH_ALEN], backend_mac[2][ETH_ALEN];

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_LB_SIMPLE_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* New addresses, and both checksums patched for them (RFC 1624). */
static __always_inline void rewrite(struct ethhdr *eth, struct iphdr *iph, struct tcphdr *th,
				    __be32 saddr, __be32 daddr, const volatile __u8 *dmac)
{
	csum_replace4(&iph->check, iph->saddr, saddr);
	csum_replace4(&iph->check, iph->daddr, daddr);
	/* The TCP checksum covers the addresses too, in its pseudo-header. */
	csum_replace4(&th->check, iph->saddr, saddr);
	csum_replace4(&th->check, iph->daddr, daddr);
	iph->saddr = saddr;
	iph->daddr = daddr;
	for (int i = 0; i < ETH_ALEN; i++) {
		eth->h_source[i] = lb_mac[i];
		eth->h_dest[i] = dmac[i];
	}
}

SEC("xdp")
int xdp_lb_simple(struct xdp_md *ctx)
{
	struct ethhdr *eth;
	struct tcphdr *th;
	struct iphdr *iph;
	struct cursor c;
	__u32 slot = XDP_LB_SIMPLE_STAT_PASS, b;
	__u64 *n;

	cursor_init_xdp(&c, ctx);
	if (parse_eth(&c, &eth) == ETH_P_IP && parse_ipv4(&c, &iph) == IPPROTO_TCP &&
	    !ipv4_is_fragment(iph) && (th = parse_tcp(&c))) {
		if (iph->daddr == vip && th->dest == port) {
			/* From the client: one connection, one backend. */
			b = xdp_lb_simple_pick(bpf_ntohl(iph->saddr), bpf_ntohs(th->source),
				     bpf_ntohl(iph->daddr), bpf_ntohs(th->dest));
			rewrite(eth, iph, th, lb_addr, backend_addr[b], backend_mac[b]);
			slot = b ? XDP_LB_SIMPLE_STAT_TO_B1 : XDP_LB_SIMPLE_STAT_TO_B0;
		} else if (iph->daddr == lb_addr && th->source == port &&
			   (iph->saddr == backend_addr[0] || iph->saddr == backend_addr[1])) {
			rewrite(eth, iph, th, vip, client_addr, client_mac);
			slot = XDP_LB_SIMPLE_STAT_TO_CLIENT;
		}
	}
	n = bpf_map_lookup_elem(&stats, &slot);
	if (n)
		(*n)++;
	return slot == XDP_LB_SIMPLE_STAT_PASS ? XDP_PASS : XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
