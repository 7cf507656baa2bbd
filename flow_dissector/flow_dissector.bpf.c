// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A flow dissector in BPF. Whenever the kernel needs a packet's flow keys
 * (the flow hash behind ECMP, RPS, fq, bonding, ...), a program attached
 * to the network namespace runs instead of the kernel's C dissector and
 * fills struct bpf_flow_keys: Ethernet and up to two VLAN tags, IPv4 with
 * options and fragments, IPv6 with extension headers and the flow label,
 * TCP and UDP ports, and OSPF, whose router ID and area ID (folded to 16
 * bits each) go where the ports would be. Anything else goes back to the
 * kernel's dissector (BPF_FLOW_DISSECTOR_CONTINUE, Linux 6.0).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_core_read.h>
#include "cursor.bpf.h"
#include "flow_dissector.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FLOW_DISSECTOR_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline int count(__u32 stat, int verdict)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &stat);

	if (v)
		(*v)++;
	return verdict;
}

static __always_inline int hand_to_kernel(void)
{
	/* Older kernels have no CONTINUE: there we report what we have. */
	if (bpf_core_enum_value_exists(enum bpf_ret_code, BPF_FLOW_DISSECTOR_CONTINUE))
		return count(FLOW_DISSECTOR_STAT_CONTINUE, bpf_core_enum_value(enum bpf_ret_code,
							      BPF_FLOW_DISSECTOR_CONTINUE));
	return count(FLOW_DISSECTOR_STAT_CONTINUE, BPF_OK);
}

/* The first 12 bytes of an OSPFv2 and an OSPFv3 header are alike. */
struct ospf_hdr {
	__u8 version;
	__u8 type;
	__be16 len;
	__be32 router_id;
	__be32 area_id;
};

/* L4: the cursor is on the transport header. */
static __always_inline int dissect_l4(struct cursor *c, struct bpf_flow_keys *keys, __u8 proto)
{
	struct ospf_hdr *ospf;
	struct tcphdr *th;
	struct udphdr *uh;

	switch (proto) {
	case IPPROTO_TCP:
		th = cursor_pull(c, sizeof(*th));
		if (!th || th->doff < 5)
			return count(FLOW_DISSECTOR_STAT_DROP, BPF_DROP);
		keys->sport = th->source;
		keys->dport = th->dest;
		return count(FLOW_DISSECTOR_STAT_TCP, BPF_OK);
	case IPPROTO_UDP:
		uh = cursor_pull(c, sizeof(*uh));
		if (!uh)
			return count(FLOW_DISSECTOR_STAT_DROP, BPF_DROP);
		keys->sport = uh->source;
		keys->dport = uh->dest;
		return count(FLOW_DISSECTOR_STAT_UDP, BPF_OK);
	case FLOW_DISSECTOR_PROTO_OSPF:
		ospf = cursor_pull(c, sizeof(*ospf));
		if (!ospf)
			return count(FLOW_DISSECTOR_STAT_DROP, BPF_DROP);
		/* Flows between OSPF neighbours now differ by router and area. */
		keys->sport = bpf_htons(FLOW_DISSECTOR_OSPF_FOLD(bpf_ntohl(ospf->router_id)));
		keys->dport = bpf_htons(FLOW_DISSECTOR_OSPF_FOLD(bpf_ntohl(ospf->area_id)));
		return count(FLOW_DISSECTOR_STAT_OSPF, BPF_OK);
	}
	return hand_to_kernel();
}

/*
 * A fragment: later ones have no L4 header; the first one's ports are
 * reported only when the caller asks for them (as the kernel's own
 * dissector does). Returns true when dissection ends here.
 */
static __always_inline bool fragment_ends(struct bpf_flow_keys *keys, bool first)
{
	keys->is_frag = 1;
	keys->is_first_frag = first;
	count(FLOW_DISSECTOR_STAT_FRAG, 0);
	return !first || !(keys->flags & BPF_FLOW_DISSECTOR_F_PARSE_1ST_FRAG);
}

static __always_inline int dissect_ipv4(struct cursor *c, void *data, struct bpf_flow_keys *keys)
{
	struct iphdr *iph;
	int proto = parse_ipv4(c, &iph);

	if (proto < 0)
		return count(FLOW_DISSECTOR_STAT_DROP, BPF_DROP);
	count(FLOW_DISSECTOR_STAT_IPV4, 0);
	keys->addr_proto = ETH_P_IP;
	keys->ip_proto = proto;
	keys->ipv4_src = iph->saddr;
	keys->ipv4_dst = iph->daddr;
	keys->thoff = cursor_offset(c, data);
	if (ipv4_is_fragment(iph) &&
	    fragment_ends(keys, !(iph->frag_off & bpf_htons(IP_OFFSET))))
		return BPF_OK;
	return dissect_l4(c, keys, proto);
}

static __always_inline int dissect_ipv6(struct cursor *c, void *data, struct bpf_flow_keys *keys)
{
	struct ipv6hdr *ip6h = cursor_pull(c, sizeof(*ip6h));
	struct { __u8 nexthdr; __u8 len; __be16 frag_off; } *ext;
	__u8 nh;

	if (!ip6h || ip6h->version != 6)
		return count(FLOW_DISSECTOR_STAT_DROP, BPF_DROP);
	count(FLOW_DISSECTOR_STAT_IPV6, 0);
	keys->addr_proto = ETH_P_IPV6;
	__builtin_memcpy(keys->ipv6_src, &ip6h->saddr, 16);
	__builtin_memcpy(keys->ipv6_dst, &ip6h->daddr, 16);
	keys->flow_label = *(__be32 *)ip6h & bpf_htonl(0x000FFFFF);
	nh = ip6h->nexthdr;
	keys->ip_proto = nh;
	keys->thoff = cursor_offset(c, data);
	/* A flow label identifies the flow well enough, if the caller says so. */
	if (keys->flow_label && (keys->flags & BPF_FLOW_DISSECTOR_F_STOP_AT_FLOW_LABEL))
		return BPF_OK;

#pragma unroll
	for (int i = 0; i < IPV6_MAX_EXT_HDRS; i++) {
		switch (nh) {
		case NEXTHDR_HOP:
		case NEXTHDR_ROUTING:
		case NEXTHDR_DEST:
			ext = cursor_pull(c, 8);
			if (!ext || !cursor_pull(c, ext->len * 8))
				return count(FLOW_DISSECTOR_STAT_DROP, BPF_DROP);
			nh = ext->nexthdr;
			break;
		case NEXTHDR_FRAGMENT:
			ext = cursor_pull(c, 8);
			if (!ext)
				return count(FLOW_DISSECTOR_STAT_DROP, BPF_DROP);
			nh = ext->nexthdr;
			keys->ip_proto = nh;
			keys->thoff = cursor_offset(c, data);
			if (fragment_ends(keys, !(ext->frag_off & bpf_htons(0xFFF8))))
				return BPF_OK;
			break;
		default:
			keys->ip_proto = nh;
			keys->thoff = cursor_offset(c, data);
			return dissect_l4(c, keys, nh);
		}
	}
	/* More extension headers than we follow: the kernel may know better. */
	if (nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING || nh == NEXTHDR_DEST ||
	    nh == NEXTHDR_FRAGMENT)
		return hand_to_kernel();
	keys->ip_proto = nh;
	keys->thoff = cursor_offset(c, data);
	return dissect_l4(c, keys, nh);
}

SEC("flow_dissector")
int dissect(struct __sk_buff *skb)
{
	struct bpf_flow_keys *keys = skb->flow_keys;
	void *data = (void *)(long)skb->data;
	struct { __be16 tci; __be16 proto; } *vlan;
	__u16 proto = bpf_ntohs(keys->n_proto);
	struct cursor c;

	/*
	 * Where the kernel says the network header starts: 0 on receive, 14
	 * in BPF_PROG_TEST_RUN. The bound lets the verifier follow the offset.
	 */
	cursor_init(&c, data, (void *)(long)skb->data_end);
	if (keys->nhoff > 255 || !cursor_pull(&c, keys->nhoff & 0xff))
		return count(FLOW_DISSECTOR_STAT_DROP, BPF_DROP);

	/* Tags the driver did not strip (802.1ad outer, 802.1Q inner). */
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
			break;
		vlan = cursor_pull(&c, sizeof(*vlan));
		if (!vlan)
			return count(FLOW_DISSECTOR_STAT_DROP, BPF_DROP);
		proto = bpf_ntohs(vlan->proto);
	}
	keys->n_proto = bpf_htons(proto);
	keys->nhoff = cursor_offset(&c, data);
	keys->thoff = keys->nhoff;

	switch (proto) {
	case ETH_P_IP:
		return dissect_ipv4(&c, data, keys);
	case ETH_P_IPV6:
		return dissect_ipv6(&c, data, keys);
	}
	return hand_to_kernel();
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
