/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Unit-test helpers: PASS/FAIL lines for the runner, a packet builder that
 * computes every checksum from scratch (independently of the BPF side's
 * incremental updates), and a BPF_PROG_TEST_RUN wrapper.
 *
 * Header-only: each *_test.c is one translation unit.
 */
#ifndef CATALOG_TESTLIB_H
#define CATALOG_TESTLIB_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static int t_fails;

/* One result line. detail is only printed for a failure. */
static inline void __attribute__((format(printf, 3, 4)))
t_check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS %s\n", name);
		return;
	}
	t_fails++;
	printf("FAIL %s (", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(")\n");
	fflush(stdout);
}

static inline void t_skip(const char *name, const char *why)
{
	printf("SKIP %s (%s)\n", name, why);
}

static inline int t_exit(void)
{
	fflush(stdout);
	return t_fails ? 1 : 0;
}

static inline int t_quiet_log(enum libbpf_print_level l, const char *f, va_list ap)
{
	return l == LIBBPF_WARN ? vfprintf(stderr, f, ap) : 0;
}

static inline void t_init(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(t_quiet_log);
	if (geteuid()) {
		printf("SKIP unit tests (need root)\n");
		exit(77);
	}
}

/* RFC 1071 sum over data, plus a running 32-bit seed; not folded. */
static inline uint32_t t_sum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/* Folded one's complement checksum, in network byte order. */
static inline uint16_t t_csum(const void *data, size_t len, uint32_t seed)
{
	uint32_t s = t_sum(data, len, seed);

	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

/* What a test packet looks like; zero fields get sensible defaults. */
struct pkt_spec {
	int family;			/* 4 (default) or 6 */
	uint8_t proto;			/* IPPROTO_ICMP (default for 4), ICMPV6, TCP, UDP, ... */
	const char *src, *dst;		/* default 192.0.2.1 -> 192.0.2.2 / 2001:db8:1::1 -> ::2 */
	uint16_t sport, dport;		/* TCP/UDP ports */
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id, icmp_seq;
	uint8_t tcp_flags;		/* default SYN */
	uint8_t ttl;			/* default 64 */
	uint16_t frag;			/* IPv4: flags|offset field (host order) */
	uint8_t ip_opts_len;		/* IPv4 options bytes (multiple of 4) */
	uint16_t vlan;			/* 802.1Q tag, 0 = none */
	bool no_eth;			/* start at the IP header (LWT, netfilter) */
	const void *payload;
	size_t payload_len;
};

static const uint8_t t_mac_src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t t_mac_dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static inline void t_put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }

/*
 * Build the packet into buf (which must hold 1600 bytes) and return its
 * length. Checksums (IPv4 header, ICMP, ICMPv6, TCP, UDP) are computed in
 * full here, so a test can compare them with what a program produced.
 */
static inline size_t build_packet(uint8_t *buf, const struct pkt_spec *s)
{
	int fam = s->family ? s->family : 4;
	uint8_t proto = s->proto ? s->proto : (fam == 4 ? 1 : 58);
	const char *src = s->src ? s->src : (fam == 4 ? "192.0.2.1" : "2001:db8:1::1");
	const char *dst = s->dst ? s->dst : (fam == 4 ? "192.0.2.2" : "2001:db8:1::2");
	uint8_t *p = buf, *l3, *l4, *csum_at = NULL;
	size_t l4len, hl;
	uint32_t pseudo;

	memset(buf, 0, 1600);
	if (!s->no_eth) {
		memcpy(p, t_mac_dst, 6);
		memcpy(p + 6, t_mac_src, 6);
		p += 12;
		if (s->vlan) {
			t_put16(p, 0x8100);
			t_put16(p + 2, s->vlan);
			p += 4;
		}
		t_put16(p, fam == 4 ? 0x0800 : 0x86dd);
		p += 2;
	}
	l3 = p;
	hl = fam == 4 ? 20 + s->ip_opts_len : 40;
	l4 = l3 + hl;

	/* L4 header and payload first: the IP length depends on them. */
	switch (proto) {
	case 6:					/* TCP */
		t_put16(l4, s->sport);
		t_put16(l4 + 2, s->dport);
		t_put16(l4 + 4, 0x1234);	/* seq */
		l4[12] = 5 << 4;
		l4[13] = s->tcp_flags ? s->tcp_flags : 0x02;
		t_put16(l4 + 14, 65535);
		csum_at = l4 + 16;
		l4len = 20;
		break;
	case 17:				/* UDP */
		t_put16(l4, s->sport);
		t_put16(l4 + 2, s->dport);
		csum_at = l4 + 6;
		l4len = 8;
		break;
	case 1:					/* ICMP */
	case 58:				/* ICMPv6 */
		l4[0] = s->icmp_type;
		l4[1] = s->icmp_code;
		t_put16(l4 + 4, s->icmp_id);
		t_put16(l4 + 6, s->icmp_seq);
		csum_at = l4 + 2;
		l4len = 8;
		break;
	default:
		l4len = 0;
	}
	if (s->payload_len)
		memcpy(l4 + l4len, s->payload, s->payload_len);
	l4len += s->payload_len;
	if (proto == 17)
		t_put16(l4 + 4, l4len);

	if (fam == 4) {
		l3[0] = 0x40 | hl / 4;
		t_put16(l3 + 2, hl + l4len);
		t_put16(l3 + 4, 0x4242);
		t_put16(l3 + 6, s->frag);
		l3[8] = s->ttl ? s->ttl : 64;
		l3[9] = proto;
		inet_pton(AF_INET, src, l3 + 12);
		inet_pton(AF_INET, dst, l3 + 16);
		for (size_t i = 20; i < hl; i++)
			l3[i] = i + 1 < hl ? 1 : 0;	/* NOPs, then end of options */
		memcpy(l3 + 10, (uint16_t[]){ t_csum(l3, hl, 0) }, 2);
		pseudo = t_sum(l3 + 12, 8, proto + l4len);
	} else {
		l3[0] = 0x60;
		t_put16(l3 + 4, l4len);
		l3[6] = proto;
		l3[7] = s->ttl ? s->ttl : 64;
		inet_pton(AF_INET6, src, l3 + 8);
		inet_pton(AF_INET6, dst, l3 + 24);
		pseudo = t_sum(l3 + 8, 32, proto + l4len);
	}
	if (csum_at) {
		uint16_t c;

		if (proto == 1)
			pseudo = 0;		/* ICMPv4 has no pseudo-header */
		c = t_csum(l4, l4len, pseudo);
		if (proto == 17 && !c)
			c = 0xffff;
		memcpy(csum_at, &c, 2);
	}
	return (l4 - buf) + l4len;
}

/* Checksum of an IPv4 header as it stands (0 when it is consistent). */
/*
 * The spec of the echo reply to the echo request `req` describes:
 * addresses swapped, type 0 or 129, TTL/hop limit `ttl`. Build it, then
 * t_swap_macs() the frame: the reply goes back to the request's sender.
 */
static inline struct pkt_spec t_echo_reply_spec(struct pkt_spec req, uint8_t ttl)
{
	struct pkt_spec rep = req;

	rep.src = req.dst ? req.dst : (req.family == 6 ? "2001:db8:1::2" : "192.0.2.2");
	rep.dst = req.src ? req.src : (req.family == 6 ? "2001:db8:1::1" : "192.0.2.1");
	rep.icmp_type = req.family == 6 ? 129 : 0;
	rep.ttl = ttl;
	return rep;
}

static inline void t_swap_macs(uint8_t *frame)
{
	uint8_t mac[6];

	memcpy(mac, frame, 6);
	memcpy(frame, frame + 6, 6);
	memcpy(frame + 6, mac, 6);
}

static inline uint16_t t_ipv4_check(const uint8_t *l3)
{
	return t_csum(l3, (l3[0] & 0xf) * 4, 0);
}

/*
 * Run prog once over in[0..len). out (1600 bytes) receives the packet as
 * the program left it. Returns 0 or -errno.
 */
static inline int t_run(int prog_fd, const void *in, size_t len, void *out,
		 uint32_t *out_len, uint32_t *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = in,
		.data_size_in = len,
		.data_out = out,
		.data_size_out = out ? 1600 : 0,
		.repeat = 1,
	);
	int err = bpf_prog_test_run_opts(prog_fd, &o);

	if (err)
		return -errno;
	if (out_len)
		*out_len = o.data_size_out;
	if (retval)
		*retval = o.retval;
	return 0;
}

static inline void t_hexdump(const char *what, const uint8_t *p, size_t len)
{
	printf("# %s (%zu bytes):", what, len);
	for (size_t i = 0; i < len; i++)
		printf("%s%02x", i % 16 ? " " : "\n#   ", p[i]);
	printf("\n");
}

#endif
