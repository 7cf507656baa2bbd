// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cgroup_sockopt: refuse and clamp socket options inside a cgroup. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include "common.h"
#include "cgroup.h"
#include "report.h"
#include "cgroup_sockopt.h"
#include "cgroup_sockopt.skel.h"

static const char doc[] =
"Inside a cgroup, refuse setsockopt() of the listed options with EPERM\n"
"(default: so_debug,ip_tos), lower SO_SNDBUF/SO_RCVBUF requests above a\n"
"ceiling to the ceiling, and pass every other option, level and getsockopt()\n"
"to the kernel untouched. Reports what it refused or changed.\n"
"\n"
"OPT is one of so_debug so_reuseaddr so_keepalive so_sndbuf so_rcvbuf\n"
"so_sndbufforce so_rcvbufforce so_priority so_mark ip_tos ip_ttl ipv6_tclass\n"
"tcp_nodelay tcp_maxseg tcp_congestion, or LEVEL:OPTNAME in numbers.\n"
"\n"
"EXAMPLES:\n"
"  cgroup_sockopt -- python3 app.py                 # no SO_DEBUG, no IP_TOS\n"
"  cgroup_sockopt --deny so_keepalive,tcp_nodelay --cgroup /sys/fs/cgroup/unified/app\n"
"  cgroup_sockopt --deny none --max-sndbuf 65536 --max-rcvbuf 65536 -- iperf3 -c HOST\n";

enum { OPT_DENY = 0x100, OPT_MAX_SNDBUF, OPT_MAX_RCVBUF };

static const struct argp_option options[] = {
	{ "deny", OPT_DENY, "OPT,...", 0, "Refuse changes of these options (\"none\": refuse nothing)", 0 },
	{ "max-sndbuf", OPT_MAX_SNDBUF, "BYTES", 0, "Clamp SO_SNDBUF requests to BYTES", 0 },
	{ "max-rcvbuf", OPT_MAX_RCVBUF, "BYTES", 0, "Clamp SO_RCVBUF requests to BYTES", 0 },
	{},
};

static const struct opt_name {
	const char *name;
	int level, optname;
} names[] = {
	{ "so_debug", SOL_SOCKET, SO_DEBUG },
	{ "so_reuseaddr", SOL_SOCKET, SO_REUSEADDR },
	{ "so_keepalive", SOL_SOCKET, SO_KEEPALIVE },
	{ "so_sndbuf", SOL_SOCKET, SO_SNDBUF },
	{ "so_rcvbuf", SOL_SOCKET, SO_RCVBUF },
	{ "so_sndbufforce", SOL_SOCKET, SO_SNDBUFFORCE },
	{ "so_rcvbufforce", SOL_SOCKET, SO_RCVBUFFORCE },
	{ "so_priority", SOL_SOCKET, SO_PRIORITY },
	{ "so_mark", SOL_SOCKET, SO_MARK },
	{ "ip_tos", SOL_IP, IP_TOS },
	{ "ip_ttl", SOL_IP, IP_TTL },
	{ "ipv6_tclass", SOL_IPV6, IPV6_TCLASS },
	{ "tcp_nodelay", SOL_TCP, TCP_NODELAY },
	{ "tcp_maxseg", SOL_TCP, TCP_MAXSEG },
	{ "tcp_congestion", SOL_TCP, TCP_CONGESTION },
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static struct {
	struct cgroup_sockopt_opt deny[64];
	int ndeny;
	bool deny_given;
	__u32 max_sndbuf, max_rcvbuf;
} opt;

static void parse_deny(char *list)
{
	char *tok, *colon, lower[64];
	size_t i, j;
	int d;

	opt.deny_given = true;
	if (!strcmp(list, "none"))
		return;
	while ((tok = list_next(&list, "--deny"))) {
		struct cgroup_sockopt_opt *k = &opt.deny[opt.ndeny];

		if (opt.ndeny == 64)
			usage_error("--deny: more than 64 options");
		colon = strchr(tok, ':');
		if (colon) {
			*colon = '\0';
			k->level = parse_long(tok, "--deny level", 0, INT32_MAX);
			k->optname = parse_long(colon + 1, "--deny option", 0, INT32_MAX);
		} else {
			for (j = 0; tok[j] && j < sizeof(lower) - 1; j++)
				lower[j] = tolower((unsigned char)tok[j]);
			lower[j] = '\0';
			for (i = 0; i < NNAMES && strcmp(names[i].name, lower); i++)
				;
			if (i == NNAMES)
				usage_error("--deny: unknown socket option: %s", quote_arg(tok));
			k->level = names[i].level;
			k->optname = names[i].optname;
		}
		/* A name and its LEVEL:OPTNAME spelling count as the same option. */
		for (d = 0; d < opt.ndeny; d++)
			if (opt.deny[d].level == k->level && opt.deny[d].optname == k->optname)
				usage_error("--deny: %s is given twice", quote_arg(tok));
		opt.ndeny++;
	}
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_DENY:
		parse_deny(arg);
		break;
	case OPT_MAX_SNDBUF:
		opt.max_sndbuf = parse_long(arg, "--max-sndbuf", 1, INT32_MAX);
		break;
	case OPT_MAX_RCVBUF:
		opt.max_rcvbuf = parse_long(arg, "--max-rcvbuf", 1, INT32_MAX);
		break;
	case ARGP_KEY_END:
		if (!opt.deny_given) {
			char def[] = "so_debug,ip_tos";

			parse_deny(def);
		}
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.args_doc = CGROUP_ARGS_DOC,
	.doc = doc,
	.children = cgroup_loader_children,
};

static const char *opt_name(const struct cgroup_sockopt_opt *k)
{
	static char buf[32];

	for (size_t i = 0; i < NNAMES; i++)
		if (names[i].level == k->level && names[i].optname == k->optname)
			return names[i].name;
	snprintf(buf, sizeof(buf), "%d:%d", k->level, k->optname);
	return buf;
}

static void print_stats(void *ctx, bool final)
{
	static const char *what[CGROUP_SOCKOPT_NSTATS] = { "refused", "clamped", "passed", "read" };
	struct cgroup_sockopt_bpf *skel = ctx;
	int fd = bpf_map__fd(skel->maps.counts);
	struct cgroup_sockopt_key k, *prev = NULL;
	uint64_t n, sum[CGROUP_SOCKOPT_NSTATS] = {};
	struct report rep = { .n = 0 };

	while (!bpf_map_get_next_key(fd, prev, &k)) {
		prev = &k;
		if (percpu_sum(fd, &k, &n, 1) || k.action >= CGROUP_SOCKOPT_NSTATS)
			continue;
		sum[k.action] += n;
		/* The report names what was refused or changed. */
		if (final && k.action <= CGROUP_SOCKOPT_STAT_CLAMPED)
			report_add(&rep, "  %s %s: %llu", what[k.action], opt_name(&k.opt),
				   (unsigned long long)n);
	}
	report_print(&rep);
	printf("%ssetsockopt refused %llu  clamped %llu  passed %llu  | getsockopt %llu\n",
	       final ? "total " : "", (unsigned long long)sum[CGROUP_SOCKOPT_STAT_REFUSED],
	       (unsigned long long)sum[CGROUP_SOCKOPT_STAT_CLAMPED],
	       (unsigned long long)sum[CGROUP_SOCKOPT_STAT_PASSED],
	       (unsigned long long)sum[CGROUP_SOCKOPT_STAT_READ]);
}

int main(int argc, char **argv)
{
	struct cgroup_target cg = { .fd = -1, .go_fd = -1 };
	struct cgroup_sockopt_bpf *skel;
	__u8 one = 1;
	int err, i;

	common_init(&argp, argc, argv);
	require_root();

	skel = cgroup_sockopt_bpf__open();
	if (!skel)
		return fail_step(errno, "opening the BPF object");
	skel->rodata->max_sndbuf = opt.max_sndbuf;
	skel->rodata->max_rcvbuf = opt.max_rcvbuf;
	err = cgroup_sockopt_bpf__load(skel);
	if (err) {
		err = fail_step(err, "loading the BPF programs");
		goto out;
	}
	for (i = 0; i < opt.ndeny; i++) {
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.deny), &opt.deny[i], &one, BPF_ANY)) {
			err = fail_step(errno, "filling the deny map");
			goto out;
		}
	}

	err = cgroup_args_open(&cg);
	if (!err)
		err = cgroup_attach(skel->progs.refuse_and_clamp, &cg, &skel->links.refuse_and_clamp);
	if (!err)
		err = cgroup_attach(skel->progs.observe, &cg, &skel->links.observe);
	if (err)
		goto out;

	printf("cgroup_sockopt: setsockopt and getsockopt programs attached to %s; refusing",
	       cgroup_args_where(&cg));
	for (i = 0; i < opt.ndeny; i++)
		printf("%s%s", i ? "," : " ", opt_name(&opt.deny[i]));
	if (!opt.ndeny)
		printf(" nothing");
	if (opt.max_sndbuf)
		printf("; SO_SNDBUF at most %u", opt.max_sndbuf);
	if (opt.max_rcvbuf)
		printf("; SO_RCVBUF at most %u", opt.max_rcvbuf);
	printf("\n");

	err = cgroup_target_start(&cg);
	if (!err)
		err = run_loop(print_stats, NULL, skel, cg.child);
out:
	cgroup_sockopt_bpf__destroy(skel);
	cgroup_target_close(&cg);
	return err;
}
