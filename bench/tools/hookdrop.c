// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hookdrop: drop every IPv4 packet with a tc (tcx) classifier or a
 * netfilter BPF program. A benchmark fixture: the banner names the map
 * that holds the count, so a script can read it at any instant.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/netfilter.h>
#include "common.h"
#include "tc.h"
#include "hookdrop.skel.h"

static const char *hook, *ifname;

static const char doc[] =
"Count and drop every IPv4 packet at the tc ingress hook of IFACE (tcx\n"
"link; clsact + cls_bpf before Linux 6.6) or at netfilter's IPv4\n"
"PRE_ROUTING hook of the current network namespace (netfilter link,\n"
"priority -450, before the raw table; Linux 6.4).\n"
"\n"
"EXAMPLES:\n"
"  hookdrop tc veth0          # tcx ingress classifier returning TC_ACT_SHOT\n"
"  hookdrop -d 10 netfilter   # NF_DROP in PRE_ROUTING, the whole namespace\n";

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case ARGP_KEY_ARG:
		if (!hook)
			hook = arg;
		else if (!ifname)
			ifname = arg;
		else
			usage_error("too many arguments: %s", arg);
		break;
	case ARGP_KEY_END:
		if (!hook)
			usage_error("missing HOOK (tc or netfilter)");
		if (strcmp(hook, "tc") && strcmp(hook, "netfilter"))
			usage_error("unknown hook: %s (use tc or netfilter)", hook);
		if (!strcmp(hook, "tc") && !ifname)
			usage_error("tc needs IFACE");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.parser = parse_arg,
	.args_doc = "tc IFACE | netfilter",
	.doc = doc,
	.children = common_children,
};

static void print_stats(void *ctx, bool final)
{
	struct hookdrop_bpf *skel = ctx;
	uint64_t n = 0;
	__u32 zero = 0;

	percpu_sum(bpf_map__fd(skel->maps.drops), &zero, &n, 1);
	printf("%sdropped %llu\n", final ? "total " : "", (unsigned long long)n);
}

static __u32 map_id(struct bpf_map *map)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_map_get_info_by_fd(bpf_map__fd(map), &info, &len) ? 0 : info.id;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_netfilter_opts, nf, .pf = NFPROTO_IPV4,
		    .hooknum = NF_INET_PRE_ROUTING, .priority = -450);
	struct tc_hook h = {};
	struct hookdrop_bpf *skel;
	struct bpf_link *link = NULL;
	char how[160];
	bool tc;
	int err;

	common_init(&argp, argc, argv);
	tc = !strcmp(hook, "tc");
	if (tc) {
		h.ifname = ifname;
		h.ifindex = parse_ifindex(ifname);
	}
	require_root();
	if (!tc && !have_prog_type(BPF_PROG_TYPE_NETFILTER, "BPF_PROG_TYPE_NETFILTER", "6.4"))
		return EXIT_NOFEATURE;

	skel = hookdrop_bpf__open();
	if (!skel)
		return fail_step(errno, "opening the BPF object");
	bpf_program__set_autoload(tc ? skel->progs.nf_drop : skel->progs.tc_drop, false);
	/* tcx where the kernel has it (6.6), else a clsact qdisc + cls_bpf. */
	if (tc)
		tc_hook_prepare(&h, skel->progs.tc_drop);
	err = hookdrop_bpf__load(skel);
	if (err) {
		err = fail_step(err, "loading the BPF program");
		goto out;
	}
	if (tc) {
		err = tc_hook_attach(&h, skel->progs.tc_drop);
		if (err)
			goto out;
		printf("hookdrop: dropping IPv4 at tc ingress of %s via %s", ifname,
		       tc_hook_describe(&h, how, sizeof(how)));
	} else {
		link = bpf_program__attach_netfilter(skel->progs.nf_drop, &nf);
		if (!link) {
			err = fail_step(errno, "attaching to netfilter");
			goto out;
		}
		printf("hookdrop: dropping IPv4 at netfilter ipv4 prerouting");
	}
	printf(" (counter: map id %u); Ctrl-C to stop\n", map_id(skel->maps.drops));
	err = run_loop(print_stats, NULL, skel, 0);
out:
	bpf_link__destroy(link);
	tc_hook_detach(&h);
	hookdrop_bpf__destroy(skel);
	return err;
}
