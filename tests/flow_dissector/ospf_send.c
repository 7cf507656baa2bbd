// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ospf_send DST COUNT [ROUTER_ID]: send COUNT OSPF hello headers (IP
 * protocol 89, raw socket) to DST, IPv4 or IPv6, from the same address,
 * the i-th with router ID ROUTER_ID + i (default 10.0.0.1) in area 0.0.0.1.
 * Only the kernel's addresses differ from nothing: without a dissector
 * that reads OSPF, every packet is the same flow.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

int main(int argc, char **argv)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in *sin = (void *)&ss;
	struct sockaddr_in6 *sin6 = (void *)&ss;
	unsigned char pkt[24] = { 2, 1, 0, sizeof(pkt) };
	struct in_addr rid = { htonl(0x0a000001) };
	int fd, count, fam;
	uint32_t id;

	if (argc < 3 || (count = atoi(argv[2])) <= 0 ||
	    (argc > 3 && inet_pton(AF_INET, argv[3], &rid) != 1)) {
		fprintf(stderr, "usage: ospf_send DST COUNT [ROUTER_ID]\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &sin->sin_addr) == 1) {
		fam = sin->sin_family = AF_INET;
	} else if (inet_pton(AF_INET6, argv[1], &sin6->sin6_addr) == 1) {
		fam = sin6->sin6_family = AF_INET6;
		pkt[0] = 3;
	} else {
		fprintf(stderr, "ospf_send: not an address: %s\n", argv[1]);
		return 2;
	}
	fd = socket(fam, SOCK_RAW, 89);
	if (fd < 0) {
		perror("ospf_send: socket");
		return 1;
	}
	pkt[11] = 1;			/* area 0.0.0.1 */
	for (int i = 0; i < count; i++) {
		id = htonl(ntohl(rid.s_addr) + i);
		memcpy(pkt + 4, &id, 4);
		if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, sizeof(ss)) < 0) {
			perror("ospf_send: sendto");
			return 1;
		}
	}
	printf("sent %d OSPF packets to %s\n", count, argv[1]);
	return 0;
}
