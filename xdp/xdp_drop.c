// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* xdp_drop: drop ping (or all IP) on an interface, keep ARP and ND. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "common.h"
#include "trace.h"
#include "xdp.h"
#include "xdp_drop.h"
#include "xdp_drop.skel.h"

static bool all_ip;

/* --block and --allow, in the order given. */
struct prefix {
	int family;
	__u32 len;
	__u8 addr[16];
	bool block;
	const char *text;
};
static struct prefix prefixes[XDP_DROP_MAX_PREFIXES];
static int nprefixes;

static const char doc[] =
"Drop IPv4 ICMP echo and ICMPv6 echo packets arriving on IFACE with XDP.\n"
"ARP and IPv6 neighbour discovery always pass. With --block, drop instead\n"
"every IPv4/IPv6 packet whose source's longest matching prefix (in an LPM\n"
"trie) was given with --block rather than --allow.\n"
"\n"
"EXAMPLES:\n"
"  xdp_drop lo               # ping 127.0.0.1 and ping ::1 stop getting replies\n"
"  xdp_drop --all-ip veth0   # drop every IPv4/IPv6 packet, keep ARP and ND\n"
"  xdp_drop -d 10 --mode skb veth0\n"
"  xdp_drop --trace veth0    # and a line per packet: which got which verdict\n"
"  xdp_drop --block 203.0.113.0/24 --block 2001:db8:bad::/48 veth0\n"
"                            # everything from there, ping too\n"
"  xdp_drop --block 203.0.113.0/24 --allow 203.0.113.128/25 veth0\n"
"                            # the longest matching prefix wins: .128-.255 pass\n";

static const struct argp_option options[] = {
	{ "all-ip", 'a', NULL, 0, "Drop all IPv4 and IPv6 packets (never ARP or ND)", 0 },
	{ "block", 'b', "PREFIX", 0,
	  "Instead of ping, drop IPv4/IPv6 packets from PREFIX (ADDR/LEN, repeatable)", 0 },
	{ "allow", 'A', "PREFIX", 0,
	  "Let PREFIX through even inside a blocked prefix: the longest match wins", 0 },
	{},
};

/* "203.0.113.0/24", "2001:db8:bad::/48"; host bits are cleared. */
static void parse_prefix(const char *arg, bool block)
{
	struct prefix *p = &prefixes[nprefixes];
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(arg, '/');
	size_t n = slash ? (size_t)(slash - arg) : strlen(arg);
	int max;

	if (nprefixes == XDP_DROP_MAX_PREFIXES)
		usage_error("at most %d --block/--allow prefixes", XDP_DROP_MAX_PREFIXES);
	if (n >= sizeof(addr))
		usage_error("not an IPv4 or IPv6 prefix: %s", arg);
	memcpy(addr, arg, n);
	addr[n] = 0;
	if (inet_pton(AF_INET, addr, p->addr) == 1)
		p->family = 4, max = 32;
	else if (inet_pton(AF_INET6, addr, p->addr) == 1)
		p->family = 6, max = 128;
	else
		usage_error("not an IPv4 or IPv6 prefix: %s", arg);
	p->len = slash ? parse_long(slash + 1, "prefix length", 0, max) : (long)max;
	for (int bit = p->len; bit < max; bit++)
		p->addr[bit / 8] &= ~(0x80 >> bit % 8);
	p->block = block;
	p->text = arg;
	nprefixes++;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'a':
		all_ip = true;
		break;
	case 'b':
	case 'A':
		parse_prefix(arg, key == 'b');
		break;
	case ARGP_KEY_END:
		if (all_ip && nprefixes)
			usage_error("--all-ip and --block/--allow are different policies: choose one");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int fill_prefixes(struct xdp_drop_bpf *skel)
{
	int fd4 = bpf_map__fd(skel->maps.prefixes4), fd6 = bpf_map__fd(skel->maps.prefixes6);

	for (int i = 0; i < nprefixes; i++) {
		struct prefix *p = &prefixes[i];
		struct xdp_drop_lpm4 k4 = { .prefixlen = p->len };
		struct xdp_drop_lpm6 k6 = { .prefixlen = p->len };
		__u8 val = p->block;
		int err;

		memcpy(k4.addr, p->addr, sizeof(k4.addr));
		memcpy(k6.addr, p->addr, sizeof(k6.addr));
		err = p->family == 4 ? bpf_map_update_elem(fd4, &k4, &val, BPF_ANY)
				     : bpf_map_update_elem(fd6, &k6, &val, BPF_ANY);
		if (err)
			return fail_step(errno, "filling the prefix map");
	}
	return EXIT_OK;
}

/* "dropping from 203.0.113.0/24, allowing 203.0.113.128/25" */
static void describe(char *buf, size_t len)
{
	size_t n = snprintf(buf, len, "everything from");

	for (int i = 0; i < nprefixes && n < len; i++)
		if (prefixes[i].block)
			n += snprintf(buf + n, len - n, " %s", prefixes[i].text);
	for (int i = 0, first = 1; i < nprefixes && n < len; i++)
		if (!prefixes[i].block) {
			n += snprintf(buf + n, len - n, "%s %s", first ? " except" : "",
				      prefixes[i].text);
			first = 0;
		}
	if (n < len)
		snprintf(buf + n, len - n, " (ARP and ND pass)");
}

/* --trace, then IFACE with the XDP options and the common ones. */
static const struct argp target_argp = { .children = xdp_loader_children };
static const struct argp_child children[] = {
	{ &trace_argp, 0, NULL, 0 },
	{ &target_argp, 0, NULL, 0 },
	{},
};

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.args_doc = "IFACE",
	.doc = doc,
	.children = children,
};

static void print_stats(void *ctx, bool final)
{
	struct xdp_drop_bpf *skel = ctx;
	int fd = bpf_map__fd(skel->maps.stats);
	struct xdp_drop_count c[XDP_DROP_NSTATS] = {};

	trace_report(final);
	for (__u32 i = 0; i < XDP_DROP_NSTATS; i++)
		percpu_sum(fd, &i, (uint64_t *)&c[i], 2);
	if (nprefixes)
		printf("%sdropped: blocked %llu (%llu B)  | passed %llu\n", final ? "total " : "",
		       c[XDP_DROP_STAT_BLOCKED].packets, c[XDP_DROP_STAT_BLOCKED].bytes,
		       c[XDP_DROP_STAT_PASS_OTHER].packets);
	else
		printf("%sdropped: icmp-echo %llu  icmpv6-echo %llu  other-ip %llu  long-chain %llu  | passed %llu\n",
		       final ? "total " : "",
		       c[XDP_DROP_STAT_ICMP4_ECHO].packets, c[XDP_DROP_STAT_ICMP6_ECHO].packets,
		       c[XDP_DROP_STAT_ALL_IP].packets, c[XDP_DROP_STAT_LONG_CHAIN].packets,
		       c[XDP_DROP_STAT_PASS_OTHER].packets);
}

int main(int argc, char **argv)
{
	struct xdp_drop_bpf *skel;
	struct bpf_program *prog;
	char what[2048];
	const char *mode;
	int link_fd = -1, err;

	common_init(&argp, argc, argv);
	require_root();

	skel = xdp_drop_bpf__open();
	if (!skel)
		return fail_step(errno, "opening the BPF object");
	skel->rodata->drop_all_ip = all_ip;
	skel->rodata->use_blocklist = nprefixes > 0;
	prog = trace_pick(skel->obj, skel->progs.xdp_drop, skel->progs.xdp_drop_trace);
	skel->rodata->trace_rate = trace_opts.rate;
	err = xdp_drop_bpf__load(skel);
	if (err) {
		err = fail_step(err, "loading the BPF program");
		goto out;
	}
	err = trace_start(skel->obj);
	if (err)
		goto out;
	/* The prefixes first, so the first packet already meets them. */
	err = fill_prefixes(skel);
	if (err)
		goto out;

	err = xdp_attach(prog, xdp_target.ifindex, xdp_target.ifname,
			 xdp_target.mode, xdp_target.force, &link_fd, &mode);
	if (err)
		goto out;

	describe(what, sizeof(what));
	printf("xdp_drop: dropping %s on %s (ifindex %d, %s mode); Ctrl-C to stop\n",
	       nprefixes ? what : all_ip ? "all IPv4/IPv6 (ARP and ND pass)" : "ICMP and ICMPv6 echo",
	       xdp_target.ifname, xdp_target.ifindex, mode);
	err = run_loop(print_stats, trace_wait, skel, 0);
out:
	if (link_fd >= 0)
		close(link_fd);
	trace_stop();
	xdp_drop_bpf__destroy(skel);
	return err;
}
