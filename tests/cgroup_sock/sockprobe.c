// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sockprobe [-p PORT] KIND...: create sockets the way the scenario tests
 * need and say what happened, one line per KIND.
 *
 *   raw4 raw6       socket(AF_INET[6], SOCK_RAW, IPPROTO_ICMP[V6])
 *   ping4 ping6     socket(AF_INET[6], SOCK_DGRAM, IPPROTO_ICMP[V6])
 *   tcp4 tcp6       a listener on loopback PORT, a client, 5 bytes across
 *   udp4 udp6       a receiver on loopback PORT, a sender, 5 bytes across
 *
 * "KIND ok mark=M priority=P" or "KIND EPERM ..."; exit 0 when all were ok.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static int port;

static int fail(const char *kind, const char *step)
{
	printf("%s %s (%s: %s)\n", kind, strerrorname_np(errno) ?: "?", step, strerror(errno));
	return 1;
}

static void loopback(int family, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *a4 = (void *)ss;
	struct sockaddr_in6 *a6 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*a4);
	} else {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		a6->sin6_addr = in6addr_loopback;
		*len = sizeof(*a6);
	}
}

/* A server socket and a client socket, and 5 bytes from one to the other. */
static int traffic(const char *kind, int family, int type, int *fds)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[8] = "";
	int one = 1, conn = -1;

	fds[1] = socket(family, type, 0);
	if (fds[1] < 0)
		return fail(kind, "socket");
	setsockopt(fds[0], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	loopback(family, &ss, &len);
	if (bind(fds[0], (void *)&ss, len))
		return fail(kind, "bind");
	/* With port 0 the kernel chose one: connect to that. */
	if (getsockname(fds[0], (void *)&ss, &len))
		return fail(kind, "getsockname");
	if (type == SOCK_STREAM && listen(fds[0], 1))
		return fail(kind, "listen");
	if (connect(fds[1], (void *)&ss, len))
		return fail(kind, "connect");
	if (send(fds[1], "hello", 5, 0) != 5)
		return fail(kind, "send");
	if (type == SOCK_STREAM) {
		conn = accept(fds[0], NULL, NULL);
		if (conn < 0)
			return fail(kind, "accept");
	}
	if (recv(conn >= 0 ? conn : fds[0], buf, 5, 0) != 5 || memcmp(buf, "hello", 5)) {
		if (conn >= 0)
			close(conn);
		return fail(kind, "recv");
	}
	if (conn >= 0)
		close(conn);
	return 0;
}

static int probe(const char *kind)
{
	static const struct { const char *name; int family, type, proto; } kinds[] = {
		{ "raw4", AF_INET, SOCK_RAW, IPPROTO_ICMP },
		{ "raw6", AF_INET6, SOCK_RAW, IPPROTO_ICMPV6 },
		{ "ping4", AF_INET, SOCK_DGRAM, IPPROTO_ICMP },
		{ "ping6", AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6 },
		{ "tcp4", AF_INET, SOCK_STREAM, 0 },
		{ "tcp6", AF_INET6, SOCK_STREAM, 0 },
		{ "udp4", AF_INET, SOCK_DGRAM, 0 },
		{ "udp6", AF_INET6, SOCK_DGRAM, 0 },
	};
	int fds[2] = { -1, -1 }, mark = -1, prio = -1, ret = 0;
	socklen_t len = sizeof(int);

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(kind, kinds[i].name))
			continue;
		fds[0] = socket(kinds[i].family, kinds[i].type, kinds[i].proto);
		if (fds[0] < 0)
			return fail(kind, "socket");
		getsockopt(fds[0], SOL_SOCKET, SO_MARK, &mark, &len);
		len = sizeof(int);
		getsockopt(fds[0], SOL_SOCKET, SO_PRIORITY, &prio, &len);
		if (!kinds[i].proto)
			ret = traffic(kind, kinds[i].family, kinds[i].type, fds);
		if (!ret)
			printf("%s ok mark=%d priority=%d\n", kind, mark, prio);
		close(fds[0]);
		if (fds[1] >= 0)
			close(fds[1]);
		return ret;
	}
	fprintf(stderr, "sockprobe: unknown kind %s\n", kind);
	exit(2);
}

int main(int argc, char **argv)
{
	int i = 1, ret = 0;

	if (argc > 2 && !strcmp(argv[1], "-p")) {
		port = atoi(argv[2]);
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: sockprobe [-p PORT] raw4|raw6|ping4|ping6|tcp4|tcp6|udp4|udp6...\n");
		return 2;
	}
	for (; i < argc; i++)
		ret |= probe(argv[i]);
	fflush(stdout);
	return ret;
}
