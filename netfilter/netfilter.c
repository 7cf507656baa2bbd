// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* netfilter: drop TCP/UDP to some ports from a BPF program at a netfilter hook. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <linux/netfilter.h>
#include "common.h"
#include "netfilter.h"
#include "netfilter.skel.h"

#ifndef BPF_F_NETFILTER_IP_DEFRAG
#define BPF_F_NETFILTER_IP_DEFRAG (1U << 0)
#endif
/* Where the kernel defragments (NF_IP_PRI_CONNTRACK_DEFRAG). */
#define PRI_DEFRAG (-400)

static const char doc[] =
"Attach a BPF netfilter program to one hook of this network namespace (a\n"
"netfilter BPF link: nothing is left behind, even after SIGKILL). It drops\n"
"TCP and UDP packets to the listed destination ports (NF_DROP) and\n"
"accepts everything else, counting both. Default: --hook output\n"
"--drop-port 80, IPv4, priority -10 (just before iptables' filter table at\n"
"0; the kernel allows one BPF program per priority and refuses a priority\n"
"that another hook already uses).\n"
"\n"
"EXAMPLES:\n"
"  netfilter                               # no HTTP out of this host\n"
"  netfilter --hook input --drop-port 22 --drop-port 53\n"
"  netfilter --hook forward --ipv6 --priority -150 --drop-port 443\n"
"  netfilter --hook prerouting --defrag --drop-port 5353\n";

static const struct argp_option options[] = {
	{ "hook", 'H', "HOOK", 0, "prerouting, input, forward, output (default) or postrouting", 0 },
	{ "ipv6", '6', NULL, 0, "Hook IPv6 instead of IPv4", 0 },
	{ "priority", 'p', "N", 0, "Priority at the hook (default -10; lower runs first)", 0 },
	{ "drop-port", 'P', "N", 0, "Drop TCP and UDP to port N (repeat; default 80)", 0 },
	{ "defrag", 'f', NULL, 0, "See reassembled packets (Linux 6.6; priority above -400)", 0 },
	{},
};

static const char *const hook_names[] = {
	[NF_INET_PRE_ROUTING] = "prerouting",
	[NF_INET_LOCAL_IN] = "input",
	[NF_INET_FORWARD] = "forward",
	[NF_INET_LOCAL_OUT] = "output",
	[NF_INET_POST_ROUTING] = "postrouting",
};

static struct {
	int hook;
	bool ipv6, defrag;
	int priority;
	int ports[NETFILTER_MAX_PORTS];
	int nports;
} opt = { .hook = NF_INET_LOCAL_OUT, .priority = -10 };

static int parse_hook(const char *arg)
{
	for (int i = 0; i < NF_INET_NUMHOOKS; i++)
		if (!strcmp(arg, hook_names[i]))
			return i;
	usage_error("unknown hook: %s (prerouting, input, forward, output or postrouting)", arg);
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'H':
		opt.hook = parse_hook(arg);
		break;
	case '6':
		opt.ipv6 = true;
		break;
	case 'p':
		opt.priority = parse_long(arg, "priority", INT_MIN, INT_MAX);
		break;
	case 'P':
		if (opt.nports == NETFILTER_MAX_PORTS)
			usage_error("at most %d ports", NETFILTER_MAX_PORTS);
		opt.ports[opt.nports] = parse_long(arg, "drop-port", 1, 65535);
		for (int i = 0; i < opt.nports; i++)
			if (opt.ports[i] == opt.ports[opt.nports])
				usage_error("drop-port: %d is given twice", opt.ports[i]);
		opt.nports++;
		break;
	case 'f':
		opt.defrag = true;
		break;
	case ARGP_KEY_END:
		if (!opt.nports)
			opt.ports[opt.nports++] = 80;
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

static void print_stats(void *ctx, bool final)
{
	struct netfilter_bpf *skel = ctx;
	int fd = bpf_map__fd(skel->maps.stats);
	struct netfilter_count c[NETFILTER_NSTATS];
	struct netfilter_port_key key = {};
	__u64 drops;

	for (__u32 i = 0; i < NETFILTER_NSTATS; i++)
		percpu_sum(fd, &i, (uint64_t *)&c[i], 2);
	printf("%saccepted %llu (%llu bytes), dropped %llu (%llu bytes), unparsed %llu, "
	       "long-chain %llu |", final ? "total " : "", c[NETFILTER_STAT_ACCEPT].packets,
	       c[NETFILTER_STAT_ACCEPT].bytes, c[NETFILTER_STAT_DROP].packets,
	       c[NETFILTER_STAT_DROP].bytes, c[NETFILTER_STAT_UNPARSED].packets,
	       c[NETFILTER_STAT_LONG_CHAIN].packets);
	for (int i = 0; i < opt.nports; i++) {
		for (int p = 0; p < 2; p++) {
			key.port = opt.ports[i];
			key.proto = p ? IPPROTO_UDP : IPPROTO_TCP;
			drops = 0;
			bpf_map_lookup_elem(bpf_map__fd(skel->maps.drop_ports), &key, &drops);
			printf(" %s/%d %llu", p ? "udp" : "tcp", opt.ports[i], drops);
		}
	}
	printf("\n");
}

/*
 * The attach syscall has no extended ack, only ERANGE or EINVAL: name the
 * rule the kernel applied.
 */
static int attach_refused(int err)
{
	struct utsname u;

	if (err == ERANGE && (opt.priority == INT_MIN || opt.priority == INT_MAX)) {
		errmsg("the kernel refuses priority %d at a netfilter hook: INT_MIN and INT_MAX are reserved (NF_IP_PRI_FIRST/LAST)",
		       opt.priority);
		return EXIT_USAGE;
	}
	if (err == ERANGE && opt.defrag && opt.priority <= PRI_DEFRAG) {
		errmsg("the kernel refuses --defrag at priority %d: defragmentation runs at %d, so the priority must be above it",
		       opt.priority, PRI_DEFRAG);
		return EXIT_USAGE;
	}
	if (err == EINVAL && opt.defrag) {
		uname(&u);
		errmsg("the kernel refuses --defrag (BPF_F_NETFILTER_IP_DEFRAG needs Linux 6.6 and nf_defrag_ipv%d; this is %s)",
		       opt.ipv6 ? 6 : 4, u.release);
		return EXIT_NOFEATURE;
	}
	if (err == EBUSY) {
		errmsg("the kernel refuses priority %d at %s/%s: another hook (nftables, iptables or BPF) already uses it; choose another --priority",
		       opt.priority, opt.ipv6 ? "ipv6" : "ipv4", hook_names[opt.hook]);
		return EXIT_FAIL;
	}
	if (err == EOPNOTSUPP && opt.defrag) {
		errmsg("the kernel cannot defragment for --defrag (CONFIG_NF_DEFRAG_IPV%d missing)",
		       opt.ipv6 ? 6 : 4);
		return EXIT_NOFEATURE;
	}
	return fail_step(err, "attaching to the netfilter hook");
}

int main(int argc, char **argv)
{
	struct netfilter_bpf *skel = NULL;
	struct bpf_link *link = NULL;
	libbpf_print_fn_t print_fn;
	struct netfilter_port_key key = {};
	__u64 zero = 0;
	int err;

	common_init(&argp, argc, argv);
	require_root();

	if (!have_prog_type(BPF_PROG_TYPE_NETFILTER, "BPF_PROG_TYPE_NETFILTER", "6.4"))
		return EXIT_NOFEATURE;

	skel = netfilter_bpf__open_and_load();
	if (!skel)
		return fail_step(errno, "loading the BPF program");
	for (int i = 0; i < opt.nports; i++) {
		key.port = opt.ports[i];
		key.proto = IPPROTO_TCP;
		bpf_map_update_elem(bpf_map__fd(skel->maps.drop_ports), &key, &zero, BPF_ANY);
		key.proto = IPPROTO_UDP;
		bpf_map_update_elem(bpf_map__fd(skel->maps.drop_ports), &key, &zero, BPF_ANY);
	}

	LIBBPF_OPTS(bpf_netfilter_opts, nopts,
		.pf = opt.ipv6 ? NFPROTO_IPV6 : NFPROTO_IPV4,
		.hooknum = opt.hook,
		.priority = opt.priority,
		.flags = opt.defrag ? BPF_F_NETFILTER_IP_DEFRAG : 0,
	);
	/* libbpf would print the bare errno first; the sentence below says more. */
	print_fn = env.verbose ? NULL : libbpf_set_print(NULL);
	link = bpf_program__attach_netfilter(skel->progs.nf_drop_ports, &nopts);
	err = errno;
	if (print_fn)
		libbpf_set_print(print_fn);
	if (!link) {
		err = attach_refused(err);
		goto out;
	}

	printf("netfilter: attached to %s/%s at priority %d%s (netfilter link); dropping TCP/UDP to port",
	       opt.ipv6 ? "ipv6" : "ipv4", hook_names[opt.hook], opt.priority,
	       opt.defrag ? " with defragmentation" : "");
	for (int i = 0; i < opt.nports; i++)
		printf("%s%d", i ? ", " : " ", opt.ports[i]);
	printf("; Ctrl-C to stop\n");
	err = run_loop(print_stats, NULL, skel, 0);
out:
	bpf_link__destroy(link);
	netfilter_bpf__destroy(skel);
	return err;
}
