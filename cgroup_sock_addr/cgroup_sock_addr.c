// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cgroup_sock_addr: connect/bind/sendmsg policy and socket-level load balancing. */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "common.h"
#include "cgroup.h"
#include "cgroup_sock_addr.h"
#include "cgroup_sock_addr.skel.h"

static const char doc[] =
"Inside a cgroup, refuse with EPERM what --deny lists (default: ipv6,udp,raw):\n"
"  ipv6  IPv6 connect(), bind() and sendmsg()\n"
"  udp   UDP connect() and sendmsg(), both families\n"
"  raw   raw sockets (no sock_addr hook sees raw sends: refused at socket())\n"
"IPv4 TCP is always allowed. --redirect VIP:PORT=IP:PORT makes connect() and\n"
"sendto() to VIP:PORT reach IP:PORT instead (socket-level load balancing: no\n"
"packet is ever rewritten), while getpeername() and recvfrom() still show\n"
"VIP:PORT. IPv4 only.\n"
"\n"
"EXAMPLES:\n"
"  cgroup_sock_addr -- curl -6 http://[2001:db8::1]/     # Operation not permitted\n"
"  cgroup_sock_addr --deny ipv6 --redirect 198.51.100.80:80=127.0.0.1:8080 -- curl http://198.51.100.80/\n"
"  cgroup_sock_addr --deny none --redirect 198.51.100.53:53=127.0.0.1:5353 --cgroup /sys/fs/cgroup/unified/app\n";

enum { OPT_DENY = 0x100, OPT_REDIRECT };

static const struct argp_option options[] = {
	{ "deny", OPT_DENY, "ipv6,udp,raw|none", 0, "What to refuse (default: all three)", 0 },
	{ "redirect", OPT_REDIRECT, "VIP:PORT=IP:PORT", 0, "Send connections and datagrams for VIP:PORT to IP:PORT (repeatable)", 0 },
	{},
};

#define MAX_SERVICES 64

static struct {
	bool deny_given, ipv6, udp, raw;
	struct cgroup_sock_addr_svc vip[MAX_SERVICES], backend[MAX_SERVICES];
	int nsvc;
} opt;

static void parse_deny(char *list)
{
	bool *flag;
	char *tok;

	opt.deny_given = true;
	if (!strcmp(list, "none"))
		return;
	while ((tok = list_next(&list, "--deny"))) {
		if (!strcmp(tok, "ipv6"))
			flag = &opt.ipv6;
		else if (!strcmp(tok, "udp"))
			flag = &opt.udp;
		else if (!strcmp(tok, "raw"))
			flag = &opt.raw;
		else
			usage_error("--deny: unknown class: %s (ipv6, udp, raw or none)",
				    quote_arg(tok));
		if (*flag)
			usage_error("--deny: %s is given twice", tok);
		*flag = true;
	}
}

/* "A.B.C.D:PORT" into network byte order. */
static void parse_addr(char *s, const char *whole, struct cgroup_sock_addr_svc *a)
{
	char *colon = strrchr(s, ':');
	struct in_addr in;

	if (!colon)
		usage_error("--redirect: missing :PORT in %s", whole);
	*colon = '\0';
	if (inet_pton(AF_INET, s, &in) != 1)
		usage_error("--redirect: not an IPv4 address: %s", s);
	a->ip4 = in.s_addr;
	a->port = htons(parse_long(colon + 1, "--redirect port", 1, 65535));
}

static void parse_redirect(char *arg)
{
	char whole[128], *eq = strchr(arg, '=');

	snprintf(whole, sizeof(whole), "%s", arg);
	if (!eq)
		usage_error("--redirect: expected VIP:PORT=IP:PORT, got %s", whole);
	if (opt.nsvc == MAX_SERVICES)
		usage_error("--redirect: at most %d services", MAX_SERVICES);
	*eq = '\0';
	parse_addr(arg, whole, &opt.vip[opt.nsvc]);
	parse_addr(eq + 1, whole, &opt.backend[opt.nsvc]);
	opt.nsvc++;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_DENY:
		parse_deny(arg);
		break;
	case OPT_REDIRECT:
		parse_redirect(arg);
		break;
	case ARGP_KEY_END:
		if (!opt.deny_given)
			opt.ipv6 = opt.udp = opt.raw = true;
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

static const char *hook_names[CGROUP_SOCK_ADDR_NSTATS] = {
	"connect4", "connect6", "bind4", "bind6", "sendmsg4", "sendmsg6",
	"recvmsg4", "getpeername4", "sock_create",
};

static void print_stats(void *ctx, bool final)
{
	struct cgroup_sock_addr_bpf *skel = ctx;
	int fd = bpf_map__fd(skel->maps.stats);
	struct cgroup_sock_addr_count c, sum = {};

	for (__u32 i = 0; i < CGROUP_SOCK_ADDR_NSTATS; i++) {
		if (percpu_sum(fd, &i, (uint64_t *)&c, 3))
			continue;
		sum.seen += c.seen;
		sum.refused += c.refused;
		sum.rewritten += c.rewritten;
		if (final && c.seen)
			printf("  %-13s seen %llu  refused %llu  rewritten %llu\n", hook_names[i],
			       (unsigned long long)c.seen, (unsigned long long)c.refused,
			       (unsigned long long)c.rewritten);
	}
	printf("%scalls %llu  refused %llu  rewritten %llu\n", final ? "total " : "",
	       (unsigned long long)sum.seen, (unsigned long long)sum.refused,
	       (unsigned long long)sum.rewritten);
}

int main(int argc, char **argv)
{
	struct cgroup_target cg = { .fd = -1, .go_fd = -1 };
	struct cgroup_sock_addr_bpf *skel;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	int err, i = 0;

	common_init(&argp, argc, argv);
	require_root();

	skel = cgroup_sock_addr_bpf__open();
	if (!skel)
		return fail_step(errno, "opening the BPF object");
	skel->rodata->deny_ipv6 = opt.ipv6;
	skel->rodata->deny_udp = opt.udp;
	bpf_program__set_autoload(skel->progs.raw_create, opt.raw);
	err = cgroup_sock_addr_bpf__load(skel);
	if (err) {
		err = fail_step(err, "loading the BPF programs");
		goto out;
	}
	for (i = 0; i < opt.nsvc; i++) {
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.services), &opt.vip[i],
					&opt.backend[i], BPF_ANY)) {
			err = fail_step(errno, "filling the service map");
			goto out;
		}
	}

	err = cgroup_args_open(&cg);
	if (err)
		goto out;
	/* One link per program; each knows its hook from its SEC() name. */
	struct { struct bpf_program *prog; struct bpf_link **link; } att[] = {
		{ skel->progs.connect4, &skel->links.connect4 },
		{ skel->progs.connect6, &skel->links.connect6 },
		{ skel->progs.bind4, &skel->links.bind4 },
		{ skel->progs.bind6, &skel->links.bind6 },
		{ skel->progs.sendmsg4, &skel->links.sendmsg4 },
		{ skel->progs.sendmsg6, &skel->links.sendmsg6 },
		{ skel->progs.recvmsg4, &skel->links.recvmsg4 },
		{ skel->progs.getpeername4, &skel->links.getpeername4 },
	};
	for (i = 0; i < (int)(sizeof(att) / sizeof(att[0])) && !err; i++)
		err = cgroup_attach(att[i].prog, &cg, att[i].link);
	if (!err && opt.raw)
		err = cgroup_attach(skel->progs.raw_create, &cg, &skel->links.raw_create);
	if (err)
		goto out;

	printf("cgroup_sock_addr: connect4/6, bind4/6, sendmsg4/6, recvmsg4, getpeername4%s attached to %s; refusing%s%s%s%s\n",
	       opt.raw ? ", sock_create" : "",
	       cgroup_args_where(&cg),
	       opt.ipv6 ? " ipv6" : "", opt.udp ? " udp" : "", opt.raw ? " raw sockets" : "",
	       opt.ipv6 || opt.udp || opt.raw ? "" : " nothing");
	for (i = 0; i < opt.nsvc; i++)
		printf("  service %s:%u -> %s:%u\n",
		       inet_ntop(AF_INET, &opt.vip[i].ip4, a, sizeof(a)), ntohs(opt.vip[i].port),
		       inet_ntop(AF_INET, &opt.backend[i].ip4, b, sizeof(b)), ntohs(opt.backend[i].port));

	err = cgroup_target_start(&cg);
	if (!err)
		err = run_loop(print_stats, NULL, skel, cg.child);
out:
	cgroup_sock_addr_bpf__destroy(skel);
	cgroup_target_close(&cg);
	return err;
}
