// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* sock_ops: TCP buffer sizes and connection events per cgroup. */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "common.h"
#include "cgroup.h"
#include "sock_ops.h"
#include "sock_ops.skel.h"

static const char doc[] =
"For the TCP connections of a cgroup, set SO_SNDBUF/SO_RCVBUF with\n"
"bpf_setsockopt() (at connect() for clients, at the end of the handshake for\n"
"servers), turn on the state, RTT and retransmission callbacks and, with\n"
"--events, print one line per connection event.\n"
"\n"
"EXAMPLES:\n"
"  sock_ops --sndbuf 65536 --rcvbuf 65536 -- iperf3 -c 192.0.2.2\n"
"  sock_ops --events -- curl -s http://192.0.2.2:8080/\n"
"  sock_ops --events --cgroup /sys/fs/cgroup/app\n";

enum { OPT_SNDBUF = 0x100, OPT_RCVBUF, OPT_EVENTS };

static const struct argp_option options[] = {
	{ "sndbuf", OPT_SNDBUF, "BYTES", 0, "Set SO_SNDBUF to BYTES (the kernel doubles it)", 0 },
	{ "rcvbuf", OPT_RCVBUF, "BYTES", 0, "Set SO_RCVBUF to BYTES (the kernel doubles it)", 0 },
	{ "events", OPT_EVENTS, NULL, 0, "Print connection events: established, states, RTT, retransmits", 0 },
	{},
};

static struct {
	int sndbuf, rcvbuf;
	bool events;
} opt;

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_SNDBUF:
		opt.sndbuf = parse_long(arg, "--sndbuf", 1, INT32_MAX / 2);
		break;
	case OPT_RCVBUF:
		opt.rcvbuf = parse_long(arg, "--rcvbuf", 1, INT32_MAX / 2);
		break;
	case OPT_EVENTS:
		opt.events = true;
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

static const char *state_name(unsigned int s)
{
	static const char *names[] = {
		"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
		"TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
		"NEW_SYN_RECV", "BOUND_INACTIVE",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static int on_event(void *ctx, void *data, size_t len)
{
	static const char *kinds[SOCK_OPS_NKINDS] = {
		"active-established", "passive-established", "state", "rtt", "retransmit",
	};
	const struct sock_ops_event *e = data;
	char l[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
	int af = e->family == AF_INET6 ? AF_INET6 : AF_INET;

	if (len < sizeof(*e) || e->kind >= SOCK_OPS_NKINDS)
		return 0;
	inet_ntop(af, e->laddr, l, sizeof(l));
	inet_ntop(af, e->raddr, r, sizeof(r));
	printf("%-19s %s%s%s:%u %s %s%s%s:%u", kinds[e->kind],
	       af == AF_INET6 ? "[" : "", l, af == AF_INET6 ? "]" : "", e->lport,
	       e->kind == SOCK_OPS_KIND_PASSIVE ? "<-" : "->",
	       af == AF_INET6 ? "[" : "", r, af == AF_INET6 ? "]" : "", e->rport);
	if (e->kind == SOCK_OPS_KIND_STATE)
		printf("  %s -> %s", state_name(e->arg0), state_name(e->arg1));
	else if (e->kind == SOCK_OPS_KIND_RTT)
		printf("  sample %u us, srtt %u us", e->arg0, e->arg1);
	else if (e->kind == SOCK_OPS_KIND_RETRANS)
		printf("  seq %u, %u segment(s)", e->arg0, e->arg1);
	printf("\n");
	return 0;
}

struct ctx {
	struct sock_ops_bpf *skel;
	struct ring_buffer *rb;
};

static int wait_events(void *p, int timeout_ms)
{
	struct ctx *c = p;
	int n = ring_buffer__poll(c->rb, timeout_ms);

	return n < 0 ? n : 0;
}

static void print_stats(void *p, bool final)
{
	struct ctx *c = p;
	int fd = bpf_map__fd(c->skel->maps.stats);
	uint64_t v[SOCK_OPS_NSTATS] = {};

	if (final && c->rb)
		ring_buffer__consume(c->rb);
	for (__u32 i = 0; i < SOCK_OPS_NSTATS; i++)
		percpu_sum(fd, &i, &v[i], 1);
	printf("%sconnections active %llu passive %llu  | buffers set %llu (refused %llu)"
	       "  | state changes %llu  rtt samples %llu  retransmits %llu  | events lost %llu\n",
	       final ? "total " : "", (unsigned long long)v[SOCK_OPS_KIND_ACTIVE],
	       (unsigned long long)v[SOCK_OPS_KIND_PASSIVE],
	       (unsigned long long)v[SOCK_OPS_STAT_BUF_SET],
	       (unsigned long long)v[SOCK_OPS_STAT_BUF_FAIL],
	       (unsigned long long)v[SOCK_OPS_KIND_STATE], (unsigned long long)v[SOCK_OPS_KIND_RTT],
	       (unsigned long long)v[SOCK_OPS_KIND_RETRANS],
	       (unsigned long long)v[SOCK_OPS_STAT_DROPS]);
}

int main(int argc, char **argv)
{
	struct cgroup_target cg = { .fd = -1, .go_fd = -1 };
	struct ctx c = {};
	int err;

	common_init(&argp, argc, argv);
	require_root();
	/* Whole lines, even when COMMAND writes to the same pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	c.skel = sock_ops_bpf__open();
	if (!c.skel)
		return fail_step(errno, "opening the BPF object");
	c.skel->rodata->sndbuf = opt.sndbuf;
	c.skel->rodata->rcvbuf = opt.rcvbuf;
	c.skel->rodata->events = opt.events;
	err = sock_ops_bpf__load(c.skel);
	if (err) {
		err = fail_step(err, "loading the BPF program");
		goto out;
	}
	if (opt.events) {
		c.rb = ring_buffer__new(bpf_map__fd(c.skel->maps.rb), on_event, NULL, NULL);
		if (!c.rb) {
			err = fail_step(errno, "opening the ring buffer");
			goto out;
		}
	}

	err = cgroup_args_open(&cg);
	if (!err)
		err = cgroup_attach(c.skel->progs.tcp_events, &cg, &c.skel->links.tcp_events);
	if (err)
		goto out;

	printf("sock_ops: sockops program attached to %s",
	       cgroup_args_where(&cg));
	if (opt.sndbuf)
		printf("; SO_SNDBUF %d", opt.sndbuf);
	if (opt.rcvbuf)
		printf("; SO_RCVBUF %d", opt.rcvbuf);
	printf("%s\n", opt.events ? "; printing events" : "");

	err = cgroup_target_start(&cg);
	if (!err)
		err = run_loop(print_stats, c.rb ? wait_events : NULL, &c, cg.child);
out:
	ring_buffer__free(c.rb);
	sock_ops_bpf__destroy(c.skel);
	cgroup_target_close(&cg);
	return err;
}
