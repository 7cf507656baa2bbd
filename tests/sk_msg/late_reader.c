// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * late_reader PORT MS: accept one connection on 127.0.0.1:PORT, wait MS
 * milliseconds before the first read, then copy what arrives to stdout
 * until the peer closes. The wait lets a message that TCP carried and one
 * that sk_msg redirected both be queued before the reader looks, so their
 * order shows. nc and socat read as soon as data is there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct timespec ts;
	char buf[65536];
	int one = 1, s, c;
	ssize_t n;
	long ms;

	if (argc != 3) {
		fprintf(stderr, "usage: late_reader PORT MS\n");
		return 2;
	}
	a.sin_port = htons(atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ms = atol(argv[2]);
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1)) {
		perror("late_reader: listen");
		return 1;
	}
	c = accept(s, NULL, NULL);
	if (c < 0) {
		perror("late_reader: accept");
		return 1;
	}
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = ms % 1000 * 1000000;
	nanosleep(&ts, NULL);
	while ((n = read(c, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, n, stdout) != (size_t)n)
			return 1;
	return n < 0;
}
