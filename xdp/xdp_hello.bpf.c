// SPDX-License-Identifier: GPL-2.0
/*
 * Hello World in XDP: one line in the kernel's trace buffer per packet,
 * and the packet goes on. bpf_printk() is a teaching aid (it is slow, and
 * every program on the machine shares the one trace_pipe), which is why
 * the catalog's real examples count in maps instead.
 *
 * GPL: bpf_printk() is bpf_trace_printk(), a GPL-only helper.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "xdp_hello.h"

/* The loader's stats line; `bpftool map dump` shows it too. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} packets SEC(".maps");

SEC("xdp")
int xdp_hello(struct xdp_md *ctx)
{
	__u32 key = 0, len = ctx->data_end - ctx->data;
	__u64 *n = bpf_map_lookup_elem(&packets, &key);

	if (n)
		(*n)++;
	bpf_printk(XDP_HELLO_MARK " Hello World! %u bytes on ifindex %u", len,
		   ctx->ingress_ifindex);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
