// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* xdp_redirect: route between two interfaces in XDP, through a DEVMAP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"
#include "xdp.h"
#include "xdp_redirect.h"
#include "xdp_redirect.skel.h"

static struct {
	const char *name;
	int ifindex;
} port[XDP_REDIRECT_PORTS];
static int nports;
static enum xdp_mode mode;
static bool force;

static const char doc[] =
"Forward IPv4 and IPv6 between IFACE1 and IFACE2 in XDP: a packet the\n"
"kernel's FIB would route out of the other interface gets its MACs from\n"
"bpf_fib_lookup(), its TTL decremented, and leaves with bpf_redirect_map()\n"
"through a BPF_MAP_TYPE_DEVMAP, never entering the kernel's stack. The\n"
"rest (local traffic, ARP, ND, TTL 1, unresolved neighbours) goes to the\n"
"kernel. IPv4/IPv6 forwarding must be on, as for the kernel's own routing.\n"
"\n"
"EXAMPLES:\n"
"  xdp_redirect eth1 eth2              # route between eth1 and eth2\n"
"  xdp_redirect --mode skb -d 60 eth1 eth2\n";

static const struct argp_option options[] = {
	{ "mode", 'm', "skb|native", 0, "XDP mode (default: native where the driver has it, else skb)", 0 },
	{ "force", 'f', NULL, 0, "Replace XDP programs already attached to the interfaces", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'm':
		mode = parse_xdp_mode(arg);
		break;
	case 'f':
		force = true;
		break;
	case ARGP_KEY_ARG:
		if (nports == XDP_REDIRECT_PORTS)
			usage_error("unexpected argument: %s", arg);
		port[nports].name = arg;
		port[nports].ifindex = parse_ifindex(arg);
		nports++;
		break;
	case ARGP_KEY_END:
		if (nports != XDP_REDIRECT_PORTS)
			usage_error("needs two interfaces (IFACE1 IFACE2)");
		if (port[0].ifindex == port[1].ifindex)
			usage_error("IFACE1 and IFACE2 are the same interface");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.args_doc = "IFACE1 IFACE2",
	.doc = doc,
	.children = common_children,
};

static void print_stats(void *ctx, bool final)
{
	struct xdp_redirect_bpf *skel = ctx;
	struct xdp_redirect_count c[XDP_REDIRECT_PORTS] = {};

	for (__u32 i = 0; i < XDP_REDIRECT_PORTS; i++)
		percpu_sum(bpf_map__fd(skel->maps.stats), &i, (uint64_t *)&c[i], 3);
	printf("%s%s -> %s %llu (%llu B)  %s -> %s %llu (%llu B)  | passed %llu\n",
	       final ? "total " : "", port[0].name, port[1].name, c[0].fwd_packets,
	       c[0].fwd_bytes, port[1].name, port[0].name, c[1].fwd_packets, c[1].fwd_bytes,
	       c[0].passed + c[1].passed);
}

int main(int argc, char **argv)
{
	int link_fd[XDP_REDIRECT_PORTS] = { -1, -1 }, err;
	struct xdp_redirect_bpf *skel;
	const char *how[XDP_REDIRECT_PORTS];

	common_init(&argp, argc, argv);
	require_root();

	skel = xdp_redirect_bpf__open();
	if (!skel)
		return fail_step(errno, "opening the BPF object");
	for (int i = 0; i < XDP_REDIRECT_PORTS; i++)
		skel->rodata->port_ifindex[i] = port[i].ifindex;
	err = xdp_redirect_bpf__load(skel);
	if (err) {
		err = fail_step(err, "loading the BPF program");
		goto out;
	}
	for (__u32 i = 0; i < XDP_REDIRECT_PORTS; i++) {
		__u32 ifindex = port[i].ifindex;

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.tx_port), &i, &ifindex, 0)) {
			err = fail_step(errno, "adding the interface to the DEVMAP");
			goto out;
		}
	}
	for (int i = 0; i < XDP_REDIRECT_PORTS; i++) {
		err = xdp_attach(skel->progs.xdp_redirect, port[i].ifindex, port[i].name, mode,
				 force, &link_fd[i], &how[i]);
		if (err)
			goto out;
	}

	printf("xdp_redirect: forwarding between %s (ifindex %d, %s mode) and %s (ifindex %d, %s mode); Ctrl-C to stop\n",
	       port[0].name, port[0].ifindex, how[0], port[1].name, port[1].ifindex, how[1]);
	err = run_loop(print_stats, NULL, skel, 0);
out:
	for (int i = 0; i < XDP_REDIRECT_PORTS; i++)
		if (link_fd[i] >= 0)
			close(link_fd[i]);
	xdp_redirect_bpf__destroy(skel);
	return err;
}
