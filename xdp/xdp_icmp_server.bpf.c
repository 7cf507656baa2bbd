// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Answer ping from XDP: turn an echo request into its reply in place and
 * send it back out of the interface it came in on (XDP_TX). The kernel's
 * ICMP code never sees the requests answered here, which is what the
 * tests check.
 *
 * Only requests the kernel itself would answer get a reply from here:
 * everything that its checks might refuse, or whose reply it would build
 * differently (IP options, extension headers, broadcasts, routed
 * sources), is passed to it unchanged (XDP_PASS) so that its policy
 * applies. xdp/README.md lists the rules and why.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "cursor.bpf.h"
#include "csum.bpf.h"
#include "xdp_icmp_server.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_ICMP_SERVER_NSTATS);
	__type(key, __u32);
	__type(value, struct xdp_icmp_server_count);
} stats SEC(".maps");

/* Filled and refreshed by the loader; all zero answers nothing. */
struct xdp_icmp_server_cfg cfg;

/* Past the deepest ICMP header we answer (after IPv6): 14 + 40 + 8. */
#define MAX_L4_OFF 72

/* Fold a one's complement sum to 16 bits. It is 0 only if every word was. */
static __always_inline __u32 fold16(__u64 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s;
}

/* n bytes (a multiple of 4, at most 512) from p into the sum, if they are there. */
#define SUM_CHUNK(p, end, n, sum)					\
	({								\
		int __ok = (p) + (n) <= (end);				\
		if (__ok) {						\
			(sum) = bpf_csum_diff(NULL, 0, (p), (n), (sum));	\
			(p) += (n);					\
		}							\
		__ok;							\
	})

/*
 * The last len (< 512) bytes of pkt_sum, by halves: 256, 128, ... 4, then
 * two and one byte. Global functions (not static) are verified once on
 * their own, not once per path of their caller.
 */
__noinline int pkt_sum_tail(struct xdp_md *ctx, __u32 off, __u32 len, __u32 seed)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 sum = seed;
	__u16 last = 0;
	__u64 total;
	void *p;

	if (off > MAX_L4_OFF + XDP_ICMP_SERVER_MAX_MSG || len >= XDP_ICMP_SERVER_CHUNK)
		return -1;
	/*
	 * The compiler may test a copy of off: give the verifier a bound of
	 * its own (offsets must stay below 64 KiB). The barrier keeps the
	 * compiler from dropping a mask it knows changes nothing.
	 */
	barrier_var(off);
	off &= 0x7fff;
	p = data + off;
	if (((len & 256) && !SUM_CHUNK(p, end, 256, sum)) ||
	    ((len & 128) && !SUM_CHUNK(p, end, 128, sum)) ||
	    ((len & 64) && !SUM_CHUNK(p, end, 64, sum)) ||
	    ((len & 32) && !SUM_CHUNK(p, end, 32, sum)) ||
	    ((len & 16) && !SUM_CHUNK(p, end, 16, sum)) ||
	    ((len & 8) && !SUM_CHUNK(p, end, 8, sum)) ||
	    ((len & 4) && !SUM_CHUNK(p, end, 4, sum)))
		return -1;
	total = sum;
	if (len & 2) {
		if (p + 2 > end)
			return -1;
		total += *(__u16 *)p;
		p += 2;
	}
	if (len & 1) {
		if (p + 1 > end)
			return -1;
		/* An odd last byte is the first byte of a zero-padded word. */
		*(__u8 *)&last = *(__u8 *)p;
		total += last;
	}
	return fold16(total);
}

/*
 * One's complement sum of the len bytes at off (folded, in the byte order
 * of memory), or -1 if the packet is shorter. bpf_csum_diff sums at most
 * 512 bytes per call, so whole chunks go through it and the rest through
 * pkt_sum_tail.
 */
__noinline int pkt_sum(struct xdp_md *ctx, __u32 off, __u32 len)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 sum = 0;
	void *p;

	if (off > MAX_L4_OFF || len > XDP_ICMP_SERVER_MAX_MSG)
		return -1;
	barrier_var(off);	/* see pkt_sum_tail */
	off &= 0x7f;
	p = data + off;
	for (int i = 0; i < XDP_ICMP_SERVER_MAX_MSG / XDP_ICMP_SERVER_CHUNK; i++) {
		if (len < XDP_ICMP_SERVER_CHUNK)
			break;
		if (p + XDP_ICMP_SERVER_CHUNK > end)
			return -1;
		sum = bpf_csum_diff(NULL, 0, p, XDP_ICMP_SERVER_CHUNK, sum);
		p += XDP_ICMP_SERVER_CHUNK;
		off += XDP_ICMP_SERVER_CHUNK;
		len -= XDP_ICMP_SERVER_CHUNK;
	}
	return pkt_sum_tail(ctx, off, len, sum);
}

/*
 * The address checks loop over the interface's addresses: as global
 * functions (scalars in, verified once) they do not multiply the paths
 * the verifier walks through the program.
 *
 * A source the kernel would answer through this interface, to the sender
 * of the frame: on one of its subnets, not the subnet's network or
 * broadcast address, and not one of our own addresses (except on lo,
 * where every packet is from us to us).
 */
__noinline int source4_ok(__be32 s)
{
	int onlink = 0;

	for (int i = 0; i < XDP_ICMP_SERVER_MAX_ADDRS && i < cfg.n4; i++) {
		__be32 a = cfg.a4[i].addr, m = cfg.a4[i].mask;

		if (s == a && !cfg.loopback)
			return 0;
		if ((s & m) != (a & m))
			continue;
		/* /31 and /32 have no network and broadcast addresses. */
		if (bpf_ntohl(m) < 0xfffffffe && ((s & ~m) == 0 || (s | m) == 0xffffffff))
			return 0;
		onlink = 1;
	}
	return onlink;
}

/* A unicast address of this interface: not a broadcast, not another host's. */
__noinline int local4(__be32 d)
{
	for (int i = 0; i < XDP_ICMP_SERVER_MAX_ADDRS && i < cfg.n4; i++)
		if (d == cfg.a4[i].addr)
			return 1;
	return 0;
}

/* As source4_ok; the subnet-router anycast address (prefix::) is out too. */
__noinline int source6_ok(__u32 s0, __u32 s1, __u32 s2, __u32 s3)
{
	int onlink = 0;

	for (int i = 0; i < XDP_ICMP_SERVER_MAX_ADDRS && i < cfg.n6; i++) {
		const __u32 *a = cfg.a6[i].addr, *m = cfg.a6[i].mask;

		if (s0 == a[0] && s1 == a[1] && s2 == a[2] && s3 == a[3] && !cfg.loopback)
			return 0;
		if ((s0 & m[0]) != (a[0] & m[0]) || (s1 & m[1]) != (a[1] & m[1]) ||
		    (s2 & m[2]) != (a[2] & m[2]) || (s3 & m[3]) != (a[3] & m[3]))
			continue;
		if (!((s0 & ~m[0]) | (s1 & ~m[1]) | (s2 & ~m[2]) | (s3 & ~m[3])) &&
		    !cfg.loopback)
			return 0;
		onlink = 1;
	}
	return onlink;
}

__noinline int local6(__u32 d0, __u32 d1, __u32 d2, __u32 d3)
{
	for (int i = 0; i < XDP_ICMP_SERVER_MAX_ADDRS && i < cfg.n6; i++) {
		const __u32 *a = cfg.a6[i].addr;

		if (d0 == a[0] && d1 == a[1] && d2 == a[2] && d3 == a[3])
			return 1;
	}
	return 0;
}

/*
 * Cut what follows the IP packet (Ethernet padding, trailing garbage): the
 * kernel trims it too, and its reply does not carry it.
 */
static __always_inline int trim_and_tx(struct xdp_md *ctx, __u32 pkt_end)
{
	__u32 frame_len = ctx->data_end - ctx->data;

	if (frame_len > pkt_end && bpf_xdp_adjust_tail(ctx, -(int)(frame_len - pkt_end)))
		return XDP_ABORTED;	/* cannot happen: shrinking always works */
	return XDP_TX;
}

static __always_inline bool mac_eq(const __u8 *a, const __u8 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] &&
	       a[3] == b[3] && a[4] == b[4] && a[5] == b[5];
}

static __always_inline void swap_mac(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

static __always_inline int echo_v4(struct xdp_md *ctx, struct cursor *c, struct ethhdr *eth)
{
	void *data = (void *)(long)ctx->data;
	struct icmphdr *icmp;
	struct iphdr *iph;
	__u32 len, off;
	__be32 addr;
	int rest;

	if (parse_ipv4(c, &iph) != IPPROTO_ICMP || cfg.ignore4)
		return XDP_PASS;
	/*
	 * The kernel echoes IP options back processed (record route, time
	 * stamps, source routes reversed): leave those requests to it.
	 */
	if (iph->ihl != 5 || ipv4_is_fragment(iph) || csum_buf((__u16 *)iph, 10))
		return XDP_PASS;
	/*
	 * Old verifiers keep no bounds through the byte swap of bpf_ntohs;
	 * the barrier keeps the compiler from dropping the mask that gives
	 * them one (issue 17), before the length meets a packet pointer.
	 */
	icmp = parse_icmp(c);
	if (!icmp || icmp->type != ICMP_ECHO || icmp->code != 0)
		return XDP_PASS;
	len = bpf_ntohs(iph->tot_len);
	barrier_var(len);
	len &= 0xffff;
	if (len < sizeof(*iph) + sizeof(*icmp) || (void *)iph + len > c->end)
		return XDP_PASS;
	if (!local4(iph->daddr) || !source4_ok(iph->saddr))
		return XDP_PASS;

	/*
	 * rest: sum of everything after type, code and checksum. The request
	 * is intact if the sum of all of it is 0xffff; the reply's checksum is
	 * ~rest, computed whole rather than patched (RFC 1624's update
	 * would write 0x0000 where an all-zero reply needs 0xffff).
	 */
	off = cursor_offset(c, data) - sizeof(*icmp);
	len -= sizeof(*iph);
	rest = pkt_sum(ctx, off + 4, len - 4);
	if (rest < 0 || fold16((__u64)rest + *(__u16 *)icmp + icmp->checksum) != 0xffff)
		return XDP_PASS;

	swap_mac(eth);
	addr = iph->saddr;
	iph->saddr = iph->daddr;
	iph->daddr = addr;
	/* The kernel's ICMP socket never sets DF; its ID we do not mimic. */
	iph->frag_off = 0;
	iph->ttl = cfg.ttl;
	iph->check = 0;
	iph->check = csum_buf((__u16 *)iph, 10);
	icmp->type = ICMP_ECHOREPLY;
	icmp->checksum = ~rest;
	return trim_and_tx(ctx, off + len);
}

static __always_inline int echo_v6(struct xdp_md *ctx, struct cursor *c, struct ethhdr *eth)
{
	void *data = (void *)(long)ctx->data;
	struct icmp6hdr *icmp6;
	struct ipv6hdr *ip6h;
	struct in6_addr addr;
	__u32 *d, *sa;
	__u64 pseudo = 0;
	__u32 len, off;
	int rest;

	/*
	 * Only a plain IPv6 header: a reply to a request with extension
	 * headers would have to rebuild them, so the kernel gets those.
	 */
	ip6h = cursor_pull(c, sizeof(*ip6h));
	if (!ip6h || ip6h->version != 6 || ip6h->nexthdr != NEXTHDR_ICMP || cfg.ignore6)
		return XDP_PASS;
	icmp6 = parse_icmp6(c);
	if (!icmp6 || icmp6->icmp6_type != ICMPV6_ECHO_REQUEST || icmp6->icmp6_code != 0)
		return XDP_PASS;
	len = bpf_ntohs(ip6h->payload_len);
	barrier_var(len);		/* see echo_v4 */
	len &= 0xffff;
	if (len < sizeof(*icmp6) || (void *)(ip6h + 1) + len > c->end)
		return XDP_PASS;
	d = ip6h->daddr.in6_u.u6_addr32;
	sa = ip6h->saddr.in6_u.u6_addr32;
	if (!local6(d[0], d[1], d[2], d[3]) || !source6_ok(sa[0], sa[1], sa[2], sa[3]))
		return XDP_PASS;

	/* The pseudo-header: both addresses (same sum once swapped), length, 58. */
#pragma unroll
	for (int i = 0; i < 4; i++)
		pseudo += (__u64)ip6h->saddr.in6_u.u6_addr32[i] + ip6h->daddr.in6_u.u6_addr32[i];
	pseudo += bpf_htons(len) + bpf_htons(NEXTHDR_ICMP);

	off = cursor_offset(c, data) - sizeof(*icmp6);
	rest = pkt_sum(ctx, off + 4, len - 4);
	if (rest < 0 ||
	    fold16(pseudo + rest + *(__u16 *)icmp6 + icmp6->icmp6_cksum) != 0xffff)
		return XDP_PASS;

	swap_mac(eth);
	addr = ip6h->saddr;
	ip6h->saddr = ip6h->daddr;
	ip6h->daddr = addr;
	ip6h->hop_limit = cfg.hop_limit;
	icmp6->icmp6_type = ICMPV6_ECHO_REPLY;
	icmp6->icmp6_cksum = ~fold16(pseudo + rest + *(__u16 *)icmp6);
	return trim_and_tx(ctx, off + len);
}

SEC("xdp")
int xdp_icmp_server(struct xdp_md *ctx)
{
	struct xdp_icmp_server_count *cnt;
	struct ethhdr *eth;
	struct cursor c;
	int verdict = XDP_PASS, proto;
	__u32 slot = XDP_ICMP_SERVER_STAT_PASS;

	cursor_init_xdp(&c, ctx);
	eth = cursor_pull(&c, sizeof(*eth));
	/*
	 * Frames for another host (the kernel drops those), and L2 broadcast
	 * or multicast ones (its answer would depend on sysctls), go to the
	 * kernel. So do frames from a group or null source MAC: the reply
	 * goes back to the source MAC, while the kernel's goes to its
	 * neighbour entry. VLAN-tagged frames belong to a VLAN device whose
	 * addresses are not IFACE's (and a priority tag, VID 0, is answered
	 * untagged by the kernel): the kernel gets them too.
	 */
	if (!eth || !mac_eq(eth->h_dest, cfg.mac) || (eth->h_source[0] & 1))
		goto out;
	proto = bpf_ntohs(eth->h_proto);
	if (!cfg.loopback && !(eth->h_source[0] | eth->h_source[1] | eth->h_source[2] |
			       eth->h_source[3] | eth->h_source[4] | eth->h_source[5]))
		goto out;
	if (proto == ETH_P_IP) {
		verdict = echo_v4(ctx, &c, eth);
		slot = XDP_ICMP_SERVER_STAT_REPLY4;
	} else if (proto == ETH_P_IPV6) {
		verdict = echo_v6(ctx, &c, eth);
		slot = XDP_ICMP_SERVER_STAT_REPLY6;
	}
	if (verdict != XDP_TX)
		slot = XDP_ICMP_SERVER_STAT_PASS;
out:
	cnt = bpf_map_lookup_elem(&stats, &slot);
	if (cnt) {
		cnt->packets++;
		cnt->bytes += ctx->data_end - ctx->data;
	}
	return verdict;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
