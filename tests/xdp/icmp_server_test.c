// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* BPF_PROG_TEST_RUN unit tests of xdp/xdp_icmp_server.bpf.c. */
#include "testlib.h"
#include "common.h"
#include "xdp/xdp_icmp_server.h"
#include "xdp/xdp_icmp_server.skel.h"

static int prog_fd;

static const char payload[56] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRS";

/* The reply a correct responder sends to the request `req` describes. */
static size_t expected_reply(uint8_t *buf, struct pkt_spec req)
{
	struct pkt_spec rep = req;
	uint8_t mac[6];
	size_t len;

	rep.src = req.dst ? req.dst : (req.family == 6 ? "2001:db8:1::2" : "192.0.2.2");
	rep.dst = req.src ? req.src : (req.family == 6 ? "2001:db8:1::1" : "192.0.2.1");
	rep.icmp_type = req.family == 6 ? 129 : 0;
	rep.ttl = 64;
	len = build_packet(buf, &rep);
	memcpy(mac, buf, 6);
	memcpy(buf, buf + 6, 6);
	memcpy(buf + 6, mac, 6);
	return len;
}

static void echo_case(const char *name, struct pkt_spec req)
{
	uint8_t in[1600], out[1600], want[1600];
	uint32_t out_len = 0, ret = 0;
	size_t len = build_packet(in, &req), wlen = expected_reply(want, req);
	int err = t_run(prog_fd, in, len, out, &out_len, &ret);

	if (err || ret != XDP_TX || out_len != wlen || memcmp(out, want, wlen)) {
		t_hexdump("got", out, out_len);
		t_hexdump("want", want, wlen);
	}
	t_check(!err && ret == XDP_TX && out_len == wlen && !memcmp(out, want, wlen), name,
		"err %d verdict %u len %u/%zu, bytes %s", err, ret, out_len, wlen,
		out_len == wlen && !memcmp(out, want, wlen) ? "equal" : "differ");
}

/* Every prefix of a valid request must pass untouched. */
static void truncation_case(const char *name, struct pkt_spec req)
{
	uint8_t in[1600], out[1600];
	size_t len = build_packet(in, &req), bad = 0, n;
	uint32_t out_len = 0, ret = 0;
	int err;

	for (n = 14; n < len; n++) {
		err = t_run(prog_fd, in, n, out, &out_len, &ret);
		if (err || ret != XDP_PASS || out_len != n || memcmp(in, out, n)) {
			if (!bad)
				printf("# first failure at length %zu: err %d verdict %u\n", n, err, ret);
			bad++;
		}
	}
	t_check(!bad, name, "%zu of %zu lengths did not pass unchanged", bad, len - 14);
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

int main(void)
{
	struct pkt_spec v4 = { .family = 4, .icmp_type = 8, .icmp_id = 0x77, .icmp_seq = 1,
			       .ttl = 50, .payload = payload, .payload_len = sizeof(payload) };
	struct pkt_spec v6 = { .family = 6, .icmp_type = 128, .icmp_id = 0x78, .icmp_seq = 9,
			       .ttl = 33, .payload = payload, .payload_len = sizeof(payload) };
	struct xdp_icmp_server_bpf *skel;
	struct pkt_spec s;
	uint8_t buf[1600];
	size_t len;

	t_init();
	skel = xdp_icmp_server_bpf__open_and_load();
	if (!skel) {
		printf("FAIL load xdp_icmp_server (%s)\n", strerror(errno));
		return 1;
	}
	prog_fd = bpf_program__fd(skel->progs.xdp_icmp_server);
	{
		struct icmp_server_cfg *c = &skel->bss->cfg;
		memcpy(c->mac, t_mac_dst, 6);
		c->ttl = c->hop_limit = 64;
		c->n4 = c->n6 = 1;
		inet_pton(AF_INET, "192.0.2.2", &c->a4[0].addr);
		inet_pton(AF_INET, "255.255.255.0", &c->a4[0].mask);
		inet_pton(AF_INET6, "2001:db8:1::2", c->a6[0].addr);
		inet_pton(AF_INET6, "ffff:ffff:ffff:ffff::", c->a6[0].mask);
	}

	echo_case("ipv4 echo request becomes the exact reply (XDP_TX)", v4);
	s = v4;
	s.ip_opts_len = 8;
	echo_case("ipv4 echo request with IP options becomes the exact reply", s);
	s = v4;
	s.payload_len = 0;
	echo_case("ipv4 echo request without payload", s);
	s = v4;
	s.vlan = 42;
	echo_case("ipv4 echo request in a VLAN tag", s);
	echo_case("ipv6 echo request becomes the exact reply (XDP_TX)", v6);

	truncation_case("every truncation of an ipv4 request passes", v4);
	s = v4;
	s.ip_opts_len = 12;
	truncation_case("every truncation of an ipv4 request with options passes", s);
	truncation_case("every truncation of an ipv6 request passes", v6);

	s = v4;
	s.icmp_type = 0;
	pass_spec("ipv4 echo reply passes", s);
	s.icmp_type = 3;
	pass_spec("ipv4 destination unreachable passes", s);
	s = v4;
	s.icmp_code = 1;
	pass_spec("ipv4 echo with a non-zero code passes", s);
	s = v4;
	s.frag = 0x2000;		/* MF: first fragment */
	pass_spec("ipv4 first fragment passes", s);
	s.frag = 0x0010;		/* offset 128 bytes */
	pass_spec("ipv4 later fragment passes", s);
	s = v4;
	s.dst = "255.255.255.255";
	pass_spec("ipv4 broadcast echo passes", s);
	s.dst = "224.0.0.1";
	pass_spec("ipv4 multicast echo passes", s);
	s = v6;
	s.icmp_type = 129;
	pass_spec("ipv6 echo reply passes", s);
	s.icmp_type = 135;
	pass_spec("ipv6 neighbour solicitation passes", s);
	s = v6;
	s.dst = "ff02::1";
	pass_spec("ipv6 multicast echo passes", s);
	pass_spec("tcp passes", (struct pkt_spec){ .proto = 6, .sport = 1, .dport = 80 });
	pass_spec("udp passes", (struct pkt_spec){ .family = 6, .proto = 17, .sport = 1, .dport = 53 });

	/* Malformed headers: each must pass (the kernel drops them itself). */
	len = build_packet(buf, &v4);
	buf[14] = 0x45 + 0x10;		/* version 5 */
	pass_case("ipv4 header with version 5 passes", buf, len);
	len = build_packet(buf, &v4);
	buf[14] = 0x44;			/* IHL 4: shorter than a header */
	pass_case("ipv4 header with IHL 4 passes", buf, len);
	len = build_packet(buf, &v4);
	buf[14] = 0x4f;			/* IHL 15: options beyond the packet */
	pass_case("ipv4 header with IHL 15 (60 bytes) passes", buf, 14 + 40);
	len = build_packet(buf, &v4);
	buf[16] = 0;
	buf[17] = 10;			/* total length < header length */
	pass_case("ipv4 total length shorter than its header passes", buf, len);
	len = build_packet(buf, &v6);
	buf[14] = 0x40;			/* version 4 in an IPv6 frame */
	pass_case("ipv6 frame with version 4 passes", buf, len);
	len = build_packet(buf, &v6);
	buf[20] = 0;			/* hop-by-hop header announced, none there */
	pass_case("ipv6 with a truncated extension header passes", buf, len);
	memset(buf, 0, 60);
	memcpy(buf + 12, "\x08\x06", 2);
	pass_case("arp passes", buf, 42);

	{
		int fd = bpf_map__fd(skel->maps.stats);
		__u32 k4 = ICMP_SRV_REPLY4, k6 = ICMP_SRV_REPLY6;
		uint64_t c4[2] = {}, c6[2] = {};

		percpu_sum(fd, &k4, c4, 2);
		percpu_sum(fd, &k6, c6, 2);
		t_check(c4[0] == 4 && c6[0] == 1, "reply counters count the replies",
			"ipv4 %llu (want 4), ipv6 %llu (want 1)",
			(unsigned long long)c4[0], (unsigned long long)c6[0]);
	}
	xdp_icmp_server_bpf__destroy(skel);
	return t_exit();
}
