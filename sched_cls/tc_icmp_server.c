// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tc_icmp_server: answer IPv4 and IPv6 ping at tc ingress (clone + redirect). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "common.h"
#include "tc.h"
#include "tc_icmp_server.h"
#include "tc_icmp_server.skel.h"

static const char doc[] =
"Answer IPv4 ICMP echo and ICMPv6 echo requests arriving on IFACE from the\n"
"tc ingress hook: the request is rewritten into its reply, a clone is sent\n"
"out of IFACE with bpf_clone_redirect(), and the request is dropped, so the\n"
"kernel's ICMP code never sees it. Only valid unicast requests are answered;\n"
"bad checksums, IP options, IPv6 extension headers, fragments, broadcasts,\n"
"multicasts, martian sources and all other traffic go to the kernel.\n"
"\n"
"EXAMPLES:\n"
"  tc_icmp_server lo                 # then: ping 127.0.0.1, ping ::1\n"
"  tc_icmp_server -d 30 -i 5 veth0   # 30 seconds, a stats line every 5\n"
"  tc_icmp_server --legacy-tc veth0  # clsact + cls_bpf instead of tcx\n";

static const struct argp argp = {
	.args_doc = "IFACE",
	.doc = doc,
	.children = tc_loader_children,
};

static bool is_loopback(const char *ifname)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool lo = false;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd >= 0 && !ioctl(fd, SIOCGIFFLAGS, &ifr))
		lo = ifr.ifr_flags & IFF_LOOPBACK;
	if (fd >= 0)
		close(fd);
	return lo;
}

static void print_stats(void *ctx, bool final)
{
	struct tc_icmp_server_bpf *skel = ctx;
	int fd = bpf_map__fd(skel->maps.stats);
	struct tc_icmp_server_count c[TC_ICMP_SERVER_NSTATS] = {};

	for (__u32 i = 0; i < TC_ICMP_SERVER_NSTATS; i++)
		percpu_sum(fd, &i, (uint64_t *)&c[i], 2);
	printf("%sreplies: ipv4 %llu  ipv6 %llu  | passed to kernel %llu  redirect errors %llu\n",
	       final ? "total " : "", c[TC_ICMP_SERVER_STAT_REPLY4].packets,
	       c[TC_ICMP_SERVER_STAT_REPLY6].packets, c[TC_ICMP_SERVER_STAT_PASS].packets,
	       c[TC_ICMP_SERVER_STAT_TX_ERR].packets);
}

int main(int argc, char **argv)
{
	struct tc_icmp_server_bpf *skel;
	char how[256];
	int err;

	common_init(&argp, argc, argv);
	if (tc_target.egress)
		usage_error("echo requests arrive at ingress: --egress makes no sense here");
	require_root();

	/* The checksum check walks the message with bpf_loop(). */
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_loop, NULL) != 1) {
		errmsg("this kernel has no bpf_loop() helper (Linux 5.17 or later is needed)");
		return EXIT_NOFEATURE;
	}
	skel = tc_icmp_server_bpf__open();
	if (!skel)
		return fail_step(errno, "opening the BPF object");
	skel->rodata->on_loopback = is_loopback(tc_target.ifname);
	tc_hook_prepare(&tc_target, skel->progs.tc_icmp_server);
	err = tc_icmp_server_bpf__load(skel);
	if (err) {
		err = fail_step(err, "loading the BPF program");
		goto out;
	}
	err = tc_hook_attach(&tc_target, skel->progs.tc_icmp_server);
	if (err)
		goto out;

	printf("tc_icmp_server: answering ping on %s ingress (ifindex %d) via %s; Ctrl-C to stop\n",
	       tc_target.ifname, tc_target.ifindex,
	       tc_hook_describe(&tc_target, how, sizeof(how)));
	err = run_loop(print_stats, NULL, skel, 0);
out:
	tc_hook_detach(&tc_target);
	tc_icmp_server_bpf__destroy(skel);
	return err;
}
