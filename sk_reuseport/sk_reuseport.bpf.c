// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Choose the worker socket of a SO_REUSEPORT group. The kernel runs this
 * program when a TCP SYN or a UDP datagram arrives for a group, and when a
 * worker closes with connections still pending ("migrate", Linux 5.14);
 * bpf_sk_select_reuseport() names the socket from a REUSEPORT_SOCKARRAY.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "net.bpf.h"
#include "sk_reuseport.h"

const volatile __u32 nworkers = 1;
const volatile __u32 policy = SK_REUSEPORT_POLICY_HASH;
const volatile bool migrate = true;

struct {
	__uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	__uint(max_entries, SK_REUSEPORT_MAX_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} workers SEC(".maps");

/* First slot of each group. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SK_REUSEPORT_MAX_ADDRS * 2);
	__type(key, struct sk_reuseport_group_key);
	__type(value, __u32);
} groups SEC(".maps");

/* Selections per worker index, and the rarer events. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SK_REUSEPORT_MAX_WORKERS);
	__type(key, __u32);
	__type(value, __u64);
} picks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SK_REUSEPORT_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
} events SEC(".maps");

static __always_inline int count(void *map, __u32 key, int verdict)
{
	__u64 *v = bpf_map_lookup_elem(map, &key);

	if (v)
		(*v)++;
	return verdict;
}

/* Up to three ASCII digits at the start of a UDP payload; -1 if none. */
static __always_inline int payload_key(struct sk_reuseport_md *ctx)
{
	__u8 *p = (__u8 *)ctx->data + sizeof(struct udphdr);
	int key = -1;

#pragma unroll
	for (int i = 0; i < 3; i++) {
		if ((void *)(p + i + 1) > ctx->data_end || p[i] < '0' || p[i] > '9')
			break;
		key = (key < 0 ? 0 : key * 10) + p[i] - '0';
	}
	return key;
}

static __always_inline __u32 choose(struct sk_reuseport_md *ctx)
{
	struct tcphdr *th = ctx->data;
	int key;

	switch (policy) {
	case SK_REUSEPORT_POLICY_KEY:
		if (ctx->ip_protocol == IPPROTO_UDP) {
			key = payload_key(ctx);
			if (key >= 0)
				return key;
		} else if ((void *)(th + 1) <= ctx->data_end) {
			return bpf_ntohs(th->source);
		}
		break;
	case SK_REUSEPORT_POLICY_CPU:
		return bpf_get_smp_processor_id();
	}
	return ctx->hash;
}

SEC("sk_reuseport/migrate")
int select_worker(struct sk_reuseport_md *ctx)
{
	struct sk_reuseport_group_key gk = { .protocol = ctx->ip_protocol };
	struct bpf_sock *sk = ctx->sk;
	__u32 *base, want, slot;

	/*
	 * The group is known by the address its sockets are bound to. Read
	 * every field, then pick: the verifier allows no computed offset
	 * into a socket, which is what a branch here would compile to.
	 */
	__u32 family = sk->family, v4 = sk->src_ip4;
	__u32 a0 = sk->src_ip6[0], a1 = sk->src_ip6[1], a2 = sk->src_ip6[2], a3 = sk->src_ip6[3];

	if (family == AF_INET6) {
		gk.addr[0] = a0;
		gk.addr[1] = a1;
		gk.addr[2] = a2;
		gk.addr[3] = a3;
	} else {
		gk.addr[2] = bpf_htonl(0xffff);
		gk.addr[3] = v4;
	}
	base = bpf_map_lookup_elem(&groups, &gk);
	if (!base)
		return count(&events, SK_REUSEPORT_STAT_NO_GROUP, SK_PASS);

	/* A worker closed with connections pending: move them, or refuse (reset). */
	if (ctx->migrating_sk) {
		if (!migrate)
			return count(&events, SK_REUSEPORT_STAT_MIGRATE_REFUSED, SK_DROP);
		want = ctx->hash;
	} else {
		want = choose(ctx);
	}

	/* The chosen worker, or the next one still open. */
	for (__u32 i = 0; i < SK_REUSEPORT_MAX_WORKERS && i < nworkers; i++) {
		__u32 w = (want + i) % nworkers;

		slot = *base + w;
		if (bpf_sk_select_reuseport(ctx, &workers, &slot, 0) == 0) {
			if (ctx->migrating_sk)
				count(&events, SK_REUSEPORT_STAT_MIGRATED, 0);
			return count(&picks, w, SK_PASS);
		}
	}
	return count(&events, SK_REUSEPORT_STAT_NO_WORKER, SK_DROP);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
