// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * srh_send MODE COUNT SRC SID FINAL INNER_DST PORT: send COUNT IPv6 packets
 * from SRC to SID carrying a Segment Routing Header with the segment list
 * [SID, FINAL] (segments left 1) over a raw socket that writes the whole
 * IPv6 header itself. MODE:
 *   good     an encapsulated UDP packet to INNER_DST:PORT (H.Encaps form)
 *   segleft  the same with segments left 5 > last entry 1 (invalid SRH)
 *   inline   a valid SRH whose next header is UDP, not an inner IPv6 packet
 * Exit 0 when all were sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uint16_t csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* IPv6 header at p: payload length plen, next header nh. */
static void ip6(uint8_t *p, const void *src, const void *dst, uint16_t plen, uint8_t nh)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = plen >> 8;
	p[5] = plen;
	p[6] = nh;
	p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
}

/* UDP at p with payload, checksummed over the pseudo-header of src/dst. */
static size_t udp(uint8_t *p, const void *src, const void *dst, int port, const char *msg)
{
	size_t len = 8 + strlen(msg);
	uint8_t pseudo[40] = {};
	uint16_t c;

	memset(p, 0, 8);
	p[0] = 0xc3;			/* source port 50000 */
	p[1] = 0x50;
	p[2] = port >> 8;
	p[3] = port;
	p[4] = len >> 8;
	p[5] = len;
	memcpy(p + 8, msg, strlen(msg));
	memcpy(pseudo, src, 16);
	memcpy(pseudo + 16, dst, 16);
	pseudo[34] = len >> 8;
	pseudo[35] = len;
	pseudo[39] = 17;
	c = csum(p, len, 0xffff & ~csum(pseudo, 40, 0));
	p[6] = (c ? c : 0xffff) >> 8;
	p[7] = c ? c : 0xffff;
	return len;
}

int main(int argc, char **argv)
{
	uint8_t src[16], sid[16], fin[16], idst[16], pkt[512], *srh, *in;
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
	int count, port, fd, inline_mode;
	size_t l4;
	char msg[64];

	if (argc != 8 || inet_pton(AF_INET6, argv[3], src) != 1 ||
	    inet_pton(AF_INET6, argv[4], sid) != 1 || inet_pton(AF_INET6, argv[5], fin) != 1 ||
	    inet_pton(AF_INET6, argv[6], idst) != 1) {
		fprintf(stderr, "usage: srh_send good|segleft|inline COUNT SRC SID FINAL INNER_DST PORT\n");
		return 2;
	}
	count = atoi(argv[2]);
	port = atoi(argv[7]);
	inline_mode = !strcmp(argv[1], "inline");
	fd = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);	/* IPPROTO_RAW: header included */
	if (fd < 0) {
		perror("srh_send: socket");
		return 1;
	}
	memcpy(&to.sin6_addr, sid, 16);
	for (int i = 0; i < count; i++) {
		snprintf(msg, sizeof(msg), "srh_send %s %d\n", argv[1], i);
		srh = pkt + 40;
		in = srh + 8 + 32;
		if (inline_mode) {
			l4 = udp(in, src, fin, port, msg);
		} else {
			l4 = udp(in + 40, src, idst, port, msg);
			ip6(in, src, idst, l4, 17);
			l4 += 40;
		}
		srh[0] = inline_mode ? 17 : 41;
		srh[1] = 4;			/* (4 + 1) * 8 = 40 bytes */
		srh[2] = 4;			/* type 4: SRH */
		srh[3] = strcmp(argv[1], "segleft") ? 1 : 5;
		srh[4] = 1;			/* last entry */
		srh[5] = srh[6] = srh[7] = 0;
		memcpy(srh + 8, fin, 16);	/* [0] is the last segment */
		memcpy(srh + 24, sid, 16);
		ip6(pkt, src, sid, 40 + l4, 43);
		if (sendto(fd, pkt, 80 + l4, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
			perror("srh_send: sendto");
			return 1;
		}
	}
	close(fd);
	return 0;
}
