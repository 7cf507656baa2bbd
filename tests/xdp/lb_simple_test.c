// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * BPF_PROG_TEST_RUN unit tests of xdp/xdp_lb_simple.bpf.c: the rewritten
 * packets compared byte for byte with packets built from scratch (every
 * checksum computed in full), the backend of each flow as the hash says.
 */
#include "testlib.h"
#include "common.h"
#include "xdp/xdp_lb_simple.h"
#include "xdp/xdp_lb_simple.skel.h"

#define VIP	"192.0.2.80"
#define CLIENT	"192.0.2.1"
#define LB	"198.51.100.254"
static const char *backends[2] = { "198.51.100.11", "198.51.100.12" };
static const uint8_t lb_mac[6] = { 0x02, 0, 0, 0, 0, 0xfe };
static const uint8_t client_mac[6] = { 0x02, 0, 0, 0, 0, 0xc1 };
static const uint8_t b_mac[2][6] = { { 0x02, 0, 0, 0, 0, 0x11 }, { 0x02, 0, 0, 0, 0, 0x12 } };

static struct xdp_lb_simple_bpf *skel;
static int prog_fd;
static uint64_t want[XDP_LB_SIMPLE_NSTATS];

static __be32 addr(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static size_t with_macs(uint8_t *buf, const struct pkt_spec *s, const uint8_t *dst,
			const uint8_t *src)
{
	size_t len = build_packet(buf, s);

	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	return len;
}

/* in (from `from` MAC) must come out as out, with XDP_TX. */
static void rewrite_case(const char *name, struct pkt_spec in, struct pkt_spec out,
			 const uint8_t *out_dmac, int slot)
{
	uint8_t pkt[1600], got[1600], exp[1600];
	size_t len = with_macs(pkt, &in, lb_mac, client_mac);
	size_t elen = with_macs(exp, &out, out_dmac, lb_mac);
	uint32_t glen = 0, ret = 0;
	int err = t_run(prog_fd, pkt, len, got, &glen, &ret);
	bool same = glen == elen && !memcmp(got, exp, elen);

	if (!same) {
		t_hexdump("got", got, glen);
		t_hexdump("want", exp, elen);
	}
	t_check(!err && ret == XDP_TX && same, name, "err %d verdict %u, bytes %s", err, ret,
		same ? "equal" : "differ");
	want[slot]++;
}

static void pass_case(const char *name, struct pkt_spec s)
{
	uint8_t pkt[1600], got[1600];
	size_t len = with_macs(pkt, &s, lb_mac, client_mac);
	uint32_t glen = 0, ret = 0;
	int err = t_run(prog_fd, pkt, len, got, &glen, &ret);

	t_check(!err && ret == XDP_PASS && glen == len && !memcmp(pkt, got, len), name,
		"err %d verdict %u (want XDP_PASS, unchanged)", err, ret);
	want[XDP_LB_SIMPLE_STAT_PASS]++;
}

int main(void)
{
	struct pkt_spec syn = { .proto = 6, .src = CLIENT, .dst = VIP, .sport = 40000,
				.dport = 8080, .ttl = 61 };
	struct pkt_spec s, o;
	uint8_t data[1000];
	int err, spread[2] = {};

	t_init();
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = i * 7;
	skel = xdp_lb_simple_bpf__open();
	if (!skel) {
		printf("FAIL open xdp_lb_simple (%s)\n", strerror(errno));
		return 1;
	}
	skel->rodata->vip = addr(VIP);
	skel->rodata->lb_addr = addr(LB);
	skel->rodata->client_addr = addr(CLIENT);
	skel->rodata->backend_addr[0] = addr(backends[0]);
	skel->rodata->backend_addr[1] = addr(backends[1]);
	skel->rodata->port = htons(8080);
	memcpy((void *)skel->rodata->lb_mac, lb_mac, 6);
	memcpy((void *)skel->rodata->client_mac, client_mac, 6);
	memcpy((void *)skel->rodata->backend_mac, b_mac, 12);
	err = xdp_lb_simple_bpf__load(skel);
	if (err) {
		printf("FAIL load xdp_lb_simple (%s)\n", strerror(-err));
		return 1;
	}
	prog_fd = bpf_program__fd(skel->progs.xdp_lb_simple);

	/* 200 client ports: each lands where xdp_lb_simple_pick says, and both are used. */
	for (int p = 40000; p < 40200; p++) {
		char name[96];
		int b;

		s = syn;
		s.sport = p;
		s.payload = data;
		s.payload_len = p % 3 ? 0 : 1000;
		s.tcp_flags = p % 3 ? 0x02 : 0x18;
		b = xdp_lb_simple_pick(ntohl(addr(CLIENT)), p, ntohl(addr(VIP)), 8080);
		o = s;
		o.src = LB;
		o.dst = backends[b];
		snprintf(name, sizeof(name), "client port %d: to backend %d, checksums exact", p, b);
		if (p < 40003 || p == 40199)
			rewrite_case(name, s, o, b_mac[b], b);
		else {
			/* Quietly, the same check: only a failure prints. */
			uint8_t pkt[1600], got[1600], exp[1600];
			size_t len = with_macs(pkt, &s, lb_mac, client_mac);
			size_t elen = with_macs(exp, &o, b_mac[b], lb_mac);
			uint32_t glen = 0, ret = 0;

			t_run(prog_fd, pkt, len, got, &glen, &ret);
			if (ret != XDP_TX || glen != elen || memcmp(got, exp, elen))
				t_check(false, name, "verdict %u, bytes differ", ret);
			want[b]++;
		}
		spread[b]++;
	}
	t_check(spread[0] >= 60 && spread[1] >= 60, "200 flows: both backends get 60 or more",
		"%d and %d", spread[0], spread[1]);

	for (int b = 0; b < 2; b++) {
		char name[96];

		s = (struct pkt_spec){ .proto = 6, .src = backends[b], .dst = LB, .sport = 8080,
				       .dport = 40001, .tcp_flags = 0x12, .payload = data,
				       .payload_len = 999 };
		o = s;
		o.src = VIP;
		o.dst = CLIENT;
		snprintf(name, sizeof(name), "backend %d's answer goes to the client from the VIP", b);
		rewrite_case(name, s, o, client_mac, XDP_LB_SIMPLE_STAT_TO_CLIENT);
	}
	s = syn;
	s.ip_opts_len = 8;
	o = s;
	o.src = LB;
	o.dst = backends[xdp_lb_simple_pick(ntohl(addr(CLIENT)), 40000, ntohl(addr(VIP)), 8080)];
	rewrite_case("a SYN with IP options is rewritten too", s, o,
		     b_mac[xdp_lb_simple_pick(ntohl(addr(CLIENT)), 40000, ntohl(addr(VIP)), 8080)],
		     xdp_lb_simple_pick(ntohl(addr(CLIENT)), 40000, ntohl(addr(VIP)), 8080));

	s = syn;
	s.dport = 8081;
	pass_case("another port of the VIP passes", s);
	s = syn;
	s.dst = "192.0.2.81";
	pass_case("another address passes", s);
	s = syn;
	s.proto = 17;
	pass_case("udp to the VIP passes", s);
	s = syn;
	s.frag = 0x2000;
	pass_case("a first fragment to the VIP passes", s);
	s = (struct pkt_spec){ .proto = 6, .src = "198.51.100.99", .dst = LB, .sport = 8080,
			       .dport = 40001 };
	pass_case("port 8080 to the LB from a non-backend passes", s);
	s = (struct pkt_spec){ .family = 6, .proto = 6, .sport = 40000, .dport = 8080 };
	pass_case("ipv6 passes", s);
	s = (struct pkt_spec){ .icmp_type = 8, .dst = VIP };
	pass_case("ping to the VIP passes", s);

	/* Every truncation of a SYN to the VIP passes unchanged. */
	{
		uint8_t pkt[1600], got[1600];
		size_t len = with_macs(pkt, &syn, lb_mac, client_mac), bad = 0;
		uint32_t glen, ret;

		/* BPF_PROG_TEST_RUN wants at least an Ethernet header. */
		for (size_t n = 14; n < len; n++) {
			glen = ret = 0;
			if (t_run(prog_fd, pkt, n, got, &glen, &ret) || ret != XDP_PASS ||
			    memcmp(pkt, got, n))
				bad++;
			else
				want[XDP_LB_SIMPLE_STAT_PASS]++;
		}
		t_check(!bad, "every truncation of a SYN to the VIP passes unchanged",
			"%zu of %zu lengths", bad, len - 14);
	}

	{
		int fd = bpf_map__fd(skel->maps.stats), bad = 0;
		uint64_t c;

		for (__u32 i = 0; i < XDP_LB_SIMPLE_NSTATS; i++) {
			percpu_sum(fd, &i, &c, 1);
			if (c != want[i]) {
				printf("# slot %u: %llu, want %llu\n", i, (unsigned long long)c,
				       (unsigned long long)want[i]);
				bad++;
			}
		}
		t_check(!bad, "counters equal the verdicts", "%d slots differ", bad);
	}
	xdp_lb_simple_bpf__destroy(skel);
	return t_exit();
}
