// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * udp_ask [-s SPORT | -S FIRST] [-k] [-n COUNT] ADDR PORT: send COUNT
 * requests, each from a fresh UDP socket (source port SPORT every time,
 * FIRST + i for the i-th, or an ephemeral one), and print one line per request: "INDEX SPORT WORKER", WORKER
 * being the number in the "worker N" answer, or "none" after 2 s of
 * silence. With -k the payload starts with the request's index as the
 * key ("17 hello"); without, it is "hello".
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6 }, me = { .sin6_family = AF_INET6 };
	struct timeval tv = { .tv_sec = 2 };
	int opt, count = 1, sport = 0, step = 0, with_key = 0, one = 1, zero = 0;
	struct in_addr a4;
	char buf[64];

	while ((opt = getopt(argc, argv, "s:S:kn:")) != -1) {
		switch (opt) {
		case 's': sport = atoi(optarg); break;
		case 'S': sport = atoi(optarg); step = 1; break;
		case 'k': with_key = 1; break;
		case 'n': count = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (argc - optind != 2)
		goto usage;
	if (inet_pton(AF_INET, argv[optind], &a4) == 1) {
		dst.sin6_addr.s6_addr[10] = dst.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&dst.sin6_addr.s6_addr[12], &a4, 4);
	} else if (inet_pton(AF_INET6, argv[optind], &dst.sin6_addr) != 1) {
		goto usage;
	}
	dst.sin6_port = htons(atoi(argv[optind + 1]));
	for (int i = 0; i < count; i++) {
		socklen_t len = sizeof(me);
		struct sockaddr_in6 got;
		int fd = socket(AF_INET6, SOCK_DGRAM, 0);
		ssize_t n;

		me.sin6_port = htons(sport + i * step);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (bind(fd, (struct sockaddr *)&me, sizeof(me)) ||
		    connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
			perror("udp_ask");
			return 1;
		}
		getsockname(fd, (struct sockaddr *)&got, &len);
		n = with_key ? snprintf(buf, sizeof(buf), "%d hello", i) : snprintf(buf, sizeof(buf), "hello");
		send(fd, buf, n, 0);
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		printf("%d %u %s\n", i, ntohs(got.sin6_port),
		       n > 7 && !strncmp(buf, "worker ", 7) ? strtok(buf + 7, "\n") : "none");
		close(fd);
	}
	return 0;
usage:
	fprintf(stderr, "usage: udp_ask [-s SPORT | -S FIRST] [-k] [-n COUNT] ADDR PORT\n");
	return 2;
}
