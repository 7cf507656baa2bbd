// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * BPF_PROG_TEST_RUN unit tests of sched_cls/tc_tailcall.bpf.c: for each
 * packet, exactly the stages that should run counted it (which proves
 * the tail calls happened), and the verdict is TC_ACT_UNSPEC.
 */
#include "testlib.h"
#include "common.h"
#include "sched_cls/tc_tailcall.h"
#include "sched_cls/tc_tailcall.skel.h"

#define TC_ACT_UNSPEC	(-1)

static struct tc_tailcall_bpf *skel;

static void snapshot(uint64_t *c)
{
	for (__u32 i = 0; i < TC_TAILCALL_NSTATS; i++)
		percpu_sum(bpf_map__fd(skel->maps.stats), &i, &c[i], 1);
}

/* Run pkt; the counters that moved must be exactly `want` (one each). */
static void stages_case(const char *name, const uint8_t *pkt, size_t len,
			const int *want, int nwant)
{
	uint64_t before[TC_TAILCALL_NSTATS], after[TC_TAILCALL_NSTATS];
	uint32_t ret = 0;
	char got[128] = "", exp[128] = "";
	int err, bad = 0;

	snapshot(before);
	err = t_run(bpf_program__fd(skel->progs.tc_tailcall), pkt, len, NULL, NULL, &ret);
	snapshot(after);
	for (int i = 0; i < TC_TAILCALL_NSTATS; i++) {
		uint64_t w = 0;

		for (int j = 0; j < nwant; j++)
			w += want[j] == i;
		if (after[i] - before[i] != w)
			bad++;
		if (after[i] != before[i])
			snprintf(got + strlen(got), sizeof(got) - strlen(got), " %d", i);
		if (w)
			snprintf(exp + strlen(exp), sizeof(exp) - strlen(exp), " %d", i);
	}
	t_check(!err && (int)ret == TC_ACT_UNSPEC && !bad, name,
		"err %d verdict %d, counters that moved:%s, want:%s", err, (int)ret, got, exp);
}

static void spec_case(const char *name, struct pkt_spec s, const int *want, int nwant)
{
	uint8_t buf[1600];

	stages_case(name, buf, build_packet(buf, &s), want, nwant);
}

#define STAGES(...) (const int[]){ __VA_ARGS__ }, sizeof((int[]){ __VA_ARGS__ }) / sizeof(int)
#define S(what) TC_TAILCALL_STAT_##what

static int set_stage(__u32 slot, struct bpf_program *prog)
{
	int fd = prog ? bpf_program__fd(prog) : -1, map = bpf_map__fd(skel->maps.stages);

	return prog ? bpf_map_update_elem(map, &slot, &fd, 0) : bpf_map_delete_elem(map, &slot);
}

int main(void)
{
	struct pkt_spec tcp4 = { .proto = 6, .sport = 1234, .dport = 80 };
	struct pkt_spec s;
	uint8_t buf[1600];
	size_t len;
	int err;

	t_init();
	skel = tc_tailcall_bpf__open_and_load();
	if (!skel) {
		printf("FAIL load tc_tailcall (%s)\n", strerror(errno));
		return 1;
	}
	err = set_stage(TC_TAILCALL_STAGE_IPV4, skel->progs.stage_ipv4) ||
	      set_stage(TC_TAILCALL_STAGE_IPV6, skel->progs.stage_ipv6) ||
	      set_stage(TC_TAILCALL_STAGE_TCP, skel->progs.stage_tcp) ||
	      set_stage(TC_TAILCALL_STAGE_UDP, skel->progs.stage_udp) ||
	      set_stage(TC_TAILCALL_STAGE_ICMP, skel->progs.stage_icmp);
	if (err) {
		printf("FAIL fill the PROG_ARRAY (%s)\n", strerror(errno));
		return 1;
	}

	spec_case("ipv4 tcp: entry, ipv4, tcp", tcp4, STAGES(S(ETH), S(IPV4), S(TCP)));
	spec_case("ipv6 udp: entry, ipv6, udp",
		  (struct pkt_spec){ .family = 6, .proto = 17, .sport = 1, .dport = 53 },
		  STAGES(S(ETH), S(IPV6), S(UDP)));
	spec_case("ipv4 icmp: entry, ipv4, icmp", (struct pkt_spec){ .icmp_type = 8 },
		  STAGES(S(ETH), S(IPV4), S(ICMP)));
	spec_case("icmpv6: entry, ipv6, icmp", (struct pkt_spec){ .family = 6, .icmp_type = 128 },
		  STAGES(S(ETH), S(IPV6), S(ICMP)));
	s = tcp4;
	s.vlan = 100;
	s.ip_opts_len = 12;
	spec_case("vlan-tagged ipv4 tcp with options: the offsets carry over in cb[]", s,
		  STAGES(S(ETH), S(IPV4), S(TCP)));
	spec_case("ipv4 gre: no stage for it", (struct pkt_spec){ .proto = 47 },
		  STAGES(S(ETH), S(IPV4), S(OTHER)));
	s = tcp4;
	s.frag = 0x0010;
	spec_case("ipv4 later fragment: no L4 stage", s, STAGES(S(ETH), S(IPV4), S(OTHER)));
	memset(buf, 0, 60);
	buf[12] = 0x08;
	buf[13] = 0x06;
	stages_case("arp: entry only", buf, 42, STAGES(S(ETH), S(OTHER)));

	len = build_packet(buf, &tcp4);
	stages_case("tcp header cut short: the tcp stage says malformed", buf, len - 5,
		    STAGES(S(ETH), S(IPV4), S(TCP), S(MALFORMED)));
	len = build_packet(buf, &(struct pkt_spec){ .family = 6, .proto = 17 });
	buf[20] = 0;		/* hop-by-hop announced, none there */
	stages_case("ipv6 extension header cut short: the ipv6 stage says malformed", buf, len,
		    STAGES(S(ETH), S(IPV6), S(MALFORMED)));
	len = build_packet(buf, &tcp4);
	buf[14] = 0x44;		/* IHL 4 */
	stages_case("ipv4 IHL 4: the ipv4 stage says malformed", buf, len,
		    STAGES(S(ETH), S(IPV4), S(MALFORMED)));

	/* An empty slot: bpf_tail_call() returns and the caller goes on. */
	set_stage(TC_TAILCALL_STAGE_UDP, NULL);
	spec_case("udp with its stage removed: a missed tail call, counted",
		  (struct pkt_spec){ .proto = 17, .sport = 1, .dport = 53 },
		  STAGES(S(ETH), S(IPV4), S(MISSED)));
	set_stage(TC_TAILCALL_STAGE_UDP, skel->progs.stage_udp);
	spec_case("udp with its stage back", (struct pkt_spec){ .proto = 17, .sport = 1, .dport = 53 },
		  STAGES(S(ETH), S(IPV4), S(UDP)));

	tc_tailcall_bpf__destroy(skel);
	return t_exit();
}
