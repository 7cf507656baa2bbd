// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* sched_cls: count per protocol and drop by policy at the tc hook of IFACE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "common.h"
#include "tc.h"
#include "trace.h"
#include "sched_cls.h"
#include "sched_cls.skel.h"

static __u8 drop_protos[256];
static __u16 drop_ports[SCHED_CLS_MAX_PORTS];
static int nports;

static const char *const stat_names[SCHED_CLS_NSTATS] = {
	[SCHED_CLS_STAT_ICMP] = "icmp", [SCHED_CLS_STAT_ICMP6] = "icmpv6",
	[SCHED_CLS_STAT_TCP] = "tcp", [SCHED_CLS_STAT_UDP] = "udp",
	[SCHED_CLS_STAT_OTHER_IP] = "other-ip", [SCHED_CLS_STAT_ARP] = "arp",
	[SCHED_CLS_STAT_OTHER] = "other", [SCHED_CLS_STAT_MALFORMED] = "malformed",
	[SCHED_CLS_STAT_LONG_CHAIN] = "long-chain",
};

static const char doc[] =
"Count packets and bytes per protocol at the tc hook of IFACE, and drop\n"
"what --drop-proto and --drop-port name. Attaches with tcx (Linux 6.6) or,\n"
"on older kernels or with --legacy-tc, with a clsact qdisc and a cls_bpf\n"
"filter.\n"
"\n"
"EXAMPLES:\n"
"  sched_cls eth0                        # count what arrives on eth0\n"
"  sched_cls --egress eth0               # count what leaves\n"
"  sched_cls --drop-port 8080 eth0       # drop TCP/UDP with port 8080\n"
"  sched_cls --drop-proto icmp --drop-proto udp eth0\n"
"  sched_cls --legacy-tc -d 10 eth0      # clsact + cls_bpf, stop after 10 s\n"
"  sched_cls --trace --drop-port 8080 eth0   # each packet and its verdict\n";

enum { OPT_DROP_PROTO = 0x100, OPT_DROP_PORT };

static const struct argp_option options[] = {
	{ "drop-proto", OPT_DROP_PROTO, "PROTO", 0,
	  "Drop IP protocol PROTO: icmp, icmpv6, tcp, udp or a number (repeatable)", 0 },
	{ "drop-port", OPT_DROP_PORT, "PORT", 0,
	  "Drop TCP and UDP packets with source or destination port PORT (repeatable)", 0 },
	{},
};

static int parse_proto(const char *arg)
{
	static const struct { const char *name; int proto; } names[] = {
		{ "icmp", IPPROTO_ICMP }, { "icmpv6", IPPROTO_ICMPV6 },
		{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(arg, names[i].name))
			return names[i].proto;
	if (arg[0] < '0' || arg[0] > '9')
		usage_error("unknown protocol: %s (use icmp, icmpv6, tcp, udp or a number)", arg);
	return parse_long(arg, "drop-proto", 0, 255);
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_DROP_PROTO:
		drop_protos[parse_proto(arg)] = 1;
		break;
	case OPT_DROP_PORT:
		if (nports == SCHED_CLS_MAX_PORTS)
			usage_error("at most %d --drop-port options", SCHED_CLS_MAX_PORTS);
		drop_ports[nports++] = parse_long(arg, "drop-port", 1, 65535);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* --trace, then IFACE with the tc options and the common ones. */
static const struct argp target_argp = { .children = tc_loader_children };
static const struct argp_child children[] = {
	{ &trace_argp, 0, NULL, 0 },
	{ &target_argp, 0, NULL, 0 },
	{},
};

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.args_doc = "IFACE",
	.doc = doc,
	.children = children,
};

static void print_stats(void *ctx, bool final)
{
	struct sched_cls_bpf *skel = ctx;
	int fd = bpf_map__fd(skel->maps.stats);
	struct sched_cls_count c;
	__u64 dropped = 0;

	trace_report(final);
	printf("%s", final ? "total " : "");
	for (__u32 i = 0; i < SCHED_CLS_NSTATS; i++) {
		if (percpu_sum(fd, &i, (uint64_t *)&c, 3))
			memset(&c, 0, sizeof(c));
		printf("%s %llu (%llu B)  ", stat_names[i], c.packets, c.bytes);
		dropped += c.dropped;
	}
	printf("dropped %llu\n", dropped);
}

/* "tcp port 8080, icmp" */
static void describe_policy(char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (int p = 0; p < 256; p++)
		if (drop_protos[p])
			n += snprintf(buf + n, n < len ? len - n : 0, "%sprotocol %d", n ? ", " : "", p);
	for (int i = 0; i < nports; i++)
		n += snprintf(buf + n, n < len ? len - n : 0, "%sport %u", n ? ", " : "", drop_ports[i]);
	if (!n)
		snprintf(buf, len, "nothing");
}

static int fill_policy(struct sched_cls_bpf *skel)
{
	int pfd = bpf_map__fd(skel->maps.drop_proto), qfd = bpf_map__fd(skel->maps.drop_port);
	__u8 one = 1;

	for (__u32 p = 0; p < 256; p++)
		if (drop_protos[p] && bpf_map_update_elem(pfd, &p, &one, 0))
			return fail_step(errno, "filling the policy map");
	for (int i = 0; i < nports; i++)
		if (bpf_map_update_elem(qfd, &drop_ports[i], &one, 0))
			return fail_step(errno, "filling the policy map");
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct sched_cls_bpf *skel;
	struct bpf_program *prog;
	char how[256], policy[512];
	int err;

	common_init(&argp, argc, argv);
	require_root();

	skel = sched_cls_bpf__open();
	if (!skel)
		return fail_step(errno, "opening the BPF object");
	skel->rodata->have_ports = nports > 0;
	skel->rodata->have_policy = nports > 0 || memchr(drop_protos, 1, sizeof(drop_protos));
	prog = trace_pick(skel->obj, skel->progs.sched_cls, skel->progs.sched_cls_trace);
	skel->rodata->trace_rate = trace_opts.rate;
	tc_hook_prepare(&tc_target, prog);
	err = sched_cls_bpf__load(skel);
	if (err) {
		err = fail_step(err, "loading the BPF program");
		goto out;
	}
	err = trace_start(skel->obj);
	if (err)
		goto out;
	/* Policy first, so the first packet already meets it. */
	err = fill_policy(skel);
	if (err)
		goto out;
	err = tc_hook_attach(&tc_target, prog);
	if (err)
		goto out;

	describe_policy(policy, sizeof(policy));
	printf("sched_cls: counting on %s %s (ifindex %d) via %s; dropping %s; Ctrl-C to stop\n",
	       tc_target.ifname, tc_dir_name(&tc_target), tc_target.ifindex,
	       tc_hook_describe(&tc_target, how, sizeof(how)), policy);
	err = run_loop(print_stats, trace_wait, skel, 0);
out:
	tc_hook_detach(&tc_target);
	trace_stop();
	sched_cls_bpf__destroy(skel);
	return err;
}
