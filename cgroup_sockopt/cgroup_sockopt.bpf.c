// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cgroup/setsockopt runs before the kernel handles setsockopt() and may
 * refuse it (return 0: EPERM) or rewrite optval/optlen; cgroup/getsockopt
 * runs after the kernel answered getsockopt() and may rewrite the answer.
 *
 * The program sees at most one page of optval. For a longer buffer it
 * must say what the kernel should use: optlen = 0 keeps the caller's own
 * buffer (our copy is ignored), a smaller optlen takes our trimmed copy.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "net.bpf.h"
#include "count.bpf.h"
#include "cgroup_sockopt.h"

const volatile __u32 max_sndbuf;	/* 0: no ceiling */
const volatile __u32 max_rcvbuf;

/* Filled by the loader: the options whose change is refused. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct cgroup_sockopt_opt);
	__type(value, __u8);
} deny SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct cgroup_sockopt_key);
	__type(value, __u64);
} counts SEC(".maps");

static void count(struct bpf_sockopt *ctx, enum cgroup_sockopt_stat action)
{
	struct cgroup_sockopt_key key = {
		.opt = { .level = ctx->level, .optname = ctx->optname },
		.action = action,
	};

	count_key(&counts, &key);
}

static __u32 ceiling(struct bpf_sockopt *ctx)
{
	if (ctx->level != SOL_SOCKET)
		return 0;
	if (ctx->optname == SO_SNDBUF)
		return max_sndbuf;
	if (ctx->optname == SO_RCVBUF)
		return max_rcvbuf;
	return 0;
}

SEC("cgroup/setsockopt")
int refuse_and_clamp(struct bpf_sockopt *ctx)
{
	struct cgroup_sockopt_opt key = { .level = ctx->level, .optname = ctx->optname };
	struct bpf_sock *sk = ctx->sk;
	int *val = ctx->optval;
	__u32 max = ceiling(ctx);

	/*
	 * The hook sees every socket: netlink and unix ones too (ip(8) sets
	 * a 1 MiB SO_RCVBUF on its netlink socket). The policy is for
	 * network sockets only.
	 */
	if (!sk || (sk->family != AF_INET && sk->family != AF_INET6))
		goto pass;
	if (bpf_map_lookup_elem(&deny, &key)) {
		count(ctx, CGROUP_SOCKOPT_STAT_REFUSED);
		return 0;
	}
	/* The kernel reads an int and takes it as unsigned: so do we. */
	if (max && (void *)(val + 1) <= ctx->optval_end && (__u32)*val > max) {
		*val = max;
		/* Also trims a buffer longer than a page, so the kernel takes ours. */
		ctx->optlen = sizeof(*val);
		count(ctx, CGROUP_SOCKOPT_STAT_CLAMPED);
		return 1;
	}
pass:
	if (ctx->optlen > CGROUP_SOCKOPT_PAGE_SIZE)
		ctx->optlen = 0;	/* the caller's buffer, as it is */
	count(ctx, CGROUP_SOCKOPT_STAT_PASSED);
	return 1;
}

SEC("cgroup/getsockopt")
int observe(struct bpf_sockopt *ctx)
{
	/* An answer longer than a page: hand back the kernel's own. */
	if (ctx->optlen > CGROUP_SOCKOPT_PAGE_SIZE)
		ctx->optlen = 0;
	count(ctx, CGROUP_SOCKOPT_STAT_READ);
	/* Returning 0 would turn every getsockopt into EPERM. */
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
