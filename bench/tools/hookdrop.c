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
#include "hookdrop.skel.h"

static const char *hook, *ifname;

static const char doc[] =
"Count and drop every IPv4 packet at the tc ingress hook of IFACE (tcx\n"
"link) or at netfilter's IPv4 PRE_ROUTING hook of the current network\n"
"namespace (netfilter link, priority -450, before the raw table).\n"
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
	struct hookdrop_bpf *skel;
	struct bpf_link *link = NULL;
	bool tc;
	int ifindex = 0, err;

	common_init(&argp, argc, argv);
	tc = !strcmp(hook, "tc");
	if (tc)
		ifindex = parse_ifindex(ifname);
	require_root();

	skel = hookdrop_bpf__open();
	if (!skel)
		return fail_step(errno, "opening the BPF object");
	bpf_program__set_autoload(tc ? skel->progs.nf_drop : skel->progs.tc_drop, false);
	err = hookdrop_bpf__load(skel);
	if (err) {
		err = fail_step(err, "loading the BPF program");
		goto out;
	}
	if (tc)
		link = bpf_program__attach_tcx(skel->progs.tc_drop, ifindex, NULL);
	else
		link = bpf_program__attach_netfilter(skel->progs.nf_drop, &nf);
	if (!link) {
		err = fail_step(errno, tc ? "attaching to tcx ingress (Linux 6.6)" :
					    "attaching to netfilter (Linux 6.4)");
		goto out;
	}
	if (tc)
		printf("hookdrop: dropping IPv4 at tcx ingress of %s", ifname);
	else
		printf("hookdrop: dropping IPv4 at netfilter ipv4 prerouting");
	printf(" (counter: map id %u); Ctrl-C to stop\n", map_id(skel->maps.drops));
	err = run_loop(print_stats, NULL, skel, 0);
out:
	bpf_link__destroy(link);
	hookdrop_bpf__destroy(skel);
	return err;
}
