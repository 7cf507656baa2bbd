// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* xdp_drop: drop ping (or all IP) on an interface, keep ARP and ND. */
#include <stdio.h>
#include <unistd.h>
#include "common.h"
#include "xdp_drop.h"
#include "xdp_drop.skel.h"

static bool all_ip;

static const char doc[] =
"Drop IPv4 ICMP echo and ICMPv6 echo packets arriving on IFACE with XDP.\n"
"ARP and IPv6 neighbour discovery always pass.\n"
"\n"
"EXAMPLES:\n"
"  xdp_drop lo               # ping 127.0.0.1 and ping ::1 stop getting replies\n"
"  xdp_drop --all-ip veth0   # drop every IPv4/IPv6 packet, keep ARP and ND\n"
"  xdp_drop -d 10 --mode skb veth0\n";

static const struct argp_option options[] = {
	{ "all-ip", 'a', NULL, 0, "Drop all IPv4 and IPv6 packets (never ARP or ND)", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	if (key != 'a')
		return ARGP_ERR_UNKNOWN;
	all_ip = true;
	return 0;
}

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.args_doc = "IFACE",
	.doc = doc,
	.children = xdp_loader_children,
};

static void print_stats(void *ctx, bool final)
{
	struct xdp_drop_bpf *skel = ctx;
	int fd = bpf_map__fd(skel->maps.stats);
	struct xdp_drop_count c[XDP_DROP_NSTATS] = {};

	for (__u32 i = 0; i < XDP_DROP_NSTATS; i++)
		percpu_sum(fd, &i, (uint64_t *)&c[i], 2);
	printf("%sdropped: icmp-echo %llu  icmpv6-echo %llu  other-ip %llu  | passed %llu\n",
	       final ? "total " : "",
	       c[DROP_ICMP4_ECHO].packets, c[DROP_ICMP6_ECHO].packets,
	       c[DROP_ALL_IP].packets, c[PASS_OTHER].packets);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct xdp_drop_bpf *skel;
	const char *mode;
	int link_fd = -1, err;

	common_init(&argp, argc, argv, NULL);
	require_root();

	skel = xdp_drop_bpf__open();
	if (!skel)
		return fail_step(errno, "opening the BPF object");
	skel->rodata->drop_all_ip = all_ip;
	err = xdp_drop_bpf__load(skel);
	if (err) {
		err = fail_step(err, "loading the BPF program");
		goto out;
	}

	err = xdp_attach(skel->progs.xdp_drop, xdp_target.ifindex, xdp_target.ifname,
			 xdp_target.mode, xdp_target.force, &link_fd, &mode);
	if (err)
		goto out;

	printf("xdp_drop: dropping %s on %s (ifindex %d, %s mode); Ctrl-C to stop\n",
	       all_ip ? "all IPv4/IPv6 (ARP and ND pass)" : "ICMP and ICMPv6 echo",
	       xdp_target.ifname, xdp_target.ifindex, mode);
	err = run_loop(print_stats, NULL, skel, 0);
out:
	if (link_fd >= 0)
		close(link_fd);
	xdp_drop_bpf__destroy(skel);
	return err;
}
