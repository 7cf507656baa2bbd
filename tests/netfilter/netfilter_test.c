// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * BPF_PROG_TEST_RUN unit tests of netfilter/netfilter.bpf.c (netfilter
 * programs have a test run since Linux 6.5). The context names the hook
 * and family; at LOCAL_OUT the packet starts at the IP header, at the
 * other hooks the test run wants an Ethernet header in front.
 */
#include <sys/utsname.h>
#include "testlib.h"
#include "common.h"
#include "netfilter/netfilter.h"
#include "netfilter/netfilter.skel.h"

#define V_DROP 0	/* NF_DROP */
#define V_ACCEPT 1	/* NF_ACCEPT */
/* From linux/netfilter.h, which clashes with the libc headers testlib.h needs. */
#define NFPROTO_IPV4 2
#define NFPROTO_IPV6 10
enum { NF_INET_PRE_ROUTING, NF_INET_LOCAL_IN, NF_INET_FORWARD, NF_INET_LOCAL_OUT };

static int prog_fd;

/* The leading fields of the kernel's struct nf_hook_state; the rest must be zero. */
struct hook_ctx {
	uint8_t hook;
	uint8_t pf;
	uint8_t pad[6];
};

static int nf_run(int hook, int pf, const void *in, size_t len, uint32_t *verdict)
{
	struct hook_ctx ctx = { .hook = hook, .pf = pf };
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = in,
		.data_size_in = len,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = 1,
	);

	if (bpf_prog_test_run_opts(prog_fd, &o))
		return -errno;
	*verdict = o.retval;
	return 0;
}

/* Build spec (with an Ethernet header unless the hook is LOCAL_OUT) and run it. */
static void verdict_case(const char *name, int hook, struct pkt_spec s, uint32_t want)
{
	int pf = s.family == 6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	uint8_t buf[1600];
	uint32_t v = 99;
	size_t len;
	int err;

	s.no_eth = hook == NF_INET_LOCAL_OUT;
	len = build_packet(buf, &s);
	err = nf_run(hook, pf, buf, len, &v);
	t_check(!err && v == want, name, "err %d verdict %u (want %s)", err, v,
		want == V_DROP ? "NF_DROP" : "NF_ACCEPT");
}

static void stat_of(struct netfilter_bpf *skel, __u32 slot, uint64_t c[2])
{
	percpu_sum(bpf_map__fd(skel->maps.stats), &slot, c, 2);
}

/*
 * Every truncation at LOCAL_OUT: until the ports are there the packet is
 * accepted as unparsed; with them it is dropped.
 */
static void truncation_case(struct netfilter_bpf *skel, const char *name, struct pkt_spec s,
			    size_t ports_end)
{
	uint64_t u0[2], u1[2];
	uint8_t buf[1600];
	size_t len, n, bad = 0, runs = 0, min_len = 0;
	uint32_t v, want;
	int err;

	s.no_eth = true;
	len = build_packet(buf, &s);
	stat_of(skel, NETFILTER_STAT_UNPARSED, u0);
	for (n = 1; n < len; n++) {
		want = n < ports_end ? V_ACCEPT : V_DROP;
		err = nf_run(NF_INET_LOCAL_OUT, s.family == 6 ? NFPROTO_IPV6 : NFPROTO_IPV4,
			     buf, n, &v);
		/* The test run refuses frames below its own minimum size. */
		if (err == -EINVAL && !runs) {
			min_len = n + 1;
			continue;
		}
		runs++;
		if (err || v != want) {
			if (!bad)
				printf("# first failure at length %zu: err %d verdict %u (want %u)\n",
				       n, err, v, want);
			bad++;
		}
	}
	stat_of(skel, NETFILTER_STAT_UNPARSED, u1);
	printf("# %s: the test run accepts from %zu bytes\n", name, min_len);
	t_check(!bad && runs && min_len <= ports_end &&
		u1[0] - u0[0] == runs - (len - ports_end), name,
		"%zu of %zu lengths wrong; unparsed +%llu (want %zu)", bad, runs,
		(unsigned long long)(u1[0] - u0[0]), runs - (len - ports_end));
}

int main(void)
{
	struct pkt_spec tcp80 = { .family = 4, .proto = 6, .sport = 40000, .dport = 80 };
	struct pkt_spec udp80 = { .family = 4, .proto = 17, .sport = 40000, .dport = 80,
				  .payload = "ping", .payload_len = 4 };
	struct netfilter_bpf *skel;
	struct netfilter_port_key key = { .port = 80 };
	uint64_t drop[2], acc[2];
	__u64 zero = 0, n80 = 0;
	struct pkt_spec s;

	t_init();
	/* The loader's own probe and words: the program type came in 6.4. */
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_NETFILTER, NULL) <= 0) {
		struct utsname u;

		uname(&u);
		printf("SKIP netfilter unit tests (BPF_PROG_TYPE_NETFILTER needs Linux 6.4 or newer (this is %s))\n",
		       u.release);
		return 77;
	}
	skel = netfilter_bpf__open_and_load();
	if (!skel) {
		printf("FAIL load netfilter (%s)\n", strerror(errno));
		return 1;
	}
	prog_fd = bpf_program__fd(skel->progs.nf_drop_ports);
	/* Drop TCP and UDP to 80, and only UDP to 53. */
	key.proto = 6;
	bpf_map_update_elem(bpf_map__fd(skel->maps.drop_ports), &key, &zero, BPF_ANY);
	key.proto = 17;
	bpf_map_update_elem(bpf_map__fd(skel->maps.drop_ports), &key, &zero, BPF_ANY);
	key.port = 53;
	bpf_map_update_elem(bpf_map__fd(skel->maps.drop_ports), &key, &zero, BPF_ANY);

	verdict_case("output: ipv4 tcp to 80 is dropped", NF_INET_LOCAL_OUT, tcp80, V_DROP);
	verdict_case("output: ipv4 udp to 80 is dropped", NF_INET_LOCAL_OUT, udp80, V_DROP);
	s = tcp80;
	s.dport = 8080;
	verdict_case("output: ipv4 tcp to 8080 is accepted", NF_INET_LOCAL_OUT, s, V_ACCEPT);
	s = tcp80;
	s.sport = 80;
	s.dport = 40000;
	verdict_case("output: ipv4 tcp from 80 (a reply) is accepted", NF_INET_LOCAL_OUT, s, V_ACCEPT);
	s = udp80;
	s.dport = 53;
	verdict_case("output: ipv4 udp to 53 is dropped", NF_INET_LOCAL_OUT, s, V_DROP);
	s = tcp80;
	s.dport = 53;
	verdict_case("output: ipv4 tcp to 53 is accepted (only udp listed)", NF_INET_LOCAL_OUT, s,
		     V_ACCEPT);
	verdict_case("output: ipv4 icmp is accepted", NF_INET_LOCAL_OUT,
		     (struct pkt_spec){ .family = 4, .icmp_type = 8 }, V_ACCEPT);
	s = tcp80;
	s.ip_opts_len = 8;
	verdict_case("output: ipv4 tcp to 80 behind IP options is dropped", NF_INET_LOCAL_OUT, s,
		     V_DROP);
	s = tcp80;
	s.frag = 0x2000;
	verdict_case("output: first fragment of tcp to 80 is dropped", NF_INET_LOCAL_OUT, s, V_DROP);
	s.frag = 0x0003;
	verdict_case("output: later fragment (no ports) is accepted", NF_INET_LOCAL_OUT, s, V_ACCEPT);
	verdict_case("prerouting: ipv4 tcp to 80 is dropped", NF_INET_PRE_ROUTING, tcp80, V_DROP);
	verdict_case("input: ipv4 udp to 80 is dropped", NF_INET_LOCAL_IN, udp80, V_DROP);
	verdict_case("forward: ipv4 tcp to 80 is dropped", NF_INET_FORWARD, tcp80, V_DROP);
	s = tcp80;
	s.dport = 443;
	verdict_case("forward: ipv4 tcp to 443 is accepted", NF_INET_FORWARD, s, V_ACCEPT);
	s = tcp80;
	s.family = 6;
	verdict_case("output: ipv6 tcp to 80 is dropped", NF_INET_LOCAL_OUT, s, V_DROP);
	verdict_case("input: ipv6 tcp to 80 is dropped", NF_INET_LOCAL_IN, s, V_DROP);
	s.dport = 81;
	verdict_case("input: ipv6 tcp to 81 is accepted", NF_INET_LOCAL_IN, s, V_ACCEPT);

	truncation_case(skel, "output: every truncation of ipv4 tcp to 80", tcp80, 20 + 4);
	s = tcp80;
	s.ip_opts_len = 12;
	truncation_case(skel, "output: every truncation of ipv4 tcp with options to 80", s, 32 + 4);
	s = udp80;
	s.family = 6;
	truncation_case(skel, "output: every truncation of ipv6 udp to 80", s, 40 + 4);

	stat_of(skel, NETFILTER_STAT_DROP, drop);
	stat_of(skel, NETFILTER_STAT_ACCEPT, acc);
	key.port = 80;
	key.proto = 6;
	bpf_map_lookup_elem(bpf_map__fd(skel->maps.drop_ports), &key, &n80);
	t_check(drop[0] >= 11 && acc[0] == 6 && n80 >= 8, "verdict and per-port counters add up",
		"dropped %llu, accepted %llu (want 6), tcp/80 %llu",
		(unsigned long long)drop[0], (unsigned long long)acc[0], (unsigned long long)n80);

	netfilter_bpf__destroy(skel);
	return t_exit();
}
