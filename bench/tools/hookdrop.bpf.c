// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The same one-line policy, "count and drop every IPv4 packet", at two
 * hooks later than XDP: the tc ingress classifier (tcx) and netfilter's
 * IPv4 PRE_ROUTING. The benchmark sets them beside xdp_drop --all-ip, so
 * what differs between the three is where the packet dies, not the work.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "net.bpf.h"

#define NF_DROP 0

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

static __always_inline void count(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&drops, &zero);

	if (n)
		(*n)++;
}

/* tcx or cls_bpf: the loader picks the attach type (common/tc.c). */
SEC("tc")
int tc_drop(struct __sk_buff *skb)
{
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	count();
	return TC_ACT_SHOT;
}

/* Attached to NFPROTO_IPV4: every packet here is IPv4 already. */
SEC("netfilter")
int nf_drop(struct bpf_nf_ctx *ctx)
{
	count();
	return NF_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
