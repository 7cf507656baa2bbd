// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sk_msg: redirect local TCP traffic of chosen ports from socket to socket,
 * skipping the TCP/IP stack, for the sockets of one cgroup.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "common.h"
#include "cgroup.h"
#include "sk_msg.h"
#include "sk_msg.skel.h"

static const char doc[] =
"Put the established TCP sockets of a cgroup whose local or remote port is\n"
"in the port set (default 10000) into a sockhash (sockops program), and\n"
"move every message they send straight into the receive queue of the socket\n"
"at the other end when that socket is local too (sk_msg program): loopback\n"
"traffic between them never enters the TCP/IP stack. Messages on a\n"
"--drop-port are refused: the sender's send() fails with EACCES.\n"
"\n"
"The stats line counts the messages (sendmsg() calls, and the chunks of\n"
"sendfile()/splice()) of the sockets in the sockhash: redirected to the\n"
"peer socket; dropped (drop ports); and \"via TCP\": the peer is not in the\n"
"sockhash (outside the cgroup, on another host, or not yet there when the\n"
"first message was sent), so TCP carries them as usual, and every later\n"
"message of that connection too, to keep the bytes in order. Sockets\n"
"outside the cgroup are not in the sockhash and not counted.\n"
"\n"
"EXAMPLES:\n"
"  sk_msg -- sh -c 'iperf3 -s -1 -p 10000 & sleep 1; iperf3 -c ::1 -p 10000'\n"
"  sk_msg --cgroup /sys/fs/cgroup/app             # an existing cgroup\n"
"  sk_msg --port 6379 --port 8080 --drop-port 9999 -- ./run-services.sh\n"
"  sk_msg -d 60 -i 5 --cgroup /sys/fs/cgroup/app\n";

static struct {
	__u16 port[SK_MSG_MAX_PORTS];
	__u8 action[SK_MSG_MAX_PORTS];
	int nports;
	bool redirect_given;
} opt;

enum { OPT_DROP_PORT = 0x100 };

static const struct argp_option options[] = {
	{ "port", 'p', "N", 0, "Redirect on port N (repeat for more; default 10000)", 0 },
	{ "drop-port", OPT_DROP_PORT, "N", 0, "Refuse messages on port N (repeatable)", 0 },
	{},
};

static bool has_port(__u16 port)
{
	for (int i = 0; i < opt.nports; i++)
		if (opt.port[i] == port)
			return true;
	return false;
}

static void add_port(const char *arg, __u8 action)
{
	__u16 port = parse_long(arg, "port", 1, 65535);

	if (has_port(port))
		usage_error("port %u given twice", port);
	if (opt.nports == SK_MSG_MAX_PORTS)
		usage_error("at most %d ports", SK_MSG_MAX_PORTS);
	opt.port[opt.nports] = port;
	opt.action[opt.nports++] = action;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'p':
		add_port(arg, SK_MSG_ACTION_REDIRECT);
		opt.redirect_given = true;
		break;
	case OPT_DROP_PORT:
		add_port(arg, SK_MSG_ACTION_DROP);
		break;
	case ARGP_KEY_END:
		/* The default port, unless --drop-port already claimed it. */
		if (!opt.redirect_given && !has_port(10000))
			add_port("10000", SK_MSG_ACTION_REDIRECT);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.args_doc = "[-- COMMAND [ARGS...]]",
	.doc = doc,
	.children = cgroup_loader_children,
};

/* Entries in the sockhash right now; the kernel removes closed sockets. */
static unsigned int map_entries(int fd)
{
	struct sk_msg_key k, *prev = NULL;
	unsigned int n = 0;

	while (!bpf_map_get_next_key(fd, prev, &k)) {
		prev = &k;
		n++;
	}
	return n;
}

static void print_stats(void *ctx, bool final)
{
	struct sk_msg_bpf *skel = ctx;
	struct sk_msg_count c[SK_MSG_NSTATS] = {};

	for (__u32 i = 0; i < SK_MSG_NSTATS; i++)
		percpu_sum(bpf_map__fd(skel->maps.stats), &i, (uint64_t *)&c[i], 2);
	printf("%sredirected %llu msgs %llu B  dropped %llu  via TCP (peer not in map) %llu msgs %llu B  | sockets added %llu, in map %u\n",
	       final ? "total " : "",
	       (unsigned long long)c[SK_MSG_STAT_REDIRECTED].msgs,
	       (unsigned long long)c[SK_MSG_STAT_REDIRECTED].bytes,
	       (unsigned long long)c[SK_MSG_STAT_DROPPED].msgs,
	       (unsigned long long)c[SK_MSG_STAT_NO_PEER].msgs,
	       (unsigned long long)c[SK_MSG_STAT_NO_PEER].bytes,
	       (unsigned long long)c[SK_MSG_STAT_ADDED].msgs,
	       map_entries(bpf_map__fd(skel->maps.socks)));
}

int main(int argc, char **argv)
{
	struct cgroup_target cg = { .fd = -1, .go_fd = -1 };
	struct sk_msg_bpf *skel;
	int err, map_fd, prog_fd = -1;
	char ports[SK_MSG_MAX_PORTS * 8] = "";
	size_t n = 0;

	common_init(&argp, argc, argv);
	require_root();

	skel = sk_msg_bpf__open_and_load();
	if (!skel)
		return fail_step(errno, "loading the BPF programs");
	for (int i = 0; i < opt.nports; i++) {
		bpf_map__update_elem(skel->maps.ports, &opt.port[i], sizeof(opt.port[i]),
				     &opt.action[i], sizeof(opt.action[i]), BPF_ANY);
		n += snprintf(ports + n, sizeof(ports) - n, "%s%u%s", i ? "," : "", opt.port[i],
			      opt.action[i] == SK_MSG_ACTION_DROP ? " (drop)" : "");
	}

	/*
	 * libbpf 1.4 has no link for sk_msg: attach to the map. The kernel
	 * detaches it when the last file descriptor of the map (ours) is
	 * closed, so even SIGKILL leaves nothing behind.
	 */
	map_fd = bpf_map__fd(skel->maps.socks);
	prog_fd = bpf_program__fd(skel->progs.msg_redirect);
	if (bpf_prog_attach(prog_fd, map_fd, BPF_SK_MSG_VERDICT, 0)) {
		err = fail_step(errno, "attaching msg_redirect to the sockhash");
		prog_fd = -1;
		goto out;
	}

	err = cgroup_args_open(&cg);
	if (!err)
		err = cgroup_attach(skel->progs.sockmap_add, &cg, &skel->links.sockmap_add);
	if (err)
		goto out;

	printf("sk_msg: sockops sockmap_add on %s, sk_msg msg_redirect on its sockhash; ports %s%s%s\n",
	       cg.path, ports, cg.child ? "; running: " : "", cg.child ? cgroup_args_describe(&cg) : "");

	err = cgroup_target_start(&cg);
	if (!err)
		err = run_loop(print_stats, NULL, skel, cg.child);
out:
	bpf_link__destroy(skel->links.sockmap_add);
	skel->links.sockmap_add = NULL;
	if (prog_fd >= 0)
		bpf_prog_detach2(prog_fd, map_fd, BPF_SK_MSG_VERDICT);
	sk_msg_bpf__destroy(skel);
	cgroup_target_close(&cg);
	return err;
}
