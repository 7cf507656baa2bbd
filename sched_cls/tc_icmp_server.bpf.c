// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Answer ping at the tc ingress hook. Unlike XDP, tc runs on a socket
 * buffer (skb) that the kernel has already allocated, so the reply is
 * made the skb way: rewrite the request into its reply, fix the
 * checksums with bpf_l3_csum_replace()/bpf_l4_csum_replace(), send a
 * clone out of the interface it came in on with bpf_clone_redirect(),
 * and drop the original. The kernel's ICMP code never sees the request.
 *
 * Only valid unicast echo requests are answered; the kernel keeps what
 * it has rules for: bad checksums, IP options, IPv6 extension headers,
 * fragments, broadcast and multicast, martian sources.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "cursor.bpf.h"
#include "csum.bpf.h"
#include "tc_icmp_server.h"

#define PACKET_HOST	0	/* skb->pkt_type: addressed to this host's MAC */

/* Set by the loader: loopback addresses are martians anywhere else. */
const volatile bool on_loopback;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TC_ICMP_SERVER_NSTATS);
	__type(key, __u32);
	__type(value, struct tc_icmp_server_count);
} stats SEC(".maps");

static __always_inline int count(struct __sk_buff *skb, __u32 slot, int verdict)
{
	struct tc_icmp_server_count *cnt = bpf_map_lookup_elem(&stats, &slot);

	if (cnt) {
		cnt->packets++;
		cnt->bytes += skb->len;
	}
	return verdict;
}

/*
 * Verify the ICMP checksum over the whole message, however long:
 * bpf_loop() over 64-byte chunks copied out of the skb.
 */
#define CSUM_CHUNK	64
struct csum_walk {
	struct __sk_buff *skb;
	__u32 off, end;
	__u32 sum;
	bool err;
};

static long csum_chunk(__u32 i, void *data)
{
	struct csum_walk *w = data;
	__u8 buf[CSUM_CHUNK] = {};	/* zero padding adds nothing to the sum */
	__u32 len;
	__s64 s;

	if (w->off >= w->end)
		return 1;
	/* Spelled so that the verifier sees 1 <= len <= CSUM_CHUNK. */
	len = w->end - w->off - 1;
	if (len > CSUM_CHUNK - 1)
		len = CSUM_CHUNK - 1;
	len++;
	if (bpf_skb_load_bytes(w->skb, w->off, buf, len))
		goto bad;
	s = bpf_csum_diff(NULL, 0, (__be32 *)buf, CSUM_CHUNK, w->sum);
	if (s < 0)
		goto bad;
	w->sum = s;
	w->off += len;
	return 0;
bad:
	w->err = true;
	return 1;
}

/* Do the bytes [off, end) plus seed sum to all ones, as a valid checksum does? */
static __always_inline bool csum_valid(struct __sk_buff *skb, __u32 off, __u32 end, __u32 seed)
{
	struct csum_walk w = { .skb = skb, .off = off, .end = end, .sum = seed };

	bpf_loop(65536 / CSUM_CHUNK + 1, csum_chunk, &w, 0);
	return !w.err && w.off == w.end && csum_fold(w.sum) == 0;
}

/*
 * RFC 1624's corner (csum.bpf.h): the incremental update leaves 0x0000
 * in a reply whose words are all zero (id 0, seq 0, a zero payload),
 * whose checksum is 0xffff. A reply with other words that sum to 0xffff
 * keeps its 0x0000: walk the message only when the checksum is zero.
 */
static __always_inline void fix_zero_csum(struct __sk_buff *skb, __u32 l4, __u32 end)
{
	struct csum_walk w = { .skb = skb, .off = l4, .end = end };
	__u32 at = l4 + offsetof(struct icmphdr, checksum);
	__u16 c;

	if (bpf_skb_load_bytes(skb, at, &c, sizeof(c)) || c)
		return;
	bpf_loop(65536 / CSUM_CHUNK + 1, csum_chunk, &w, 0);
	c = 0xffff;
	if (!w.err && w.off == w.end && !w.sum)
		bpf_skb_store_bytes(skb, at, &c, sizeof(c), 0);
}

static __always_inline void swap_mac(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

/* Send the rewritten skb back out (a clone, to egress), drop the request. */
static __always_inline int reply(struct __sk_buff *skb, __u32 slot)
{
	if (bpf_clone_redirect(skb, skb->ifindex, 0))
		slot = TC_ICMP_SERVER_STAT_TX_ERR;
	return count(skb, slot, TC_ACT_SHOT);
}

static __always_inline bool martian4(__be32 addr)
{
	__u32 a = bpf_ntohl(addr);

	/* 0/8, multicast and class E (broadcast included), loopback elsewhere */
	return (a >> 24) == 0 || (a >> 28) >= 0xe || (!on_loopback && (a >> 24) == 127);
}

static __always_inline int echo_v4(struct __sk_buff *skb, struct cursor *c,
				   struct ethhdr *eth, void *data)
{
	__be16 old_ttl, old_type;
	struct icmphdr *icmp;
	struct iphdr *iph;
	__u32 l3, l4, end;
	__be32 addr;

	/* No options: a reply would have to process them (RFC 1122 3.2.2.6). */
	if (parse_ipv4(c, &iph) != IPPROTO_ICMP || iph->ihl != 5 || ipv4_is_fragment(iph))
		return TC_ACT_UNSPEC;
	if (csum_buf((__u16 *)iph, sizeof(*iph) / 2))
		return TC_ACT_UNSPEC;
	l3 = (void *)iph - data;
	end = l3 + bpf_ntohs(iph->tot_len);
	if (end > skb->len || bpf_ntohs(iph->tot_len) < sizeof(*iph) + sizeof(*icmp))
		return TC_ACT_UNSPEC;
	icmp = parse_icmp(c);
	if (!icmp || icmp->type != ICMP_ECHO || icmp->code != 0)
		return TC_ACT_UNSPEC;
	if (skb->pkt_type != PACKET_HOST || martian4(iph->saddr) ||
	    (bpf_ntohl(iph->daddr) >> 28) >= 0xe)
		return TC_ACT_UNSPEC;
	l4 = (void *)icmp - data;
	if (!csum_valid(skb, l4, end, 0))
		return TC_ACT_UNSPEC;

	swap_mac(eth);
	/* Swapping the addresses leaves every checksum as it was. */
	addr = iph->saddr;
	iph->saddr = iph->daddr;
	iph->daddr = addr;
	old_ttl = *(__be16 *)&iph->ttl;		/* ttl and protocol share a word */
	iph->ttl = TC_ICMP_SERVER_REPLY_TTL;
	old_type = *(__be16 *)&icmp->type;	/* type and code share a word */
	icmp->type = ICMP_ECHOREPLY;
	/* The helpers invalidate packet pointers: read the new words first. */
	bpf_l3_csum_replace(skb, l3 + offsetof(struct iphdr, check), old_ttl,
			    *(__be16 *)&iph->ttl, 2);
	bpf_l4_csum_replace(skb, l4 + offsetof(struct icmphdr, checksum), old_type,
			    bpf_htons(ICMP_ECHOREPLY << 8), 2);
	fix_zero_csum(skb, l4, end);
	return reply(skb, TC_ICMP_SERVER_STAT_REPLY4);
}

static __always_inline bool martian6(const struct in6_addr *a)
{
	const __u32 *w = a->in6_u.u6_addr32;
	bool unspec = !(w[0] | w[1] | w[2] | w[3]);
	bool loop = !(w[0] | w[1] | w[2]) && w[3] == bpf_htonl(1);

	return unspec || a->in6_u.u6_addr8[0] == 0xff || (!on_loopback && loop);
}

static __always_inline int echo_v6(struct __sk_buff *skb, struct cursor *c,
				   struct ethhdr *eth, void *data)
{
	struct { struct in6_addr saddr, daddr; __be32 len, nexthdr; } ph;
	struct icmp6hdr *icmp6;
	struct ipv6hdr *ip6h;
	struct in6_addr addr;
	__be16 old_type;
	__u32 l4, end;
	__s64 seed;

	/* Only a plain IPv6 header: a reply would have to rebuild the others. */
	if (parse_ipv6(c, &ip6h) != NEXTHDR_ICMP || ip6h->nexthdr != NEXTHDR_ICMP)
		return TC_ACT_UNSPEC;
	icmp6 = parse_icmp6(c);
	if (!icmp6 || icmp6->icmp6_type != ICMPV6_ECHO_REQUEST || icmp6->icmp6_code != 0)
		return TC_ACT_UNSPEC;
	l4 = (void *)icmp6 - data;
	end = l4 + bpf_ntohs(ip6h->payload_len);
	if (end > skb->len || bpf_ntohs(ip6h->payload_len) < sizeof(*icmp6))
		return TC_ACT_UNSPEC;
	if (skb->pkt_type != PACKET_HOST || martian6(&ip6h->saddr) ||
	    ip6h->daddr.in6_u.u6_addr8[0] == 0xff)
		return TC_ACT_UNSPEC;
	/* ICMPv6's checksum covers a pseudo-header (RFC 8200 8.1). */
	ph.saddr = ip6h->saddr;
	ph.daddr = ip6h->daddr;
	ph.len = bpf_htonl(bpf_ntohs(ip6h->payload_len));
	ph.nexthdr = bpf_htonl(NEXTHDR_ICMP);
	seed = bpf_csum_diff(NULL, 0, (__be32 *)&ph, sizeof(ph), 0);
	if (seed < 0 || !csum_valid(skb, l4, end, seed))
		return TC_ACT_UNSPEC;

	swap_mac(eth);
	addr = ip6h->saddr;
	ip6h->saddr = ip6h->daddr;
	ip6h->daddr = addr;
	ip6h->hop_limit = TC_ICMP_SERVER_REPLY_TTL;	/* not covered by any checksum */
	old_type = *(__be16 *)&icmp6->icmp6_type;
	icmp6->icmp6_type = ICMPV6_ECHO_REPLY;
	bpf_l4_csum_replace(skb, l4 + offsetof(struct icmp6hdr, icmp6_cksum), old_type,
			    bpf_htons(ICMPV6_ECHO_REPLY << 8), 2);
	return reply(skb, TC_ICMP_SERVER_STAT_REPLY6);
}

SEC("tc")
int tc_icmp_server(struct __sk_buff *skb)
{
	struct ethhdr *eth;
	struct cursor c;
	void *data;
	int verdict = TC_ACT_UNSPEC;

	/* Direct access reaches only the linear part: make the headers linear. */
	if (skb->data_end - skb->data < skb->len)
		bpf_skb_pull_data(skb, skb->len < 128 ? skb->len : 128);
	asm volatile("" : "+r"(skb));	/* the pull moved data: reload it */

	data = (void *)(long)skb->data;
	cursor_init_skb(&c, skb);
	switch (parse_eth(&c, &eth)) {
	case ETH_P_IP:
		verdict = echo_v4(skb, &c, eth, data);
		break;
	case ETH_P_IPV6:
		verdict = echo_v6(skb, &c, eth, data);
		break;
	}
	if (verdict == TC_ACT_SHOT)
		return verdict;		/* answered (and counted) */
	return count(skb, TC_ICMP_SERVER_STAT_PASS, TC_ACT_UNSPEC);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
