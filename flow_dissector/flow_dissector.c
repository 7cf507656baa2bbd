// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* flow_dissector: a BPF flow dissector (with OSPF) for one network namespace. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/nsfs.h>
#include "common.h"
#include "flow_dissector.h"
#include "flow_dissector.skel.h"

static const char doc[] =
"Replace the kernel's flow dissector in one network namespace with a BPF\n"
"program (attached with a netns link). It fills the flow keys for Ethernet,\n"
"802.1Q/802.1ad, IPv4 (options, fragments), IPv6 (extension headers, flow\n"
"label), TCP, UDP and OSPF: for OSPF the router ID and the area ID, each\n"
"folded to 16 bits, take the place of the source and destination ports, so\n"
"ECMP and RPS spread OSPF traffic by router and area. Everything else goes\n"
"back to the kernel's dissector (Linux 6.0 and later).\n"
"\n"
"EXAMPLES:\n"
"  flow_dissector                              # this namespace, until Ctrl-C\n"
"  flow_dissector --netns /run/netns/lab-r     # a namespace of `ip netns`\n"
"  flow_dissector --netns /proc/1234/ns/net -d 60 -i 10\n";

static const char *netns_path = "/proc/self/ns/net";

static const struct argp_option options[] = {
	{ "netns", 'n', "PATH", 0, "Network namespace file (default: this one)", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'n':
		netns_path = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.doc = doc,
	.children = common_children,
};

static int open_netns(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		usage_error("no such file: %s", path);
	if (fd < 0)
		usage_error("cannot open %s: %s", path, strerror(errno));
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)
		usage_error("not a network namespace: %s", path);
	return fd;
}

/* The kernel lets a root-namespace dissector override all others. */
static bool is_root_netns(const struct stat *st)
{
	struct stat init;

	return !stat("/proc/1/ns/net", &init) && init.st_ino == st->st_ino &&
	       init.st_dev == st->st_dev;
}

static void print_stats(void *ctx, bool final)
{
	struct flow_dissector_bpf *skel = ctx;
	int fd = bpf_map__fd(skel->maps.stats);
	unsigned long long v[FLOW_DISSECTOR_NSTATS] = {};

	for (__u32 i = 0; i < FLOW_DISSECTOR_NSTATS; i++)
		percpu_sum(fd, &i, (uint64_t *)&v[i], 1);
	printf("%sdissected: ipv4 %llu ipv6 %llu | tcp %llu udp %llu ospf %llu | fragments %llu | to kernel %llu | dropped %llu\n",
	       final ? "total " : "", v[FLOW_DISSECTOR_STAT_IPV4], v[FLOW_DISSECTOR_STAT_IPV6],
	       v[FLOW_DISSECTOR_STAT_TCP], v[FLOW_DISSECTOR_STAT_UDP], v[FLOW_DISSECTOR_STAT_OSPF],
	       v[FLOW_DISSECTOR_STAT_FRAG], v[FLOW_DISSECTOR_STAT_CONTINUE],
	       v[FLOW_DISSECTOR_STAT_DROP]);
}

int main(int argc, char **argv)
{
	struct flow_dissector_bpf *skel;
	struct stat st;
	int netns, link, err;

	common_init(&argp, argc, argv);
	netns = open_netns(netns_path);
	require_root();

	skel = flow_dissector_bpf__open_and_load();
	if (!skel) {
		close(netns);
		return fail_step(errno, "loading the BPF program");
	}
	/*
	 * A netns link (what bpf_program__attach_netns makes, minus libbpf's
	 * own warning on failure): closed with our last fd, even on SIGKILL.
	 */
	link = bpf_link_create(bpf_program__fd(skel->progs.dissect), netns,
			       BPF_FLOW_DISSECTOR, NULL);
	if (link < 0) {
		err = errno;
		/* E2BIG: a link holds the one slot; EEXIST: a link-less program, or one in the root namespace. */
		if (err == E2BIG || err == EEXIST)
			err = errmsg("a flow dissector is already attached to %s, or to the root namespace (which overrides every other): stop its owner first",
				     strcmp(netns_path, "/proc/self/ns/net") ? netns_path
									       : "this network namespace");
		else if (err == EINVAL)
			err = fail_step(EOPNOTSUPP, "attaching a flow dissector with a netns link (Linux 5.8)");
		else
			err = fail_step(err, "attaching the flow dissector");
		goto out;
	}
	fstat(netns, &st);
	printf("flow_dissector: dissecting for netns net:[%lu] (%s); Ctrl-C to stop\n",
	       (unsigned long)st.st_ino, netns_path);
	if (is_root_netns(&st))
		printf("flow_dissector: note: this is the root namespace; its dissector applies to every namespace\n");
	err = run_loop(print_stats, NULL, skel, 0);
out:
	if (link >= 0)
		close(link);
	close(netns);
	flow_dissector_bpf__destroy(skel);
	return err;
}
