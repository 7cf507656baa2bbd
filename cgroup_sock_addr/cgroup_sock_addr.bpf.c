// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cgroup/connect4|6, bind4|6, sendmsg4|6 see the address a process of the
 * cgroup hands to connect(), bind() or sendto() before the kernel uses it:
 * return 0 to refuse (EPERM), or rewrite ctx->user_ip4/user_port and the
 * kernel carries on with the new address. recvmsg4 and getpeername4 run
 * on the way back and may rewrite the address the process is shown.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "cgroup_sock_addr.h"

const volatile bool deny_ipv6;	/* connect6, bind6, sendmsg6 */
const volatile bool deny_udp;	/* UDP connect and sendmsg, both families */

/* VIP:port → backend, filled by the loader (--redirect). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct cgroup_sock_addr_svc);
	__type(value, struct cgroup_sock_addr_svc);
} services SEC(".maps");

/* LRU: entries of closed sockets age out by themselves. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct cgroup_sock_addr_revnat_key);
	__type(value, struct cgroup_sock_addr_svc);
} revnat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CGROUP_SOCK_ADDR_NSTATS);
	__type(key, __u32);
	__type(value, struct cgroup_sock_addr_count);
} stats SEC(".maps");

/* The counters of a hook, with this call counted. */
static struct cgroup_sock_addr_count *counter(__u32 hook)
{
	struct cgroup_sock_addr_count *c = bpf_map_lookup_elem(&stats, &hook);

	if (c)
		c->seen++;
	return c;
}

static int refuse(struct cgroup_sock_addr_count *c)
{
	if (c)
		c->refused++;
	return 0;
}

static bool udp_refused(struct bpf_sock_addr *ctx)
{
	return deny_udp && ctx->protocol == IPPROTO_UDP;
}

/* Send VIP traffic to its backend and remember, for this socket, what to show. */
static void translate(struct bpf_sock_addr *ctx, struct cgroup_sock_addr_count *c)
{
	struct cgroup_sock_addr_svc vip = { .ip4 = ctx->user_ip4, .port = ctx->user_port };
	struct cgroup_sock_addr_revnat_key rk = { .cookie = bpf_get_socket_cookie(ctx) };
	struct cgroup_sock_addr_svc *be;

	be = bpf_map_lookup_elem(&services, &vip);
	if (!be)
		return;
	rk.backend = *be;
	bpf_map_update_elem(&revnat, &rk, &vip, BPF_ANY);
	ctx->user_ip4 = be->ip4;
	ctx->user_port = be->port;
	if (c)
		c->rewritten++;
}

/* The way back: the backend's address becomes the VIP again. */
static void untranslate(struct bpf_sock_addr *ctx, struct cgroup_sock_addr_count *c)
{
	struct cgroup_sock_addr_revnat_key rk = {
		.cookie = bpf_get_socket_cookie(ctx),
		.backend = { .ip4 = ctx->user_ip4, .port = ctx->user_port },
	};
	struct cgroup_sock_addr_svc *vip;

	vip = bpf_map_lookup_elem(&revnat, &rk);
	if (!vip)
		return;
	ctx->user_ip4 = vip->ip4;
	ctx->user_port = vip->port;
	if (c)
		c->rewritten++;
}

/* Outgoing IPv4: UDP by policy, then the VIP, if it is one. */
static int out4(struct bpf_sock_addr *ctx, __u32 hook)
{
	struct cgroup_sock_addr_count *c = counter(hook);

	if (udp_refused(ctx))
		return refuse(c);
	translate(ctx, c);
	return 1;
}

static int out6(struct bpf_sock_addr *ctx, __u32 hook)
{
	struct cgroup_sock_addr_count *c = counter(hook);

	return deny_ipv6 || udp_refused(ctx) ? refuse(c) : 1;
}

/* Incoming: show the VIP the socket asked for. These hooks cannot refuse. */
static int in4(struct bpf_sock_addr *ctx, __u32 hook)
{
	untranslate(ctx, counter(hook));
	return 1;
}

SEC("cgroup/connect4")
int connect4(struct bpf_sock_addr *ctx)
{
	return out4(ctx, CGROUP_SOCK_ADDR_STAT_CONNECT4);
}

SEC("cgroup/sendmsg4")
int sendmsg4(struct bpf_sock_addr *ctx)
{
	return out4(ctx, CGROUP_SOCK_ADDR_STAT_SENDMSG4);
}

SEC("cgroup/connect6")
int connect6(struct bpf_sock_addr *ctx)
{
	return out6(ctx, CGROUP_SOCK_ADDR_STAT_CONNECT6);
}

SEC("cgroup/sendmsg6")
int sendmsg6(struct bpf_sock_addr *ctx)
{
	return out6(ctx, CGROUP_SOCK_ADDR_STAT_SENDMSG6);
}

SEC("cgroup/recvmsg4")
int recvmsg4(struct bpf_sock_addr *ctx)
{
	return in4(ctx, CGROUP_SOCK_ADDR_STAT_RECVMSG4);
}

SEC("cgroup/getpeername4")
int getpeername4(struct bpf_sock_addr *ctx)
{
	return in4(ctx, CGROUP_SOCK_ADDR_STAT_GETPEERNAME4);
}

SEC("cgroup/bind4")
int bind4(struct bpf_sock_addr *ctx)
{
	counter(CGROUP_SOCK_ADDR_STAT_BIND4);
	return 1;
}

SEC("cgroup/bind6")
int bind6(struct bpf_sock_addr *ctx)
{
	struct cgroup_sock_addr_count *c = counter(CGROUP_SOCK_ADDR_STAT_BIND6);

	return deny_ipv6 ? refuse(c) : 1;
}

/*
 * No sock_addr hook sees raw sockets: sendmsg4/6 run for UDP only, and raw
 * connect() and bind() skip the hooks too. So "no raw sends" is enforced
 * where it can be: refusing the raw socket itself (attached for --deny raw).
 */
SEC("cgroup/sock_create")
int raw_create(struct bpf_sock *sk)
{
	struct cgroup_sock_addr_count *c = counter(CGROUP_SOCK_ADDR_STAT_SOCK_CREATE);

	return sk->type == SOCK_RAW ? refuse(c) : 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
