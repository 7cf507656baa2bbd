// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* lwt_seg6local: an SRv6 End.BPF SID, installed as a seg6local route. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/lwtunnel.h>
#include <linux/rtnetlink.h>
#include <linux/seg6_local.h>
#include "common.h"
#include "nl.h"
#include "route.h"
#include "lwt_seg6local.h"
#include "lwt_seg6local.skel.h"

static const char doc[] =
"Install an SRv6 SID on this node: a seg6local route for SID (End.BPF)\n"
"whose BPF program checks the Segment Routing Header of every packet sent\n"
"to SID (segments left, last entry, lengths, encapsulated payload), counts\n"
"it per position in the segment list, writes --tag (and with --tlv a TLV)\n"
"into the SRH and hands the packet back to the kernel's End, End.X (to\n"
"next hop NH) or End.T (lookup in TABLE). Packets the program refuses are\n"
"dropped and counted; the route's own counters show what the kernel\n"
"refused before it. The route is removed at exit; one left by a killed\n"
"loader at the next start.\n"
"\n"
"EXAMPLES:\n"
"  lwt_seg6local --sid 2001:db8:f2::100 --dev eth2 --tag 42\n"
"  lwt_seg6local --sid 2001:db8:f2::100 --dev eth2 --action end.x 2001:db8:2::1\n"
"  lwt_seg6local --sid 2001:db8:f2::100 --dev eth2 --action end.t 100\n";

static const struct argp_option options[] = {
	{ "sid", 's', "SID", 0, "The local SID (an IPv6 address; a /128 route)", 0 },
	{ "dev", 'D', "DEV", 0, "Device of the route", 0 },
	{ "tag", 't', "N", 0, "Write tag N (1-65535) into the SRH", 0 },
	{ "action", 'a', "ACTION", 0, "end (default), end.x NH or end.t TABLE", 0 },
	{ "tlv", 'T', NULL, 0, "Append an 8-byte opaque TLV to the SRH", 0 },
	{},
};

static struct {
	struct route route;
	const char *sid, *dev;
	int tag;
	bool tlv;
	int action;
	bool pending;		/* --action end.x/end.t waits for its argument */
	unsigned char nh6[16];
	unsigned int table;
	char what[80];		/* the action as the banner says it */
} opt = { .action = LWT_SEG6LOCAL_ACTION_END };

static void action_arg(const char *arg)
{
	if (opt.action == LWT_SEG6LOCAL_ACTION_END_X) {
		if (!route_parse_addr(AF_INET6, arg, opt.nh6))
			usage_error("end.x: next hop is not an IPv6 address: %s", arg);
		snprintf(opt.what, sizeof(opt.what), "End.X via %s", arg);
	} else {
		opt.table = parse_long(arg, "end.t table", 1, 0xffffffffL);
		snprintf(opt.what, sizeof(opt.what), "End.T in table %u", opt.table);
	}
	opt.pending = false;
}

static void parse_action(char *arg)
{
	char *val = strchr(arg, '=');

	if (val)
		*val++ = 0;
	if (!strcmp(arg, "end")) {
		opt.action = LWT_SEG6LOCAL_ACTION_END;
		if (val)
			usage_error("action end takes no argument");
		return;
	} else if (!strcmp(arg, "end.x")) {
		opt.action = LWT_SEG6LOCAL_ACTION_END_X;
	} else if (!strcmp(arg, "end.t")) {
		opt.action = LWT_SEG6LOCAL_ACTION_END_T;
	} else {
		usage_error("unknown action: %s (end, end.x NH or end.t TABLE)", arg);
	}
	opt.pending = true;
	if (val)
		action_arg(val);
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 's':
		opt.sid = arg;
		break;
	case 'D':
		opt.dev = arg;
		break;
	case 't':
		opt.tag = parse_long(arg, "tag", 1, 65535);
		break;
	case 'a':
		parse_action(arg);
		break;
	case 'T':
		opt.tlv = true;
		break;
	case ARGP_KEY_ARG:
		if (!opt.pending)
			usage_error("unexpected argument: %s", arg);
		action_arg(arg);
		break;
	case ARGP_KEY_END:
		if (opt.pending)
			usage_error("action %s needs its argument",
				    opt.action == LWT_SEG6LOCAL_ACTION_END_X ? "end.x NH"
									      : "end.t TABLE");
		if (!opt.sid || !opt.dev)
			usage_error("--sid SID and --dev DEV are required");
		route_parse_prefix(&opt.route, opt.sid, "sid", AF_INET6);
		if (opt.route.prefixlen != 128)
			usage_error("sid: a SID is one address (/128): %s", opt.sid);
		opt.route.ifindex = parse_ifindex(opt.dev);
		if (opt.action == LWT_SEG6LOCAL_ACTION_END)
			snprintf(opt.what, sizeof(opt.what), "End");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.args_doc = "--sid SID --dev DEV",
	.doc = doc,
	.children = common_children,
};

struct ctx {
	struct lwt_seg6local_bpf *skel;
	struct nl *nl;
};

/* `encap seg6local action End.BPF endpoint fd FD name NAME count`. */
static void put_encap(struct nlmsghdr *nlh, void *data)
{
	struct lwt_seg6local_bpf *skel = data;
	struct nlattr *encap, *bpf, *cnt;

	encap = mnl_attr_nest_start(nlh, RTA_ENCAP);
	mnl_attr_put_u32(nlh, SEG6_LOCAL_ACTION, SEG6_LOCAL_ACTION_END_BPF);
	bpf = mnl_attr_nest_start(nlh, SEG6_LOCAL_BPF);
	mnl_attr_put_u32(nlh, SEG6_LOCAL_BPF_PROG, bpf_program__fd(skel->progs.end_bpf));
	mnl_attr_put_strz(nlh, SEG6_LOCAL_BPF_PROG_NAME, route_owner_name());
	mnl_attr_nest_end(nlh, bpf);
	/* The route's own counters: the kernel wants all three, starting at 0. */
	cnt = mnl_attr_nest_start(nlh, SEG6_LOCAL_COUNTERS);
	mnl_attr_put_u64(nlh, SEG6_LOCAL_CNT_PACKETS, 0);
	mnl_attr_put_u64(nlh, SEG6_LOCAL_CNT_BYTES, 0);
	mnl_attr_put_u64(nlh, SEG6_LOCAL_CNT_ERRORS, 0);
	mnl_attr_nest_end(nlh, cnt);
	mnl_attr_nest_end(nlh, encap);
	mnl_attr_put_u16(nlh, RTA_ENCAP_TYPE, LWTUNNEL_ENCAP_SEG6_LOCAL);
}

static void route_counters(const struct nlattr *encap, void *data)
{
	const struct nlattr *cnt = route_nested(encap, SEG6_LOCAL_COUNTERS), *a;
	uint64_t *c = data;

	if (!cnt)
		return;
	mnl_attr_for_each_nested(a, cnt) {
		switch (mnl_attr_get_type(a)) {
		case SEG6_LOCAL_CNT_PACKETS:
			c[0] = mnl_attr_get_u64(a);
			break;
		case SEG6_LOCAL_CNT_BYTES:
			c[1] = mnl_attr_get_u64(a);
			break;
		case SEG6_LOCAL_CNT_ERRORS:
			c[2] = mnl_attr_get_u64(a);
			break;
		}
	}
}

static void print_stats(void *data, bool final)
{
	struct ctx *ctx = data;
	int fd = bpf_map__fd(ctx->skel->maps.stats);
	struct lwt_seg6local_count c[LWT_SEG6LOCAL_NSTATS];
	uint64_t rc[3] = {}, n;

	for (__u32 i = 0; i < LWT_SEG6LOCAL_NSTATS; i++)
		percpu_sum(fd, &i, (uint64_t *)&c[i], 2);
	route_find(ctx->nl, &opt.route, route_counters, rc);
	printf("%sEnd.BPF ok %llu (%llu bytes), dropped %llu | segments left on arrival:",
	       final ? "total " : "", c[LWT_SEG6LOCAL_STAT_OK].packets,
	       c[LWT_SEG6LOCAL_STAT_OK].bytes, c[LWT_SEG6LOCAL_STAT_BAD].packets);
	for (__u32 i = 1; i <= SEG6_MAX_SEGS; i++)
		if (!percpu_sum(bpf_map__fd(ctx->skel->maps.per_segment), &i, &n, 1) && n)
			printf(" %u:%llu", i, (unsigned long long)n);
	printf(" | route packets %llu, errors %llu\n", (unsigned long long)rc[0],
	       (unsigned long long)rc[2]);
}

int main(int argc, char **argv)
{
	struct route *r = &opt.route;
	struct lwt_seg6local_bpf *skel;
	bool installed = false;
	struct nl nl = {};
	struct ctx ctx;
	int err;

	common_init(&argp, argc, argv);
	require_root();

	skel = lwt_seg6local_bpf__open();
	if (!skel)
		return fail_step(errno, "opening the BPF object");
	skel->rodata->tag = opt.tag;
	skel->rodata->action = opt.action;
	memcpy((void *)skel->rodata->nh6, opt.nh6, 16);
	skel->rodata->table = opt.table;
	skel->rodata->add_tlv = opt.tlv;
	err = lwt_seg6local_bpf__load(skel);
	if (err) {
		err = fail_step(err, "loading the BPF program");
		goto out;
	}
	/* The attach: a seg6local route whose End.BPF carries the program's fd. */
	err = route_install(&nl, r, SEG6_LOCAL_BPF, put_encap, skel, "CONFIG_IPV6_SEG6_BPF");
	if (err)
		goto out;
	installed = true;

	printf("lwt_seg6local: SID %s dev %s: End.BPF (program \"%s\", proto %d), tag %d%s, then %s; Ctrl-C to stop\n",
	       r->text, opt.dev, route_owner_name(), RTPROT_CATALOG, opt.tag,
	       opt.tlv ? " and a TLV" : "", opt.what);
	ctx = (struct ctx){ skel, &nl };
	err = run_loop(print_stats, NULL, &ctx, 0);
out:
	if (installed && route_remove(&nl, r, "CONFIG_IPV6_SEG6_BPF"))
		err = EXIT_FAIL;
	nl_close(&nl);
	lwt_seg6local_bpf__destroy(skel);
	return err;
}
