// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* socket_filter: `ip and tcp` as an eBPF filter on an AF_PACKET socket. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include "common.h"
#include "socket_filter.h"
#include "socket_filter.skel.h"

static const char *ifname;
static int ifindex;
static long max_packets;	/* -c, 0 = no limit */

struct ctx {
	struct socket_filter_bpf *skel;
	int sock;
	long printed;
};

static const char doc[] =
"Capture the packets of IFACE that match the tcpdump filter `ip and tcp`,\n"
"written as an eBPF socket filter on an AF_PACKET socket, and print one\n"
"line per packet: direction, addresses, ports, TCP flags, frame length.\n"
"\n"
"EXAMPLES:\n"
"  socket_filter eth0            # like tcpdump -nn -i eth0 'ip and tcp'\n"
"  socket_filter -c 10 eth0      # stop after 10 packets\n";

static const struct argp_option options[] = {
	{ "count", 'c', "N", 0, "Stop after N packets", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'c':
		max_packets = parse_long(arg, "count", 1, LONG_MAX);
		break;
	case ARGP_KEY_ARG:
		if (ifname)
			usage_error("unexpected argument: %s", arg);
		ifname = arg;
		break;
	case ARGP_KEY_END:
		if (!ifname)
			usage_error("missing interface name (IFACE)");
		ifindex = parse_ifindex(ifname);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.args_doc = "IFACE",
	.doc = doc,
	.children = common_children,
};

/* TCP flags in tcpdump's order and letters: [S], [S.], [P.], [F.] ... */
static void tcp_flags(__u8 f, char *out)
{
	static const char letters[] = "FSRP.UEW";

	for (int i = 0; i < 8; i++)
		if (f & (1 << i))
			*out++ = letters[i];
	*out = 0;
}

/* What the filter kept: an IPv4 frame with protocol TCP. */
static void print_packet(const __u8 *p, size_t caplen, size_t len, int pkttype)
{
	const char *dir = pkttype == PACKET_OUTGOING ? "out" : "in ";
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN], flags[9];
	size_t ihl;
	__u16 frag;

	if (caplen < 14 + 20 || (p[14] >> 4) != 4) {
		printf("%s short or not IPv4, length %zu\n", dir, len);
		return;
	}
	ihl = (p[14] & 0xf) * 4;
	frag = (p[20] << 8 | p[21]) & 0x1fff;
	inet_ntop(AF_INET, p + 26, src, sizeof(src));
	inet_ntop(AF_INET, p + 30, dst, sizeof(dst));
	if (frag || caplen < 14 + ihl + 14) {
		/* A later fragment: no TCP header in it, as tcpdump says too. */
		printf("%s %s > %s: fragment at offset %u, length %zu\n", dir, src, dst, frag * 8, len);
		return;
	}
	p += 14 + ihl;
	tcp_flags(p[13], flags);
	printf("%s %s:%u > %s:%u: Flags [%s], length %zu\n", dir, src, p[0] << 8 | p[1],
	       dst, p[2] << 8 | p[3], flags, len);
}

/* run_loop's wait: read what the socket has until the timeout. */
static int wait_packets(void *arg, int timeout_ms)
{
	struct ctx *c = arg;
	struct pollfd pfd = { .fd = c->sock, .events = POLLIN };
	struct sockaddr_ll from;
	socklen_t flen;
	__u8 buf[65536];
	ssize_t n;

	if (poll(&pfd, 1, timeout_ms) < 0)
		return -errno;
	for (;;) {
		flen = sizeof(from);
		/* MSG_TRUNC: the return value is the frame's real length. */
		n = recvfrom(c->sock, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC,
			     (struct sockaddr *)&from, &flen);
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		print_packet(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf), n,
			     from.sll_pkttype);
		if (max_packets && ++c->printed >= max_packets) {
			exiting = 1;
			break;
		}
	}
	return 0;
}

static void print_stats(void *arg, bool final)
{
	struct ctx *c = arg;
	struct socket_filter_count s = {};

	percpu_sum(bpf_map__fd(c->skel->maps.stats), &(__u32){ 0 }, (uint64_t *)&s, 2);
	printf("%sseen %llu, kept %llu\n", final ? "total " : "", s.seen, s.kept);
}

int main(int argc, char **argv)
{
	struct ctx c = { .sock = -1 };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int fd, err;

	common_init(&argp, argc, argv);
	require_root();

	c.skel = socket_filter_bpf__open_and_load();
	if (!c.skel)
		return fail_step(errno, "loading the BPF program");

	/*
	 * Protocol 0: the socket receives nothing until bind(), so no
	 * packet reaches it before the filter is in place.
	 */
	c.sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (c.sock < 0) {
		err = fail_step(errno, "creating the AF_PACKET socket");
		goto out;
	}
	fd = bpf_program__fd(c.skel->progs.socket_filter);
	if (setsockopt(c.sock, SOL_SOCKET, SO_ATTACH_BPF, &fd, sizeof(fd))) {
		err = fail_step(errno, "attaching the filter (SO_ATTACH_BPF)");
		goto out;
	}
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifindex;
	if (bind(c.sock, (struct sockaddr *)&sll, sizeof(sll))) {
		err = fail_step(errno, "binding the socket to the interface");
		goto out;
	}

	printf("socket_filter: capturing 'ip and tcp' on %s (ifindex %d) through SO_ATTACH_BPF on an AF_PACKET socket; Ctrl-C to stop\n",
	       ifname, ifindex);
	err = run_loop(print_stats, wait_packets, &c, 0);
out:
	/* The filter belongs to the socket: closing it detaches the program. */
	if (c.sock >= 0)
		close(c.sock);
	socket_filter_bpf__destroy(c.skel);
	return err;
}
