// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SRv6 End.BPF: the program of a seg6local route for a local SID. Before
 * it runs, the kernel has validated the SRH and done the End step itself
 * (segments left - 1, destination = the next segment). The program checks
 * the SRH once more with this node's own policy, counts per position in
 * the segment list, writes a tag into the SRH (bpf_lwt_seg6_store_bytes,
 * the only way to write it: the packet is read-only here), may append a
 * TLV (bpf_lwt_seg6_adjust_srh grows the SRH first) and tells the
 * kernel how to go on: plain End (BPF_OK), or End.X / End.T through
 * bpf_lwt_seg6_action() and BPF_REDIRECT.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "cursor.bpf.h"
#include "lwt_seg6local.h"

#define NEXTHDR_IPV6 41

/* Set by the loader before load. */
const volatile __u16 tag = 0;
const volatile int action = LWT_SEG6LOCAL_ACTION_END;
const volatile __u8 nh6[16] = {};
const volatile __u32 table = 0;
const volatile bool add_tlv = false;

/* An opaque-container TLV (type 3 in linux/seg6.h), 8 bytes in all. */
struct srh_tlv {
	__u8 type;
	__u8 len;		/* bytes after these two */
	__u8 data[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LWT_SEG6LOCAL_NSTATS);
	__type(key, __u32);
	__type(value, struct lwt_seg6local_count);
} stats SEC(".maps");

/* Indexed by segments left on arrival: which segment of the list this was. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SEG6_MAX_SEGS + 1);
	__type(key, __u32);
	__type(value, __u64);
} per_segment SEC(".maps");

static __always_inline void count(__u32 slot, __u32 len)
{
	struct lwt_seg6local_count *c = bpf_map_lookup_elem(&stats, &slot);

	if (c) {
		c->packets++;
		c->bytes += len;
	}
}

/* This node's policy for the SRH, beyond the kernel's own validation. */
static __always_inline struct srh_fixed *check_srh(struct cursor *c, __u32 *srh_len)
{
	struct ipv6hdr *ip6h = cursor_pull(c, sizeof(*ip6h));
	struct srh_fixed *srh;
	__u32 len;

	/* The SRH must follow the IPv6 header directly (the tag offset below). */
	if (!ip6h || ip6h->nexthdr != NEXTHDR_ROUTING)
		return NULL;
	srh = cursor_pull(c, sizeof(*srh));
	if (!srh || srh->type != 4)
		return NULL;
	len = (srh->hdrlen + 1) * 8;
	/* Lengths: the list up to its last entry fits in the header, the header in the packet. */
	if ((srh->last_entry + 1) * 16 > srh->hdrlen * 8 ||
	    bpf_ntohs(ip6h->payload_len) < len || (void *)srh + len > c->end)
		return NULL;
	/* Segments left was decremented by the kernel: at most last_entry - 1. */
	if (srh->segments_left >= srh->last_entry || srh->last_entry >= SEG6_MAX_SEGS)
		return NULL;
	/* Only encapsulated packets (H.Encaps): the SID at the end decapsulates. */
	if (srh->nexthdr != NEXTHDR_IPV6)
		return NULL;
	*srh_len = len;
	return srh;
}

SEC("lwt_seg6local")
int end_bpf(struct __sk_buff *skb)
{
	struct srh_tlv tlv = { .type = 3, .len = 6, .data = "ebpf\0\0" };
	struct srh_fixed *srh;
	__u32 slot, srh_len = 0;
	struct cursor c;
	__be16 be_tag;
	__u64 *n;

	cursor_init_skb(&c, skb);
	srh = check_srh(&c, &srh_len);
	if (!srh) {
		count(LWT_SEG6LOCAL_STAT_BAD, skb->len);
		return BPF_DROP;
	}
	slot = srh->segments_left + 1;
	n = bpf_map_lookup_elem(&per_segment, &slot);
	if (n)
		(*n)++;

	if (tag) {
		be_tag = bpf_htons(tag);
		if (bpf_lwt_seg6_store_bytes(skb, sizeof(struct ipv6hdr) +
					     offsetof(struct srh_fixed, tag), &be_tag, 2))
			goto bad;
	}
	if (add_tlv) {
		/* Make room at the end of the SRH, then fill it; the kernel re-validates. */
		__u32 end = sizeof(struct ipv6hdr) + srh_len;

		if (bpf_lwt_seg6_adjust_srh(skb, end, sizeof(tlv)) ||
		    bpf_lwt_seg6_store_bytes(skb, end, &tlv, sizeof(tlv)))
			goto bad;
	}
	count(LWT_SEG6LOCAL_STAT_OK, skb->len);

	switch (action) {
	case LWT_SEG6LOCAL_ACTION_END_X:
		/* Forward to this neighbour, whatever the routing table says. */
		if (bpf_lwt_seg6_action(skb, SEG6_LOCAL_ACTION_END_X, (void *)nh6, 16))
			goto bad;
		return BPF_REDIRECT;
	case LWT_SEG6LOCAL_ACTION_END_T: {
		__u32 t = table;

		/* Look the next segment up in this table. */
		if (bpf_lwt_seg6_action(skb, SEG6_LOCAL_ACTION_END_T, &t, sizeof(t)))
			goto bad;
		return BPF_REDIRECT;
	}
	}
	/* End: the kernel routes on the new destination. */
	return BPF_OK;
bad:
	count(LWT_SEG6LOCAL_STAT_BAD, skb->len);
	return BPF_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
