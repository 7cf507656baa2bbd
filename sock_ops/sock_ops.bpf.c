// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A sockops program runs at points of a TCP socket's life (connect, the
 * end of either handshake, and, once enabled per socket with
 * bpf_sock_ops_cb_flags_set(), every state change, RTT sample and
 * retransmission) for the sockets of the cgroup it is attached to. It can
 * act on the socket with bpf_setsockopt().
 *
 * Dual BSD/GPL: bpf_setsockopt() and bpf_sock_ops_cb_flags_set() are open to
 * any licence (the kernel does not mark them gpl_only).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "net.bpf.h"
#include "sock_ops.h"

const volatile int sndbuf;	/* 0: leave it */
const volatile int rcvbuf;
const volatile bool events;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SOCK_OPS_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static void bump(__u32 i)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &i);

	if (v)
		(*v)++;
}

static void emit(struct bpf_sock_ops *skops, __u32 kind, __u32 arg0, __u32 arg1)
{
	struct sock_ops_event *e;

	bump(kind);
	if (!events)
		return;
	e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e) {
		bump(SOCK_OPS_STAT_DROPS);
		return;
	}
	e->kind = kind;
	e->family = skops->family;
	if (skops->family == AF_INET6) {
		CTX_IP6_COPY(e->laddr, skops->local_ip6);
		CTX_IP6_COPY(e->raddr, skops->remote_ip6);
	} else {
		__builtin_memset(e->laddr, 0, sizeof(e->laddr));
		__builtin_memset(e->raddr, 0, sizeof(e->raddr));
		e->laddr[0] = skops->local_ip4;
		e->raddr[0] = skops->remote_ip4;
	}
	e->lport = skops->local_port;
	/* remote_port holds the network-order port so that ntohl() gives it. */
	e->rport = bpf_ntohl(skops->remote_port);
	e->arg0 = arg0;
	e->arg1 = arg1;
	bpf_ringbuf_submit(e, 0);
}

/* As setsockopt(2) would: the kernel doubles the value, caps it by the sysctls. */
static void set_buffers(struct bpf_sock_ops *skops)
{
	int v;

	if (!sndbuf && !rcvbuf)
		return;
	v = sndbuf;
	if (v && bpf_setsockopt(skops, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)))
		goto fail;
	v = rcvbuf;
	if (v && bpf_setsockopt(skops, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)))
		goto fail;
	bump(SOCK_OPS_STAT_BUF_SET);
	return;
fail:
	bump(SOCK_OPS_STAT_BUF_FAIL);
}

static void want_callbacks(struct bpf_sock_ops *skops)
{
	bpf_sock_ops_cb_flags_set(skops, BPF_SOCK_OPS_STATE_CB_FLAG |
				  BPF_SOCK_OPS_RTT_CB_FLAG | BPF_SOCK_OPS_RETRANS_CB_FLAG);
}

SEC("sockops")
int tcp_events(struct bpf_sock_ops *skops)
{
	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		/* Before the SYN: the receive window we announce sees rcvbuf. */
		set_buffers(skops);
		want_callbacks(skops);
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		emit(skops, SOCK_OPS_KIND_ACTIVE, 0, 0);
		break;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		set_buffers(skops);
		want_callbacks(skops);
		emit(skops, SOCK_OPS_KIND_PASSIVE, 0, 0);
		break;
	case BPF_SOCK_OPS_STATE_CB:
		emit(skops, SOCK_OPS_KIND_STATE, skops->args[0], skops->args[1]);
		break;
	case BPF_SOCK_OPS_RTT_CB:
		/* args: the new sample in us, the smoothed RTT in us << 3. */
		emit(skops, SOCK_OPS_KIND_RTT, skops->args[0], skops->args[1] >> 3);
		break;
	case BPF_SOCK_OPS_RETRANS_CB:
		emit(skops, SOCK_OPS_KIND_RETRANS, skops->args[0], skops->args[1]);
		break;
	}
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
