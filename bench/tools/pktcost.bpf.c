// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The floor of the per-packet cost table: one empty program per packet
 * program type, returning that type's "let it through". Whatever an
 * example costs above these is its own work; the rest is the price of
 * BPF_PROG_TEST_RUN and of the hook's context.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "net.bpf.h"

#define NF_ACCEPT 1

SEC("xdp")
int empty_xdp(struct xdp_md *ctx) { return XDP_PASS; }

SEC("tc")
int empty_tc(struct __sk_buff *skb) { return TC_ACT_OK; }

SEC("action")
int empty_act(struct __sk_buff *skb) { return TC_ACT_OK; }

/* A socket filter returns how many bytes to keep: all of them. */
SEC("socket")
int empty_socket(struct __sk_buff *skb) { return skb->len; }

SEC("lwt_in")
int empty_lwt_in(struct __sk_buff *skb) { return BPF_OK; }

SEC("lwt_out")
int empty_lwt_out(struct __sk_buff *skb) { return BPF_OK; }

SEC("lwt_xmit")
int empty_lwt_xmit(struct __sk_buff *skb) { return BPF_OK; }

SEC("netfilter")
int empty_netfilter(struct bpf_nf_ctx *ctx) { return NF_ACCEPT; }

SEC("flow_dissector")
int empty_flow_dissector(struct __sk_buff *skb) { return BPF_OK; }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
