// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * BPF_PROG_TEST_RUN unit tests of xdp/xdp_load_balancer.bpf.c. The test
 * moves into a network namespace of its own (gone when it exits) with one
 * veth and permanent neighbour entries, so bpf_fib_lookup has real
 * answers. Expected packets are built from scratch by build_packet(),
 * whose checksums are computed in full: the program's incremental
 * updates are compared with them byte for byte.
 */
#include <net/if.h>
#include <sched.h>
#include "testlib.h"
#include "common.h"
#include "xdp/xdp_load_balancer.h"
#include "xdp/xdp_load_balancer.skel.h"

#define VIP	"192.0.2.80"
#define LB	"198.51.100.254"
#define B1	"198.51.100.11"
#define B2	"198.51.100.12"
#define B3	"198.51.100.13"		/* no neighbour entry */
#define B4	"198.51.100.14"
#define CLIENT	"192.0.2.1"
#define CLIENT2	"192.0.2.2"

enum { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10 };

static const uint8_t mac_lb[6] = { 0x02, 0, 0, 0, 0, 0xfe };
static const uint8_t mac_b1[6] = { 0x02, 0, 0, 0, 0, 0x11 };
static const uint8_t mac_b2[6] = { 0x02, 0, 0, 0, 0, 0x12 };
static const uint8_t mac_client[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t mac_client2[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static struct xdp_load_balancer_bpf *skel;
static int prog_fd, ifindex;

static const char *setup_cmds[] = {
	"ip link set lo up",
	"ip link add lbt0 address 02:00:00:00:00:fe type veth peer name lbt1",
	"ip link set lbt0 up",
	"ip link set lbt1 up",
	"ip addr add 192.0.2.254/24 dev lbt0",
	"ip addr add 198.51.100.254/24 dev lbt0",
	"ip neigh add 198.51.100.11 lladdr 02:00:00:00:00:11 dev lbt0 nud permanent",
	"ip neigh add 198.51.100.12 lladdr 02:00:00:00:00:12 dev lbt0 nud permanent",
	"ip neigh add 198.51.100.14 lladdr 02:00:00:00:00:14 dev lbt0 nud permanent",
	"ip neigh add 192.0.2.1 lladdr 02:00:00:00:00:01 dev lbt0 nud permanent",
	"ip neigh add 192.0.2.2 lladdr 02:00:00:00:00:02 dev lbt0 nud permanent",
	"sysctl -qw net.ipv4.ip_forward=1",
};

static uint32_t addr(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static const char *const all_backends[] = { B1, B2, B3, B4 };

/* The loader's job in small: slots, members, a counter entry per backend. */
static void set_backends(int n, const char *const *list)
{
	int slots = bpf_map__fd(skel->maps.backends);
	int members = bpf_map__fd(skel->maps.members);
	int stats = bpf_map__fd(skel->maps.backend_stats);
	struct xdp_load_balancer_count zero[libbpf_num_possible_cpus()];
	uint32_t a, key;
	uint8_t one = 1;

	memset(zero, 0, sizeof(zero));
	for (key = 0; key < 4; key++) {
		a = addr(all_backends[key]);
		bpf_map_delete_elem(members, &a);
	}
	for (key = 0; key < (uint32_t)n; key++) {
		a = addr(list[key]);
		bpf_map_update_elem(slots, &key, &a, BPF_ANY);
		bpf_map_update_elem(members, &a, &one, BPF_ANY);
		bpf_map_update_elem(stats, &a, zero, BPF_NOEXIST);
	}
	skel->bss->nr_backends = n;
}

/* One run with the packet arriving on lbt0 (bpf_fib_lookup starts there). */
static int run(const void *in, size_t len, uint8_t *out, uint32_t *out_len, uint32_t *ret)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = in, .data_size_in = len,
		.data_out = out, .data_size_out = 1600,
		.ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		.repeat = 1,
	);

	if (bpf_prog_test_run_opts(prog_fd, &o))
		return -errno;
	*out_len = o.data_size_out;
	*ret = o.retval;
	return 0;
}

static struct pkt_spec tcp(const char *src, const char *dst, uint16_t sport, uint16_t dport,
			   uint8_t flags)
{
	return (struct pkt_spec){ .proto = 6, .src = src, .dst = dst, .sport = sport,
				  .dport = dport, .tcp_flags = flags };
}

/* TCP checksum of the packet as it stands, over the pseudo-header (0 = right). */
static uint16_t tcp_check(const uint8_t *p, size_t len)
{
	const uint8_t *ip = p + 14;
	size_t hl = (ip[0] & 0xf) * 4, l4len = len - 14 - hl;

	return t_csum(ip + hl, l4len, t_sum(ip + 12, 8, 6 + l4len));
}

/*
 * `in` must leave as `want` with these MACs, with XDP_TX. Also checks
 * both checksums on their own, so a failure says which one is wrong.
 */
static void rewrite_case(const char *name, struct pkt_spec in, struct pkt_spec want,
			 const uint8_t *dmac)
{
	uint8_t ib[1600], wb[1600], out[1600];
	size_t len = build_packet(ib, &in), wlen = build_packet(wb, &want);
	uint32_t out_len = 0, ret = 0;
	int err;
	bool same;

	memcpy(ib, mac_lb, 6);		/* as it arrives: sent to the LB */
	memcpy(wb, dmac, 6);
	memcpy(wb + 6, mac_lb, 6);
	err = run(ib, len, out, &out_len, &ret);
	same = out_len == wlen && !memcmp(out, wb, wlen);
	if (err || ret != XDP_TX || !same) {
		t_hexdump("got (headers)", out, out_len < 64 ? out_len : 64);
		t_hexdump("want (headers)", wb, wlen < 64 ? wlen : 64);
	}
	t_check(!err && ret == XDP_TX && same, name,
		"err %d verdict %u (want XDP_TX=%d), bytes %s, ip csum %s, tcp csum %s",
		err, ret, XDP_TX, same ? "equal" : "differ",
		t_ipv4_check(out + 14) ? "wrong" : "ok", tcp_check(out, out_len) ? "wrong" : "ok");
}

static void verdict_case(const char *name, const uint8_t *in, size_t len, uint32_t want)
{
	uint8_t out[1600];
	uint32_t out_len = 0, ret = 0;
	int err = run(in, len, out, &out_len, &ret);
	bool same = out_len == len && !memcmp(in, out, len);

	t_check(!err && ret == want && same, name,
		"err %d verdict %u (want %u, packet unchanged: %s)", err, ret, want,
		same ? "yes" : "no");
}

static void pass_spec(const char *name, struct pkt_spec s)
{
	uint8_t in[1600];

	verdict_case(name, in, build_packet(in, &s), XDP_PASS);
}

static void truncation_case(const char *name, struct pkt_spec s)
{
	uint8_t in[1600], out[1600];
	size_t len = build_packet(in, &s), bad = 0, n;
	uint32_t out_len = 0, ret = 0;
	int err;

	for (n = 0; n < len; n++) {
		err = run(in, n, out, &out_len, &ret);
		/* Below 14 bytes the kernel refuses the run itself. */
		if (n < 14 && err)
			continue;
		if (err || ret != XDP_PASS || out_len != n || memcmp(in, out, n)) {
			if (!bad)
				printf("# first failure at length %zu: err %d verdict %u\n", n, err, ret);
			bad++;
		}
	}
	t_check(!bad, name, "%zu of %zu lengths did not pass unchanged", bad, len);
}

/* Which backend a SYN from CLIENT:port went to (0 if none), read back from the packet. */
static uint32_t syn_backend(const char *client, uint16_t port)
{
	struct pkt_spec s = tcp(client, VIP, port, 8080, SYN);
	uint8_t in[1600], out[1600];
	uint32_t out_len = 0, ret = 0, a;

	if (run(in, build_packet(in, &s), out, &out_len, &ret) || ret != XDP_TX)
		return 0;
	memcpy(&a, out + 14 + 16, 4);
	return a;
}

/*
 * Which backend a SYN from CLIENT:port with initial sequence number isn
 * went to (0 if none). build_packet's SYNs all carry one ISN; this one
 * is patched in, with the TCP checksum computed again in full.
 */
static uint32_t syn_isn_backend(uint16_t port, uint32_t isn)
{
	struct pkt_spec s = tcp(CLIENT, VIP, port, 8080, SYN);
	uint8_t in[1600], out[1600], *th = in + 14 + 20;
	uint32_t out_len = 0, ret = 0, a, seq = htonl(isn);
	size_t len = build_packet(in, &s);
	uint16_t c = 0;

	memcpy(th + 4, &seq, 4);
	memcpy(th + 16, &c, 2);
	c = t_csum(th, len - 14 - 20, t_sum(in + 14 + 12, 8, 6 + len - 14 - 20));
	memcpy(th + 16, &c, 2);
	if (run(in, len, out, &out_len, &ret) || ret != XDP_TX || tcp_check(out, out_len))
		return 0;
	memcpy(&a, out + 14 + 16, 4);
	return a;
}

static uint64_t backend_conns(const char *b)
{
	uint32_t a = addr(b);
	struct xdp_load_balancer_count c = {};

	percpu_sum(bpf_map__fd(skel->maps.backend_stats), &a, (uint64_t *)&c, 3);
	return c.conns;
}

static uint64_t stat(enum xdp_load_balancer_stat which)
{
	uint32_t k = which;
	uint64_t v = 0;

	percpu_sum(bpf_map__fd(skel->maps.stats), &k, &v, 1);
	return v;
}

int main(void)
{
	static const char payload[1001] = "GET /big.bin HTTP/1.1\r\nHost: 192.0.2.80\r\n";
	const char *one[] = { B1 }, *two[] = { B1, B2 }, *none[] = { B3 };
	struct pkt_spec s, w;
	uint8_t buf[1600];
	size_t len, i;
	int n1 = 0, n2 = 0, wrong = 0;

	t_init();
	if (unshare(CLONE_NEWNET)) {
		printf("FAIL a network namespace of our own (%s)\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < sizeof(setup_cmds) / sizeof(setup_cmds[0]); i++) {
		if (system(setup_cmds[i])) {
			printf("FAIL test namespace setup: %s\n", setup_cmds[i]);
			return 1;
		}
	}
	ifindex = if_nametoindex("lbt0");

	skel = xdp_load_balancer_bpf__open();
	if (!skel) {
		printf("FAIL open xdp_load_balancer (%s)\n", strerror(errno));
		return 1;
	}
	skel->rodata->vip = addr(VIP);
	skel->rodata->vport = htons(8080);
	skel->rodata->lb_addr = addr(LB);
	if (xdp_load_balancer_bpf__load(skel)) {
		printf("FAIL load xdp_load_balancer (%s)\n", strerror(errno));
		return 1;
	}
	prog_fd = bpf_program__fd(skel->progs.xdp_load_balancer);

	/* No backends: the kernel gets the SYN (and answers with a RST). */
	set_backends(0, one);
	pass_spec("SYN to the VIP with no backends passes", tcp(CLIENT, VIP, 39999, 8080, SYN));

	set_backends(1, one);
	rewrite_case("SYN to the VIP is rewritten to the backend (XDP_TX)",
		     tcp(CLIENT, VIP, 40000, 8080, SYN),
		     tcp(LB, B1, 40000, 8080, SYN), mac_b1);
	rewrite_case("the backend's SYN-ACK is rewritten back to the client",
		     tcp(B1, LB, 8080, 40000, SYN | ACK),
		     tcp(VIP, CLIENT, 8080, 40000, SYN | ACK), mac_client);
	s = tcp(CLIENT, VIP, 40000, 8080, ACK | PSH);
	s.payload = payload;
	s.payload_len = 1000;
	w = tcp(LB, B1, 40000, 8080, ACK | PSH);
	w.payload = payload;
	w.payload_len = 1000;
	rewrite_case("a 1000-byte segment to the VIP: checksums still right", s, w, mac_b1);
	s.payload_len = w.payload_len = 999;
	s.sport = w.sport = 8080;
	s.dport = w.dport = 40000;
	s.src = B1;
	s.dst = LB;
	w.src = VIP;
	w.dst = CLIENT;
	rewrite_case("a 999-byte segment back to the client: checksums still right", s, w, mac_client);
	s = tcp(CLIENT, VIP, 40000, 8080, SYN);
	s.ip_opts_len = 8;
	w = tcp(LB, B1, 40000, 8080, SYN);
	w.ip_opts_len = 8;
	rewrite_case("a SYN with IP options is rewritten", s, w, mac_b1);
	rewrite_case("FIN of the connection goes to the same backend",
		     tcp(CLIENT, VIP, 40000, 8080, FIN | ACK),
		     tcp(LB, B1, 40000, 8080, FIN | ACK), mac_b1);
	rewrite_case("RST of the connection goes to the same backend",
		     tcp(CLIENT, VIP, 40000, 8080, RST),
		     tcp(LB, B1, 40000, 8080, RST), mac_b1);

	/* A second client with the same port: the LB needs another port towards B1. */
	{
		uint8_t in[1600], out[1600];
		uint32_t out_len = 0, ret = 0;
		uint16_t port = 0;

		s = tcp(CLIENT2, VIP, 40000, 8080, SYN);
		run(in, build_packet(in, &s), out, &out_len, &ret);
		port = out[14 + 20] << 8 | out[14 + 21];
		t_check(ret == XDP_TX && port >= XDP_LOAD_BALANCER_NAT_PORT_MIN &&
			port < XDP_LOAD_BALANCER_NAT_PORT_MIN + XDP_LOAD_BALANCER_NAT_PORTS &&
			!t_ipv4_check(out + 14) &&
			!tcp_check(out, out_len),
			"same client port from another client gets its own NAT port",
			"verdict %u, port %u, ip csum %s, tcp csum %s", ret, port,
			t_ipv4_check(out + 14) ? "wrong" : "ok", tcp_check(out, out_len) ? "wrong" : "ok");
		rewrite_case("the reply to that NAT port goes to the second client",
			     tcp(B1, LB, 8080, port, SYN | ACK),
			     tcp(VIP, CLIENT2, 8080, 40000, SYN | ACK),
			     mac_client2);
	}

	/* Two backends: the hash of the connection decides, and spreads. */
	set_backends(2, two);
	for (i = 0; i < 200; i++) {
		uint16_t port = 41000 + i * 3;
		uint32_t got = syn_backend(CLIENT, port);
		uint32_t h = xdp_load_balancer_hash(addr(CLIENT), htons(port), addr(VIP),
						    htons(8080));
		uint32_t want = addr(two[h % 2]);

		wrong += got != want;
		n1 += got == addr(B1);
		n2 += got == addr(B2);
	}
	t_check(!wrong, "200 SYNs each go to the backend the connection hash names",
		"%d went elsewhere", wrong);
	t_check(n1 >= 70 && n2 >= 70, "the hash spreads 200 connections over both backends",
		"%d and %d", n1, n2);

	/* Find a connection on B2, then take B2 out of the set. */
	for (i = 0; i < 200 && syn_backend(CLIENT, 41000 + i * 3) != addr(B2); i++)
		;
	set_backends(1, one);
	rewrite_case("after B2 left the set its established connection still goes to B2",
		     tcp(CLIENT, VIP, 41000 + i * 3, 8080, ACK),
		     tcp(LB, B2, 41000 + i * 3, 8080, ACK), mac_b2);
	rewrite_case("a new SYN on that port goes to the remaining backend",
		     tcp(CLIENT, VIP, 41000 + i * 3, 8080, SYN),
		     tcp(LB, B1, 41000 + i * 3, 8080, SYN), mac_b1);

	/*
	 * A client that reuses its port while a backend joins the set: a
	 * retransmitted SYN (same ISN) keeps its backend, a SYN with a new
	 * ISN is a new connection and is scheduled over the new set. Pick a
	 * port that the hash puts on B4 once B4 is in.
	 */
	{
		const char *b1_b4[] = { B1, B4 };
		uint64_t c1, c4;
		uint16_t port = 47000;

		while (xdp_load_balancer_hash(addr(CLIENT), htons(port), addr(VIP),
					      htons(8080)) % 2 != 1)
			port++;
		set_backends(1, one);
		c1 = backend_conns(B1);
		t_check(syn_isn_backend(port, 1000) == addr(B1), "reused port: the first connection goes to B1",
			"went elsewhere");
		set_backends(2, b1_b4);
		c4 = backend_conns(B4);
		t_check(syn_isn_backend(port, 1000) == addr(B1),
			"B4 added: a retransmitted SYN (same ISN) stays on B1", "went elsewhere");
		t_check(backend_conns(B1) == c1 + 1, "the retransmit is not counted as a connection",
			"B1 conns went from %llu to %llu", (unsigned long long)c1,
			(unsigned long long)backend_conns(B1));
		t_check(syn_isn_backend(port, 5000000) == addr(B4),
			"B4 added: a SYN with a new ISN on the reused port goes where the hash says (B4)",
			"went elsewhere");
		t_check(backend_conns(B4) == c4 + 1, "the new connection is counted for B4",
			"B4 conns went from %llu to %llu", (unsigned long long)c4,
			(unsigned long long)backend_conns(B4));
		pass_spec("the old connection's LB port towards B1 is released",
			  tcp(B1, LB, 8080, port, ACK));
		rewrite_case("B4's SYN-ACK goes back to the client",
			     tcp(B4, LB, 8080, port, SYN | ACK), tcp(VIP, CLIENT, 8080, port, SYN | ACK),
			     mac_client);
		set_backends(1, one);
	}

	/*
	 * A client the kernel has no neighbour entry for: the reply goes to
	 * the MAC the client's SYN came from (build_packet's source MAC).
	 */
	rewrite_case("SYN from a client without a neighbour entry is rewritten",
		     tcp("192.0.2.3", VIP, 44000, 8080, SYN), tcp(LB, B1, 44000, 8080, SYN), mac_b1);
	rewrite_case("the reply to it goes to the MAC its SYN came from",
		     tcp(B1, LB, 8080, 44000, SYN | ACK), tcp(VIP, "192.0.2.3", 8080, 44000, SYN | ACK),
		     t_mac_src);
	t_check(stat(XDP_LOAD_BALANCER_STAT_LEARNED_MAC) == 1, "that reply is counted as learned-MAC",
		"%llu",
		(unsigned long long)stat(XDP_LOAD_BALANCER_STAT_LEARNED_MAC));

	/* A backend whose MAC the kernel does not know yet: dropped, counted. */
	set_backends(1, none);
	s = tcp(CLIENT, VIP, 45000, 8080, SYN);
	len = build_packet(buf, &s);
	verdict_case("SYN to a backend with no neighbour entry is dropped", buf, len, XDP_DROP);
	t_check(stat(XDP_LOAD_BALANCER_STAT_NO_NEIGH) == 1, "the drop is counted as no-neigh",
		"%llu",
		(unsigned long long)stat(XDP_LOAD_BALANCER_STAT_NO_NEIGH));
	set_backends(1, one);

	/* Not ours: everything else passes unchanged. */
	truncation_case("every truncation of a SYN to the VIP passes unchanged",
			tcp(CLIENT, VIP, 46000, 8080, SYN));
	truncation_case("every truncation of a backend's reply passes unchanged",
			tcp(B1, LB, 8080, 40000, ACK));
	pass_spec("TCP to the VIP on another port passes", tcp(CLIENT, VIP, 46001, 80, SYN));
	pass_spec("TCP to another address on 8080 passes",
		  tcp(CLIENT, "192.0.2.254", 46002, 8080, SYN));
	pass_spec("a backend's packet to an unknown LB port passes (the LB's own connection)",
		  tcp(B1, LB, 8080, 33333, SYN | ACK));
	pass_spec("UDP to VIP:8080 passes", (struct pkt_spec){ .proto = 17, .src = CLIENT, .dst = VIP,
							      .sport = 46003, .dport = 8080 });
	pass_spec("ICMP to the VIP passes", (struct pkt_spec){ .src = CLIENT, .dst = VIP, .icmp_type = 8 });
	pass_spec("IPv6 TCP to port 8080 passes", (struct pkt_spec){ .family = 6, .proto = 6,
								     .sport = 46004, .dport = 8080 });
	s = tcp(CLIENT, VIP, 46005, 8080, SYN);
	s.vlan = 7;
	pass_spec("a VLAN-tagged SYN to the VIP passes", s);
	s.vlan = 0;
	s.frag = 0x2000;
	pass_spec("a first fragment to the VIP passes", s);
	s.frag = 0x0010;
	pass_spec("a later fragment to the VIP passes", s);

	s = tcp(CLIENT, VIP, 46006, 8080, SYN);
	len = build_packet(buf, &s);
	buf[14] = 0x55;				/* version 5 */
	verdict_case("IP version 5 passes", buf, len, XDP_PASS);
	len = build_packet(buf, &s);
	buf[14] = 0x44;				/* IHL 4 */
	verdict_case("IPv4 IHL 4 passes", buf, len, XDP_PASS);
	len = build_packet(buf, &s);
	buf[17] = 30;				/* IP total length beyond the frame */
	buf[16] = 1;
	verdict_case("IP total length beyond the frame passes", buf, len, XDP_PASS);
	len = build_packet(buf, &s);
	buf[14 + 20 + 12] = 4 << 4;		/* TCP data offset 4 */
	verdict_case("TCP data offset 4 passes", buf, len, XDP_PASS);
	len = build_packet(buf, &s);
	buf[14 + 20 + 12] = 15 << 4;		/* TCP options beyond the packet */
	verdict_case("TCP data offset 15 beyond the packet passes", buf, len, XDP_PASS);

	{
		uint32_t b1 = addr(B1);
		struct xdp_load_balancer_count c = {};

		percpu_sum(bpf_map__fd(skel->maps.backend_stats), &b1, (uint64_t *)&c, 3);
		t_check(c.conns >= 2 && c.packets >= 9, "per-backend counters count connections and packets",
			"B1: conns %llu packets %llu", (unsigned long long)c.conns,
			(unsigned long long)c.packets);
	}
	xdp_load_balancer_bpf__destroy(skel);
	return t_exit();
}
