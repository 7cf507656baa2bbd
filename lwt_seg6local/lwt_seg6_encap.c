// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* lwt_seg6_encap: push an SRv6 header on the packets of a route. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/lwtunnel.h>
#include "common.h"
#include "nl.h"
#include "route.h"
#include "lwt_seg6_encap.h"
#include "lwt_seg6_encap.skel.h"

static const char doc[] =
"Install an IPv6 route to PREFIX through DEV whose LWT \"in\" BPF program\n"
"encapsulates every packet it routes (forwarded or delivered here) in an\n"
"outer IPv6 header with a Segment Routing Header listing SEGS\n"
"(bpf_lwt_push_encap, BPF_LWT_ENCAP_SEG6), then has the kernel route it to\n"
"the first segment. The segment list is written into a BPF map. The route\n"
"is removed at exit; one left by a killed loader at the next start.\n"
"\n"
"EXAMPLES:\n"
"  lwt_seg6_encap --route 2001:db8:2::1/128 --dev eth2 --via 2001:db8:12::2 \\\n"
"                 --segs 2001:db8:f2::100,2001:db8:f3::6\n";

static const struct argp_option options[] = {
	{ "segs", 'S', "SID,...", 0, "Segments in path order, the last one decapsulates (1-8)", 0 },
	{},
};

static struct {
	const char *segs;
	struct lwt_seg6_encap_segs list;
} opt;

/* Path order in, SRH order out: the SRH keeps the last segment at [0]. */
static void parse_segs(char *arg)
{
	unsigned char addr[SEG6_MAX_SEGS][16];
	unsigned int n = 0;
	char *tok;

	while ((tok = list_next(&arg, "segs"))) {
		if (n == SEG6_MAX_SEGS)
			usage_error("segs: at most %d segments", SEG6_MAX_SEGS);
		if (!route_parse_addr(AF_INET6, tok, addr[n]))
			usage_error("segs: a SID must be an IPv6 address: %s", quote_arg(tok));
		n++;
	}
	if (!n)
		usage_error("segs: no segment given");
	opt.list.nsegs = n;
	for (unsigned int i = 0; i < n; i++)
		memcpy(opt.list.segs[i], addr[n - 1 - i], 16);
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'S':
		opt.segs = strdup(arg);
		parse_segs(arg);
		break;
	case ARGP_KEY_END:
		if (!route_target.prefix || !route_target.dev || !opt.segs)
			usage_error("--route PREFIX, --dev DEV and --segs SID,... are required");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.args_doc = "--route PREFIX --dev DEV --segs SID,...",
	.doc = doc,
	.children = route_loader_children,
};

static void print_stats(void *data, bool final)
{
	struct lwt_seg6_encap_bpf *skel = data;
	int fd = bpf_map__fd(skel->maps.stats);
	struct lwt_seg6_encap_count c[LWT_SEG6_ENCAP_NSTATS];

	for (__u32 i = 0; i < LWT_SEG6_ENCAP_NSTATS; i++)
		percpu_sum(fd, &i, (uint64_t *)&c[i], 2);
	printf("%sencapsulated %llu (%llu bytes), failed %llu, not IPv6 %llu\n",
	       final ? "total " : "", c[LWT_SEG6_ENCAP_STAT_PUSHED].packets,
	       c[LWT_SEG6_ENCAP_STAT_PUSHED].bytes, c[LWT_SEG6_ENCAP_STAT_FAILED].packets,
	       c[LWT_SEG6_ENCAP_STAT_SKIPPED].packets);
}

static void put_encap(struct nlmsghdr *nlh, void *data)
{
	struct lwt_seg6_encap_bpf *skel = data;

	route_put_lwt_bpf(nlh, LWT_BPF_IN, bpf_program__fd(skel->progs.seg6_encap));
}

int main(int argc, char **argv)
{
	struct route *r = &route_target.route;
	struct lwt_seg6_encap_bpf *skel;
	bool installed = false;
	struct nl nl = {};
	__u32 zero = 0;
	int err;

	route_target.family = AF_INET6;
	common_init(&argp, argc, argv);
	require_root();

	skel = lwt_seg6_encap_bpf__open_and_load();
	if (!skel)
		return fail_step(errno, "loading the BPF program");
	err = bpf_map_update_elem(bpf_map__fd(skel->maps.segments), &zero, &opt.list, BPF_ANY);
	if (err) {
		err = fail_step(errno, "writing the segment list");
		goto out;
	}
	err = route_install(&nl, r, LWT_BPF_IN, put_encap, skel, "CONFIG_LWTUNNEL_BPF");
	if (err)
		goto out;
	installed = true;

	printf("lwt_seg6_encap: route %s dev %s%s%s (encap bpf in, program \"%s\", proto %d) pushes SRH with segments %s; Ctrl-C to stop\n",
	       r->text, route_target.dev, route_target.via ? " via " : "",
	       route_target.via ? route_target.via : "",
	       route_owner_name(), RTPROT_CATALOG, opt.segs);
	err = run_loop(print_stats, NULL, skel, 0);
out:
	if (installed && route_remove(&nl, r, "CONFIG_LWTUNNEL_BPF"))
		err = EXIT_FAIL;
	nl_close(&nl);
	lwt_seg6_encap_bpf__destroy(skel);
	return err;
}
