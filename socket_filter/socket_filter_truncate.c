// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* socket_filter_truncate: a UDP/TCP echo server whose socket filter trims payloads. */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "common.h"
#include "socket_filter_truncate.h"
#include "socket_filter_truncate.skel.h"

#define MAX_CLIENTS 16

static int port = 5201;
static int keep = 5;
static bool tcp;

static const char doc[] =
"Echo server on PORT whose socket carries a socket filter that trims the\n"
"payload of every received packet to BYTES. Over UDP a datagram is read\n"
"cut short; over TCP (--tcp) the cut bytes are retransmitted by the\n"
"sender and arrive later, BYTES at a time.\n"
"\n"
"EXAMPLES:\n"
"  socket_filter_truncate               # UDP on port 5201, then:\n"
"      echo 'hello world' | nc -u -w1 127.0.0.1 5201     # prints hello\n"
"  socket_filter_truncate -n 3 -p 9000\n"
"  socket_filter_truncate --tcp         # TCP, then:\n"
"      echo 'hello world' | nc -N 127.0.0.1 5201     # all of it, in pieces\n";

enum { OPT_TCP = 0x100 };

static const struct argp_option options[] = {
	{ "port", 'p', "PORT", 0, "Listen on PORT (default 5201), IPv4 and IPv6", 0 },
	{ "bytes", 'n', "BYTES", 0, "Payload bytes kept per packet (default 5)", 0 },
	{ "tcp", OPT_TCP, NULL, 0, "TCP instead of UDP", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'p':
		port = parse_long(arg, "port", 1, 65535);
		break;
	case 'n':
		/* 0 would stall TCP forever: no byte could ever get through. */
		keep = parse_long(arg, "bytes", 1, 65535);
		break;
	case OPT_TCP:
		tcp = true;
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

struct ctx {
	struct socket_filter_truncate_bpf *skel;
	int sock;			/* UDP socket or TCP listener */
	int clients[MAX_CLIENTS];	/* TCP: accepted sockets, -1 = free */
	char names[MAX_CLIENTS][64];
};

static void peer_name(const struct sockaddr_in6 *a, char *out, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
		inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], ip, sizeof(ip));
		snprintf(out, len, "%s:%u", ip, ntohs(a->sin6_port));
	} else {
		inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
		snprintf(out, len, "[%s]:%u", ip, ntohs(a->sin6_port));
	}
}

/* from: 5 bytes "hello" (non-printable bytes as \n or \xNN) */
static void show(const char *from, const char *data, ssize_t n)
{
	printf("%s: %zd bytes \"", from, n);
	for (ssize_t i = 0; i < n; i++) {
		unsigned char ch = data[i];

		if (ch == '\n')
			printf("\\n");
		else if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (isprint(ch))
			putchar(ch);
		else
			printf("\\x%02x", ch);
	}
	printf("\"\n");
}

static void udp_read(struct ctx *c)
{
	struct sockaddr_in6 from;
	socklen_t flen = sizeof(from);
	char buf[65536], name[64];
	ssize_t n;

	while ((n = recvfrom(c->sock, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &flen)) >= 0) {
		peer_name(&from, name, sizeof(name));
		show(name, buf, n);
		sendto(c->sock, buf, n, 0, (struct sockaddr *)&from, flen);
		flen = sizeof(from);
	}
}

static void tcp_accept(struct ctx *c)
{
	struct sockaddr_in6 from;
	socklen_t flen = sizeof(from);
	int fd = accept4(c->sock, (struct sockaddr *)&from, &flen, SOCK_CLOEXEC), i;

	if (fd < 0)
		return;
	for (i = 0; i < MAX_CLIENTS && c->clients[i] >= 0; i++)
		;
	if (i == MAX_CLIENTS) {
		close(fd);
		return;
	}
	c->clients[i] = fd;
	peer_name(&from, c->names[i], sizeof(c->names[i]));
	/* The filter came with the socket: accept() copies the listener's. */
	printf("%s: connected\n", c->names[i]);
}

static void tcp_read(struct ctx *c, int i)
{
	char buf[65536];
	ssize_t n = read(c->clients[i], buf, sizeof(buf));

	if (n > 0) {
		show(c->names[i], buf, n);
		if (write(c->clients[i], buf, n) != n)
			warnmsg("%s: echo incomplete", c->names[i]);
		return;
	}
	printf("%s: closed\n", c->names[i]);
	close(c->clients[i]);
	c->clients[i] = -1;
}

static int wait_io(void *arg, int timeout_ms)
{
	struct ctx *c = arg;
	struct pollfd pfd[1 + MAX_CLIENTS];
	int i, n = 1;

	pfd[0] = (struct pollfd){ .fd = c->sock, .events = POLLIN };
	for (i = 0; i < MAX_CLIENTS; i++)
		pfd[n++] = (struct pollfd){ .fd = c->clients[i], .events = POLLIN };
	if (poll(pfd, n, timeout_ms) < 0)
		return -errno;
	if (pfd[0].revents)
		tcp ? tcp_accept(c) : udp_read(c);
	for (i = 0; i < MAX_CLIENTS; i++)
		if (c->clients[i] >= 0 && pfd[1 + i].revents)
			tcp_read(c, i);
	return 0;
}

static void print_stats(void *arg, bool final)
{
	struct ctx *c = arg;
	struct socket_filter_truncate_count s = {};

	percpu_sum(bpf_map__fd(c->skel->maps.stats), &(__u32){ 0 }, (uint64_t *)&s, 2);
	printf("%spackets seen %llu, trimmed %llu\n", final ? "total " : "", s.seen, s.trimmed);
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 addr = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	struct ctx c = { .sock = -1 };
	int fd, off = 0, on = 1, err;

	common_init(&argp, argc, argv);
	require_root();
	for (int i = 0; i < MAX_CLIENTS; i++)
		c.clients[i] = -1;

	c.skel = socket_filter_truncate_bpf__open();
	if (!c.skel)
		return fail_step(errno, "opening the BPF object");
	c.skel->rodata->keep = keep;
	c.skel->rodata->tcp = tcp;
	err = socket_filter_truncate_bpf__load(c.skel);
	if (err) {
		err = fail_step(err, "loading the BPF program");
		goto out;
	}

	/* One IPv6 socket that takes IPv4 too (v4-mapped addresses). */
	c.sock = socket(AF_INET6, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	if (c.sock < 0) {
		err = fail_step(errno, "creating the socket");
		goto out;
	}
	setsockopt(c.sock, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	/*
	 * TCP: restart at once over old TIME_WAIT connections. Never for UDP,
	 * where two sockets with SO_REUSEADDR share the port and the newer
	 * one takes the datagrams: a second server must be refused instead.
	 */
	if (tcp)
		setsockopt(c.sock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	fd = bpf_program__fd(c.skel->progs.socket_filter_truncate);
	if (setsockopt(c.sock, SOL_SOCKET, SO_ATTACH_BPF, &fd, sizeof(fd))) {
		err = fail_step(errno, "attaching the filter (SO_ATTACH_BPF)");
		goto out;
	}
	addr.sin6_port = htons(port);
	if (bind(c.sock, (struct sockaddr *)&addr, sizeof(addr))) {
		err = errno == EADDRINUSE ? errmsg("port %d is already in use", port)
					  : fail_step(errno, "binding the socket");
		goto out;
	}
	if (tcp && listen(c.sock, 16)) {
		err = fail_step(errno, "listening");
		goto out;
	}

	printf("socket_filter_truncate: %s echo server on port %d; its socket filter keeps %d payload bytes per packet; Ctrl-C to stop\n",
	       tcp ? "TCP" : "UDP", port, keep);
	err = run_loop(print_stats, wait_io, &c, 0);
out:
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (c.clients[i] >= 0)
			close(c.clients[i]);
	if (c.sock >= 0)
		close(c.sock);
	socket_filter_truncate_bpf__destroy(c.skel);
	return err;
}
