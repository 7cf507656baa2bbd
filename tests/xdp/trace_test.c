// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * xdp_drop --trace under BPF_PROG_TEST_RUN: the line each packet leaves,
 * the rate limit (shown + not shown = packets), nothing when off, and no
 * cost when off: the verifier walks as many instructions as for the same
 * program built without tracing (make builds it with -DTRACE_COMPILED_OUT).
 */
#include "testlib.h"
#include "tracelib.h"
#include "xdp/xdp_drop.h"
#include "xdp/xdp_drop.skel.h"

#define UNTRACED ".output/tests/untraced/xdp/xdp_drop.bpf.o"

/* Both programs: xdp_drop_trace (--trace) and xdp_drop (without). */
static struct xdp_drop_bpf *open_load(__u32 rate, bool all_ip, bool blocklist)
{
	struct xdp_drop_bpf *skel = xdp_drop_bpf__open();

	if (!skel)
		return NULL;
	skel->rodata->trace_rate = rate;
	skel->rodata->drop_all_ip = all_ip;
	skel->rodata->use_blocklist = blocklist;
	if (xdp_drop_bpf__load(skel)) {
		xdp_drop_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

/* An ARP request: who has 192.0.2.2? Tell 192.0.2.1. */
static size_t build_arp(uint8_t *buf)
{
	static const uint8_t arp[] = {
		0, 1, 0x08, 0x00, 6, 4, 0, 1,
		0x02, 0, 0, 0, 0, 0x01, 192, 0, 2, 1,
		0, 0, 0, 0, 0, 0, 192, 0, 2, 2,
	};

	memset(buf, 0xff, 6);
	memcpy(buf + 6, t_mac_src, 6);
	buf[12] = 0x08;
	buf[13] = 0x06;
	memcpy(buf + 14, arp, sizeof(arp));
	return 14 + sizeof(arp);
}

static void expect_line(struct xdp_drop_bpf *skel, const char *name, const uint8_t *pkt,
			size_t len, const char *want)
{
	int fd = bpf_program__fd(skel->progs.xdp_drop_trace);
	struct tl_lines l;
	uint32_t ret;
	int err = t_run(fd, pkt, len, NULL, NULL, &ret);

	tl_collect(skel->obj, &l);
	t_check(!err && l.n == 1 && !strcmp(l.line[0], want), name, "err %d, %d lines, got '%s', want '%s'",
		err, l.n, l.n ? l.line[0] : "", want);
}

static void expect_spec(struct xdp_drop_bpf *skel, const char *name, struct pkt_spec s,
			size_t cut, const char *want)
{
	uint8_t buf[1600];
	size_t len = build_packet(buf, &s);

	expect_line(skel, name, buf, cut ? cut : len, want);
}

static void lines(struct xdp_drop_bpf *skel)
{
	uint8_t buf[1600];

	expect_spec(skel, "ipv4 echo request: drop, addresses, type", (struct pkt_spec){ .icmp_type = 8 },
		    0, "drop icmp 192.0.2.1 > 192.0.2.2 echo-request len 42");
	expect_spec(skel, "ipv4 echo request in a VLAN", (struct pkt_spec){ .icmp_type = 8, .vlan = 7 },
		    0, "drop icmp 192.0.2.1 > 192.0.2.2 echo-request len 46");
	expect_spec(skel, "ipv6 echo reply", (struct pkt_spec){ .family = 6, .icmp_type = 129 },
		    0, "drop icmpv6 2001:db8:1::1 > 2001:db8:1::2 echo-reply len 62");
	expect_spec(skel, "ipv6 neighbour solicitation passes",
		    (struct pkt_spec){ .family = 6, .icmp_type = 135 },
		    0, "pass icmpv6 2001:db8:1::1 > 2001:db8:1::2 neighbour-solicitation len 62");
	expect_spec(skel, "ipv4 unreachable passes", (struct pkt_spec){ .icmp_type = 3, .icmp_code = 1 },
		    0, "pass icmp 192.0.2.1 > 192.0.2.2 unreachable len 42");
	expect_spec(skel, "tcp over ipv4: ports",
		    (struct pkt_spec){ .proto = 6, .sport = 40000, .dport = 80 },
		    0, "pass tcp 192.0.2.1:40000 > 192.0.2.2:80 len 54");
	expect_spec(skel, "udp over ipv6: [addr]:port",
		    (struct pkt_spec){ .family = 6, .proto = 17, .sport = 5353, .dport = 53 },
		    0, "pass udp [2001:db8:1::1]:5353 > [2001:db8:1::2]:53 len 62");
	expect_spec(skel, "ipv4 later fragment: no ports, no type",
		    (struct pkt_spec){ .icmp_type = 8, .frag = 0x0010 },
		    0, "pass icmp 192.0.2.1 > 192.0.2.2 fragment len 42");
	expect_spec(skel, "tcp header cut short",
		    (struct pkt_spec){ .proto = 6, .sport = 1, .dport = 2 },
		    14 + 20 + 10, "pass tcp 192.0.2.1 > 192.0.2.2 truncated len 44");
	expect_spec(skel, "ipv4 header cut short", (struct pkt_spec){ .icmp_type = 8 },
		    14 + 12, "pass ipv4 truncated len 26");
	expect_spec(skel, "other IP protocol", (struct pkt_spec){ .proto = 47 },
		    0, "pass ipv4 proto 47 192.0.2.1 > 192.0.2.2 len 34");
	expect_line(skel, "arp request", buf, build_arp(buf),
		    "pass arp who-has 192.0.2.2 tell 192.0.2.1 len 42");
}

/* Every prefix of a packet leaves exactly one line (the parse of the trace is defined, too). */
static void truncations(struct xdp_drop_bpf *skel, const char *name, struct pkt_spec s)
{
	int fd = bpf_program__fd(skel->progs.xdp_drop_trace);
	uint8_t buf[1600];
	size_t len = build_packet(buf, &s), bad = 0;
	struct tl_lines l;
	uint32_t ret;

	for (size_t n = 14; n <= len; n++) {	/* BPF_PROG_TEST_RUN needs 14 */
		if (t_run(fd, buf, n, NULL, NULL, &ret) || tl_collect(skel->obj, &l) != 1)
			bad++;
	}
	t_check(!bad, name, "%zu of %zu lengths without exactly one trace line", bad, len);
}

/* trace_format() on events no xdp_drop packet makes: other hooks' verdicts, ARP replies. */
static void fmt_case(const char *name, struct trace_pkt e, const char *want)
{
	char got[256];

	trace_format(&e, got, sizeof(got));
	t_check(!strcmp(got, want), name, "got '%s', want '%s'", got, want);
}

static void formatter(void)
{
	struct trace_pkt tcp = { .len = 74, .eth_proto = 0x0800, .family = 4, .proto = 6,
				 .sport = 40000, .dport = 80, .saddr = { 192, 0, 2, 2 },
				 .daddr = { 192, 0, 2, 1 } };
	struct trace_pkt e = tcp;

	e.hook = TRACE_HOOK_XDP, e.verdict = 3;
	fmt_case("format: XDP_TX is tx", e, "tx tcp 192.0.2.2:40000 > 192.0.2.1:80 len 74");
	e.verdict = 4;
	fmt_case("format: XDP_REDIRECT is redirect", e, "redirect tcp 192.0.2.2:40000 > 192.0.2.1:80 len 74");
	e.verdict = 0;
	fmt_case("format: XDP_ABORTED is aborted", e, "aborted tcp 192.0.2.2:40000 > 192.0.2.1:80 len 74");
	e.hook = TRACE_HOOK_TC, e.verdict = 0;
	fmt_case("format: TC_ACT_OK is ok", e, "ok tcp 192.0.2.2:40000 > 192.0.2.1:80 len 74");
	e.verdict = 7;
	fmt_case("format: TC_ACT_REDIRECT is redirect", e,
		 "redirect tcp 192.0.2.2:40000 > 192.0.2.1:80 len 74");
	e.verdict = 42;
	fmt_case("format: an unknown verdict by number", e,
		 "verdict 42 tcp 192.0.2.2:40000 > 192.0.2.1:80 len 74");
	e = (struct trace_pkt){ .len = 42, .eth_proto = 0x0806, .type = 2, .verdict = 2,
				.mac = { 0x02, 0, 0, 0, 0, 0x01 }, .saddr = { 192, 0, 2, 1 },
				.daddr = { 192, 0, 2, 2 } };
	fmt_case("format: arp reply", e, "pass arp reply 192.0.2.1 is-at 02:00:00:00:00:01 len 42");
	e = (struct trace_pkt){ .len = 60, .eth_proto = 0x88cc, .verdict = 2 };
	fmt_case("format: another EtherType", e, "pass ethertype 0x88cc len 60");
	e = (struct trace_pkt){ .len = 70, .eth_proto = 0x86dd, .family = 6, .flags = TRACE_F_FRAG,
				.verdict = 2, .saddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
				.daddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };
	fmt_case("format: an ipv6 later fragment", e, "pass ipv6 2001:db8::1 > 2001:db8::2 fragment len 70");
}

int main(void)
{
	static const char *const all_ip[] = { "drop_all_ip", NULL };
	static const char *const blocklist[] = { "use_blocklist", NULL };
	struct xdp_drop_bpf *skel;
	struct pkt_spec echo = { .icmp_type = 8 };
	uint64_t shown, missed;
	struct tl_lines l;
	uint8_t buf[1600];
	size_t len;
	uint32_t ret;

	t_init();
	formatter();

	skel = open_load(1000, false, false);
	if (!skel) {
		t_check(false, "load xdp_drop with tracing", "%s", strerror(errno));
		return t_exit();
	}
	lines(skel);
	truncations(skel, "every truncation of an ipv6 tcp packet leaves one line",
		    (struct pkt_spec){ .family = 6, .proto = 6, .sport = 1, .dport = 2, .vlan = 3 });
	truncations(skel, "every truncation of an ipv4 echo leaves one line",
		    (struct pkt_spec){ .icmp_type = 8, .ip_opts_len = 8 });
	xdp_drop_bpf__destroy(skel);

	skel = open_load(1000, true, false);
	if (skel) {
		expect_spec(skel, "--all-ip: tcp is dropped, and says so",
			    (struct pkt_spec){ .proto = 6, .sport = 40000, .dport = 80 },
			    0, "drop tcp 192.0.2.1:40000 > 192.0.2.2:80 len 54");
		xdp_drop_bpf__destroy(skel);
	}

	/* The rate limit: 5 a second; 200 runs take far less than a second. */
	skel = open_load(5, false, false);
	len = build_packet(buf, &echo);
	if (skel) {
		int err = tl_run_repeat(bpf_program__fd(skel->progs.xdp_drop_trace), buf, len, 200);

		tl_collect(skel->obj, &l);
		tl_counts(skel->obj, &shown, &missed);
		t_check(!err && l.n == 5 && shown == 5 && missed == 195,
			"rate 5: 5 lines shown, 195 counted as not shown",
			"err %d, %d lines, shown %llu, missed %llu", err, l.n,
			(unsigned long long)shown, (unsigned long long)missed);
		/* A second later the budget is back. */
		usleep(1100 * 1000);
		t_run(bpf_program__fd(skel->progs.xdp_drop_trace), buf, len, NULL, NULL, &ret);
		t_check(tl_collect(skel->obj, &l) == 1, "rate 5: a line again a second later",
			"%d lines", l.n);
		xdp_drop_bpf__destroy(skel);
	}

	/* Without --trace: no line, no count, and not one instruction more than without tracing. */
	skel = open_load(1000, false, false);
	if (skel) {
		t_run(bpf_program__fd(skel->progs.xdp_drop), buf, len, NULL, NULL, &ret);
		tl_counts(skel->obj, &shown, &missed);
		t_check(tl_collect(skel->obj, &l) == 0 && shown + missed == 0 && ret == XDP_DROP,
			"without --trace: the packet is dropped, no line, nothing counted",
			"%d lines, shown %llu, missed %llu, verdict %u", l.n,
			(unsigned long long)shown, (unsigned long long)missed, ret);
		xdp_drop_bpf__destroy(skel);
	}
	for (int i = 0; i < 3; i++) {
		static const char *const tag[] = { "", " --all-ip", " --block" };
		struct tl_cost off, base, on;
		char name[128];

		skel = open_load(1000, i == 1, i == 2);
		if (!skel) {
			t_check(false, "load xdp_drop", "%s", strerror(errno));
			continue;
		}
		tl_prog_cost(bpf_program__fd(skel->progs.xdp_drop), &off);
		tl_prog_cost(bpf_program__fd(skel->progs.xdp_drop_trace), &on);
		tl_untraced_cost(UNTRACED, "xdp_drop", i == 1 ? all_ip : i == 2 ? blocklist : NULL,
				 &base);
		printf("#%s: verified instructions: built without tracing %ld, xdp_drop %ld,"
		       " xdp_drop_trace %ld; loaded bytes %ld, %ld, %ld\n", tag[i], base.verified,
		       off.verified, on.verified, base.xlated, off.xlated, on.xlated);
		snprintf(name, sizeof(name),
			 "without --trace%s: the program the build without tracing makes", tag[i]);
		t_check(base.verified > 0 && off.verified == base.verified &&
			off.xlated == base.xlated, name,
			"verified %ld vs %ld, loaded bytes %ld vs %ld", off.verified, base.verified,
			off.xlated, base.xlated);
		xdp_drop_bpf__destroy(skel);
	}
	return t_exit();
}
