// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One socket for many ports. The kernel runs an SK_LOOKUP program before
 * it searches its own tables for the socket that should receive a new
 * TCP connection or a UDP datagram; bpf_sk_assign() picks ours instead.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sk_lookup.h"

/* Destination ports to steer; the value is unused (a set). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SK_LOOKUP_MAX_PORTS);
	__type(key, __u16);
	__type(value, __u8);
} ports SEC(".maps");

/* The receiving sockets, put here by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, SK_LOOKUP_NSLOTS);
	__type(key, __u32);
	__type(value, __u64);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SK_LOOKUP_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &stat);

	if (v)
		(*v)++;
}

SEC("sk_lookup")
int steer_ports(struct bpf_sk_lookup *ctx)
{
	__u16 port = ctx->local_port;	/* host byte order, unlike remote_port */
	__u32 slot = ctx->protocol == IPPROTO_TCP ? SK_LOOKUP_SLOT_TCP : SK_LOOKUP_SLOT_UDP;
	struct bpf_sock *sk;
	long err;

	if (!bpf_map_lookup_elem(&ports, &port)) {
		count(SK_LOOKUP_STAT_NOT_IN_SET);
		return SK_PASS;
	}
	sk = bpf_map_lookup_elem(&socks, &slot);
	if (!sk) {
		count(SK_LOOKUP_STAT_NO_SOCKET);
		return SK_PASS;
	}
	err = bpf_sk_assign(ctx, sk, 0);
	bpf_sk_release(sk);
	/*
	 * SK_PASS with a socket assigned delivers to it; SK_PASS without one
	 * lets the kernel's own lookup go on (a refused port stays refused).
	 */
	count(err ? SK_LOOKUP_STAT_ASSIGN_FAILED :
	      slot == SK_LOOKUP_SLOT_TCP ? SK_LOOKUP_STAT_STEERED_TCP : SK_LOOKUP_STAT_STEERED_UDP);
	return SK_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
