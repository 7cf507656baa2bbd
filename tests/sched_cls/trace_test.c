// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sched_cls --trace under BPF_PROG_TEST_RUN: the line each packet leaves
 * (tc verdicts: "drop" for TC_ACT_SHOT, "pass" for TC_ACT_UNSPEC), the
 * rate limit, nothing when off, and no cost when off: the verifier walks
 * as many instructions as for the program built without tracing (make
 * builds it with -DTRACE_COMPILED_OUT).
 */
#include "testlib.h"
#include "tracelib.h"
#include "sched_cls/sched_cls.h"
#include "sched_cls/sched_cls.skel.h"

#define UNTRACED ".output/tests/untraced/sched_cls/sched_cls.bpf.o"

/* Both programs: sched_cls_trace (--trace) and sched_cls (without). */
static struct sched_cls_bpf *open_load(__u32 rate, bool ports)
{
	struct sched_cls_bpf *skel = sched_cls_bpf__open();
	__u16 port = 8080;
	__u8 one = 1;

	if (!skel)
		return NULL;
	skel->rodata->trace_rate = rate;
	skel->rodata->have_ports = ports;
	skel->rodata->have_policy = ports;
	if (sched_cls_bpf__load(skel)) {
		sched_cls_bpf__destroy(skel);
		return NULL;
	}
	if (ports)
		bpf_map_update_elem(bpf_map__fd(skel->maps.drop_port), &port, &one, BPF_ANY);
	return skel;
}

static void expect_spec(struct sched_cls_bpf *skel, const char *name, struct pkt_spec s,
			size_t cut, const char *want)
{
	int fd = bpf_program__fd(skel->progs.sched_cls_trace);
	uint8_t buf[1600];
	size_t len = build_packet(buf, &s);
	struct tl_lines l;
	uint32_t ret;
	int err = t_run(fd, buf, cut ? cut : len, NULL, NULL, &ret);

	tl_collect(skel->obj, &l);
	t_check(!err && l.n == 1 && !strcmp(l.line[0], want), name,
		"err %d, %d lines, got '%s', want '%s'", err, l.n, l.n ? l.line[0] : "", want);
}

int main(void)
{
	static const char *const ports[] = { "have_ports", "have_policy", NULL };
	struct pkt_spec echo = { .icmp_type = 8 }, tagged = {
		.family = 6, .proto = 17, .sport = 5353, .dport = 53, .vlan = 9 };
	struct sched_cls_bpf *skel;
	uint64_t shown, missed;
	struct tl_lines l;
	uint8_t buf[1600];
	size_t len, bad = 0;
	uint32_t ret;

	t_init();

	skel = open_load(1000, true);
	if (!skel) {
		t_check(false, "load sched_cls with tracing", "%s", strerror(errno));
		return t_exit();
	}
	expect_spec(skel, "ipv4 echo request: pass (TC_ACT_UNSPEC)", echo, 0,
		    "pass icmp 192.0.2.1 > 192.0.2.2 echo-request len 42");
	expect_spec(skel, "tcp to a dropped port: drop (TC_ACT_SHOT)",
		    (struct pkt_spec){ .proto = 6, .sport = 40000, .dport = 8080 }, 0,
		    "drop tcp 192.0.2.1:40000 > 192.0.2.2:8080 len 54");
	expect_spec(skel, "tcp over ipv6 to another port: pass",
		    (struct pkt_spec){ .family = 6, .proto = 6, .sport = 40000, .dport = 80 }, 0,
		    "pass tcp [2001:db8:1::1]:40000 > [2001:db8:1::2]:80 len 74");
	expect_spec(skel, "udp over ipv6 in a VLAN", tagged, 0,
		    "pass udp [2001:db8:1::1]:5353 > [2001:db8:1::2]:53 len 66");
	expect_spec(skel, "a first fragment too short for the ports: drop, truncated",
		    (struct pkt_spec){ .proto = 6, .sport = 1, .dport = 2, .frag = 0x2000 },
		    14 + 20 + 8, "drop tcp 192.0.2.1 > 192.0.2.2 truncated len 42");

	/* Behind a VLAN tag the kernel lets every length through: each leaves one line. */
	len = build_packet(buf, &tagged);
	for (size_t n = 14; n <= len; n++)
		if (t_run(bpf_program__fd(skel->progs.sched_cls_trace), buf, n, NULL, NULL, &ret) ||
		    tl_collect(skel->obj, &l) != 1)
			bad++;
	t_check(!bad, "every truncation of a tagged ipv6 udp packet leaves one line",
		"%zu of %zu lengths without exactly one line", bad, len - 13);
	sched_cls_bpf__destroy(skel);

	skel = open_load(3, false);
	len = build_packet(buf, &echo);
	if (skel) {
		int err = tl_run_repeat(bpf_program__fd(skel->progs.sched_cls_trace), buf, len, 100);

		tl_collect(skel->obj, &l);
		tl_counts(skel->obj, &shown, &missed);
		t_check(!err && l.n == 3 && shown == 3 && missed == 97,
			"rate 3: 3 lines shown, 97 counted as not shown",
			"err %d, %d lines, shown %llu, missed %llu", err, l.n,
			(unsigned long long)shown, (unsigned long long)missed);
		sched_cls_bpf__destroy(skel);
	}

	for (int i = 0; i < 2; i++) {
		struct tl_cost off, base, on;

		skel = open_load(1000, i);
		if (!skel) {
			t_check(false, "load sched_cls", "%s", strerror(errno));
			continue;
		}
		tl_prog_cost(bpf_program__fd(skel->progs.sched_cls), &off);
		tl_prog_cost(bpf_program__fd(skel->progs.sched_cls_trace), &on);
		tl_untraced_cost(UNTRACED, "sched_cls", i ? ports : NULL, &base);
		t_run(bpf_program__fd(skel->progs.sched_cls), buf, len, NULL, NULL, &ret);
		tl_counts(skel->obj, &shown, &missed);
		t_check(tl_collect(skel->obj, &l) == 0 && shown + missed == 0,
			i ? "without --trace, with ports: no line, nothing counted"
			  : "without --trace: no line, nothing counted",
			"%d lines, shown %llu, missed %llu", l.n,
			(unsigned long long)shown, (unsigned long long)missed);
		printf("#%s: verified instructions: built without tracing %ld, sched_cls %ld,"
		       " sched_cls_trace %ld; loaded bytes %ld, %ld, %ld\n",
		       i ? " with ports" : "", base.verified, off.verified, on.verified,
		       base.xlated, off.xlated, on.xlated);
		t_check(base.verified > 0 && off.verified == base.verified &&
			off.xlated == base.xlated,
			i ? "without --trace, with ports: the program the build without tracing makes"
			  : "without --trace: the program the build without tracing makes",
			"verified %ld vs %ld, loaded bytes %ld vs %ld", off.verified, base.verified,
			off.xlated, base.xlated);
		sched_cls_bpf__destroy(skel);
	}
	return t_exit();
}
