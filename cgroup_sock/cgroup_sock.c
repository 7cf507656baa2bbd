// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cgroup_sock: refuse ICMP sockets in a cgroup, mark the others, count binds. */
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include "common.h"
#include "cgroup.h"
#include "report.h"
#include "cgroup_sock.h"
#include "cgroup_sock.skel.h"

static const char doc[] =
"Inside a cgroup, refuse raw ICMP sockets (SOCK_RAW with IPPROTO_ICMP or\n"
"IPPROTO_ICMPV6) and ICMP datagram \"ping sockets\": socket() fails with EPERM,\n"
"so ping cannot work. Every other AF_INET/AF_INET6 socket is allowed and can\n"
"get a mark and a priority. Counts sockets per kind and binds per port.\n"
"\n"
"EXAMPLES:\n"
"  cgroup_sock -- ping -c1 127.0.0.1        # socket: Operation not permitted\n"
"  cgroup_sock --allow-ping-sockets -- sh   # only raw ICMP sockets refused\n"
"  cgroup_sock --mark 42 --cgroup /sys/fs/cgroup/app\n";

enum { OPT_ALLOW_PING = 0x100, OPT_MARK, OPT_PRIORITY };

static const struct argp_option options[] = {
	{ "allow-ping-sockets", OPT_ALLOW_PING, NULL, 0, "Allow ICMP datagram (ping) sockets", 0 },
	{ "mark", OPT_MARK, "N", 0, "Set SO_MARK N on every socket allowed", 0 },
	{ "priority", OPT_PRIORITY, "N", 0, "Set SO_PRIORITY N on every socket allowed", 0 },
	{},
};

static struct {
	bool allow_ping;
	bool set_mark, set_priority;
	__u32 mark, priority;
} opt;

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_ALLOW_PING:
		opt.allow_ping = true;
		break;
	case OPT_MARK:
		opt.mark = parse_long(arg, "mark", 0, UINT32_MAX);
		opt.set_mark = true;
		break;
	case OPT_PRIORITY:
		opt.priority = parse_long(arg, "priority", 0, UINT32_MAX);
		opt.set_priority = true;
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

static const char *family_name(int f)
{
	return f == AF_INET ? "ipv4" : f == AF_INET6 ? "ipv6" : "?";
}

static const char *type_name(int t)
{
	return t == SOCK_STREAM ? "stream" : t == SOCK_DGRAM ? "dgram" : t == SOCK_RAW ? "raw" : "other";
}

static const char *proto_name(int p)
{
	static char buf[16];

	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	}
	snprintf(buf, sizeof(buf), "proto %d", p);
	return buf;
}

static void print_stats(void *ctx, bool final)
{
	struct cgroup_sock_bpf *skel = ctx;
	int sfd = bpf_map__fd(skel->maps.socks), bfd = bpf_map__fd(skel->maps.binds);
	struct cgroup_sock_create_key sk, *sprev = NULL;
	struct cgroup_sock_bind_key bk, *bprev = NULL;
	uint64_t n, allowed = 0, refused = 0, binds = 0;
	struct report rep = { .n = 0 };

	while (!bpf_map_get_next_key(sfd, sprev, &sk)) {
		sprev = &sk;
		if (percpu_sum(sfd, &sk, &n, 1))
			continue;
		*(sk.allowed ? &allowed : &refused) += n;
		if (final)
			report_add(&rep, "  %s %s %s: %s %llu", family_name(sk.family),
				   type_name(sk.type), proto_name(sk.protocol),
				   sk.allowed ? "allowed" : "refused", (unsigned long long)n);
	}
	while (!bpf_map_get_next_key(bfd, bprev, &bk)) {
		bprev = &bk;
		if (percpu_sum(bfd, &bk, &n, 1))
			continue;
		binds += n;
		if (final)
			report_add(&rep, "  bind %s %s port %u: %llu", family_name(bk.family),
				   proto_name(bk.protocol), bk.port, (unsigned long long)n);
	}
	report_print(&rep);
	printf("%ssockets allowed %llu  refused %llu  | binds %llu\n", final ? "total " : "",
	       (unsigned long long)allowed, (unsigned long long)refused,
	       (unsigned long long)binds);
}

int main(int argc, char **argv)
{
	struct cgroup_target cg = { .fd = -1, .go_fd = -1 };
	struct cgroup_sock_bpf *skel;
	int err;

	common_init(&argp, argc, argv);
	require_root();

	skel = cgroup_sock_bpf__open();
	if (!skel)
		return fail_step(errno, "opening the BPF object");
	skel->rodata->allow_ping_sockets = opt.allow_ping;
	skel->rodata->set_mark = opt.set_mark;
	skel->rodata->mark = opt.mark;
	skel->rodata->set_priority = opt.set_priority;
	skel->rodata->priority = opt.priority;
	err = cgroup_sock_bpf__load(skel);
	if (err) {
		err = fail_step(err, "loading the BPF programs");
		goto out;
	}

	err = cgroup_args_open(&cg);
	if (!err)
		err = cgroup_attach(skel->progs.sock_create, &cg, &skel->links.sock_create);
	if (!err)
		err = cgroup_attach(skel->progs.post_bind4, &cg, &skel->links.post_bind4);
	if (!err)
		err = cgroup_attach(skel->progs.post_bind6, &cg, &skel->links.post_bind6);
	if (err)
		goto out;

	printf("cgroup_sock: sock_create, post_bind4, post_bind6 attached to %s; "
	       "refusing raw ICMP%s sockets",
	       cgroup_args_where(&cg),
	       opt.allow_ping ? "" : " and ICMP datagram");
	if (opt.set_mark)
		printf("; mark %u", opt.mark);
	if (opt.set_priority)
		printf("; priority %u", opt.priority);
	printf("\n");

	err = cgroup_target_start(&cg);
	if (!err)
		err = run_loop(print_stats, NULL, skel, cg.child);
out:
	cgroup_sock_bpf__destroy(skel);
	cgroup_target_close(&cg);
	return err;
}
