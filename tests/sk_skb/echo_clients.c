// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * echo_clients HOST PORT N BYTES [HOLD_FILE]
 *
 * Open N connections to an echo service at once, send BYTES of a pattern
 * unique to each connection on every one of them, read every echo back
 * while all N are still open, and compare. With HOLD_FILE, print "holding"
 * and keep the connections open until that file exists. Then close them
 * all (write side first, then wait for the server's close).
 * Exit 0 only when every connection got its own bytes back.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>

static void fill(unsigned char *p, int n, int conn)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(conn * 131 + i * 7 + (i >> 8));
}

static int read_full(int fd, unsigned char *p, int n)
{
	int got = 0, r;

	while (got < n) {
		r = read(fd, p + got, n - got);
		if (r <= 0)
			return -1;
		got += r;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	struct timeval tv = { .tv_sec = 15 };
	unsigned char *want, *got, c;
	int n, bytes, *fds, *good, ok = 0;

	if (argc < 5) {
		fprintf(stderr, "usage: echo_clients HOST PORT N BYTES [HOLD_FILE]\n");
		return 2;
	}
	n = atoi(argv[3]);
	bytes = atoi(argv[4]);
	if (n < 1 || bytes < 1 || getaddrinfo(argv[1], argv[2], &hints, &ai)) {
		fprintf(stderr, "echo_clients: bad arguments\n");
		return 2;
	}
	fds = calloc(n, sizeof(*fds));
	good = calloc(n, sizeof(*good));
	want = malloc(bytes);
	got = malloc(bytes);
	if (!fds || !good || !want || !got)
		return 1;

	for (int i = 0; i < n; i++) {
		fds[i] = socket(ai->ai_family, SOCK_STREAM, 0);
		setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (connect(fds[i], ai->ai_addr, ai->ai_addrlen)) {
			fprintf(stderr, "echo_clients: connection %d: %s\n", i, strerror(errno));
			return 1;
		}
	}
	for (int i = 0; i < n; i++) {
		fill(want, bytes, i);
		if (write(fds[i], want, bytes) != bytes) {
			fprintf(stderr, "echo_clients: write %d: %s\n", i, strerror(errno));
			return 1;
		}
	}
	for (int i = 0; i < n; i++) {
		fill(want, bytes, i);
		if (read_full(fds[i], got, bytes) || memcmp(want, got, bytes))
			fprintf(stderr, "echo_clients: connection %d: echo wrong or missing\n", i);
		else
			good[i] = 1;
	}
	if (argc > 5) {
		printf("holding %d connections\n", n);
		fflush(stdout);
		while (access(argv[5], F_OK))
			usleep(20000);
	}
	for (int i = 0; i < n; i++)
		shutdown(fds[i], SHUT_WR);
	for (int i = 0; i < n; i++) {
		/* A clean close: EOF, no extra bytes, no reset. */
		if (read(fds[i], &c, 1) != 0) {
			fprintf(stderr, "echo_clients: connection %d: no clean close\n", i);
			good[i] = 0;
		}
		close(fds[i]);
		ok += good[i];
	}
	printf("%d of %d connections echoed %d bytes and closed cleanly\n", ok, n, bytes);
	return ok == n ? 0 : 1;
}
