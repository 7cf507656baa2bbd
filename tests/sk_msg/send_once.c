// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * send_once HOST PORT: connect, send "hello\n" once, say what send()
 * answered ("sent 6" or "send: <error>"), close. Exit 0 when the send
 * went through, 3 when it failed, 1 when the connection could not be made.
 * nc cannot tell these apart: it keeps waiting after a failed write.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	ssize_t n;
	int fd;

	if (argc != 3 || getaddrinfo(argv[1], argv[2], &hints, &ai)) {
		fprintf(stderr, "usage: send_once HOST PORT\n");
		return 2;
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		printf("connect: %s\n", strerror(errno));
		return 1;
	}
	n = send(fd, "hello\n", 6, 0);
	if (n < 0)
		printf("send: %s\n", strerror(errno));
	else
		printf("sent %zd\n", n);
	close(fd);
	return n < 0 ? 3 : 0;
}
