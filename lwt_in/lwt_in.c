// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* lwt_in: count (and drop) packets per IP protocol on a route. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/lwtunnel.h>
#include "common.h"
#include "nl.h"
#include "route.h"
#include "lwt_in.h"
#include "lwt_in.skel.h"

static const char doc[] =
"Install a route to PREFIX through DEV whose packets first run an LWT \"in\"\n"
"BPF program (`encap bpf in`): it counts packets and bytes per IP protocol\n"
"and, with --drop-proto, drops one protocol. The program sees the packets\n"
"this host receives and routes with that route (forwarded or delivered\n"
"locally), not the ones it sends itself. The route is added over rtnetlink\n"
"(protocol 235) and removed again at exit; a route left by a killed loader\n"
"is removed at the next start.\n"
"\n"
"EXAMPLES:\n"
"  lwt_in --route 198.51.100.1/32 --dev eth2   # count what goes to one host\n"
"  lwt_in -r 198.51.100.0/25 -D eth2 --via 198.51.100.1 --drop-proto icmp\n"
"  lwt_in -r 2001:db8:2::/64 -D eth2 --drop-proto udp -d 30 -i 5\n";

static const struct argp_option options[] = {
	{ "drop-proto", 'p', "PROTO", 0, "Drop this protocol: icmp, tcp, udp, icmpv6, ... or 0-255", 0 },
	{},
};

static struct {
	int drop_proto;
} opt = { .drop_proto = -1 };

static const struct { int nr; const char *name; } protos[] = {
	{ 1, "icmp" }, { 2, "igmp" }, { 4, "ipip" }, { 6, "tcp" }, { 17, "udp" },
	{ 41, "ipv6" }, { 44, "ipv6-frag" }, { 47, "gre" }, { 50, "esp" },
	{ 58, "icmpv6" }, { 132, "sctp" },
};

static const char *proto_name(int nr, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].nr == nr)
			return protos[i].name;
	snprintf(buf, len, "proto-%d", nr);
	return buf;
}

static int parse_proto(const char *arg)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (!strcmp(arg, protos[i].name))
			return protos[i].nr;
	if (arg[0] < '0' || arg[0] > '9')
		usage_error("drop-proto: unknown protocol: %s (a name like icmp, tcp, udp, or 0-255)", arg);
	return parse_long(arg, "drop-proto", 0, 255);
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'p':
		opt.drop_proto = parse_proto(arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.args_doc = "--route PREFIX --dev DEV",
	.doc = doc,
	.children = route_loader_children,
};

static void print_stats(void *ctx, bool final)
{
	struct lwt_in_bpf *skel = ctx;
	int fd = bpf_map__fd(skel->maps.stats);
	struct lwt_in_count c;
	__u64 malformed = 0, long_chain = 0, dropped = 0;
	int shown = 0;
	char buf[24];

	printf("%spackets:", final ? "total " : "");
	for (__u32 i = 0; i < LWT_IN_NSTATS; i++) {
		if (percpu_sum(fd, &i, (uint64_t *)&c, 2) || !c.packets)
			continue;
		if (i == LWT_IN_STAT_MALFORMED) {
			malformed = c.packets;
			continue;
		}
		if (i == LWT_IN_STAT_LONG_CHAIN) {
			/* Dropped when there is a protocol to drop (fail closed). */
			long_chain = c.packets;
			if (opt.drop_proto >= 0)
				dropped += c.packets;
			continue;
		}
		if ((int)i == opt.drop_proto)
			dropped += c.packets;
		printf("%s%s %llu (%llu B)", shown++ ? "  " : " ", proto_name(i, buf, sizeof(buf)),
		       c.packets, c.bytes);
	}
	printf("%s  | malformed %llu  long-chain %llu  dropped %llu\n", shown ? "" : " none",
	       malformed, long_chain, dropped);
}

static void put_encap(struct nlmsghdr *nlh, void *ctx)
{
	struct lwt_in_bpf *skel = ctx;

	route_put_lwt_bpf(nlh, LWT_BPF_IN, bpf_program__fd(skel->progs.lwt_in_count));
}

int main(int argc, char **argv)
{
	char pname[24];
	struct route *r = &route_target.route;
	struct lwt_in_bpf *skel;
	bool installed = false;
	struct nl nl = {};
	int err;

	common_init(&argp, argc, argv);
	require_root();

	skel = lwt_in_bpf__open();
	if (!skel)
		return fail_step(errno, "opening the BPF object");
	skel->rodata->drop_proto = opt.drop_proto;
	err = lwt_in_bpf__load(skel);
	if (err) {
		err = fail_step(err, "loading the BPF program");
		goto out;
	}

	/* The attach: a route whose encap carries the program's fd. */
	err = route_install(&nl, r, LWT_BPF_IN, put_encap, skel, "CONFIG_LWTUNNEL_BPF");
	if (err)
		goto out;
	installed = true;

	printf("lwt_in: counting on route %s dev %s%s%s (encap bpf in, proto %d, program \"%s\"); %s%s; Ctrl-C to stop\n",
	       r->text, route_target.dev, route_target.via ? " via " : "",
	       route_target.via ? route_target.via : "",
	       RTPROT_CATALOG, route_owner_name(), opt.drop_proto < 0 ? "dropping nothing" : "dropping ",
	       opt.drop_proto < 0 ? "" : proto_name(opt.drop_proto, pname, sizeof(pname)));
	err = run_loop(print_stats, NULL, skel, 0);
out:
	if (installed && route_remove(&nl, r, "CONFIG_LWTUNNEL_BPF"))
		err = EXIT_FAIL;
	nl_close(&nl);
	lwt_in_bpf__destroy(skel);
	return err;
}
