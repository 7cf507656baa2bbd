// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * BPF_PROG_TEST_RUN unit tests of xdp_drop's --block/--allow: the LPM
 * tries decide by the source's longest matching prefix, IPv4 and IPv6.
 */
#include "testlib.h"
#include "common.h"
#include "xdp/xdp_drop.h"
#include "xdp/xdp_drop.skel.h"

static struct xdp_drop_bpf *skel;
static int prog_fd;
static uint64_t want_blocked, want_passed;

static void add(const char *addr, int len, int block)
{
	struct xdp_drop_lpm4 k4 = { .prefixlen = len };
	struct xdp_drop_lpm6 k6 = { .prefixlen = len };
	__u8 val = block;
	int err;

	if (inet_pton(AF_INET, addr, k4.addr) == 1)
		err = bpf_map_update_elem(bpf_map__fd(skel->maps.prefixes4), &k4, &val, 0);
	else if (inet_pton(AF_INET6, addr, k6.addr) == 1)
		err = bpf_map_update_elem(bpf_map__fd(skel->maps.prefixes6), &k6, &val, 0);
	else
		err = -1;
	if (err) {
		printf("FAIL add prefix %s/%d (%s)\n", addr, len, strerror(errno));
		exit(1);
	}
}

static void expect_pkt(const char *name, const uint8_t *buf, size_t len, int want)
{
	uint32_t ret = 0;
	int err = t_run(prog_fd, buf, len, NULL, NULL, &ret);

	t_check(!err && (int)ret == want, name, "err %d verdict %u, want %s", err, ret,
		want == XDP_DROP ? "XDP_DROP" : "XDP_PASS");
	if (want == XDP_DROP)
		want_blocked++;
	else
		want_passed++;
}

static void expect(const char *name, struct pkt_spec s, int want)
{
	uint8_t buf[1600];

	expect_pkt(name, buf, build_packet(buf, &s), want);
}

int main(void)
{
	struct pkt_spec tcp4 = { .proto = 6, .sport = 4000, .dport = 80 };
	struct pkt_spec ping6 = { .family = 6, .icmp_type = 128 };
	struct pkt_spec s;
	uint8_t buf[1600];
	int err;

	t_init();
	skel = xdp_drop_bpf__open();
	if (!skel) {
		printf("FAIL open xdp_drop (%s)\n", strerror(errno));
		return 1;
	}
	skel->rodata->use_blocklist = true;
	err = xdp_drop_bpf__load(skel);
	if (err) {
		printf("FAIL load xdp_drop (%s)\n", strerror(-err));
		return 1;
	}
	prog_fd = bpf_program__fd(skel->progs.xdp_drop);

	/* Three levels: block /24, allow /25 inside it, block one /32 in that. */
	add("203.0.113.0", 24, 1);
	add("203.0.113.128", 25, 0);
	add("203.0.113.200", 32, 1);
	add("2001:db8:bad::", 48, 1);
	add("2001:db8:bad:ff::", 64, 0);

	s = tcp4;
	s.src = "203.0.113.5";
	expect("ipv4 from the blocked /24 is dropped", s, XDP_DROP);
	s.src = "203.0.113.130";
	expect("ipv4 from the allowed /25 inside it passes (longest prefix)", s, XDP_PASS);
	s.src = "203.0.113.200";
	expect("ipv4 from a blocked /32 inside the allowed /25 is dropped", s, XDP_DROP);
	s.src = "203.0.114.5";
	expect("ipv4 from the next /24 passes", s, XDP_PASS);
	s.src = "192.0.2.1";
	s.dst = "203.0.113.5";
	expect("ipv4 *to* a blocked address passes: the source decides", s, XDP_PASS);
	s = (struct pkt_spec){ .icmp_type = 8 };
	expect("ipv4 ping from an unblocked source passes: --block replaces the ping policy",
	       s, XDP_PASS);
	s.src = "203.0.113.9";
	expect("ipv4 ping from a blocked source is dropped", s, XDP_DROP);
	s = tcp4;
	s.src = "203.0.113.5";
	s.frag = 0x0010;
	expect("ipv4 later fragment from a blocked source is dropped", s, XDP_DROP);
	s.frag = 0;
	s.vlan = 5;
	expect("ipv4 from a blocked source behind a VLAN tag is dropped", s, XDP_DROP);
	s.vlan = 0;
	s.ip_opts_len = 8;
	expect("ipv4 with options from a blocked source is dropped", s, XDP_DROP);

	s = ping6;
	s.src = "2001:db8:bad:1::5";
	expect("ipv6 from the blocked /48 is dropped", s, XDP_DROP);
	s.src = "2001:db8:bad:ff::5";
	expect("ipv6 from the allowed /64 inside it passes", s, XDP_PASS);
	s.src = "2001:db8:bae::5";
	expect("ipv6 from the next /48 passes", s, XDP_PASS);
	s.src = "2001:db8:1::1";
	expect("ipv6 ping from an unblocked source passes", s, XDP_PASS);
	s = (struct pkt_spec){ .family = 6, .proto = 17, .sport = 1, .dport = 53,
			       .src = "2001:db8:bad::1" };
	expect("ipv6 udp from a blocked source is dropped", s, XDP_DROP);
	s = ping6;
	s.src = "2001:db8:bad::1";
	s.icmp_type = 135;
	expect("ipv6 neighbour solicitation from a blocked source passes (ND must work)",
	       s, XDP_PASS);
	s.icmp_type = 136;
	expect("ipv6 neighbour advertisement from a blocked source passes", s, XDP_PASS);

	/* A blocked source in an IPv4 header that is cut short: the kernel drops it. */
	s = tcp4;
	s.src = "203.0.113.5";
	build_packet(buf, &s);
	expect_pkt("ipv4 header cut short passes (its source cannot be trusted)", buf, 14 + 19,
		   XDP_PASS);
	buf[14] = 0x46;			/* IHL 6: options beyond the header */
	expect_pkt("ipv4 header with an invalid IHL passes", buf, 14 + 20, XDP_PASS);
	memset(buf, 0, 60);
	buf[12] = 0x08;
	buf[13] = 0x06;
	expect_pkt("arp passes", buf, 42, XDP_PASS);

	{
		int fd = bpf_map__fd(skel->maps.stats);
		__u32 kb = XDP_DROP_STAT_BLOCKED, kp = XDP_DROP_STAT_PASS_OTHER;
		uint64_t b[2] = {}, p[2] = {};

		percpu_sum(fd, &kb, b, 2);
		percpu_sum(fd, &kp, p, 2);
		t_check(b[0] == want_blocked && p[0] == want_passed,
			"counters: blocked and passed equal the verdicts",
			"blocked %llu (want %llu), passed %llu (want %llu)",
			(unsigned long long)b[0], (unsigned long long)want_blocked,
			(unsigned long long)p[0], (unsigned long long)want_passed);
	}
	xdp_drop_bpf__destroy(skel);
	return t_exit();
}
