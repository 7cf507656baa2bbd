// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sk_skb: a small TCP proxy (client -> proxy -> backend) whose two
 * connections are spliced in the kernel by a sockmap with a stream parser
 * and a stream verdict program; --no-splice relays the same bytes in user
 * space instead, for comparison. This file is the BPF side: load, attach
 * to the sockmap, put a pair of sockets in. The proxy around it (accept,
 * connect, the epoll loop) is sk_skb-relay.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/socket.h>
#include "common.h"
#include "sk_skb.h"
#include "sk_skb-relay.h"
#include "sk_skb.skel.h"

static const char doc[] =
"A TCP proxy: accept clients on --listen PORT, connect each to --backend\n"
"ADDR:PORT, and splice the two connections in the kernel: both sockets go\n"
"into a sockmap whose stream verdict program sends what one receives out of\n"
"the other, so the proxy process never touches the bytes. --no-splice relays\n"
"them with read()/write() instead.\n"
"\n"
"EXAMPLES:\n"
"  sk_skb                                     # :5201 -> 127.0.0.1:5202\n"
"  sk_skb --listen 8080 --backend 192.0.2.2:80\n"
"  sk_skb --backend [2001:db8::2]:5202 -d 60\n"
"  sk_skb --no-splice                         # the same proxy, in user space\n";

static struct proxy_cfg cfg = { .port = 5201, .backend_arg = "127.0.0.1:5202", .splice = true };

static const struct argp_option options[] = {
	{ "listen", 'l', "PORT", 0, "Accept clients on PORT, all addresses (default 5201)", 0 },
	{ "backend", 'b', "ADDR:PORT", 0, "Connect each client to ADDR:PORT (default 127.0.0.1:5202)", 0 },
	{ "no-splice", 'n', NULL, 0, "Relay in user space instead of splicing in the kernel", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'l':
		cfg.port = parse_long(arg, "listen port", 1, 65535);
		break;
	case 'b':
		cfg.backend_arg = arg;
		break;
	case 'n':
		cfg.splice = false;
		break;
	case ARGP_KEY_END:
		proxy_parse_backend(&cfg, cfg.backend_arg);
		if (proxy_backend_is_self(&cfg))
			usage_error("backend %s is this proxy's own port %d: it would connect to itself",
				    cfg.backend_arg, cfg.port);
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

static struct sk_skb_bpf *skel;

/*
 * Splice pair n: its client fd[0] into sockmap slot 2n, its backend fd[1]
 * into 2n + 1, each socket's cookie -> its partner's slot into partner.
 * written0[i] is what fd[i] had sent when it went in. 0 or -errno.
 */
int splice_pair(int pair, const int fd[2], uint64_t written0[2])
{
	__u64 cookie[2], sfd;
	int one = 1, big = INT_MAX, i, err = 0;
	socklen_t l;
	__u32 slot;

	/* Partners first: a socket in the sockmap is live at once. */
	for (i = 0; i < 2 && !err; i++) {
		l = sizeof(cookie[i]);
		if (getsockopt(fd[i], SOL_SOCKET, SO_COOKIE, &cookie[i], &l))
			return -errno;
		slot = 2 * pair + !i;
		err = bpf_map__update_elem(skel->maps.partner, &cookie[i], sizeof(cookie[i]),
					   &slot, sizeof(slot), BPF_ANY);
	}
	/*
	 * A socket's bytes are redirected as soon as it is in the sockmap, so
	 * its partner must be there first, or they are dropped. The client has
	 * usually sent already: the backend goes in first, and a high
	 * SO_RCVLOWAT keeps TCP from waking its parser (for a greeting the
	 * backend might send) until the client is in too.
	 */
	setsockopt(fd[1], SOL_SOCKET, SO_RCVLOWAT, &big, sizeof(big));
	for (i = 1; i >= 0 && !err; i--) {
		written0[i] = sock_written(fd[i]);
		sfd = fd[i];
		slot = 2 * pair + i;
		err = bpf_map__update_elem(skel->maps.socks, &slot, sizeof(slot),
					   &sfd, sizeof(sfd), BPF_ANY);
	}
	if (err) {
		setsockopt(fd[1], SOL_SOCKET, SO_RCVLOWAT, &one, sizeof(one));
		/* Undo whatever got in; a missing entry is fine here. */
		for (i = 0; i < 2; i++) {
			slot = 2 * pair + i;
			bpf_map__delete_elem(skel->maps.socks, &slot, sizeof(slot), 0);
			bpf_map__delete_elem(skel->maps.partner, &cookie[i], sizeof(cookie[i]), 0);
		}
		return err;
	}
	/*
	 * Bytes sent before a socket joined the map wait in its receive
	 * queue, and the parser only runs when more arrive. Setting
	 * SO_RCVLOWAT makes TCP signal "data ready" now, which runs it.
	 */
	for (i = 0; i < 2; i++)
		setsockopt(fd[i], SOL_SOCKET, SO_RCVLOWAT, &one, sizeof(one));
	return 0;
}

/*
 * A spliced socket about to be closed: the kernel drops it from the
 * sockmap by itself, its entry in partner is ours to delete.
 */
void unsplice(int fd)
{
	__u64 cookie;
	socklen_t l = sizeof(cookie);

	if (!getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &l))
		bpf_map__delete_elem(skel->maps.partner, &cookie, sizeof(cookie), 0);
}

static void print_stats(void *ctx, bool final)
{
	struct sk_skb_count k[SK_SKB_NSTATS] = {};
	struct proxy_stats *st = &proxy_stats;

	if (skel)
		for (__u32 i = 0; i < SK_SKB_NSTATS; i++)
			percpu_sum(bpf_map__fd(skel->maps.stats), &i, (uint64_t *)&k[i], 2);
	printf("%sconnections %llu (active %llu, backend failures %llu, relayed %llu)  spliced in kernel %llu B  through user space %llu B  lost %llu B\n",
	       final ? "total " : "", (unsigned long long)st->accepted,
	       (unsigned long long)st->active, (unsigned long long)st->failed,
	       (unsigned long long)st->unspliced, (unsigned long long)k[SK_SKB_STAT_SPLICED].bytes,
	       (unsigned long long)st->user_bytes, (unsigned long long)k[SK_SKB_STAT_LOST].bytes);
}

static __u32 map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_map_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

int main(int argc, char **argv)
{
	int err, pfd, vfd, mfd;

	common_init(&argp, argc, argv);

	if (cfg.splice) {
		require_root();
		skel = sk_skb_bpf__open_and_load();
		if (!skel)
			return fail_step(errno, "loading the BPF programs");
		/*
		 * No BPF link for sockmap programs in libbpf 1.4: attach to the
		 * map. The attachment lives as long as the map, and the map as
		 * long as this process holds its fd, so even SIGKILL leaves
		 * nothing behind.
		 */
		pfd = bpf_program__fd(skel->progs.proxy_parser);
		vfd = bpf_program__fd(skel->progs.proxy_verdict);
		mfd = bpf_map__fd(skel->maps.socks);
		err = bpf_prog_attach(pfd, mfd, BPF_SK_SKB_STREAM_PARSER, 0);
		if (!err)
			err = bpf_prog_attach(vfd, mfd, BPF_SK_SKB_STREAM_VERDICT, 0);
		if (err) {
			err = fail_step(errno, "attaching the stream programs to the sockmap");
			goto out;
		}
	}

	/* Accepted pairs go to splice_pair() once the backend is connected. */
	err = proxy_start(&cfg);
	if (err) {
		err = fail_step(err, "listening");
		goto out;
	}
	printf("sk_skb: proxying port %d -> %s, ", cfg.port, cfg.backend_arg);
	if (skel)
		printf("spliced in the kernel (sockmap id %u, stream parser + verdict)",
		       map_id(bpf_map__fd(skel->maps.socks)));
	else
		printf("relayed in user space (--no-splice)");
	printf("; Ctrl-C to stop\n");

	err = proxy_run(print_stats, NULL);
	if (proxy_stats.lost)
		warnmsg("%llu spliced connections closed before draining",
			(unsigned long long)proxy_stats.lost);
out:
	proxy_stop();
	sk_skb_bpf__destroy(skel);
	return err;
}
