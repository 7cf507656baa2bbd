// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The head end of an SRv6 path (H.Encaps): an LWT "in" program on a route
 * wraps every packet in an outer IPv6 header plus a Segment Routing Header
 * with the loader's segment list (bpf_lwt_push_encap, BPF_LWT_ENCAP_SEG6),
 * then asks the kernel to route it again, now to the first segment.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "net.bpf.h"
#include "lwt_seg6_encap.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lwt_seg6_encap_segs);
} segments SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LWT_SEG6_ENCAP_NSTATS);
	__type(key, __u32);
	__type(value, struct lwt_seg6_encap_count);
} stats SEC(".maps");

static __always_inline int count(__u32 slot, __u32 len, int verdict)
{
	struct lwt_seg6_encap_count *c = bpf_map_lookup_elem(&stats, &slot);

	if (c) {
		c->packets++;
		c->bytes += len;
	}
	return verdict;
}

SEC("lwt_in")
int seg6_encap(struct __sk_buff *skb)
{
	struct {
		struct srh_fixed h;
		__u8 segs[SEG6_MAX_SEGS][16];
	} srh = {};
	struct lwt_seg6_encap_segs *cfg;
	__u32 zero = 0, len = skb->len;
	__u64 n;

	cfg = bpf_map_lookup_elem(&segments, &zero);
	if (!cfg || skb->protocol != bpf_htons(ETH_P_IPV6))
		return count(LWT_SEG6_ENCAP_STAT_SKIPPED, len, BPF_OK);
	n = cfg->nsegs;
	if (n < 1 || n > SEG6_MAX_SEGS)
		return count(LWT_SEG6_ENCAP_STAT_SKIPPED, len, BPF_OK);
	__builtin_memcpy(srh.segs, cfg->segs, sizeof(srh.segs));
	srh.h.hdrlen = n * 2;
	srh.h.type = 4;
	srh.h.segments_left = n - 1;
	srh.h.last_entry = n - 1;
	n = sizeof(srh.h) + n * 16;
	/* Keep the compiler from merging the bound into the length. */
	asm volatile("" : "+r"(n));
	if (n > sizeof(srh))
		return count(LWT_SEG6_ENCAP_STAT_SKIPPED, len, BPF_OK);
	/* The kernel fills in the outer header and the SRH's next header. */
	if (bpf_lwt_push_encap(skb, BPF_LWT_ENCAP_SEG6, &srh, n))
		return count(LWT_SEG6_ENCAP_STAT_FAILED, len, BPF_DROP);
	return count(LWT_SEG6_ENCAP_STAT_PUSHED, len, BPF_LWT_REROUTE);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
