// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Differential test of xdp_icmp_server with the kernel as the oracle.
 *
 *   icmp_diff run OUT RESPONDER_NETNS    (in the sender's namespace)
 *   icmp_diff compare KERNEL_RUN XDP_RUN
 *
 * `run` builds one fixed corpus of frames (valid echo requests of many
 * sizes, every truncation, bad checksums, IP options, fragments, martian
 * and multicast addresses, extension headers, VLAN tags, group MACs,
 * random bytes and random mutations), sends it raw on eth0 in batches,
 * and records every frame that comes back on eth0 (AF_PACKET), plus every
 * frame the responder's kernel sends on its own eth0: XDP_TX frames do
 * not pass its taps, so a reply seen by the sender but not sent by the
 * responder's stack is one that XDP built.
 *
 * `compare` matches the replies to the requests (each request carries
 * its own ICMP id/sequence) and checks that the two runs answered the
 * same requests with the same replies, except in the fields xdp/README.md
 * names (IPv4 ID, IPv6 flow label), and that every reply's checksums are
 * right. Exit status 0 when they agree, 1 otherwise.
 */
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <time.h>
#include "testlib.h"

#define MAX_FRAME 1514
#define MARK_ID 0xfffe

/* The lab: responder a (eth0 .1 / ::1), sender b (eth0 .2 / ::2). */
static uint8_t mac_a[6], mac_b[6];
static char ll_a[64];		/* the responder's link-local address */

/* ---- the corpus ---- */

enum cat {
	C_V4_SIZES, C_V6_SIZES, C_V4_HDR, C_V6_HDR, C_V4_TRAIL, C_V6_TRAIL,
	C_V4_TRUNC, C_V6_TRUNC, C_V4_BADCSUM, C_V6_BADCSUM, C_V4_BADIPCSUM,
	C_V4_OPTS, C_V4_LEN, C_V6_LEN, C_V4_FRAG, C_V6_FRAG, C_V6_EXT,
	C_V4_SRC, C_V6_SRC, C_V4_DST, C_V6_DST, C_L2, C_VLAN, C_TYPES,
	C_RANDOM, C_MUTANT, C_NCAT
};

static const char *cat_name[C_NCAT] = {
	"v4 valid, sizes 0..1472", "v6 valid, sizes 0..1452", "v4 TOS/DF/ID/TTL variants",
	"v6 class/flow/hop variants", "v4 trailing bytes", "v6 trailing bytes",
	"v4 every truncation", "v6 every truncation", "v4 bad ICMP checksum",
	"v6 bad ICMPv6 checksum", "v4 bad IP header checksum", "v4 IP options",
	"v4 bad total length", "v6 bad payload length", "v4 fragments",
	"v6 fragment header", "v6 extension headers", "v4 sources (martian, off-link)",
	"v6 sources (martian, off-link)", "v4 destinations (bcast, mcast, other)",
	"v6 destinations (mcast, other)", "L2 dst/src MAC (group, other)",
	"VLAN / QinQ tags", "other ICMP types and codes", "random bytes",
	"random mutations of requests",
};

struct frame {
	uint8_t *data;
	uint16_t len;
	uint8_t cat;
	uint8_t fam;		/* 4, 6, or 0: not an echo request we can key */
	uint16_t id, seq;
};

static struct frame *frames;
static int nframes, cap_frames;

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng >> 11;
}

/* What one request looks like. Zero fields take the lab's defaults. */
struct req {
	int fam;
	const uint8_t *dmac, *smac;
	int nvlan;
	uint16_t vlan_proto[2], vlan_tci[2];
	uint16_t ethertype;		/* overrides IPv4/IPv6 */
	const char *src, *dst;
	uint8_t tos, ttl;		/* tos is traffic class for IPv6 */
	uint16_t ipid, frag;
	uint32_t flow;
	const uint8_t *opts;		/* IPv4 options, optlen a multiple of 4 */
	int optlen;
	const uint8_t *ext;		/* IPv6 extension headers, first nexthdr in ext_nh */
	int extlen;
	uint8_t ext_nh;
	uint8_t proto;			/* default ICMP / ICMPv6 */
	int type, code;			/* -1: default echo request */
	uint16_t id, seq;
	const uint8_t *payload;
	int plen;
};

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }

/* Build r into buf with every length and checksum right; returns the length. */
static int build(uint8_t *buf, const struct req *r)
{
	int fam = r->fam ? r->fam : 4, hl;
	uint8_t *p = buf, *l3, *l4;
	uint8_t proto = r->proto ? r->proto : (fam == 4 ? 1 : 58);
	const char *src = r->src ? r->src : (fam == 4 ? "192.0.2.2" : "2001:db8:1::2");
	const char *dst = r->dst ? r->dst : (fam == 4 ? "192.0.2.1" : "2001:db8:1::1");
	int l4len = 8 + r->plen;
	uint16_t c;

	memset(buf, 0, 2048);
	memcpy(p, r->dmac ? r->dmac : mac_a, 6);
	memcpy(p + 6, r->smac ? r->smac : mac_b, 6);
	p += 12;
	for (int i = 0; i < r->nvlan; i++) {
		put16(p, r->vlan_proto[i]);
		put16(p + 2, r->vlan_tci[i]);
		p += 4;
	}
	put16(p, r->ethertype ? r->ethertype : (fam == 4 ? ETH_P_IP : ETH_P_IPV6));
	p += 2;
	l3 = p;
	hl = fam == 4 ? 20 + r->optlen : 40 + r->extlen;
	l4 = l3 + hl;
	l4[0] = r->type < 0 ? (fam == 4 ? 8 : 128) : r->type;
	l4[1] = r->code < 0 ? 0 : r->code;
	put16(l4 + 4, r->id);
	put16(l4 + 6, r->seq);
	if (r->plen)
		memcpy(l4 + 8, r->payload, r->plen);
	if (fam == 4) {
		l3[0] = 0x40 | hl / 4;
		l3[1] = r->tos;
		put16(l3 + 2, hl + l4len);
		put16(l3 + 4, r->ipid);
		put16(l3 + 6, r->frag);
		l3[8] = r->ttl ? r->ttl : 64;
		l3[9] = proto;
		inet_pton(AF_INET, src, l3 + 12);
		inet_pton(AF_INET, dst, l3 + 16);
		if (r->optlen)
			memcpy(l3 + 20, r->opts, r->optlen);
		c = t_csum(l3, hl, 0);
		memcpy(l3 + 10, &c, 2);
		c = t_csum(l4, l4len, 0);
	} else {
		l3[0] = 0x60 | r->tos >> 4;
		l3[1] = (r->tos & 0xf) << 4 | (r->flow >> 16 & 0xf);
		put16(l3 + 2, r->flow);
		put16(l3 + 4, r->extlen + l4len);
		l3[6] = r->extlen ? r->ext_nh : proto;
		l3[7] = r->ttl ? r->ttl : 64;
		inet_pton(AF_INET6, src, l3 + 8);
		inet_pton(AF_INET6, dst, l3 + 24);
		if (r->extlen)
			memcpy(l3 + 40, r->ext, r->extlen);
		c = t_csum(l4, l4len, t_sum(l3 + 8, 32, proto + l4len));
	}
	memcpy(l4 + 2, &c, 2);
	return l4 + l4len - buf;
}

static uint8_t pay[2048];

static struct frame *add(int cat, const uint8_t *data, int len, int fam, uint16_t id, uint16_t seq)
{
	struct frame *f;

	if (len > MAX_FRAME)
		len = MAX_FRAME;
	if (nframes == cap_frames) {
		cap_frames = cap_frames ? cap_frames * 2 : 4096;
		frames = realloc(frames, cap_frames * sizeof(*frames));
	}
	f = &frames[nframes++];
	f->data = malloc(len ? len : 1);
	memcpy(f->data, data, len);
	f->len = len;
	f->cat = cat;
	f->fam = fam;
	f->id = id;
	f->seq = seq;
	return f;
}

/* A request with its own tag (id/seq from the frame index) and payload. */
static struct req base(int fam, int plen)
{
	struct req r = { .fam = fam, .type = -1, .code = -1, .plen = plen, .payload = pay };
	int n = nframes;

	r.id = 0x5000 + (n >> 16);
	r.seq = n & 0xffff;
	r.ipid = rnd();
	for (int i = 0; i < plen; i++)
		pay[i] = rnd();
	return r;
}

static void add_req(int cat, struct req *r)
{
	uint8_t buf[2048];
	int len = build(buf, r);

	add(cat, buf, len, r->fam ? r->fam : 4, r->id, r->seq);
}

/* IPv4 header offset in a frame built without tags. */
#define L3 14

static void fix_ip4_csum(uint8_t *l3)
{
	uint16_t c;

	l3[10] = l3[11] = 0;
	c = t_csum(l3, (l3[0] & 0xf) * 4, 0);
	memcpy(l3 + 10, &c, 2);
}

static void make_corpus(void)
{
	static const char *src4[] = { "0.0.0.0", "255.255.255.255", "224.0.0.5", "240.0.0.1",
		"255.255.255.254", "127.0.0.1", "192.0.2.1", "192.0.2.255", "192.0.2.0",
		"198.51.100.7", "203.0.113.9", "192.0.2.3", "192.0.2.4" };
	static const char *src6[] = { "::", "ff02::1", "ff02::2", "::1", "::ffff:192.0.2.2",
		"2001:db8:1::1", "2001:db8:1::", "2001:db8:2::5", "fe80::2", "2001:db8:1::3",
		"fe80::1", "ff05::1" };
	static const char *dst4[] = { "192.0.2.255", "255.255.255.255", "224.0.0.1", "192.0.2.99",
		"127.0.0.1", "0.0.0.0", "192.0.2.0", "198.51.100.1", "239.1.2.3" };
	const char *dst6[] = { "ff02::1", "ff02::2", "ff01::1", "ff00::1", "::1", "2001:db8:1::99",
		"2001:db8:1::", "::", ll_a, "ff02::1:ff00:1" };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast4[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const uint8_t mcast6[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t other[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const uint8_t zero[6];
	uint8_t buf[2048], opts[40], ext[64];
	struct req r;
	int len, i, n, fam;

	/* Valid requests of many sizes. */
	for (n = 0; n <= 1472; n += n < 80 ? 1 : 7) {
		r = base(4, n);
		add_req(C_V4_SIZES, &r);
	}
	for (n = 0; n <= 1452; n += n < 80 ? 1 : 7) {
		r = base(6, n);
		add_req(C_V6_SIZES, &r);
	}
	/* Corner: id 0, seq 0, no payload; the reply's checksum is 0xffff. */
	r = base(4, 0);
	r.id = r.seq = 0;
	add_req(C_V4_SIZES, &r);
	r = base(6, 0);
	r.id = r.seq = 0;
	add_req(C_V6_SIZES, &r);
	/* Also the replies whose checksum is 0x0000 (their data sums to 0xffff). */
	r = base(4, 0);
	r.id = 0xffff;
	r.seq = 0;
	add_req(C_V4_SIZES, &r);

	for (i = 0; i < 300; i++) {
		r = base(4, rnd() % 200);
		r.tos = rnd();
		r.frag = rnd() % 3 == 0 ? 0x4000 : (rnd() % 8 == 0 ? 0x8000 : 0);
		r.ttl = rnd() % 4 == 0 ? 1 : rnd();
		add_req(C_V4_HDR, &r);
	}
	for (i = 0; i < 300; i++) {
		r = base(6, rnd() % 200);
		r.tos = rnd();
		r.flow = rnd() & 0xfffff;
		r.ttl = rnd() % 4 == 0 ? 1 : rnd();
		add_req(C_V6_HDR, &r);
	}
	/* Bytes after the IP packet (Ethernet padding, garbage). */
	for (fam = 4; fam <= 6; fam += 2) {
		for (i = 0; i < 150; i++) {
			int extra = 1 + rnd() % 60;

			r = base(fam, rnd() % 3 ? rnd() % 20 : rnd() % 1000);
			len = build(buf, &r);
			for (int k = 0; k < extra; k++)
				buf[len + k] = i % 2 ? 0 : rnd();
			add(fam == 4 ? C_V4_TRAIL : C_V6_TRAIL, buf, len + extra, fam, r.id, r.seq);
		}
	}
	/* Every truncation of requests of a few sizes (each with its own tag). */
	for (fam = 4; fam <= 6; fam += 2) {
		static const int sizes[] = { 0, 1, 2, 3, 8, 56, 300, 1000 };

		for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			int full = build(buf, &(struct req){ .fam = fam, .plen = sizes[s], .payload = pay });

			for (n = 14; n < full; n++) {
				r = base(fam, sizes[s]);
				build(buf, &r);
				add(fam == 4 ? C_V4_TRUNC : C_V6_TRUNC, buf, n, fam, r.id, r.seq);
			}
		}
	}
	/* Bad ICMP / ICMPv6 checksums: one bit flipped, or a wrong pseudo-header. */
	for (fam = 4; fam <= 6; fam += 2) {
		for (i = 0; i < 600; i++) {
			int l4 = L3 + (fam == 4 ? 20 : 40), bit;

			r = base(fam, rnd() % 3 ? rnd() % 100 : rnd() % 1400);
			len = build(buf, &r);
			if (i % 4 == 0) {
				buf[l4 + 2] ^= 1 << (rnd() % 8);	/* the checksum itself */
			} else if (i % 4 == 1) {
				bit = rnd() % ((len - l4 - 4) * 8);	/* id, seq or payload */
				buf[l4 + 4 + bit / 8] ^= 1 << (bit % 8);
			} else if (i % 4 == 2) {
				uint16_t c = i % 8 == 2 ? 0 : 0xffff;	/* "no checksum" */

				memcpy(buf + l4 + 2, &c, 2);
			} else if (fam == 6) {
				/* Checksum over another source address. */
				r.src = "2001:db8:1::3";
				build(buf, &r);
				inet_pton(AF_INET6, "2001:db8:1::2", buf + L3 + 8);
			} else {
				buf[l4 + 3] += 1;
			}
			add(fam == 4 ? C_V4_BADCSUM : C_V6_BADCSUM, buf, len, fam, r.id, r.seq);
		}
	}
	for (i = 0; i < 300; i++) {
		r = base(4, rnd() % 200);
		len = build(buf, &r);
		if (i % 3 == 0)
			buf[L3 + 10 + rnd() % 2] ^= 1 << (rnd() % 8);
		else if (i % 3 == 1)
			buf[L3 + 8] ^= 1 + rnd() % 255;		/* TTL, checksum kept */
		else
			memset(buf + L3 + 10, i % 2 ? 0xff : 0, 2);
		add(C_V4_BADIPCSUM, buf, len, 4, r.id, r.seq);
	}
	/* IPv4 options: padding, record route, timestamps, malformed ones. */
	for (i = 0; i < 300; i++) {
		int ol = 4 * (1 + rnd() % 10), k = 0;

		memset(opts, 0, sizeof(opts));
		switch (i % 6) {
		case 0:			/* NOPs and an end of list */
			memset(opts, 1, ol - 1);
			break;
		case 1:			/* record route */
			opts[0] = 7; opts[1] = ol - 1; opts[2] = 4;
			break;
		case 2:			/* timestamps only */
			opts[0] = 68; opts[1] = ol; opts[2] = 5; opts[3] = 0;
			break;
		case 3:			/* router alert + NOPs */
			opts[0] = 148; opts[1] = 4; k = 4;
			memset(opts + k, 1, ol - k);
			break;
		case 4:			/* an option longer than the header */
			opts[0] = 7; opts[1] = ol + 8; opts[2] = 4;
			break;
		default:		/* random bytes */
			for (k = 0; k < ol; k++)
				opts[k] = rnd();
		}
		r = base(4, rnd() % 100);
		r.opts = opts;
		r.optlen = ol;
		add_req(C_V4_OPTS, &r);
	}
	/* Total length: too short for ICMP, shorter than the header, longer than the frame. */
	for (i = 0; i < 300; i++) {
		uint16_t tl;

		r = base(4, rnd() % 100);
		len = build(buf, &r);
		if (i < 28)
			tl = i;
		else if (i % 3 == 0)
			tl = 28 + rnd() % (len - L3 - 28 + 1);		/* short, not less than 28 */
		else if (i % 3 == 1)
			tl = len - L3 + 1 + rnd() % 100;
		else
			tl = rnd();
		put16(buf + L3 + 2, tl);
		fix_ip4_csum(buf + L3);
		add(C_V4_LEN, buf, len, 4, r.id, r.seq);
	}
	for (i = 0; i < 300; i++) {
		uint16_t pl;

		r = base(6, rnd() % 100);
		len = build(buf, &r);
		if (i < 8)
			pl = i;
		else if (i % 3 == 0)
			pl = 8 + rnd() % (len - L3 - 48 + 1);
		else if (i % 3 == 1)
			pl = len - L3 - 40 + 1 + rnd() % 100;
		else
			pl = rnd();
		put16(buf + L3 + 4, pl);
		add(C_V6_LEN, buf, len, 6, r.id, r.seq);
	}
	/* IPv4 fragments: lone first/middle/last ones, and whole two-part requests. */
	for (i = 0; i < 200; i++) {
		uint16_t fid = 0x7000 + i;

		r = base(4, 16 + rnd() % 200);
		r.ipid = fid;
		len = build(buf, &r);
		if (i % 4 < 3) {
			put16(buf + L3 + 6, i % 4 == 0 ? 0x2000 : i % 4 == 1 ? 0x2000 | 3 : 3);
			fix_ip4_csum(buf + L3);
			add(C_V4_FRAG, buf, len, 4, r.id, r.seq);
		} else {
			/* First 8 bytes of ICMP in one fragment, the rest in the next. */
			uint8_t f2[2048];
			int rest = len - L3 - 28;

			memcpy(f2, buf, L3 + 20);
			memcpy(f2 + L3 + 20, buf + L3 + 28, rest);
			put16(buf + L3 + 2, 28);
			put16(buf + L3 + 6, 0x2000);
			fix_ip4_csum(buf + L3);
			add(C_V4_FRAG, buf, L3 + 28, 4, r.id, r.seq);
			put16(f2 + L3 + 2, 20 + rest);
			put16(f2 + L3 + 6, 1);
			fix_ip4_csum(f2 + L3);
			add(C_V4_FRAG, f2, L3 + 20 + rest, 0, 0, 0);
		}
	}
	/* IPv6 fragment headers: atomic ones, lone first/later fragments. */
	for (i = 0; i < 150; i++) {
		memset(ext, 0, 8);
		ext[0] = 58;
		put16(ext + 2, i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : 8 << 3);
		ext[4] = 0x12; ext[6] = i >> 8; ext[7] = i;
		r = base(6, rnd() % 100);
		r.ext = ext;
		r.extlen = 8;
		r.ext_nh = 44;
		add_req(C_V6_FRAG, &r);
	}
	/* IPv6 extension headers: hop-by-hop, destination options, routing, chains. */
	for (i = 0; i < 300; i++) {
		int el;

		memset(ext, 0, sizeof(ext));
		switch (i % 6) {
		case 0:		/* hop-by-hop, PadN */
			ext[0] = 58; ext[2] = 1; ext[3] = 4; el = 8; r.ext_nh = 0;
			break;
		case 1:		/* destination options, PadN */
			ext[0] = 58; ext[2] = 1; ext[3] = 4; el = 8; r.ext_nh = 60;
			break;
		case 2:		/* routing type 0 (deprecated), segments left 0 */
			ext[0] = 58; ext[1] = 0; ext[2] = 0; ext[3] = 0; el = 8; r.ext_nh = 43;
			break;
		case 3:		/* destination option of unknown type, "discard" action */
			ext[0] = 58; ext[2] = 0x41; ext[3] = 4; el = 8; r.ext_nh = 60;
			break;
		case 4:		/* hop-by-hop then destination options */
			ext[0] = 60; ext[2] = 1; ext[3] = 4;
			ext[8] = 58; ext[10] = 1; ext[11] = 4; el = 16; r.ext_nh = 0;
			break;
		default:	/* random option bytes */
			ext[0] = 58;
			for (int k = 2; k < 8; k++)
				ext[k] = rnd();
			el = 8; r.ext_nh = rnd() % 2 ? 0 : 60;
		}
		{
			uint8_t nh = r.ext_nh;

			r = base(6, rnd() % 100);
			r.ext_nh = nh;
		}
		r.ext = ext;
		r.extlen = el;
		add_req(C_V6_EXT, &r);
	}
	/* Sources: martian, broadcast, our own, off-link (routed), other on-link hosts. */
	for (i = 0; i < 26 * 13; i++) {
		r = base(4, rnd() % 100);
		r.src = src4[i % 13];
		add_req(C_V4_SRC, &r);
	}
	for (i = 0; i < 26 * 12; i++) {
		r = base(6, rnd() % 100);
		r.src = src6[i % 12];
		if (!strncmp(r.src, "fe80", 4) && i % 2)
			r.dst = ll_a;
		add_req(C_V6_SRC, &r);
	}
	for (i = 0; i < 20 * 9; i++) {
		r = base(4, rnd() % 100);
		r.dst = dst4[i % 9];
		if (i % 3 == 0)
			r.dmac = bcast;
		add_req(C_V4_DST, &r);
	}
	for (i = 0; i < 20 * 10; i++) {
		r = base(6, rnd() % 100);
		r.dst = dst6[i % 10];
		if (i % 2 == 0 && r.dst[0] == 'f' && r.dst[1] == 'f')
			r.dmac = mcast6;
		add_req(C_V6_DST, &r);
	}
	/* MAC addresses: another host's, broadcast, multicast, group or null sources. */
	for (i = 0; i < 400; i++) {
		static const uint8_t *dm[] = { other, bcast, mcast4, mcast6, NULL, NULL, NULL, NULL };
		static const uint8_t *sm[] = { NULL, NULL, NULL, NULL, bcast, mcast4, zero, other };

		r = base(i % 2 ? 6 : 4, rnd() % 100);
		r.dmac = dm[i / 2 % 8];
		r.smac = sm[i / 2 % 8];
		add_req(C_L2, &r);
	}
	/* VLAN tags (no VLAN device on the responder), QinQ. */
	for (i = 0; i < 200; i++) {
		r = base(i % 2 ? 6 : 4, rnd() % 100);
		r.nvlan = 1 + i / 2 % 2;
		r.vlan_proto[0] = r.nvlan == 2 ? 0x88a8 : 0x8100;
		r.vlan_proto[1] = 0x8100;
		r.vlan_tci[0] = i / 4 % 3 == 0 ? 0 : 1 + rnd() % 4094;	/* VID 0: priority tag */
		r.vlan_tci[1] = 1 + rnd() % 4094;
		add_req(C_VLAN, &r);
	}
	/* Other ICMP types and codes. */
	for (i = 0; i < 400; i++) {
		r = base(i % 2 ? 6 : 4, rnd() % 3 ? 12 : rnd() % 100);
		if (i % 4 < 2) {
			r.code = 1 + rnd() % 255;	/* echo request, non-zero code */
		} else if (r.fam == 4) {
			static const int t4[] = { 0, 13, 14, 15, 17, 3, 11, 5, 42, 253 };

			r.type = t4[i / 4 % 10];
		} else {
			static const int t6[] = { 129, 130, 131, 135, 136, 139, 1, 3, 160, 200 };

			r.type = t6[i / 4 % 10];
		}
		add_req(C_TYPES, &r);
	}
	/* Random bytes, after our Ethernet header or as IP headers with random fields. */
	for (i = 0; i < 2500; i++) {
		n = 14 + rnd() % (MAX_FRAME - 13);
		if (i % 2)
			n = 14 + rnd() % 120;
		for (int k = 0; k < n; k++)
			buf[k] = rnd();
		memcpy(buf, mac_a, 6);
		memcpy(buf + 6, mac_b, 6);
		if (i % 3 == 0) {
			put16(buf + 12, ETH_P_IP);
			buf[14] = 0x45;
			if (n > 23)
				buf[23] = 1;
		} else if (i % 3 == 1) {
			put16(buf + 12, ETH_P_IPV6);
			buf[14] = 0x60;
			if (n > 20)
				buf[20] = 58;
		}
		add(C_RANDOM, buf, n, 0, 0, 0);
	}
	/* Valid requests with one to three random bytes changed (not the tag). */
	for (i = 0; i < 3000; i++) {
		int l4, nm = 1 + rnd() % 3;

		fam = i % 2 ? 6 : 4;
		r = base(fam, rnd() % 4 ? rnd() % 64 : rnd() % 1400);
		len = build(buf, &r);
		l4 = L3 + (fam == 4 ? 20 : 40);
		for (int k = 0; k < nm; k++) {
			int at = rnd() % len;

			if (at >= l4 + 4 && at < l4 + 8)
				continue;
			buf[at] = rnd();
		}
		add(C_MUTANT, buf, len, fam, r.id, r.seq);
	}
}

/* ---- sending and capturing ---- */

static int open_capture(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	int size = 64 << 20, one = 1;

	if (fd < 0)
		return -1;
	sll.sll_ifindex = if_nametoindex(ifname);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Outgoing frames only: what the responder's own stack sends. */
static int open_out_capture(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	int size = 64 << 20;

	if (fd < 0)
		return -1;
	sll.sll_ifindex = if_nametoindex(ifname);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -1;
	}
	return fd;
}

static FILE *out;
static long nrecords[2];

/* Records: side (0 seen by the sender, 1 sent by the responder's stack), length, bytes. */
static int drain(int fd, int side, int *mark_seen, uint16_t mark_seq)
{
	uint8_t buf[65536];
	struct sockaddr_ll from;
	socklen_t fl;
	int n, got = 0;

	for (;;) {
		fl = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return got;
		if (side == 1 && from.sll_pkttype != PACKET_OUTGOING)
			continue;
		got++;
		/* A marker reply: echo reply (v4) with the marker id and this batch's seq. */
		if (side == 0 && n >= 42 && buf[12] == 8 && buf[13] == 0 && buf[23] == 1 &&
		    buf[34] == 0 && (buf[38] << 8 | buf[39]) == MARK_ID &&
		    (buf[40] << 8 | buf[41]) == mark_seq)
			*mark_seen = 1;
		{
			uint8_t s = side;
			uint16_t l = n;

			fwrite(&s, 1, 1, out);
			fwrite(&l, 2, 1, out);
			fwrite(buf, 1, n, out);
			nrecords[side]++;
		}
	}
}

static int cmd_run(const char *path, const char *resp_ns)
{
	int self = open("/proc/self/ns/net", O_RDONLY), other = open(resp_ns, O_RDONLY);
	int tx, rx, rx_resp, lost = 0, batch = 32;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	uint8_t mark[2048];
	struct timespec t0, t1;

	if (self < 0 || other < 0 || setns(other, CLONE_NEWNET)) {
		fprintf(stderr, "icmp_diff: cannot enter %s\n", resp_ns);
		return 2;
	}
	rx_resp = open_out_capture("eth0");
	if (setns(self, CLONE_NEWNET) || rx_resp < 0) {
		fprintf(stderr, "icmp_diff: no capture in the responder\n");
		return 2;
	}
	tx = socket(AF_PACKET, SOCK_RAW, 0);
	rx = open_capture("eth0");
	sll.sll_ifindex = if_nametoindex("eth0");
	sll.sll_halen = 6;
	if (tx < 0 || rx < 0 || !sll.sll_ifindex) {
		fprintf(stderr, "icmp_diff: no packet socket on eth0\n");
		return 2;
	}
	out = fopen(path, "w");
	if (!out)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int b = 0; b * batch < nframes; b++) {
		int mark_seen = 0, mlen;
		struct req m = { .fam = 4, .type = -1, .code = -1, .id = MARK_ID, .seq = b,
				 .payload = (const uint8_t *)"marker--", .plen = 8 };

		for (int i = b * batch; i < nframes && i < (b + 1) * batch; i++) {
			if (sendto(tx, frames[i].data, frames[i].len, 0, (struct sockaddr *)&sll,
				   sizeof(sll)) < 0 && frames[i].len >= 14)
				fprintf(stderr, "icmp_diff: frame %d (%u bytes) not sent: %s\n", i,
					frames[i].len, strerror(errno));
		}
		/* After the marker's reply, every earlier frame has been handled. */
		mlen = build(mark, &m);
		for (int tries = 0; tries < 3 && !mark_seen; tries++) {
			struct pollfd p = { .fd = rx, .events = POLLIN };

			sendto(tx, mark, mlen, 0, (struct sockaddr *)&sll, sizeof(sll));
			for (int w = 0; w < 100 && !mark_seen; w++) {
				poll(&p, 1, 10);
				drain(rx, 0, &mark_seen, b);
			}
		}
		lost += !mark_seen;
		drain(rx_resp, 1, &mark_seen, 0);
	}
	usleep(200000);
	{
		int dummy = 0;

		drain(rx, 0, &dummy, 0xffff);
		drain(rx_resp, 1, &dummy, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fclose(out);
	printf("# sent %d frames in %.1f s; recorded %ld frames at the sender, %ld sent by the responder's stack\n",
	       nframes, t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       nrecords[0], nrecords[1]);
	if (lost) {
		printf("# %d batches lost their marker reply\n", lost);
		return 1;
	}
	return 0;
}

/* ---- comparing ---- */

struct reply {
	uint8_t *data;
	uint16_t len;
	int req;		/* frame index, or -1 */
	int kind;		/* 0 echo reply, else 0x100 | ICMP type (errors, others) */
	bool kernel;		/* also sent by the responder's stack */
	bool csum_ok;
	const char *csum_why;
};

struct runres {
	struct reply *r;
	int n;
	int unmatched_xdp, unmatched_kernel, csum_bad, markers;
};

/* Look a request up by family, id and sequence. */
static int *lookup_tab;
#define LOOKUP_SIZE (1 << 20)

static unsigned lkey(int fam, uint16_t id, uint16_t seq)
{
	return ((unsigned)fam * 2654435761u ^ (id * 40503u) ^ seq * 69069u) & (LOOKUP_SIZE - 1);
}

static void index_corpus(void)
{
	lookup_tab = malloc(sizeof(int) * LOOKUP_SIZE);
	memset(lookup_tab, 0xff, sizeof(int) * LOOKUP_SIZE);
	for (int i = 0; i < nframes; i++) {
		unsigned k;

		if (!frames[i].fam)
			continue;
		for (k = lkey(frames[i].fam, frames[i].id, frames[i].seq); lookup_tab[k] >= 0;
		     k = (k + 1) & (LOOKUP_SIZE - 1))
			;
		lookup_tab[k] = i;
	}
}

static int find_req(int fam, uint16_t id, uint16_t seq)
{
	for (unsigned k = lkey(fam, id, seq); lookup_tab[k] >= 0; k = (k + 1) & (LOOKUP_SIZE - 1)) {
		struct frame *f = &frames[lookup_tab[k]];

		if (f->fam == fam && f->id == id && f->seq == seq)
			return lookup_tab[k];
	}
	return -1;
}

/* Parse one captured frame: which request it answers and whether its checksums hold. */
static void classify(struct reply *r)
{
	const uint8_t *p = r->data, *l3 = p + 14, *l4;
	int type = p[12] << 8 | p[13], len = r->len, iplen;
	uint16_t id, seq;

	r->req = -1;
	r->kind = -1;
	r->csum_ok = true;
	if (len < 14)
		return;
	if (type == ETH_P_IP && len >= 34) {
		int hl = (l3[0] & 0xf) * 4;

		iplen = l3[2] << 8 | l3[3];
		if (l3[9] != 1 || len < 14 + iplen || iplen < hl + 8)
			return;
		l4 = l3 + hl;
		if (t_csum(l3, hl, 0)) {
			r->csum_ok = false;
			r->csum_why = "IPv4 header checksum";
		} else if (t_csum(l4, iplen - hl, 0)) {
			r->csum_ok = false;
			r->csum_why = "ICMP checksum";
		}
		if (l4[0] == 0 || l4[0] == 14 || l4[0] == 16 || l4[0] == 18) {
			r->kind = l4[0] ? 0x100 | l4[0] : 0;
			id = l4[4] << 8 | l4[5];
			seq = l4[6] << 8 | l4[7];
			if (id == MARK_ID) {
				r->kind = -1;	/* the batches' markers */
				return;
			}
			r->req = find_req(4, id, seq);
		} else if ((l4[0] == 3 || l4[0] == 11 || l4[0] == 12) && iplen >= hl + 8 + 28) {
			/* An error quoting our request: its id and seq follow the quoted header. */
			const uint8_t *q = l4 + 8;
			int qhl = (q[0] & 0xf) * 4;

			r->kind = 0x100 | l4[0];
			if (iplen >= hl + 8 + qhl + 8 && q[9] == 1)
				r->req = find_req(4, q[qhl + 4] << 8 | q[qhl + 5],
						  q[qhl + 6] << 8 | q[qhl + 7]);
		}
	} else if (type == ETH_P_IPV6 && len >= 54) {
		iplen = l3[4] << 8 | l3[5];
		if (l3[6] != 58 || len < 54 + iplen || iplen < 8)
			return;
		l4 = l3 + 40;
		if (t_csum(l4, iplen, t_sum(l3 + 8, 32, 58 + iplen))) {
			r->csum_ok = false;
			r->csum_why = "ICMPv6 checksum";
		}
		if (l4[0] == 129) {
			r->kind = 0;
			r->req = find_req(6, l4[4] << 8 | l4[5], l4[6] << 8 | l4[7]);
		} else if (l4[0] < 128) {
			/* An error quoting our request (plain header, ICMPv6 next). */
			const uint8_t *q = l4 + 8;

			r->kind = 0x100 | l4[0];
			if (iplen >= 8 + 48 && q[6] == 58)
				r->req = find_req(6, q[44] << 8 | q[45], q[46] << 8 | q[47]);
		} else if (l4[0] != 135 && l4[0] != 136 && l4[0] != 133 && l4[0] != 143) {
			r->kind = 0x100 | l4[0];
		}
	}
}

static int load_run(const char *path, struct runres *res)
{
	FILE *f = fopen(path, "r");
	struct reply *resp = NULL;
	int nresp = 0, cap = 0, capr = 0;
	uint8_t side;
	uint16_t len;

	if (!f)
		return -1;
	memset(res, 0, sizeof(*res));
	while (fread(&side, 1, 1, f) == 1 && fread(&len, 2, 1, f) == 1) {
		uint8_t *d = malloc(len ? len : 1);

		if (fread(d, 1, len, f) != len)
			break;
		if (side == 1) {
			if (nresp == capr) {
				capr = capr ? capr * 2 : 1024;
				resp = realloc(resp, capr * sizeof(*resp));
			}
			resp[nresp].data = d;
			resp[nresp++].len = len;
			continue;
		}
		if (res->n == cap) {
			cap = cap ? cap * 2 : 1024;
			res->r = realloc(res->r, cap * sizeof(*res->r));
		}
		res->r[res->n].data = d;
		res->r[res->n].len = len;
		res->n++;
	}
	fclose(f);
	/* A frame the responder's stack sent is the kernel's; the rest came from XDP. */
	for (int i = 0; i < res->n; i++) {
		struct reply *r = &res->r[i];

		classify(r);
		r->kernel = false;
		for (int j = 0; j < nresp; j++) {
			if (resp[j].len == r->len && resp[j].data &&
			    !memcmp(resp[j].data, r->data, r->len)) {
				r->kernel = true;
				free(resp[j].data);
				resp[j].data = NULL;	/* each sent frame explains one */
				break;
			}
		}
	}
	free(resp);
	return 0;
}

/*
 * The fields in which an XDP reply may differ from the kernel's (named in
 * xdp/README.md): the IPv4 ID and, with it, the header checksum (both
 * checked on their own); the IPv6 flow label; the Ethernet destination
 * when the request came from another MAC than the sender's (XDP answers
 * the frame's source MAC, the kernel its neighbour entry).
 */
static int diff_reply(const struct frame *req, const struct reply *k, const struct reply *x,
		      char *why, size_t wl)
{
	uint8_t a[MAX_FRAME + 64], b[MAX_FRAME + 64];

	if (k->len != x->len) {
		snprintf(why, wl, "length %u vs kernel %u", x->len, k->len);
		return 1;
	}
	memcpy(a, k->data, k->len);
	memcpy(b, x->data, x->len);
	if (memcmp(req->data + 6, mac_b, 6) && !memcmp(b, req->data + 6, 6))
		memcpy(a, b, 6);
	if ((a[12] << 8 | a[13]) == ETH_P_IP && k->len >= 42) {
		int l4 = 14 + (a[14] & 0xf) * 4;
		bool zero = true;

		memset(a + 18, 0, 2);
		memset(b + 18, 0, 2);
		memset(a + 24, 0, 2);
		memset(b + 24, 0, 2);
		/*
		 * A reply whose words are all zero: the kernel writes checksum
		 * 0x0000 (its sum starts from ~0), which fails verification;
		 * 0xffff is right, and is what the classifier checks.
		 */
		for (int i = l4; i < k->len; i++)
			zero &= i == l4 + 2 || i == l4 + 3 || !a[i];
		if (zero && l4 + 4 <= k->len && !a[l4 + 2] && !a[l4 + 3] &&
		    b[l4 + 2] == 0xff && b[l4 + 3] == 0xff)
			a[l4 + 2] = a[l4 + 3] = 0xff;
	} else if ((a[12] << 8 | a[13]) == ETH_P_IPV6 && k->len >= 54) {
		a[15] &= 0xf0; b[15] &= 0xf0;
		a[16] = a[17] = b[16] = b[17] = 0;
	}
	for (int i = 0; i < k->len; i++) {
		if (a[i] != b[i]) {
			snprintf(why, wl, "byte %d: 0x%02x vs kernel 0x%02x", i, b[i], a[i]);
			return 1;
		}
	}
	return 0;
}

static void hexline(const char *what, const uint8_t *p, int len)
{
	printf("#   %s:", what);
	for (int i = 0; i < len && i < 64; i++)
		printf(" %02x", p[i]);
	printf("%s\n", len > 64 ? " ..." : "");
}

static int cmd_compare(const char *kpath, const char *xpath)
{
	struct runres K, X;
	int *kr, *xr, *kk;	/* per request: first echo reply index, in each run */
	int cat_n[C_NCAT] = {}, cat_k[C_NCAT] = {}, cat_x[C_NCAT] = {}, cat_xdp[C_NCAT] = {};
	int cat_mis[C_NCAT] = {};
	int answered_k = 0, answered_x = 0, by_xdp = 0, mism = 0, shown = 0, other_mis = 0;
	int csum_bad = 0, csum_bad_k = 0, xdp_unmatched = 0;
	char why[128];

	if (load_run(kpath, &K) || load_run(xpath, &X)) {
		fprintf(stderr, "icmp_diff: cannot read the runs\n");
		return 2;
	}
	kr = malloc(nframes * sizeof(int));
	xr = malloc(nframes * sizeof(int));
	kk = calloc(nframes, sizeof(int));
	memset(kr, 0xff, nframes * sizeof(int));
	memset(xr, 0xff, nframes * sizeof(int));
	for (int run = 0; run < 2; run++) {
		struct runres *R = run ? &X : &K;
		int *slot = run ? xr : kr;

		for (int i = 0; i < R->n; i++) {
			struct reply *r = &R->r[i];

			if (r->kind < 0)
				continue;	/* ARP, ND, anything that is not an answer */
			if (!r->csum_ok) {
				if (r->kernel)
					csum_bad_k++;
				else
					csum_bad++;
				if (csum_bad + csum_bad_k <= 5) {
					printf("# %s run: reply with a bad %s (%s)\n", run ? "xdp" : "kernel",
					       r->csum_why, r->kernel ? "from the kernel" : "from XDP");
					hexline("reply", r->data, r->len);
				}
			}
			if (r->req < 0) {
				if (!r->kernel) {
					xdp_unmatched++;
					printf("# xdp run: a frame from XDP that answers no request\n");
					hexline("frame", r->data, r->len);
				}
				continue;
			}
			/* Other answers (errors, timestamps): count their kinds per request. */
			if (r->kind != 0) {
				kk[r->req] += run ? -1 : 1;
				continue;
			}
			if (slot[r->req] < 0)
				slot[r->req] = i;
		}
	}
	for (int i = 0; i < nframes; i++) {
		struct frame *f = &frames[i];
		int c = f->cat, bad = 0;

		cat_n[c]++;
		if (kr[i] >= 0) {
			answered_k++;
			cat_k[c]++;
		}
		if (xr[i] >= 0) {
			answered_x++;
			cat_x[c]++;
			if (!X.r[xr[i]].kernel) {
				by_xdp++;
				cat_xdp[c]++;
			}
		}
		if ((kr[i] >= 0) != (xr[i] >= 0)) {
			bad = 1;
			snprintf(why, sizeof(why), "%s", kr[i] >= 0 ? "kernel answered, xdp run did not"
						       : "xdp run answered, kernel did not");
		} else if (kr[i] >= 0 && !X.r[xr[i]].kernel &&
			   diff_reply(f, &K.r[kr[i]], &X.r[xr[i]], why, sizeof(why))) {
			/* Kernel against kernel may differ (IDs, timestamps): not compared. */
			bad = 1;
		}
		if (kk[i]) {
			other_mis++;
			if (!bad) {
				bad = 1;
				snprintf(why, sizeof(why), "other ICMP answers differ (%+d)", kk[i]);
			}
		}
		if (bad) {
			mism++;
			cat_mis[c]++;
			if ((!getenv("SHOWCAT") || atoi(getenv("SHOWCAT")) == c) && shown++ < 30) {
				printf("# mismatch: frame %d (%s): %s%s\n", i, cat_name[c], why,
				       xr[i] >= 0 ? (X.r[xr[i]].kernel ? " [xdp run: kernel reply]"
								      : " [xdp run: XDP reply]") : "");
				hexline("request", f->data, f->len);
				if (kr[i] >= 0)
					hexline("kernel ", K.r[kr[i]].data, K.r[kr[i]].len);
				if (xr[i] >= 0)
					hexline("xdp run", X.r[xr[i]].data, X.r[xr[i]].len);
			}
		}
	}
	printf("# %-40s %6s %7s %7s %9s %5s\n", "category", "frames", "kernel", "xdp-run",
	       "by-XDP", "mism");
	for (int c = 0; c < C_NCAT; c++)
		printf("# %-40s %6d %7d %7d %9d %5d\n", cat_name[c], cat_n[c], cat_k[c], cat_x[c],
		       cat_xdp[c], cat_mis[c]);
	printf("# replies with a bad checksum made by the kernel: %d\n", csum_bad_k);
	printf("frames %d, answered by kernel %d, answered in xdp run %d (by XDP %d, by kernel %d), "
	       "mismatches %d, bad checksums from XDP %d, XDP frames answering nothing %d\n",
	       nframes, answered_k, answered_x, by_xdp, answered_x - by_xdp, mism, csum_bad,
	       xdp_unmatched);
	/* The valid requests must have been answered by XDP itself. */
	printf("valid requests answered by XDP: v4 %d of %d, v6 %d of %d\n",
	       cat_xdp[C_V4_SIZES], cat_n[C_V4_SIZES], cat_xdp[C_V6_SIZES], cat_n[C_V6_SIZES]);
	return mism || csum_bad || xdp_unmatched ? 1 : 0;
}

/* The lab's MACs and the responder's link-local address come from the script. */
static int parse_mac(const char *s, uint8_t *m)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4],
		      &m[5]) == 6 ? 0 : -1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 6 || parse_mac(argv[1], mac_a) || parse_mac(argv[2], mac_b)) {
		fprintf(stderr, "usage: icmp_diff MAC_A MAC_B LINKLOCAL_A run OUT RESPONDER_NETNS\n"
				"       icmp_diff MAC_A MAC_B LINKLOCAL_A compare KERNEL_RUN XDP_RUN\n"
				"       icmp_diff MAC_A MAC_B LINKLOCAL_A count\n");
		return 2;
	}
	snprintf(ll_a, sizeof(ll_a), "%s", argv[3]);
	make_corpus();
	if (!strcmp(argv[4], "run") && argc == 7)
		return cmd_run(argv[5], argv[6]);
	if (!strcmp(argv[4], "compare") && argc == 7) {
		index_corpus();
		return cmd_compare(argv[5], argv[6]);
	}
	fprintf(stderr, "icmp_diff: unknown command %s\n", argv[4]);
	return 2;
}
