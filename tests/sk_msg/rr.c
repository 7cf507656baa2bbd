// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Request/response over one TCP connection, for the socket-redirect
 * benchmarks (netperf's TCP_RR, which Debian does not ship in main).
 *
 *   rr -s PORT                     IPv4 echo server, one client after another
 *   rr HOST PORT SIZE SECONDS      send SIZE bytes, wait for all SIZE back,
 *                                  repeat; prints "transactions/s N"
 *                                  and "mean_us N"
 */
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int serve(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int lfd, fd, one = 1;
	static char buf[65536];
	ssize_t n;

	/* Started in the background by a script, SIGINT would be ignored. */
	signal(SIGINT, SIG_DFL);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 16)) {
		perror("rr: listen");
		return 1;
	}
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (write(fd, buf, n) != n)
				break;
		close(fd);
	}
}

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	double start, secs, t;
	long size, count = 0, got;
	int fd, one = 1;
	char *buf;
	ssize_t n;

	if (argc == 3 && !strcmp(argv[1], "-s"))
		return serve(atoi(argv[2]));
	if (argc != 5 || getaddrinfo(argv[1], argv[2], &hints, &ai)) {
		fprintf(stderr, "usage: rr -s PORT | rr HOST PORT SIZE SECONDS\n");
		return 2;
	}
	size = atol(argv[3]);
	secs = atof(argv[4]);
	buf = calloc(1, size);
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (!buf || size < 1 || fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		perror("rr: connect");
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	start = now();
	do {
		if (write(fd, buf, size) != size) {
			perror("rr: write");
			return 1;
		}
		for (got = 0; got < size; got += n) {
			n = read(fd, buf + got, size - got);
			if (n <= 0) {
				fprintf(stderr, "rr: connection closed\n");
				return 1;
			}
		}
		count++;
	} while ((t = now() - start) < secs);
	printf("transactions/s %.0f\nmean_us %.2f\n", count / t, t / count * 1e6);
	return 0;
}
