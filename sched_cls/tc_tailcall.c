// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tc_tailcall: a packet parser in stages chained by bpf_tail_call(). */
#include <stdio.h>
#include <string.h>
#include "common.h"
#include "tc.h"
#include "tc_tailcall.h"
#include "tc_tailcall.skel.h"

static const char *const stat_names[TC_TAILCALL_NSTATS] = {
	[TC_TAILCALL_STAT_ETH] = "eth", [TC_TAILCALL_STAT_IPV4] = "ipv4",
	[TC_TAILCALL_STAT_IPV6] = "ipv6", [TC_TAILCALL_STAT_TCP] = "tcp",
	[TC_TAILCALL_STAT_UDP] = "udp", [TC_TAILCALL_STAT_ICMP] = "icmp",
	[TC_TAILCALL_STAT_OTHER] = "other", [TC_TAILCALL_STAT_MALFORMED] = "malformed",
	[TC_TAILCALL_STAT_MISSED] = "missed-tail-calls",
};

static const char doc[] =
"Parse the packets at the tc hook of IFACE in stages: an entry program\n"
"reads Ethernet and hands the packet to an IPv4 or IPv6 program with\n"
"bpf_tail_call() through a BPF_MAP_TYPE_PROG_ARRAY, which hands it to a\n"
"TCP, UDP or ICMP program. Each program counts the packets it saw.\n"
"\n"
"EXAMPLES:\n"
"  tc_tailcall eth0               # stages at the ingress of eth0\n"
"  tc_tailcall --egress -d 10 eth0\n";

static const struct argp argp = {
	.args_doc = "IFACE",
	.doc = doc,
	.children = tc_loader_children,
};

static void print_stats(void *ctx, bool final)
{
	struct tc_tailcall_bpf *skel = ctx;
	uint64_t n;

	printf("%s", final ? "total " : "");
	for (__u32 i = 0; i < TC_TAILCALL_NSTATS; i++) {
		if (percpu_sum(bpf_map__fd(skel->maps.stats), &i, &n, 1))
			n = 0;
		printf("%s%s %llu", i ? i == TC_TAILCALL_STAT_OTHER ? "  | " : "  " : "",
		       stat_names[i], (unsigned long long)n);
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	struct tc_tailcall_bpf *skel;
	struct bpf_program *prog;
	char how[256];
	int err;

	common_init(&argp, argc, argv);
	require_root();

	skel = tc_tailcall_bpf__open();
	if (!skel)
		return fail_step(errno, "opening the BPF object");
	/* A tail call needs callee and caller of the same kind: prepare all alike. */
	bpf_object__for_each_program(prog, skel->obj)
		tc_hook_prepare(&tc_target, prog);
	err = tc_tailcall_bpf__load(skel);
	if (err) {
		err = fail_step(err, "loading the BPF programs");
		goto out;
	}

	/* The stages go into the PROG_ARRAY by slot, before the first packet. */
	struct { __u32 slot; struct bpf_program *prog; } stage[] = {
		{ TC_TAILCALL_STAGE_IPV4, skel->progs.stage_ipv4 },
		{ TC_TAILCALL_STAGE_IPV6, skel->progs.stage_ipv6 },
		{ TC_TAILCALL_STAGE_TCP, skel->progs.stage_tcp },
		{ TC_TAILCALL_STAGE_UDP, skel->progs.stage_udp },
		{ TC_TAILCALL_STAGE_ICMP, skel->progs.stage_icmp },
	};
	for (size_t i = 0; i < sizeof(stage) / sizeof(stage[0]); i++) {
		int fd = bpf_program__fd(stage[i].prog);

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.stages), &stage[i].slot, &fd, 0)) {
			err = fail_step(errno, "filling the PROG_ARRAY");
			goto out;
		}
	}
	err = tc_hook_attach(&tc_target, skel->progs.tc_tailcall);
	if (err)
		goto out;

	printf("tc_tailcall: parsing on %s %s (ifindex %d) via %s, %zu stages in the PROG_ARRAY; Ctrl-C to stop\n",
	       tc_target.ifname, tc_dir_name(&tc_target), tc_target.ifindex,
	       tc_hook_describe(&tc_target, how, sizeof(how)), sizeof(stage) / sizeof(stage[0]));
	err = run_loop(print_stats, NULL, skel, 0);
out:
	tc_hook_detach(&tc_target);
	tc_tailcall_bpf__destroy(skel);
	return err;
}
