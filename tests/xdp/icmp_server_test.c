// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * BPF_PROG_TEST_RUN unit tests of xdp/xdp_icmp_server.bpf.c: exact replies,
 * one case per request the kernel would not answer (each of which the
 * program once answered), and a reference model of the verdict checked
 * over many malformed and random frames.
 */
#include "testlib.h"
#include "common.h"
#include "xdp/xdp_icmp_server.h"
#include "xdp/xdp_icmp_server.skel.h"

static int prog_fd, frags_fd;
static struct xdp_icmp_server_cfg *cfg;

static const char payload[56] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRS";

/* The interface the program thinks it is on: host .2 / ::2 of the builder's defaults. */
static void lab_cfg(struct xdp_icmp_server_cfg *c)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->mac, t_mac_dst, 6);
	c->ttl = 64;
	c->hop_limit = 64;
	c->n4 = 1;
	inet_pton(AF_INET, "192.0.2.2", &c->a4[0].addr);
	inet_pton(AF_INET, "255.255.255.0", &c->a4[0].mask);
	c->n6 = 2;
	inet_pton(AF_INET6, "2001:db8:1::2", c->a6[0].addr);
	inet_pton(AF_INET6, "ffff:ffff:ffff:ffff::", c->a6[0].mask);
	inet_pton(AF_INET6, "fe80::2", c->a6[1].addr);
	inet_pton(AF_INET6, "ffff:ffff:ffff:ffff::", c->a6[1].mask);
}

/*
 * The reply the kernel would send to the request `req` describes, built
 * from scratch (checksums included); IPv4 without DF, as the kernel's.
 */
static size_t expected_reply(uint8_t *buf, struct pkt_spec req)
{
	struct pkt_spec rep = t_echo_reply_spec(req, 64);
	size_t len;

	rep.frag = 0;
	len = build_packet(buf, &rep);
	t_swap_macs(buf);
	return len;
}

/* The request in `in` (possibly edited after building) must become `want`. */
static void echo_bytes(const char *name, const uint8_t *in, size_t len, const uint8_t *want,
		       size_t wlen)
{
	uint8_t out[1600];
	uint32_t out_len = 0, ret = 0;
	int err = t_run(prog_fd, in, len, out, &out_len, &ret);
	bool same = out_len == wlen && !memcmp(out, want, wlen);

	if (err || ret != XDP_TX || !same) {
		t_hexdump("got", out, out_len);
		t_hexdump("want", want, wlen);
	}
	t_check(!err && ret == XDP_TX && same, name, "err %d verdict %u len %u/%zu, bytes %s",
		err, ret, out_len, wlen, same ? "equal" : "differ");
}

static void echo_case(const char *name, struct pkt_spec req)
{
	uint8_t in[1600], want[1600];
	size_t len = build_packet(in, &req), wlen = expected_reply(want, req);

	echo_bytes(name, in, len, want, wlen);
}

/* Every prefix of a valid request must pass untouched. */
static void truncation_case(const char *name, struct pkt_spec req)
{
	uint8_t in[1600], out[1600];
	size_t len = build_packet(in, &req), bad = 0, n;
	uint32_t out_len = 0, ret = 0;
	int err;

	for (n = 1; n < len; n++) {
		err = t_run(prog_fd, in, n, out, &out_len, &ret);
		if (err == -EINVAL && n < 14)
			continue;	/* the kernel refuses frames shorter than Ethernet */
		if (err || ret != XDP_PASS || out_len != n || memcmp(in, out, n)) {
			if (!bad)
				printf("# first failure at length %zu: err %d verdict %u\n", n, err, ret);
			bad++;
		}
	}
	t_check(!bad, name, "%zu of %zu lengths did not pass unchanged", bad, len - 1);
}

static void pass_case(const char *name, const uint8_t *in, size_t len)
{
	uint8_t out[1600];
	uint32_t out_len = 0, ret = 0;
	int err = t_run(prog_fd, in, len, out, &out_len, &ret);

	t_check(!err && ret == XDP_PASS && out_len == len && !memcmp(in, out, len), name,
		"err %d verdict %u (want XDP_PASS, packet unchanged)", err, ret);
}

static void pass_spec(const char *name, struct pkt_spec s)
{
	uint8_t in[1600];

	pass_case(name, in, build_packet(in, &s));
}

/* ---- the reference model ---- */

static uint32_t rng = 2463534242u;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static bool v4_local(const uint8_t *a)
{
	for (unsigned i = 0; i < cfg->n4; i++)
		if (!memcmp(a, &cfg->a4[i].addr, 4))
			return true;
	return false;
}

/* On a subnet of the interface, not its network/broadcast address, not ours. */
static bool v4_source(const uint8_t *s)
{
	bool onlink = false;

	for (unsigned i = 0; i < cfg->n4; i++) {
		uint32_t a = ntohl(cfg->a4[i].addr), m = ntohl(cfg->a4[i].mask), v;

		memcpy(&v, s, 4);
		v = ntohl(v);
		if (v == a && !cfg->loopback)
			return false;
		if ((v & m) != (a & m))
			continue;
		if (m < 0xfffffffe && ((v & ~m) == 0 || (v | m) == 0xffffffff))
			return false;
		onlink = true;
	}
	return onlink;
}

static bool v6_local(const uint8_t *a)
{
	for (unsigned i = 0; i < cfg->n6; i++)
		if (!memcmp(a, cfg->a6[i].addr, 16))
			return true;
	return false;
}

static bool v6_source(const uint8_t *s)
{
	bool onlink = false;

	for (unsigned i = 0; i < cfg->n6; i++) {
		const uint8_t *a = (const uint8_t *)cfg->a6[i].addr, *m = (const uint8_t *)cfg->a6[i].mask;
		bool in = true, host = false;

		if (!memcmp(s, a, 16) && !cfg->loopback)
			return false;
		for (int k = 0; k < 16; k++) {
			in &= (s[k] & m[k]) == (a[k] & m[k]);
			host |= (s[k] & ~m[k]) != 0;
		}
		if (!in)
			continue;
		if (!host && !cfg->loopback)
			return false;
		onlink = true;
	}
	return onlink;
}

static void put_csum(uint8_t *at, uint16_t c) { memcpy(at, &c, 2); }

/*
 * What the program must do with frame p: XDP_PASS (frame unchanged) or
 * XDP_TX with the reply in out (length *olen), written straight from the
 * rules in xdp/README.md.
 */
static int model(const uint8_t *p, size_t len, uint8_t *out, size_t *olen)
{
	static const uint8_t zero[6];
	int et;

	if (len < 14 || memcmp(p, cfg->mac, 6) || (p[6] & 1) ||
	    (!cfg->loopback && !memcmp(p + 6, zero, 6)))
		return XDP_PASS;
	et = p[12] << 8 | p[13];
	if (et == 0x0800) {
		const uint8_t *ip = p + 14;
		size_t tot;

		if (len < 14 + 20 + 8 || ip[0] != 0x45 || (ip[6] & 0x3f) || ip[7] || ip[9] != 1 ||
		    t_csum(ip, 20, 0) || cfg->ignore4)
			return XDP_PASS;
		tot = ip[2] << 8 | ip[3];
		if (tot < 28 || 14 + tot > len || ip[20] != 8 || ip[21] != 0)
			return XDP_PASS;
		if (!v4_local(ip + 16) || !v4_source(ip + 12) || t_csum(ip + 20, tot - 20, 0))
			return XDP_PASS;
		*olen = 14 + tot;
		memcpy(out, p, *olen);
		memcpy(out, p + 6, 6);
		memcpy(out + 6, p, 6);
		memcpy(out + 14 + 12, ip + 16, 4);
		memcpy(out + 14 + 16, ip + 12, 4);
		out[14 + 6] = out[14 + 7] = 0;
		out[14 + 8] = cfg->ttl;
		put_csum(out + 14 + 10, 0);
		put_csum(out + 14 + 10, t_csum(out + 14, 20, 0));
		out[34] = 0;
		put_csum(out + 36, 0);
		put_csum(out + 36, t_csum(out + 34, tot - 20, 0));
		return XDP_TX;
	}
	if (et == 0x86dd) {
		const uint8_t *ip = p + 14;
		size_t pl;

		if (len < 14 + 40 + 8 || ip[0] >> 4 != 6 || ip[6] != 58 || cfg->ignore6)
			return XDP_PASS;
		pl = ip[4] << 8 | ip[5];
		if (pl < 8 || 54 + pl > len || ip[40] != 128 || ip[41] != 0)
			return XDP_PASS;
		if (!v6_local(ip + 24) || !v6_source(ip + 8) ||
		    t_csum(ip + 40, pl, t_sum(ip + 8, 32, 58 + pl)))
			return XDP_PASS;
		*olen = 54 + pl;
		memcpy(out, p, *olen);
		memcpy(out, p + 6, 6);
		memcpy(out + 6, p, 6);
		memcpy(out + 14 + 8, ip + 24, 16);
		memcpy(out + 14 + 24, ip + 8, 16);
		out[14 + 7] = cfg->hop_limit;
		out[54] = 129;
		put_csum(out + 56, 0);
		put_csum(out + 56, t_csum(out + 54, pl, t_sum(out + 22, 32, 58 + pl)));
		return XDP_TX;
	}
	return XDP_PASS;
}

#define BIG 9100

static int run_big(int fd, const uint8_t *in, size_t len, uint8_t *out, uint32_t *olen,
		   uint32_t *ret)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = len, .data_out = out,
		    .data_size_out = BIG, .repeat = 1);

	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	*olen = o.data_size_out;
	*ret = o.retval;
	return 0;
}

/* A frame worth testing: mostly requests near the accepted ones, then damaged. */
static size_t random_frame(uint8_t *buf, size_t max)
{
	static const char *src4[] = { "192.0.2.1", "192.0.2.2", "192.0.2.0", "192.0.2.255",
				      "198.51.100.1", "0.0.0.0", "224.0.0.5", "240.0.0.1" };
	static const char *dst4[] = { "192.0.2.2", "192.0.2.2", "192.0.2.255", "192.0.2.3",
				      "255.255.255.255" };
	static const char *src6[] = { "2001:db8:1::1", "fe80::1", "2001:db8:1::", "::",
				      "ff02::1", "2001:db8:2::1", "2001:db8:1::2" };
	static const char *dst6[] = { "2001:db8:1::2", "fe80::2", "2001:db8:1::3", "ff02::1" };
	static uint8_t pay[BIG];
	struct pkt_spec s = { .icmp_type = 8, .icmp_id = rnd(), .icmp_seq = rnd(), .payload = pay };
	uint8_t big[BIG + 64];
	size_t len, room, l3;
	int kind = rnd() % 16;

	if (kind == 0) {		/* random bytes, any size */
		len = 1 + rnd() % max;
		for (size_t i = 0; i < len; i++)
			buf[i] = rnd();
		if (rnd() % 2 && len >= 12)
			memcpy(buf, t_mac_dst, 6);
		return len;
	}
	s.family = rnd() % 2 ? 6 : 4;
	if (s.family == 6)
		s.icmp_type = rnd() % 8 ? 128 : rnd();
	else if (!(rnd() % 8))
		s.icmp_type = rnd();
	if (!(rnd() % 8))
		s.icmp_code = rnd();
	s.src = s.family == 4 ? src4[rnd() % 8] : src6[rnd() % 7];
	s.dst = s.family == 4 ? dst4[rnd() % 5] : dst6[rnd() % 4];
	if (!(rnd() % 4)) {
		s.src = s.family == 4 ? "192.0.2.1" : "2001:db8:1::1";
		s.dst = s.family == 4 ? "192.0.2.2" : "2001:db8:1::2";
	}
	if (!(rnd() % 10))
		s.ip_opts_len = 4 * (1 + rnd() % 10);
	if (!(rnd() % 10))
		s.frag = rnd() % 2 ? 0x4000 : rnd();
	if (!(rnd() % 10))
		s.vlan = rnd();
	room = max - 14 - 60 - 8 - 4;
	s.payload_len = rnd() % 3 ? rnd() % 200 : rnd() % room;
	if (s.payload_len > 1600 - 14 - 60 - 8 - 4) {
		/* build_packet writes into 1600 bytes: build small, then grow the payload. */
		size_t want = s.payload_len;

		s.payload_len = 0;
		len = build_packet(big, &s);
		for (size_t i = 0; i < want; i++)
			big[len + i] = rnd();
		l3 = 14 + (s.vlan ? 4 : 0);
		if (s.family == 4) {
			t_put16(big + l3 + 2, (big[l3 + 2] << 8 | big[l3 + 3]) + want);
			big[l3 + 10] = big[l3 + 11] = 0;
			memcpy(big + l3 + 10, (uint16_t[]){ t_csum(big + l3, (big[l3] & 0xf) * 4, 0) }, 2);
			l3 += (big[l3] & 0xf) * 4;
			big[l3 + 2] = big[l3 + 3] = 0;
			memcpy(big + l3 + 2, (uint16_t[]){ t_csum(big + l3, len - l3 + want, 0) }, 2);
		} else {
			size_t pl = (big[l3 + 4] << 8 | big[l3 + 5]) + want;

			t_put16(big + l3 + 4, pl);
			big[l3 + 42] = big[l3 + 43] = 0;
			memcpy(big + l3 + 42, (uint16_t[]){ t_csum(big + l3 + 40, pl,
						t_sum(big + l3 + 8, 32, 58 + pl)) }, 2);
		}
		len += want;
		memcpy(buf, big, len);
	} else {
		for (size_t i = 0; i < s.payload_len; i++)
			pay[i] = rnd() % 4 ? rnd() : 0;
		len = build_packet(buf, &s);
	}
	switch (rnd() % 8) {
	case 0:				/* truncated */
		len = 1 + rnd() % len;
		break;
	case 1:				/* one to three bytes of the headers changed */
		for (int k = 1 + rnd() % 3; k > 0; k--)
			buf[rnd() % (len < 80 ? len : 80)] = rnd();
		break;
	case 2:				/* trailing bytes */
		for (int k = 1 + rnd() % 64; k > 0 && len < max; k--)
			buf[len++] = rnd();
		break;
	case 3:				/* a QinQ outer tag in front of whatever is there */
		if (len + 4 <= max) {
			memmove(buf + 16, buf + 12, len - 12);
			t_put16(buf + 12, 0x88a8);
			t_put16(buf + 14, rnd());
			len += 4;
		}
		break;
	case 4:				/* a source MAC with the group bit, or all zero */
		if (rnd() % 2)
			buf[6] |= 1;
		else
			memset(buf + 6, 0, 6);
		break;
	}
	return len;
}

static void model_check(void)
{
	static uint8_t in[BIG + 64], out[BIG + 64], want[BIG + 64];
	long n = 0, tx = 0, bad = 0, big = 0, skipped = 0;

	for (int i = 0; i < 60000; i++) {
		/* Linear test buffers end at 3520 bytes; beyond, the frags-capable copy. */
		bool large = i % 20 == 0;
		size_t len = random_frame(in, large ? 9000 : 3520), wlen = 0;
		uint32_t olen = 0, ret = 0;
		int fd = len > 3520 ? frags_fd : prog_fd, err, v;

		if (len < 14) {
			skipped++;
			continue;
		}
		err = run_big(fd, in, len, out, &olen, &ret);
		v = model(in, len, want, &wlen);
		/*
		 * The program sees only the linear part of a multi-buffer frame:
		 * a request that does not fit there must pass.
		 */
		if (len > 3520)
			big++;
		if (len > 3520 && v == XDP_TX)
			v = XDP_PASS;
		n++;
		tx += v == XDP_TX;
		if (err || ret != (uint32_t)v ||
		    (v == XDP_PASS && (olen != len || memcmp(in, out, len))) ||
		    (v == XDP_TX && (olen != wlen || memcmp(out, want, wlen)))) {
			if (bad++ < 3) {
				printf("# model: frame of %zu bytes: err %d verdict %u, model %d\n",
				       len, err, ret, v);
				t_hexdump("frame", in, len < 96 ? len : 96);
				t_hexdump("out", out, olen < 96 ? olen : 96);
				if (v == XDP_TX)
					t_hexdump("model", want, wlen < 96 ? wlen : 96);
			}
		}
	}
	printf("# model: %ld frames (%ld over 3520 bytes, %ld shorter than Ethernet skipped), %ld replies\n",
	       n, big, skipped, tx);
	t_check(!bad, "verdict and bytes equal the reference model over random frames",
		"%ld of %ld differ", bad, n);
	t_check(tx > 1000, "the random frames reach the reply path", "only %ld replies", tx);
}

int main(void)
{
	struct pkt_spec v4 = { .family = 4, .icmp_type = 8, .icmp_id = 0x77, .icmp_seq = 1,
			       .ttl = 50, .payload = payload, .payload_len = sizeof(payload) };
	struct pkt_spec v6 = { .family = 6, .icmp_type = 128, .icmp_id = 0x78, .icmp_seq = 9,
			       .ttl = 33, .payload = payload, .payload_len = sizeof(payload) };
	struct xdp_icmp_server_bpf *skel, *frags;
	struct pkt_spec s;
	uint8_t buf[1600], want[1600];
	size_t len, wlen;
	int l4;

	t_init();
	skel = xdp_icmp_server_bpf__open_and_load();
	frags = xdp_icmp_server_bpf__open();
	if (!skel || !frags) {
		printf("FAIL load xdp_icmp_server (%s)\n", strerror(errno));
		return 1;
	}
	bpf_program__set_flags(frags->progs.xdp_icmp_server, BPF_F_XDP_HAS_FRAGS);
	if (xdp_icmp_server_bpf__load(frags)) {
		printf("FAIL load xdp_icmp_server with BPF_F_XDP_HAS_FRAGS (%s)\n", strerror(errno));
		return 1;
	}
	prog_fd = bpf_program__fd(skel->progs.xdp_icmp_server);
	frags_fd = bpf_program__fd(frags->progs.xdp_icmp_server);
	cfg = &skel->bss->cfg;
	lab_cfg(cfg);
	lab_cfg(&frags->bss->cfg);

	echo_case("ipv4 echo request becomes the exact reply (XDP_TX)", v4);
	s = v4;
	s.payload_len = 0;
	echo_case("ipv4 echo request without payload", s);
	echo_case("ipv6 echo request becomes the exact reply (XDP_TX)", v6);
	s = v6;
	s.src = "fe80::1";
	s.dst = "fe80::2";
	echo_case("ipv6 link-local echo request", s);

	/* RFC 1624: an all-zero reply needs checksum 0xffff, not 0x0000. */
	s = v4;
	s.icmp_id = s.icmp_seq = 0;
	s.payload_len = 0;
	len = build_packet(buf, &s);
	printf("# request: ...%02x%02x %02x%02x %02x%02x%02x%02x\n", buf[34], buf[35], buf[36],
	       buf[37], buf[38], buf[39], buf[40], buf[41]);
	wlen = expected_reply(want, s);
	t_check(want[36] == 0xff && want[37] == 0xff, "the all-zero reply's own checksum is 0xffff",
		"builder computed %02x%02x", want[36], want[37]);
	echo_bytes("id 0, seq 0, no payload: reply checksum 0xffff", buf, len, want, wlen);
	s = v4;
	s.icmp_id = 0xffff;
	s.icmp_seq = 0;
	s.payload_len = 0;
	echo_case("id 0xffff, seq 0, no payload: reply checksum 0x0000", s);

	/* Bytes after the IP packet are cut, as the kernel cuts them. */
	len = build_packet(buf, &v4);
	wlen = expected_reply(want, v4);
	memset(buf + len, 0xa5, 20);
	echo_bytes("ipv4 request with 20 trailing bytes: reply without them", buf, len + 20,
		   want, wlen);
	len = build_packet(buf, &v6);
	wlen = expected_reply(want, v6);
	memset(buf + len, 0, 7);
	echo_bytes("ipv6 request with 7 trailing bytes: reply without them", buf, len + 7,
		   want, wlen);
	s = v4;
	s.frag = 0x4000;
	echo_case("ipv4 request with DF: reply without DF, like the kernel's", s);

	truncation_case("every truncation of an ipv4 request passes", v4);
	truncation_case("every truncation of an ipv6 request passes", v6);

	/* Checksums: the kernel drops these, XDP must not answer them. */
	l4 = 14 + 20;
	len = build_packet(buf, &v4);
	buf[l4 + 2] ^= 0x01;
	pass_case("ipv4 request with a bad ICMP checksum passes", buf, len);
	len = build_packet(buf, &v4);
	buf[l4 + 8 + 10] ^= 0x40;			/* payload changed, checksum kept */
	pass_case("ipv4 request with a changed payload passes", buf, len);
	len = build_packet(buf, &v6);
	buf[14 + 40 + 3] ^= 0x80;
	pass_case("ipv6 request with a bad ICMPv6 checksum passes", buf, len);
	s = v6;
	s.src = "2001:db8:1::5";
	len = build_packet(buf, &s);
	inet_pton(AF_INET6, "2001:db8:1::1", buf + 14 + 8);	/* pseudo-header no longer matches */
	pass_case("ipv6 request checksummed for another source passes", buf, len);
	len = build_packet(buf, &v4);
	buf[14 + 11] ^= 0x10;
	pass_case("ipv4 request with a bad IP header checksum passes", buf, len);
	len = build_packet(buf, &v4);
	buf[14 + 8] = 51;				/* TTL changed, header checksum kept */
	pass_case("ipv4 request whose TTL no longer matches its checksum passes", buf, len);

	/* IP options: the kernel answers with the options processed; it gets them. */
	s = v4;
	s.ip_opts_len = 8;
	pass_spec("ipv4 request with IP options passes (the kernel echoes them processed)", s);
	s.ip_opts_len = 40;
	pass_spec("ipv4 request with 40 bytes of options passes", s);

	/* Lengths: below IHL*4 + 8 (IPv4) or 8 (IPv6) there is no ICMP header. */
	for (int tl = 20; tl < 28; tl += 4) {
		char name[96];

		len = build_packet(buf, &v4);
		t_put16(buf + 16, tl);
		buf[24] = buf[25] = 0;
		memcpy(buf + 24, (uint16_t[]){ t_csum(buf + 14, 20, 0) }, 2);
		snprintf(name, sizeof(name), "ipv4 total length %d (< IHL*4 + 8) passes", tl);
		pass_case(name, buf, len);
	}
	for (int pl = 0; pl < 8; pl += 4) {
		char name[96];

		len = build_packet(buf, &v6);
		t_put16(buf + 18, pl);
		snprintf(name, sizeof(name), "ipv6 payload length %d (< 8) passes", pl);
		pass_case(name, buf, len);
	}
	len = build_packet(buf, &v6);
	t_put16(buf + 18, (buf[18] << 8 | buf[19]) + 1);
	pass_case("ipv6 payload length beyond the frame passes", buf, len);

	/* Sources the kernel would never answer, or not through this link. */
	{
		static const char *bad4[] = { "255.255.255.255", "224.0.0.5", "0.0.0.0", "240.0.0.1",
			"127.0.0.1", "192.0.2.255", "192.0.2.0", "192.0.2.2", "198.51.100.7" };
		static const char *bad6[] = { "ff02::1", "::", "::1", "2001:db8:1::",
			"::ffff:192.0.2.1", "2001:db8:1::2", "2001:db8:2::1" };
		char name[96];

		for (unsigned i = 0; i < sizeof(bad4) / sizeof(bad4[0]); i++) {
			s = v4;
			s.src = bad4[i];
			snprintf(name, sizeof(name), "ipv4 source %s passes", bad4[i]);
			pass_spec(name, s);
		}
		for (unsigned i = 0; i < sizeof(bad6) / sizeof(bad6[0]); i++) {
			s = v6;
			s.src = bad6[i];
			snprintf(name, sizeof(name), "ipv6 source %s passes", bad6[i]);
			pass_spec(name, s);
		}
	}
	/* Destinations that are not a unicast address of the interface. */
	{
		static const char *d4[] = { "192.0.2.255", "255.255.255.255", "224.0.0.1", "192.0.2.3",
					    "192.0.2.0", "127.0.0.1" };
		static const char *d6[] = { "ff02::1", "2001:db8:1::3", "2001:db8:1::", "::1" };
		char name[96];

		for (unsigned i = 0; i < sizeof(d4) / sizeof(d4[0]); i++) {
			s = v4;
			s.dst = d4[i];
			snprintf(name, sizeof(name), "ipv4 destination %s passes", d4[i]);
			pass_spec(name, s);
		}
		for (unsigned i = 0; i < sizeof(d6) / sizeof(d6[0]); i++) {
			s = v6;
			s.dst = d6[i];
			snprintf(name, sizeof(name), "ipv6 destination %s passes", d6[i]);
			pass_spec(name, s);
		}
	}
	/* Ethernet: group or null source, another host's or a group destination. */
	len = build_packet(buf, &v4);
	buf[6] |= 0x01;
	pass_case("ipv4 request from a multicast source MAC passes", buf, len);
	len = build_packet(buf, &v6);
	memcpy(buf + 6, "\x33\x33\x00\x00\x00\x01", 6);
	pass_case("ipv6 request from a multicast source MAC passes", buf, len);
	len = build_packet(buf, &v4);
	memset(buf + 6, 0, 6);
	pass_case("ipv4 request from MAC 00:00:00:00:00:00 passes", buf, len);
	len = build_packet(buf, &v4);
	buf[5] ^= 0x10;
	pass_case("ipv4 request to another host's MAC passes", buf, len);
	len = build_packet(buf, &v4);
	memset(buf, 0xff, 6);
	pass_case("ipv4 request to the broadcast MAC passes", buf, len);
	s = v4;
	s.vlan = 42;
	pass_spec("ipv4 request in a VLAN tag passes (IFACE's addresses are not the VLAN's)", s);
	s.vlan = 0x2000;			/* priority tag, VID 0 */
	pass_spec("ipv4 request with a priority tag passes", s);

	/* What the kernel is told to ignore is not answered either. */
	cfg->ignore4 = 1;
	pass_spec("ipv4 request passes while icmp_echo_ignore_all is set", v4);
	cfg->ignore4 = 0;
	cfg->ignore6 = 1;
	pass_spec("ipv6 request passes while icmp/echo_ignore_all is set", v6);
	cfg->ignore6 = 0;
	cfg->ttl = 255;
	len = build_packet(buf, &v4);
	wlen = expected_reply(want, v4);
	want[22] = 255;
	want[24] = want[25] = 0;
	memcpy(want + 24, (uint16_t[]){ t_csum(want + 14, 20, 0) }, 2);
	echo_bytes("the reply's TTL is net.ipv4.ip_default_ttl", buf, len, want, wlen);
	cfg->ttl = 64;
	{
		struct xdp_icmp_server_cfg saved = *cfg;

		memset(cfg, 0, sizeof(*cfg));
		pass_spec("with no configuration nothing is answered", v4);
		*cfg = saved;
	}

	/* Other traffic and other ICMP. */
	s = v4;
	s.icmp_type = 0;
	pass_spec("ipv4 echo reply passes", s);
	s.icmp_type = 13;
	pass_spec("ipv4 timestamp request passes", s);
	s = v4;
	s.icmp_code = 1;
	pass_spec("ipv4 echo with a non-zero code passes", s);
	s = v4;
	s.frag = 0x2000;
	pass_spec("ipv4 first fragment passes", s);
	s.frag = 0x0010;
	pass_spec("ipv4 later fragment passes", s);
	s = v6;
	s.icmp_type = 129;
	pass_spec("ipv6 echo reply passes", s);
	s.icmp_type = 135;
	pass_spec("ipv6 neighbour solicitation passes", s);
	pass_spec("tcp passes", (struct pkt_spec){ .proto = 6, .sport = 1, .dport = 80,
						   .dst = "192.0.2.2" });
	pass_spec("udp passes", (struct pkt_spec){ .family = 6, .proto = 17, .sport = 1, .dport = 53 });
	len = build_packet(buf, &v4);
	buf[14] = 0x55;
	pass_case("ipv4 header with version 5 passes", buf, len);
	len = build_packet(buf, &v4);
	buf[14] = 0x44;
	pass_case("ipv4 header with IHL 4 passes", buf, len);
	len = build_packet(buf, &v6);
	buf[14] = 0x40;
	pass_case("ipv6 frame with version 4 passes", buf, len);
	len = build_packet(buf, &v6);
	buf[20] = 0;			/* hop-by-hop header announced */
	pass_case("ipv6 request behind an extension header passes", buf, len);
	memset(buf, 0, 60);
	memcpy(buf, t_mac_dst, 6);
	memcpy(buf + 12, "\x08\x06", 2);
	pass_case("arp passes", buf, 42);

	{
		int fd = bpf_map__fd(skel->maps.stats);
		__u32 k4 = XDP_ICMP_SERVER_STAT_REPLY4, k6 = XDP_ICMP_SERVER_STAT_REPLY6;
		uint64_t c4[2] = {}, c6[2] = {};

		percpu_sum(fd, &k4, c4, 2);
		percpu_sum(fd, &k6, c6, 2);
		t_check(c4[0] == 7 && c6[0] == 3, "reply counters count the replies",
			"ipv4 %llu (want 7), ipv6 %llu (want 3)",
			(unsigned long long)c4[0], (unsigned long long)c6[0]);
	}

	model_check();
	xdp_icmp_server_bpf__destroy(frags);
	xdp_icmp_server_bpf__destroy(skel);
	return t_exit();
}
