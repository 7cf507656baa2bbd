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
static inline size_t t_build(uint8_t *buf, size_t cap, const struct pkt_spec *s);

static inline size_t build_packet(uint8_t *buf, const struct pkt_spec *s)
{
	return t_build(buf, 1600, s);
}

/* build_packet() into a buffer of cap bytes (frames up to 9,000 bytes). */
static inline size_t t_build(uint8_t *buf, size_t cap, const struct pkt_spec *s)
{
	int fam = s->family ? s->family : 4;
	uint8_t proto = s->proto ? s->proto : (fam == 4 ? 1 : 58);
	const char *src = s->src ? s->src : (fam == 4 ? "192.0.2.1" : "2001:db8:1::1");
	const char *dst = s->dst ? s->dst : (fam == 4 ? "192.0.2.2" : "2001:db8:1::2");
	uint8_t *p = buf, *l3, *l4, *csum_at = NULL;
	size_t l4len, hl;
	uint32_t pseudo;

	memset(buf, 0, cap);
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

/*
 * What BPF_PROG_TEST_RUN refuses (EINVAL) for an skb program (socket
 * filter, tc classifier or action, LWT): fewer than 14 bytes; an IPv4
 * EtherType with less than a 20-byte header behind it, an IPv6 one with
 * less than 40 (it reads the addresses); and more than fits one page
 * with the skb's headroom and shared info: T_SKB_MAX bytes on x86-64
 * with 4 KiB pages (4096 - 64 - 320).
 */
#define T_SKB_MAX 3712

static inline bool t_skb_refused(const uint8_t *f, size_t len)
{
	uint16_t et = len >= 14 ? f[12] << 8 | f[13] : 0;

	return len < 14 || len > T_SKB_MAX || (et == 0x0800 && len < 14 + 20) ||
	       (et == 0x86dd && len < 14 + 40);
}

/*
 * The headers of a frame as the catalog's parsers are documented to read
 * them (Ethernet and at most two 802.1Q/802.1ad tags; IPv4 with a valid
 * version, IHL and total length, options included; IPv6 and at most six
 * hop-by-hop, routing, destination options and fragment headers),
 * written here from the protocol specs, offset by offset, as the model
 * the tests hold the BPF programs to. t_parse_chain() follows the chain
 * as parse_ipv6_chain() does: up to T_CHAIN_MAX_HDRS headers of
 * T_CHAIN_MAX_BYTES bytes in all.
 */
#define T_MAX_EXT6 6
#define T_CHAIN_MAX_HDRS 64
#define T_CHAIN_MAX_BYTES 16384

struct t_hdrs {
	int eth;		/* EtherType after the tags; -1: cut short */
	size_t l3;		/* where the IP header starts */
	int proto;		/* upper-layer protocol; -1: cut short or invalid */
	bool frag;		/* IPv4 MF or offset, or an IPv6 fragment header */
	bool later;		/* a fragment with a nonzero offset (no L4 header) */
	bool ext;		/* IPv6 extension headers before the upper layer */
	bool deep;		/* proto -1: more extension headers than followed */
	size_t l4;		/* where the upper-layer header starts */
};

static inline uint16_t t_get16(const uint8_t *p) { return p[0] << 8 | p[1]; }

/* The IP header at l3, following at most max IPv6 extension headers. */
static inline void t_parse_ip_max(const uint8_t *f, size_t len, size_t l3, int eth,
				  struct t_hdrs *h, int max)
{
	size_t hl, pos, bytes = 0;
	uint8_t nh;

	h->proto = -1;
	h->l3 = l3;
	if (eth == 0x0800) {
		if (l3 + 20 > len || f[l3] >> 4 != 4)
			return;
		hl = (f[l3] & 0xf) * 4;
		if (hl < 20 || t_get16(f + l3 + 2) < hl || l3 + hl > len)
			return;
		h->frag = t_get16(f + l3 + 6) & 0x3fff;
		h->later = t_get16(f + l3 + 6) & 0x1fff;
		h->l4 = l3 + hl;
		h->proto = f[l3 + 9];
		return;
	}
	if (eth != 0x86dd || l3 + 40 > len || f[l3] >> 4 != 6)
		return;
	nh = f[l3 + 6];
	pos = l3 + 40;
	for (int i = 0; i <= max; i++) {
		if (nh != 0 && nh != 43 && nh != 60 && nh != 44) {
			/* The last header must be whole (it is, up to the sixth). */
			if (pos > len)
				return;
			h->proto = nh;
			h->l4 = pos;
			return;
		}
		if (i == max) {
			h->deep = true;
			return;
		}
		if (pos + 8 > len)
			return;
		h->ext = true;
		if (nh == 44) {
			h->frag = true;
			if (t_get16(f + pos + 2) & 0xfff8) {
				h->later = true;
				h->proto = 44;
				h->l4 = pos + 8;
				return;
			}
			hl = 8;
		} else {
			hl = 8 + f[pos + 1] * 8;
			if (i < T_MAX_EXT6 && pos + hl > len)
				return;
		}
		nh = f[pos];
		pos += hl;
		if ((bytes += hl) > T_CHAIN_MAX_BYTES) {
			h->deep = true;
			return;
		}
	}
}

/* The IP header at l3, of EtherType eth (0x0800 or 0x86dd). */
static inline void t_parse_ip(const uint8_t *f, size_t len, size_t l3, int eth,
			      struct t_hdrs *h)
{
	t_parse_ip_max(f, len, l3, eth, h, T_MAX_EXT6);
}

static inline void t_parse_max(const uint8_t *f, size_t len, struct t_hdrs *h, int max)
{
	size_t off = 14;
	int et;

	memset(h, 0, sizeof(*h));
	h->eth = h->proto = -1;
	if (len < 14)
		return;
	et = t_get16(f + 12);
	for (int i = 0; i < 2 && (et == 0x8100 || et == 0x88a8); i++) {
		if (off + 4 > len)
			return;
		et = t_get16(f + off + 2);	/* TCI, then the inner EtherType */
		off += 4;
	}
	h->eth = et;
	h->l3 = off;
	if (et == 0x0800 || et == 0x86dd)
		t_parse_ip_max(f, len, off, et, h, max);
}

static inline void t_parse(const uint8_t *f, size_t len, struct t_hdrs *h)
{
	t_parse_max(f, len, h, T_MAX_EXT6);
}

/* The frame as parse_ipv6_chain() reads it: deep only past its bounds. */
static inline void t_parse_chain(const uint8_t *f, size_t len, struct t_hdrs *h)
{
	t_parse_max(f, len, h, T_CHAIN_MAX_HDRS);
}

/* ---- A corpus of hostile frames, for the tests that check a model ---- */

#define T_FRAME_MAX 9000

/* xorshift64*: one fixed seed gives the same corpus on every run. */
static inline uint32_t t_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (uint32_t)((*s * 0x2545f4914f6cdd1dULL) >> 32);
}

/* Insert n bytes at offset off of a frame of *len bytes (buf holds T_FRAME_MAX). */
static inline void t_insert(uint8_t *buf, size_t *len, size_t off, const void *bytes, size_t n)
{
	if (*len + n > T_FRAME_MAX)
		return;
	memmove(buf + off + n, buf + off, *len - off);
	memcpy(buf + off, bytes, n);
	*len += n;
}

/* Where the IP header of a corpus frame starts: after the tags we put there. */
static inline size_t t_l3_offset(const uint8_t *f, size_t len)
{
	size_t off = 12;

	while (off + 2 <= len && (f[off] << 8 | f[off + 1]) != 0x0800 &&
	       (f[off] << 8 | f[off + 1]) != 0x86dd && off < 12 + 4 * 3 &&
	       ((f[off] << 8 | f[off + 1]) == 0x8100 || (f[off] << 8 | f[off + 1]) == 0x88a8))
		off += 4;
	return off + 2;
}

/*
 * IPv6 extension headers after the fixed header of an IPv6 frame: types
 * (0 hop-by-hop, 43 routing, 44 fragment, 60 destination options, 51 AH)
 * with the fragment offset field for 44, in order; the upper-layer
 * header stays last. Lengths: 8 bytes each, routing 24, AH 16; a
 * hop-by-hop or destination options header with a nonzero frag[] value
 * is (frag[i] + 1) * 8 bytes long, padded with PadN options.
 */
static inline void t_add_ext6(uint8_t *buf, size_t *len, size_t l3, const uint8_t *types,
			      const uint16_t *frag, int n)
{
	static uint8_t ext[2048];
	uint8_t upper = buf[l3 + 6];
	size_t at = l3 + 40, plen;

	buf[l3 + 6] = types[0];
	for (int i = 0; i < n; i++) {
		size_t elen = types[i] == 43 ? 24 : types[i] == 51 ? 16 : 8;

		memset(ext, 0, sizeof(ext));
		ext[0] = i + 1 < n ? types[i + 1] : upper;
		if (types[i] == 44) {
			t_put16(ext + 2, frag[i]);
			t_put16(ext + 6, 0x4242);		/* identification */
		} else if (types[i] == 51) {
			ext[1] = 2;				/* AH: (2 + 2) * 4 bytes */
		} else if (types[i] == 43) {
			ext[1] = 2;				/* 16 bytes more: one address */
			ext[2] = 4;				/* segment routing, */
			ext[3] = 0;				/* no segment left */
		} else {
			size_t o = 2;

			elen = 8 + (frag[i] & 0xff) * 8;
			ext[1] = frag[i] & 0xff;
			while (o < elen) {			/* PadN, up to 257 bytes each */
				size_t pad = elen - o > 257 ? 257 : elen - o;

				if (pad == 1 || (elen - o - pad) == 1)
					pad = pad == 1 ? 1 : pad - 2;
				ext[o] = pad == 1 ? 0 : 1;	/* Pad1 or PadN */
				if (pad > 1)
					ext[o + 1] = pad - 2;
				o += pad;
			}
		}
		t_insert(buf, len, at, ext, elen);
		at += elen;
	}
	plen = *len - l3 - 40;
	t_put16(buf + l3 + 4, plen);
}

/* A VLAN tag (tpid 0x8100 or 0x88a8) in front of the EtherType. */
static inline void t_add_tag(uint8_t *buf, size_t *len, uint16_t tpid, uint16_t tci)
{
	uint8_t tag[4];

	t_put16(tag, tpid);
	t_put16(tag + 2, tci);
	t_insert(buf, len, 12, tag, 4);
}

enum { T_TAG_NONE, T_TAG_Q, T_TAG_QINQ, T_TAG_3 };

struct t_tmpl {
	const char *name;
	struct pkt_spec s;
	uint8_t ext[72];		/* IPv6 extension headers (t_add_ext6) */
	uint16_t frag6[72];
	int next;
	int tags;
	uint16_t ethertype;		/* a bare frame of this EtherType, 60 bytes */
};

static const char t_pay[1500] = "0123456789abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const uint8_t t_ospf[44] = { 2, 1, 0, 44, 1, 2, 3, 4, 0, 0, 0, 1 };

#define T_TCP4 .proto = 6, .sport = 40000, .dport = 80, .payload = t_pay
#define T_UDP4 .proto = 17, .sport = 5353, .dport = 53, .payload = t_pay
#define T_ECHO4 .icmp_type = 8, .icmp_id = 0x77, .icmp_seq = 1, .payload = t_pay
#define T_ECHO6 .family = 6, .icmp_type = 128, .icmp_id = 0x78, .icmp_seq = 2, .payload = t_pay

/* Hop-by-hop, then 29 destination options headers. */
#define T_DST30 0, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, \
		60, 60, 60, 60, 60, 60, 60, 60, 60, 60

/* The valid frames everything else is made from. */
static const struct t_tmpl t_tmpls[] = {
	{ .name = "ipv4 tcp", .s = { T_TCP4, .payload_len = 5 } },
	{ .name = "ipv4 tcp fin", .s = { T_TCP4, .payload_len = 5, .tcp_flags = 0x11 } },
	{ .name = "ipv4 tcp to 8080", .s = { .proto = 6, .sport = 40000, .dport = 8080 } },
	{ .name = "ipv4 udp", .s = { T_UDP4, .payload_len = 12 } },
	{ .name = "ipv4 udp from 8080", .s = { .proto = 17, .sport = 8080, .dport = 9 } },
	{ .name = "ipv4 icmp echo", .s = { T_ECHO4, .payload_len = 56 } },
	{ .name = "ipv4 icmp echo id 0 seq 0 no payload", .s = { .icmp_type = 8 } },
	{ .name = "ipv4 icmp echo id 0 seq 0 zero payload",
	  .s = { .icmp_type = 8, .payload = t_pay + 100, .payload_len = 20 } },
	{ .name = "ipv4 icmp echo odd length", .s = { T_ECHO4, .payload_len = 57 } },
	{ .name = "ipv4 icmp echo reply", .s = { .icmp_type = 0, .icmp_id = 1 } },
	{ .name = "ipv4 icmp unreachable",
	  .s = { .icmp_type = 3, .icmp_code = 1, .payload = t_pay, .payload_len = 28 } },
	{ .name = "ipv4 gre", .s = { .proto = 47, .payload = t_pay, .payload_len = 4 } },
	{ .name = "ipv4 ospf", .s = { .proto = 89, .payload = t_ospf, .payload_len = 44 } },
	{ .name = "ipv4 tcp, 4 bytes of options",
	  .s = { T_TCP4, .payload_len = 5, .ip_opts_len = 4 } },
	{ .name = "ipv4 tcp, 40 bytes of options",
	  .s = { T_TCP4, .payload_len = 5, .ip_opts_len = 40 } },
	{ .name = "ipv4 udp, 20 bytes of options",
	  .s = { T_UDP4, .payload_len = 12, .ip_opts_len = 20 } },
	{ .name = "ipv4 icmp echo, 8 bytes of options",
	  .s = { T_ECHO4, .payload_len = 56, .ip_opts_len = 8 } },
	{ .name = "ipv4 tcp first fragment", .s = { T_TCP4, .payload_len = 5, .frag = 0x2000 } },
	{ .name = "ipv4 tcp middle fragment",
	  .s = { T_TCP4, .payload_len = 5, .frag = 0x2000 | 185 } },
	{ .name = "ipv4 udp last fragment", .s = { T_UDP4, .payload_len = 12, .frag = 3 } },
	{ .name = "ipv4 icmp echo first fragment",
	  .s = { T_ECHO4, .payload_len = 56, .frag = 0x2000 } },
	{ .name = "ipv4 icmp echo later fragment",
	  .s = { T_ECHO4, .payload_len = 56, .frag = 16 } },
	{ .name = "ipv4 tcp DF", .s = { T_TCP4, .payload_len = 5, .frag = 0x4000 } },
	{ .name = "ipv4 icmp echo from 0.0.0.0",
	  .s = { T_ECHO4, .payload_len = 56, .src = "0.0.0.0" } },
	{ .name = "ipv4 icmp echo from 127.0.0.1",
	  .s = { T_ECHO4, .payload_len = 56, .src = "127.0.0.1" } },
	{ .name = "ipv4 icmp echo from 224.0.0.5",
	  .s = { T_ECHO4, .payload_len = 56, .src = "224.0.0.5" } },
	{ .name = "ipv4 icmp echo from 240.0.0.1",
	  .s = { T_ECHO4, .payload_len = 56, .src = "240.0.0.1" } },
	{ .name = "ipv4 icmp echo to 255.255.255.255",
	  .s = { T_ECHO4, .payload_len = 56, .dst = "255.255.255.255" } },
	{ .name = "ipv4 icmp echo to 224.0.0.1",
	  .s = { T_ECHO4, .payload_len = 56, .dst = "224.0.0.1" } },
	{ .name = "ipv6 tcp", .s = { .family = 6, T_TCP4, .payload_len = 5 } },
	{ .name = "ipv6 udp", .s = { .family = 6, T_UDP4, .payload_len = 12 } },
	{ .name = "ipv6 icmpv6 echo", .s = { T_ECHO6, .payload_len = 56 } },
	{ .name = "ipv6 icmpv6 echo id 0 seq 0 no payload",
	  .s = { .family = 6, .icmp_type = 128 } },
	{ .name = "ipv6 icmpv6 router solicitation", .s = { .family = 6, .icmp_type = 133 } },
	{ .name = "ipv6 icmpv6 neighbour advertisement",
	  .s = { .family = 6, .icmp_type = 136, .payload = t_pay, .payload_len = 16 } },
	{ .name = "ipv6 icmpv6 echo reply", .s = { .family = 6, .icmp_type = 129 } },
	{ .name = "ipv6 gre",
	  .s = { .family = 6, .proto = 47, .payload = t_pay, .payload_len = 4 } },
	{ .name = "ipv6 ospf",
	  .s = { .family = 6, .proto = 89, .payload = t_ospf, .payload_len = 16 } },
	{ .name = "ipv6 no next header", .s = { .family = 6, .proto = 59 } },
	{ .name = "ipv6 icmpv6 echo from ::", .s = { T_ECHO6, .payload_len = 56, .src = "::" } },
	{ .name = "ipv6 icmpv6 echo from ::1", .s = { T_ECHO6, .payload_len = 56, .src = "::1" } },
	{ .name = "ipv6 icmpv6 echo from ff02::1",
	  .s = { T_ECHO6, .payload_len = 56, .src = "ff02::1" } },
	{ .name = "ipv6 icmpv6 echo to ff02::1",
	  .s = { T_ECHO6, .payload_len = 56, .dst = "ff02::1" } },
	{ .name = "ipv6 hop-by-hop udp",
	  .s = { .family = 6, T_UDP4, .payload_len = 12 }, .ext = { 0 }, .next = 1 },
	{ .name = "ipv6 routing tcp",
	  .s = { .family = 6, T_TCP4, .payload_len = 5 }, .ext = { 43 }, .next = 1 },
	{ .name = "ipv6 first fragment udp",
	  .s = { .family = 6, T_UDP4, .payload_len = 12 }, .ext = { 44 }, .frag6 = { 1 },
		  .next = 1 },
	{ .name = "ipv6 later fragment udp",
	  .s = { .family = 6, T_UDP4, .payload_len = 12 }, .ext = { 44 }, .frag6 = { 0x100 },
		  .next = 1 },
	{ .name = "ipv6 last fragment tcp",
	  .s = { .family = 6, T_TCP4, .payload_len = 5 }, .ext = { 44 },
		  .frag6 = { 0x100 << 3 }, .next = 1 },
	{ .name = "ipv6 destination options icmpv6 echo",
	  .s = { T_ECHO6, .payload_len = 56 }, .ext = { 60 }, .next = 1 },
	{ .name = "ipv6 fragment (first) icmpv6 echo",
	  .s = { T_ECHO6, .payload_len = 56 }, .ext = { 44 }, .frag6 = { 1 }, .next = 1 },
	{ .name = "ipv6 hbh+dst+rt+frag+dst tcp", .s = { .family = 6, T_TCP4, .payload_len = 5 },
	  .ext = { 0, 60, 43, 44, 60 }, .frag6 = { 0, 0, 0, 1, 0 }, .next = 5 },
	{ .name = "ipv6 six extension headers udp", .s = { .family = 6, T_UDP4, .payload_len = 12 },
	  .ext = { 0, 60, 43, 60, 60, 60 }, .next = 6 },
	{ .name = "ipv6 seven extension headers udp",
	  .s = { .family = 6, T_UDP4, .payload_len = 12 },
	  .ext = { 0, 60, 43, 60, 60, 60, 60 }, .next = 7 },
	{ .name = "ipv6 eight extension headers udp to 8080",
	  .s = { .family = 6, .proto = 17, .sport = 40000, .dport = 8080 },
	  .ext = { 0, 60, 60, 60, 60, 60, 60, 60 }, .next = 8 },
	{ .name = "ipv6 eight extension headers tcp", .s = { .family = 6, T_TCP4, .payload_len = 5 },
	  .ext = { 0, 60, 43, 60, 60, 60, 60, 60 }, .next = 8 },
	{ .name = "ipv6 30 extension headers tcp to 8080",
	  .s = { .family = 6, .proto = 6, .sport = 40000, .dport = 8080 },
	  .ext = { T_DST30 }, .next = 30 },
	{ .name = "ipv6 30 extension headers tcp", .s = { .family = 6, T_TCP4, .payload_len = 5 },
	  .ext = { T_DST30 }, .next = 30 },
	{ .name = "ipv6 30 extension headers udp", .s = { .family = 6, T_UDP4, .payload_len = 12 },
	  .ext = { T_DST30 }, .next = 30 },
	{ .name = "ipv6 30 extension headers, a first fragment, udp to 8080",
	  .s = { .family = 6, .proto = 17, .sport = 40000, .dport = 8080 },
	  .ext = { T_DST30, 44 }, .frag6 = { [30] = 1 }, .next = 31 },
	{ .name = "ipv6 30 extension headers, a later fragment, udp",
	  .s = { .family = 6, T_UDP4, .payload_len = 12 },
	  .ext = { T_DST30, 44 }, .frag6 = { [30] = 0x100 }, .next = 31 },
	{ .name = "ipv6 64 extension headers tcp", .s = { .family = 6, T_TCP4, .payload_len = 5 },
	  .ext = { T_DST30, T_DST30, 60, 60, 60, 60 }, .next = 64 },
	{ .name = "ipv6 65 extension headers tcp", .s = { .family = 6, T_TCP4, .payload_len = 5 },
	  .ext = { T_DST30, T_DST30, 60, 60, 60, 60, 60 }, .next = 65 },
	{ .name = "ipv6 six short, two 1 KiB extension headers tcp",
	  .s = { .family = 6, T_TCP4, .payload_len = 5 },
	  .ext = { 0, 60, 60, 60, 60, 60, 60, 60 }, .frag6 = { [6] = 127, [7] = 127 }, .next = 8 },
	{ .name = "ipv6 six short, two 1 KiB and one more extension header tcp",
	  .s = { .family = 6, T_TCP4, .payload_len = 5 },
	  .ext = { 0, 60, 60, 60, 60, 60, 60, 60, 60 }, .frag6 = { [6] = 127, [7] = 127 },
	  .next = 9 },
	{ .name = "ipv6 ah tcp",
	  .s = { .family = 6, T_TCP4, .payload_len = 5 }, .ext = { 51 }, .next = 1 },
	{ .name = "802.1Q ipv4 tcp", .s = { T_TCP4, .payload_len = 5 }, .tags = T_TAG_Q },
	{ .name = "802.1Q ipv4 icmp echo", .s = { T_ECHO4, .payload_len = 56 }, .tags = T_TAG_Q },
	{ .name = "QinQ ipv6 udp",
	  .s = { .family = 6, T_UDP4, .payload_len = 12 }, .tags = T_TAG_QINQ },
	{ .name = "QinQ ipv6 icmpv6 echo",
	  .s = { T_ECHO6, .payload_len = 56 }, .tags = T_TAG_QINQ },
	{ .name = "three tags ipv4 tcp", .s = { T_TCP4, .payload_len = 5 }, .tags = T_TAG_3 },
	{ .name = "arp", .ethertype = 0x0806 },
	{ .name = "802.1Q arp", .ethertype = 0x0806, .tags = T_TAG_Q },
	{ .name = "ethertype 0x88b5", .ethertype = 0x88b5 },
	{ .name = "mpls", .ethertype = 0x8847 },
	{ .name = "ipv4 udp 1400 bytes", .s = { T_UDP4, .payload_len = 1400 } },
	{ .name = "ipv4 icmp echo 1400 bytes", .s = { T_ECHO4, .payload_len = 1400 } },
	{ .name = "ipv6 icmpv6 echo 1400 bytes", .s = { T_ECHO6, .payload_len = 1400 } },
};

#define T_NTMPL (sizeof(t_tmpls) / sizeof(t_tmpls[0]))

/*
 * Template i into buf (T_FRAME_MAX bytes); returns its length. The
 * destination MAC is all zeros: the MAC of lo, where BPF_PROG_TEST_RUN
 * runs skb programs, so the frames are "for this host".
 */
static inline size_t t_tmpl_build(uint8_t *buf, const struct t_tmpl *t)
{
	size_t len;

	if (t->ethertype) {
		memset(buf, 0, 60);
		t_put16(buf + 12, t->ethertype);
		for (int i = 14; i < 60; i++)
			buf[i] = i * 7;
		len = 60;
	} else {
		len = t_build(buf, T_FRAME_MAX, &t->s);
		if (t->next)
			t_add_ext6(buf, &len, 14, t->ext, t->frag6, t->next);
	}
	memset(buf, 0, 6);
	if (t->tags >= T_TAG_Q)
		t_add_tag(buf, &len, 0x8100, 100);
	if (t->tags >= T_TAG_QINQ)
		t_add_tag(buf, &len, 0x88a8, 7);
	if (t->tags >= T_TAG_3)
		t_add_tag(buf, &len, 0x88a8, 8);
	return len;
}

typedef void (*t_frame_fn)(const uint8_t *f, size_t len, const char *what, void *ctx);

struct t_sink {
	t_frame_fn fn;
	void *ctx;
	size_t count;
};

static inline void t_emit(struct t_sink *k, const uint8_t *f, size_t len, const char *what)
{
	k->count++;
	k->fn(f, len, what, k->ctx);
}

/* A copy of f with n bytes at off set to val, unless f is too short for them. */
static inline void t_edit(struct t_sink *k, const uint8_t *f, size_t len, size_t off,
			  const void *val, size_t n, const char *name, const char *field)
{
	static uint8_t b[T_FRAME_MAX];
	char what[160];

	if (off + n > len)
		return;
	memcpy(b, f, len);
	memcpy(b + off, val, n);
	snprintf(what, sizeof(what), "%s, %s", name, field);
	t_emit(k, b, len, what);
}

/* Fields of an IPv4 frame set to bad values. */
static inline void t_bad_ipv4(struct t_sink *k, const uint8_t *f, size_t len, size_t l3,
			      const char *name, uint64_t *rng)
{
	static const uint8_t vihl[] = { 0x05, 0x55, 0x65, 0xf5, 0x40, 0x44, 0x46, 0x4f, 0x48 };
	size_t tl = f[l3 + 2] << 8 | f[l3 + 3], l4 = l3 + (f[l3] & 0xf) * 4;
	const uint16_t tot[] = { 0, 19, 20, 27, tl - 1, tl + 1, 0xffff };
	static uint8_t b[T_FRAME_MAX];
	uint8_t v[2];

	for (size_t i = 0; i < sizeof(vihl); i++)
		t_edit(k, f, len, l3, &vihl[i], 1, name, "IPv4 version/IHL");
	for (size_t i = 0; i < sizeof(tot) / sizeof(tot[0]); i++) {
		t_put16(v, tot[i]);
		t_edit(k, f, len, l3 + 2, v, 2, name, "IPv4 total length");
	}
	for (size_t i = 0; i < 4; i++) {
		t_put16(v, i == 0 ? 0x2000 : i == 1 ? 0x0001 : t_rand(rng));
		t_edit(k, f, len, l3 + 6, v, 2, name, "IPv4 flags/offset");
	}
	for (size_t i = 0; i < 3; i++) {
		v[0] = i == 0 ? 6 : i == 1 ? 17 : t_rand(rng);
		t_edit(k, f, len, l3 + 9, v, 1, name, "IPv4 protocol");
	}
	t_edit(k, f, len, l3 + 10, "\x12\x34", 2, name, "IPv4 header checksum");
	if (f[l3 + 9] == 6)
		for (uint8_t d = 0; d < 16; d += 3) {
			v[0] = d << 4;
			t_edit(k, f, len, l4 + 12, v, 1, name, "TCP data offset");
		}
	if (len > l4 + 8) {
		memcpy(b, f, len);
		b[len - 1] ^= 0x20;
		t_emit(k, b, len, "last byte flipped (bad L4 checksum)");
	}
}

/* Fields of an IPv6 frame set to bad values. */
static inline void t_bad_ipv6(struct t_sink *k, const uint8_t *f, size_t len, size_t l3,
			      const char *name)
{
	static const uint8_t nh[] = { 0, 43, 44, 60, 51, 59, 6, 17, 58, 89 };
	size_t pl = f[l3 + 4] << 8 | f[l3 + 5];
	const uint16_t plen[] = { 0, 4, 7, pl - 1, pl + 1, 0xffff };
	static uint8_t b[T_FRAME_MAX];
	uint8_t v[2];

	for (size_t i = 0; i < 3; i++) {
		v[0] = i == 0 ? 0x40 : i == 1 ? 0x00 : 0xf0;
		t_edit(k, f, len, l3, v, 1, name, "IPv6 version");
	}
	for (size_t i = 0; i < sizeof(plen) / sizeof(plen[0]); i++) {
		t_put16(v, plen[i]);
		t_edit(k, f, len, l3 + 4, v, 2, name, "IPv6 payload length");
	}
	for (size_t i = 0; i < sizeof(nh); i++)
		t_edit(k, f, len, l3 + 6, &nh[i], 1, name, "IPv6 next header");
	for (size_t i = 0; i < 2; i++) {
		v[0] = i ? 255 : 1;
		t_edit(k, f, len, l3 + 41, v, 1, name, "first extension header's length");
	}
	t_edit(k, f, len, l3 + 3, "\x45", 1, name, "IPv6 flow label");
	if (len > l3 + 48) {
		memcpy(b, f, len);
		b[len - 1] ^= 0x20;
		t_emit(k, b, len, "last byte flipped (bad L4 checksum)");
	}
}

/*
 * Every frame of the corpus, to fn(frame, len, description, ctx), from
 * one fixed seed:
 *   - each template cut at every length from 1 byte to whole;
 *   - header fields set to bad values (IPv4 version, IHL, total length,
 *     flags/offset, protocol, checksum; IPv6 version, payload length,
 *     next header, extension header length; TCP data offset; the L4
 *     checksum);
 *   - group and other-host destination MACs;
 *   - `mutants` random mutations of the templates (1-4 bytes in the
 *     first 96, and a random cut of one in four), and `randoms` frames
 *     of random bytes (1-300 bytes, half behind an IPv4 or IPv6 EtherType);
 *   - sizes 1..128, then every 37th, and T_FRAME_MAX: random bytes,
 *     and IPv4 UDP, IPv4 ICMP echo and ICMPv6 echo frames grown to it.
 * Returns the number of frames.
 */
static inline size_t t_corpus(uint64_t seed, size_t mutants, size_t randoms,
			      t_frame_fn fn, void *ctx)
{
	static uint8_t f[T_FRAME_MAX], pay[T_FRAME_MAX];
	static const uint8_t macs[3][6] = {
		{ 0x02, 0, 0, 0, 0, 0x02 }, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0x01, 0x00, 0x5e, 0, 0, 0x01 },
	};
	static const struct pkt_spec grow[3] = { { T_UDP4 }, { T_ECHO4 }, { T_ECHO6 } };
	struct t_sink k = { fn, ctx, 0 };
	uint64_t rng = seed;
	size_t len, n, l3;
	char what[160];

	for (size_t t = 0; t < T_NTMPL; t++) {
		const struct t_tmpl *tp = &t_tmpls[t];

		len = t_tmpl_build(f, tp);
		for (n = 1; n <= len; n++) {
			snprintf(what, sizeof(what), "%s, %zu of %zu bytes", tp->name, n, len);
			t_emit(&k, f, n, what);
		}
		for (int m = 0; m < 3; m++)
			t_edit(&k, f, len, 0, macs[m], 6, tp->name, "group or other-host MAC");
		if (tp->ethertype)
			continue;
		l3 = t_l3_offset(f, len);
		if (tp->s.family == 6)
			t_bad_ipv6(&k, f, len, l3, tp->name);
		else
			t_bad_ipv4(&k, f, len, l3, tp->name, &rng);
	}

	for (size_t i = 0; i < mutants; i++) {
		const struct t_tmpl *tp = &t_tmpls[t_rand(&rng) % T_NTMPL];
		int m = 1 + t_rand(&rng) % 4;

		len = t_tmpl_build(f, tp);
		for (int j = 0; j < m; j++)
			f[t_rand(&rng) % (len < 96 ? len : 96)] = t_rand(&rng);
		if (t_rand(&rng) % 4 == 0)
			len = 1 + t_rand(&rng) % len;
		snprintf(what, sizeof(what), "%s with %d random byte(s), %zu bytes", tp->name,
			 m, len);
		t_emit(&k, f, len, what);
	}

	for (size_t i = 0; i < randoms; i++) {
		len = 1 + t_rand(&rng) % 300;
		for (n = 0; n < len; n++)
			f[n] = t_rand(&rng);
		if (len >= 15 && i % 2) {
			t_put16(f + 12, i % 4 == 1 ? 0x0800 : 0x86dd);
			f[14] = (f[14] & 0x0f) | (i % 4 == 1 ? 0x40 : 0x60);
		}
		if (i % 3 == 0)
			memset(f, 0, len < 6 ? len : 6);
		t_emit(&k, f, len, "random bytes");
	}

	for (n = 0; n < sizeof(pay); n++)
		pay[n] = n * 13;
	for (size_t size = 1; size <= T_FRAME_MAX;
	     size = size < 128 ? size + 1 : size == T_FRAME_MAX ? size + 1 :
		    size + 37 < T_FRAME_MAX ? size + 37 : T_FRAME_MAX) {
		for (n = 0; n < size; n++)
			f[n] = t_rand(&rng);
		memset(f, 0, size < 6 ? size : 6);
		snprintf(what, sizeof(what), "random bytes, %zu", size);
		t_emit(&k, f, size, what);
		for (int g = 0; g < 3; g++) {
			struct pkt_spec s = grow[g];
			size_t hdr = 14 + (g == 2 ? 40 : 20) + 8;

			s.payload = pay;
			s.payload_len = size > hdr ? size - hdr : 0;
			len = t_build(f, T_FRAME_MAX, &s);
			memset(f, 0, 6);
			snprintf(what, sizeof(what), "%s grown to %zu bytes",
				 g == 0 ? "ipv4 udp" : g == 1 ? "ipv4 icmp echo" : "icmpv6 echo", size);
			t_emit(&k, f, size < len ? size : len, what);
		}
	}
	return k.count;
}

/*
 * Mismatches between a program and its model: the first few are shown
 * with the frame (hex, at most 64 bytes) and both verdicts, the rest
 * only counted.
 */
struct t_diff {
	size_t frames, diffs;
};

static inline void __attribute__((format(printf, 5, 6)))
t_diff(struct t_diff *d, const char *what, const uint8_t *f, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (++d->diffs > 8)
		return;
	printf("# mismatch: %s: ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (len > 64)
		printf("# (the first 64 of %zu bytes)\n", len);
	t_hexdump("frame", f, len < 64 ? len : 64);
}

#endif
