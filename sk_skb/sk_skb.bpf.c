// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The in-kernel half of a TCP proxy. Once the proxy has put a client's
 * socket and its backend's socket into the sockmap, every chunk of bytes
 * either socket receives is handed to these programs instead of the
 * socket's receive queue, and sent out of the partner socket: the proxy
 * process never reads or writes those bytes.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sk_skb.h"

/* Slots 2n and 2n + 1: the two sockets of pair n. */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2 * SK_SKB_MAX_PAIRS);
	__type(key, __u32);
	__type(value, __u64);	/* an fd going in, the socket cookie coming out */
} socks SEC(".maps");

/*
 * Socket cookie -> slot of the partner socket. The programs only see the
 * skb, not which slot its socket sits in; the cookie names the socket.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * SK_SKB_MAX_PAIRS);
	__type(key, __u64);
	__type(value, __u32);
} partner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SK_SKB_NSTATS);
	__type(key, __u32);
	__type(value, struct sk_skb_count);
} stats SEC(".maps");

static __always_inline void count(__u32 what, __u32 len)
{
	struct sk_skb_count *c = bpf_map_lookup_elem(&stats, &what);

	if (c) {
		c->chunks++;
		c->bytes += len;
	}
}

/*
 * The stream parser tells the kernel where one message ends. A proxy does
 * not care about framing, so whatever has arrived is one message.
 */
SEC("sk_skb/stream_parser")
int proxy_parser(struct __sk_buff *skb)
{
	return skb->len;
}

/* The verdict: send the message out of the partner socket (egress). */
SEC("sk_skb/stream_verdict")
int proxy_verdict(struct __sk_buff *skb)
{
	__u64 cookie = bpf_get_socket_cookie(skb);
	__u32 *slot = bpf_map_lookup_elem(&partner, &cookie);
	int ret;

	/* The proxy fills partner before it puts a pair in the sockmap. */
	if (!slot) {
		count(SK_SKB_STAT_LOST, skb->len);
		return SK_DROP;
	}
	ret = bpf_sk_redirect_map(skb, &socks, *slot, 0);
	count(ret == SK_PASS ? SK_SKB_STAT_SPLICED : SK_SKB_STAT_LOST, skb->len);
	return ret;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
