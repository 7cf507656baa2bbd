// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* BPF_PROG_TEST_RUN unit tests of sched_cls/sched_cls.bpf.c. */
#include "testlib.h"
#include "common.h"
#include "sched_cls/sched_cls.h"
#include "sched_cls/sched_cls.skel.h"

#define PASS_V	((uint32_t)-1)	/* TC_ACT_UNSPEC: no opinion, the packet goes on */
#define DROP_V	2		/* TC_ACT_SHOT */

static struct sched_cls_bpf *skel;
static uint64_t want_pkts[SCHED_CLS_NSTATS], want_bytes[SCHED_CLS_NSTATS];
static uint64_t want_drops[SCHED_CLS_NSTATS];

static const char *vname(uint32_t v)
{
	return v == PASS_V ? "pass" : v == DROP_V ? "drop" : "other";
}

/* Run one packet; it must get verdict `want` and be counted in `slot`. */
static bool run(const uint8_t *pkt, size_t len, uint32_t want, int slot, uint32_t *got)
{
	uint32_t ret = 0;
	int err = t_run(bpf_program__fd(skel->progs.sched_cls), pkt, len, NULL, NULL, &ret);

	*got = ret;
	want_pkts[slot]++;
	want_bytes[slot] += len;
	if (want == DROP_V)
		want_drops[slot]++;
	return !err && ret == want;
}

static void verdict_case(const char *name, struct pkt_spec s, uint32_t want, int slot)
{
	uint8_t buf[1600];
	uint32_t got;
	bool ok = run(buf, build_packet(buf, &s), want, slot, &got);

	t_check(ok, name, "verdict %s (%d), want %s", vname(got), (int)got, vname(want));
}

static void raw_case(const char *name, const uint8_t *pkt, size_t len, uint32_t want, int slot)
{
	uint32_t got;
	bool ok = run(pkt, len, want, slot, &got);

	t_check(ok, name, "verdict %s, want %s", vname(got), vname(want));
}

/*
 * Every prefix of s: below l3_end bytes the packet is malformed (passes);
 * below l4_end the L4 header is cut (malformed, and dropped when a port
 * policy is set); from l4_end on it is whole. BPF_PROG_TEST_RUN refuses
 * an IPv4/IPv6 frame shorter than its IP header (EINVAL), so untagged
 * packets start there; behind a VLAN tag the kernel does not look, and
 * every length from 14 bytes up is run.
 */
static void truncation_case(const char *name, struct pkt_spec s, size_t l4_end,
			    uint32_t short_l4, uint32_t whole, int slot)
{
	uint8_t buf[1600];
	size_t len = build_packet(buf, &s), n, bad = 0;
	size_t l3_end = (s.family == 6 ? 54 : 34) + (s.vlan ? 4 : 0);
	uint32_t got, want;
	int wslot;

	for (n = s.vlan ? 14 : l3_end; n <= len; n++) {
		want = n < l3_end ? PASS_V : n < l4_end ? short_l4 : whole;
		wslot = n < l4_end ? SCHED_CLS_STAT_MALFORMED : slot;
		if (!run(buf, n, want, wslot, &got)) {
			if (!bad)
				printf("# first failure at length %zu: %s, want %s\n", n,
				       vname(got), vname(want));
			bad++;
		}
	}
	t_check(!bad, name, "%zu of %zu lengths got the wrong verdict", bad,
		len + 1 - (s.vlan ? 14 : l3_end));
}

static void check_counters(const char *name)
{
	int fd = bpf_map__fd(skel->maps.stats), bad = 0;
	struct sched_cls_count c;

	for (__u32 i = 0; i < SCHED_CLS_NSTATS; i++) {
		percpu_sum(fd, &i, (uint64_t *)&c, 3);
		if (c.packets != want_pkts[i] || c.bytes != want_bytes[i] || c.dropped != want_drops[i]) {
			printf("# slot %u: %llu pkts %llu B %llu dropped, want %llu %llu %llu\n", i,
			       c.packets, c.bytes, c.dropped, (unsigned long long)want_pkts[i],
			       (unsigned long long)want_bytes[i], (unsigned long long)want_drops[i]);
			bad++;
		}
	}
	t_check(!bad, name, "%d counter slots differ", bad);
}

static struct sched_cls_bpf *load(bool ports)
{
	struct sched_cls_bpf *s = sched_cls_bpf__open();

	if (!s)
		return NULL;
	s->rodata->have_ports = ports;
	s->rodata->have_policy = ports;
	if (sched_cls_bpf__load(s)) {
		sched_cls_bpf__destroy(s);
		return NULL;
	}
	return s;
}

int main(void)
{
	const struct pkt_spec tcp4 = { .proto = 6, .sport = 40000, .dport = 8080 };
	const struct pkt_spec tcp6 = { .family = 6, .proto = 6, .sport = 40000, .dport = 8080 };
	const struct pkt_spec udp4 = { .proto = 17, .sport = 5353, .dport = 9, .payload = "hi", .payload_len = 2 };
	const struct pkt_spec udp6 = { .family = 6, .proto = 17, .sport = 5353, .dport = 9 };
	const struct pkt_spec icmp4 = { .icmp_type = 8 };
	const struct pkt_spec icmp6 = { .family = 6, .icmp_type = 128 };
	uint8_t arp[42] = {}, ipx[60] = {}, buf[1600];
	struct pkt_spec s;
	__u8 one = 1;
	__u32 key;
	__u16 port;
	size_t len;

	t_init();
	memcpy(arp + 12, "\x08\x06", 2);
	memcpy(ipx + 12, "\x88\xb5", 2);	/* local experimental EtherType */

	/* No policy: everything passes and lands in its slot. */
	skel = load(false);
	if (!skel) {
		printf("FAIL load sched_cls (%s)\n", strerror(errno));
		return 1;
	}
	verdict_case("icmp passes, counted as icmp", icmp4, PASS_V, SCHED_CLS_STAT_ICMP);
	verdict_case("icmpv6 passes, counted as icmpv6", icmp6, PASS_V, SCHED_CLS_STAT_ICMP6);
	verdict_case("ipv4 tcp passes, counted as tcp", tcp4, PASS_V, SCHED_CLS_STAT_TCP);
	verdict_case("ipv6 tcp passes, counted as tcp", tcp6, PASS_V, SCHED_CLS_STAT_TCP);
	verdict_case("ipv4 udp passes, counted as udp", udp4, PASS_V, SCHED_CLS_STAT_UDP);
	verdict_case("ipv6 udp passes, counted as udp", udp6, PASS_V, SCHED_CLS_STAT_UDP);
	s = tcp4;
	s.vlan = 7;
	verdict_case("tcp in a vlan tag is counted as tcp", s, PASS_V, SCHED_CLS_STAT_TCP);
	s = tcp4;
	s.ip_opts_len = 8;
	verdict_case("tcp after ipv4 options is counted as tcp", s, PASS_V, SCHED_CLS_STAT_TCP);
	verdict_case("gre is counted as other-ip", (struct pkt_spec){ .proto = 47 }, PASS_V,
		     SCHED_CLS_STAT_OTHER_IP);
	raw_case("arp passes, counted as arp", arp, sizeof(arp), PASS_V, SCHED_CLS_STAT_ARP);
	raw_case("another ethertype passes, counted as other", ipx, sizeof(ipx), PASS_V,
		 SCHED_CLS_STAT_OTHER);
	len = build_packet(buf, &tcp4);
	buf[14] = 0x65;
	raw_case("ipv4 header with version 6 is malformed", buf, len, PASS_V,
		 SCHED_CLS_STAT_MALFORMED);
	len = build_packet(buf, &tcp4);
	buf[14] = 0x44;
	raw_case("ipv4 header with IHL 4 is malformed", buf, len, PASS_V, SCHED_CLS_STAT_MALFORMED);
	truncation_case("every truncation of an ipv4 tcp packet: malformed until whole, passes",
			tcp4, 54, PASS_V, PASS_V, SCHED_CLS_STAT_TCP);
	truncation_case("every truncation of an ipv6 udp packet: malformed until whole, passes",
			udp6, 62, PASS_V, PASS_V, SCHED_CLS_STAT_UDP);
	s = tcp4;
	s.vlan = 7;
	truncation_case("every truncation of a vlan-tagged tcp packet from 14 bytes: malformed until whole",
			s, 58, PASS_V, PASS_V, SCHED_CLS_STAT_TCP);
	s = udp6;
	s.vlan = 7;
	truncation_case("every truncation of a vlan-tagged ipv6 udp packet from 14 bytes: malformed until whole",
			s, 66, PASS_V, PASS_V, SCHED_CLS_STAT_UDP);
	check_counters("counters equal the packets and bytes sent, per protocol");
	sched_cls_bpf__destroy(skel);

	/* Policy: drop udp, and tcp/udp port 8080 at either end. */
	memset(want_pkts, 0, sizeof(want_pkts));
	memset(want_bytes, 0, sizeof(want_bytes));
	memset(want_drops, 0, sizeof(want_drops));
	skel = load(true);
	if (!skel) {
		printf("FAIL load sched_cls with a port policy (%s)\n", strerror(errno));
		return 1;
	}
	key = IPPROTO_UDP;
	port = 8080;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.drop_proto), &key, &one, 0) ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.drop_port), &port, &one, 0)) {
		printf("FAIL fill the policy maps (%s)\n", strerror(errno));
		return 1;
	}
	verdict_case("policy: tcp to port 8080 is dropped", tcp4, DROP_V, SCHED_CLS_STAT_TCP);
	verdict_case("policy: ipv6 tcp to port 8080 is dropped", tcp6, DROP_V, SCHED_CLS_STAT_TCP);
	s = tcp4;
	s.sport = 8080;
	s.dport = 40000;
	verdict_case("policy: tcp from port 8080 is dropped", s, DROP_V, SCHED_CLS_STAT_TCP);
	s.sport = 40000;
	s.dport = 8081;
	verdict_case("policy: tcp to port 8081 passes", s, PASS_V, SCHED_CLS_STAT_TCP);
	verdict_case("policy: udp is dropped", udp4, DROP_V, SCHED_CLS_STAT_UDP);
	verdict_case("policy: ipv6 udp is dropped", udp6, DROP_V, SCHED_CLS_STAT_UDP);
	verdict_case("policy: icmp passes", icmp4, PASS_V, SCHED_CLS_STAT_ICMP);
	s = tcp4;
	s.frag = 0x0003;		/* a later fragment: no ports in it */
	verdict_case("policy: a later ipv4 fragment of tcp passes (no ports to check)", s, PASS_V,
		     SCHED_CLS_STAT_TCP);
	s = udp4;
	s.frag = 0x0003;
	verdict_case("policy: a later ipv4 fragment of udp is dropped by protocol", s, DROP_V,
		     SCHED_CLS_STAT_UDP);
	s = tcp4;
	s.frag = 0x2000;		/* MF: the first fragment */
	len = build_packet(buf, &s);
	raw_case("policy: a tiny first fragment (8 bytes of tcp) is dropped (RFC 1858)",
		 buf, 14 + 20 + 8, DROP_V, SCHED_CLS_STAT_MALFORMED);
	truncation_case("policy: every truncation of tcp to 8081 is dropped until its header is whole",
			(struct pkt_spec){ .proto = 6, .sport = 1, .dport = 8081, .vlan = 3 }, 58,
			DROP_V, PASS_V, SCHED_CLS_STAT_TCP);
	check_counters("policy: counters count the drops per protocol");
	sched_cls_bpf__destroy(skel);
	return t_exit();
}
