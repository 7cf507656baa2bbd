// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cgroup/sock_create: runs for every AF_INET/AF_INET6 socket() a process
 * of the cgroup makes, after the kernel built the socket and before the
 * caller gets it. Returning 0 makes socket() fail with EPERM.
 * cgroup/post_bind4/6: runs after a successful bind(); we only count.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "net.bpf.h"
#include "count.bpf.h"
#include "cgroup_sock.h"

/* A #define in the kernel (uapi linux/in6.h), so vmlinux.h lacks it. */
#define IPPROTO_ICMPV6	58

const volatile bool allow_ping_sockets;	/* keep SOCK_DGRAM + ICMP (unprivileged ping) */
const volatile bool set_mark;
const volatile __u32 mark;
const volatile bool set_priority;
const volatile __u32 priority;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 256);
	__type(key, struct cgroup_sock_create_key);
	__type(value, __u64);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct cgroup_sock_bind_key);
	__type(value, __u64);
} binds SEC(".maps");

static bool is_icmp(struct bpf_sock *sk)
{
	return (sk->family == AF_INET && sk->protocol == IPPROTO_ICMP) ||
	       (sk->family == AF_INET6 && sk->protocol == IPPROTO_ICMPV6);
}

SEC("cgroup/sock_create")
int sock_create(struct bpf_sock *sk)
{
	struct cgroup_sock_create_key key = {
		.family = sk->family,
		.type = sk->type,
		.protocol = sk->protocol,
	};

	if (is_icmp(sk) && (sk->type == SOCK_RAW ||
			    (sk->type == SOCK_DGRAM && !allow_ping_sockets))) {
		count_key(&socks, &key);
		return 0;
	}
	/* sock_create may write these fields: the socket starts with them. */
	if (set_mark)
		sk->mark = mark;
	if (set_priority)
		sk->priority = priority;
	key.allowed = 1;
	count_key(&socks, &key);
	return 1;
}

static int post_bind(struct bpf_sock *sk)
{
	struct cgroup_sock_bind_key key = {
		.family = sk->family,
		.protocol = sk->protocol,
		.port = sk->src_port,
	};

	count_key(&binds, &key);
	return 1;
}

SEC("cgroup/post_bind4")
int post_bind4(struct bpf_sock *sk)
{
	return post_bind(sk);
}

SEC("cgroup/post_bind6")
int post_bind6(struct bpf_sock *sk)
{
	return post_bind(sk);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
