// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* xdp_icmp_server: answer IPv4 and IPv6 ping from XDP, before the stack. */
#include <stdio.h>
#include <unistd.h>
#include "common.h"
#include "xdp_icmp_server.h"
#include "xdp_icmp_server.skel.h"

static const char doc[] =
"Answer IPv4 ICMP echo and ICMPv6 echo requests arriving on IFACE from XDP\n"
"(XDP_TX): the kernel's ICMP code never sees them. Fragments, broadcasts,\n"
"requests with IPv6 extension headers and all other traffic go to the kernel.\n"
"\n"
"EXAMPLES:\n"
"  xdp_icmp_server lo                 # then: ping 127.0.0.1, ping ::1\n"
"  xdp_icmp_server --mode native veth0\n"
"  xdp_icmp_server -d 30 -i 5 veth0   # 30 seconds, a stats line every 5\n";

static const struct argp argp = {
	.args_doc = "IFACE",
	.doc = doc,
	.children = xdp_loader_children,
};

static void print_stats(void *ctx, bool final)
{
	struct xdp_icmp_server_bpf *skel = ctx;
	int fd = bpf_map__fd(skel->maps.stats);
	struct icmp_server_count c[ICMP_SRV_NSTATS] = {};

	for (__u32 i = 0; i < ICMP_SRV_NSTATS; i++)
		percpu_sum(fd, &i, (uint64_t *)&c[i], 2);
	printf("%sreplies: ipv4 %llu  ipv6 %llu  | passed to kernel %llu\n",
	       final ? "total " : "", c[ICMP_SRV_REPLY4].packets,
	       c[ICMP_SRV_REPLY6].packets, c[ICMP_SRV_PASS].packets);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct xdp_icmp_server_bpf *skel;
	const char *mode;
	int link_fd = -1, err;

	common_init(&argp, argc, argv, NULL);
	require_root();

	skel = xdp_icmp_server_bpf__open_and_load();
	if (!skel)
		return fail_step(errno, "loading the BPF program");

	err = xdp_attach(skel->progs.xdp_icmp_server, xdp_target.ifindex,
			 xdp_target.ifname, xdp_target.mode, xdp_target.force,
			 &link_fd, &mode);
	if (err)
		goto out;

	printf("xdp_icmp_server: answering ping on %s (ifindex %d, %s mode); Ctrl-C to stop\n",
	       xdp_target.ifname, xdp_target.ifindex, mode);
	err = run_loop(print_stats, NULL, skel, 0);
out:
	if (link_fd >= 0)
		close(link_fd);
	xdp_icmp_server_bpf__destroy(skel);
	return err;
}
