// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * BPF_PROG_TEST_RUN unit tests of xdp/xdp_redirect.bpf.c, in a network
 * namespace of its own with two veth ports, forwarding on and permanent
 * neighbours, so bpf_fib_lookup() has answers. A forwarded packet must
 * come out byte for byte as a router sends it (MACs from the neighbour
 * table, TTL - 1, IPv4 checksum right) with XDP_REDIRECT.
 */
#include <sched.h>
#include <net/if.h>
#include "testlib.h"
#include "common.h"
#include "xdp/xdp_redirect.h"
#include "xdp/xdp_redirect.skel.h"

static struct xdp_redirect_bpf *skel;
static int ifx[2];
static uint8_t port_mac[2][6];
static const uint8_t h1_mac[6] = { 0x02, 0, 0, 0, 0, 0xa1 };
static const uint8_t h2_mac[6] = { 0x02, 0, 0, 0, 0, 0xa2 };
static uint64_t want_fwd[2], want_pass;

static const char *const setup[] = {
	"ip link set lo up",
	"ip link add p0 type veth peer name q0",
	"ip link add p1 type veth peer name q1",
	"ip addr add 192.0.2.254/24 dev p0",
	"ip addr add 198.51.100.254/24 dev p1",
	"ip -6 addr add 2001:db8:1::fe/64 dev p0 nodad",
	"ip -6 addr add 2001:db8:2::fe/64 dev p1 nodad",
	"for d in p0 q0 p1 q1; do ip link set $d up; done",
	"ip neigh add 192.0.2.1 lladdr 02:00:00:00:00:a1 dev p0 nud permanent",
	"ip neigh add 192.0.2.5 lladdr 02:00:00:00:00:a5 dev p0 nud permanent",
	"ip neigh add 198.51.100.1 lladdr 02:00:00:00:00:a2 dev p1 nud permanent",
	"ip -6 neigh add 2001:db8:1::1 lladdr 02:00:00:00:00:a1 dev p0 nud permanent",
	"ip -6 neigh add 2001:db8:2::1 lladdr 02:00:00:00:00:a2 dev p1 nud permanent",
	"sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1",
};

static int run(int in, const uint8_t *pkt, size_t len, uint8_t *out, uint32_t *olen,
	       uint32_t *ret)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ifx[in] };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len,
		    .data_out = out, .data_size_out = 1600, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);
	int err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdp_redirect), &o);

	*olen = o.data_size_out;
	*ret = o.retval;
	return err ? -errno : 0;
}

/* A frame from the host behind port `in`, addressed to that port's MAC. */
static size_t frame(uint8_t *buf, struct pkt_spec s, int in)
{
	size_t len = build_packet(buf, &s);

	memcpy(buf, port_mac[in], 6);
	memcpy(buf + 6, in ? h2_mac : h1_mac, 6);
	return len;
}

static void fwd_case(const char *name, struct pkt_spec s, int in)
{
	uint8_t pkt[1600], got[1600], exp[1600];
	size_t len = frame(pkt, s, in), elen;
	uint32_t glen = 0, ret = 0;
	int err = run(in, pkt, len, got, &glen, &ret);
	struct pkt_spec o = s;
	bool same;

	o.ttl = (s.ttl ? s.ttl : 64) - 1;
	elen = build_packet(exp, &o);
	memcpy(exp, in ? h1_mac : h2_mac, 6);		/* the next hop */
	memcpy(exp + 6, port_mac[!in], 6);		/* the port it leaves by */
	same = glen == elen && !memcmp(got, exp, elen);
	if (!same) {
		t_hexdump("got", got, glen);
		t_hexdump("want", exp, elen);
	}
	t_check(!err && ret == XDP_REDIRECT && same, name, "err %d verdict %u, bytes %s", err,
		ret, same ? "equal" : "differ");
	want_fwd[in]++;
}

static void pass_pkt(const char *name, const uint8_t *pkt, size_t len, int in)
{
	uint8_t got[1600];
	uint32_t glen = 0, ret = 0;
	int err = run(in, pkt, len, got, &glen, &ret);

	t_check(!err && ret == XDP_PASS && glen == len && !memcmp(pkt, got, len), name,
		"err %d verdict %u (want XDP_PASS, unchanged)", err, ret);
	want_pass++;
}

static void pass_case(const char *name, struct pkt_spec s, int in)
{
	uint8_t pkt[1600];

	pass_pkt(name, pkt, frame(pkt, s, in), in);
}

int main(void)
{
	struct pkt_spec v4 = { .proto = 6, .src = "192.0.2.1", .dst = "198.51.100.1",
			       .sport = 4000, .dport = 80, .ttl = 64 };
	struct pkt_spec v6 = { .family = 6, .proto = 17, .src = "2001:db8:1::1",
			       .dst = "2001:db8:2::1", .sport = 5000, .dport = 53, .ttl = 64 };
	struct pkt_spec s;
	uint8_t buf[1600];
	size_t len;
	int err;

	t_init();
	if (unshare(CLONE_NEWNET)) {
		printf("FAIL a network namespace of our own (%s)\n", strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++)
		if (system(setup[i])) {
			printf("FAIL setup: %s\n", setup[i]);
			return 1;
		}
	for (int i = 0; i < 2; i++) {
		char path[64];
		unsigned int m[6];
		FILE *f;

		ifx[i] = if_nametoindex(i ? "p1" : "p0");
		snprintf(path, sizeof(path), "/sys/class/net/p%d/address", i);
		f = fopen(path, "r");
		if (!f || fscanf(f, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6) {
			/* This mount of sysfs may belong to another namespace: ask ip. */
			char cmd[128];

			if (f)
				fclose(f);
			snprintf(cmd, sizeof(cmd), "ip -br link show p%d | awk '{print $3}'", i);
			f = popen(cmd, "r");
			if (!f || fscanf(f, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6) {
				printf("FAIL read the MAC of p%d\n", i);
				return 1;
			}
			pclose(f);
		} else {
			fclose(f);
		}
		for (int j = 0; j < 6; j++)
			port_mac[i][j] = m[j];
	}

	skel = xdp_redirect_bpf__open();
	if (!skel) {
		printf("FAIL open xdp_redirect (%s)\n", strerror(errno));
		return 1;
	}
	skel->rodata->port_ifindex[0] = ifx[0];
	skel->rodata->port_ifindex[1] = ifx[1];
	err = xdp_redirect_bpf__load(skel);
	if (err) {
		printf("FAIL load xdp_redirect (%s)\n", strerror(-err));
		return 1;
	}

	/* An empty DEVMAP slot: nowhere to send, so the kernel gets it. */
	pass_case("ipv4 p0 -> p1 with an empty DEVMAP passes unchanged", v4, 0);
	for (__u32 i = 0; i < 2; i++) {
		__u32 v = ifx[i];

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.tx_port), &i, &v, 0)) {
			printf("FAIL fill the DEVMAP (%s)\n", strerror(errno));
			return 1;
		}
	}
	fwd_case("ipv4 tcp p0 -> p1: next hop's MAC, TTL 63, checksum exact", v4, 0);
	s = v4;
	s.src = "198.51.100.1";
	s.dst = "192.0.2.1";
	s.ttl = 2;
	fwd_case("ipv4 p1 -> p0 with TTL 2: leaves with TTL 1", s, 1);
	s = v4;
	s.ip_opts_len = 8;
	fwd_case("ipv4 with options is forwarded too", s, 0);
	fwd_case("ipv6 udp p0 -> p1: hop limit 63", v6, 0);
	s = v6;
	s.src = "2001:db8:2::1";
	s.dst = "2001:db8:1::1";
	fwd_case("ipv6 p1 -> p0", s, 1);

	s = v4;
	s.ttl = 1;
	pass_case("ipv4 TTL 1 passes: the kernel sends time exceeded", s, 0);
	s = v6;
	s.ttl = 1;
	pass_case("ipv6 hop limit 1 passes", s, 0);
	s = v4;
	s.dst = "192.0.2.254";
	pass_case("to the router itself passes", s, 0);
	s = v4;
	s.dst = "198.51.100.99";
	pass_case("no neighbour entry yet passes: the kernel resolves it", s, 0);
	s = v4;
	s.dst = "192.0.2.5";
	pass_case("back out of the port it came in on passes", s, 0);
	s = v4;
	s.dst = "203.0.113.1";
	pass_case("no route passes: the kernel answers unreachable", s, 0);
	memset(buf, 0, 60);
	buf[12] = 0x08;
	buf[13] = 0x06;
	pass_pkt("arp passes", buf, 42, 0);

	len = frame(buf, v4, 0);
	{
		size_t bad = 0;

		for (size_t n = 14; n < 14 + 20; n++) {
			uint8_t got[1600];
			uint32_t glen, ret;

			if (run(0, buf, n, got, &glen, &ret) || ret != XDP_PASS)
				bad++;
			want_pass++;
		}
		t_check(!bad, "an IPv4 header cut at every length passes", "%zu of 20", bad);
	}
	(void)len;

	{
		struct xdp_redirect_count c[2];
		int bad = 0;

		for (__u32 i = 0; i < 2; i++) {
			percpu_sum(bpf_map__fd(skel->maps.stats), &i, (uint64_t *)&c[i], 3);
			bad += c[i].fwd_packets != want_fwd[i];
		}
		t_check(!bad && c[0].passed + c[1].passed == want_pass,
			"counters: forwarded per port and passed",
			"fwd %llu/%llu want %llu/%llu, passed %llu want %llu",
			c[0].fwd_packets, c[1].fwd_packets, (unsigned long long)want_fwd[0],
			(unsigned long long)want_fwd[1], c[0].passed + c[1].passed,
			(unsigned long long)want_pass);
	}
	xdp_redirect_bpf__destroy(skel);
	return t_exit();
}
