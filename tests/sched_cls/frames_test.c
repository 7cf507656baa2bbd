// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The hostile-frame corpus (testlib.h's t_corpus) through the three tc
 * programs of sched_cls/ under BPF_PROG_TEST_RUN, each verdict checked
 * against a model written here from the protocol specs and the programs'
 * documented rules (testlib.h's t_parse reads the headers):
 *
 * - sched_cls, without a policy and with one (drop UDP; drop TCP/UDP port
 *   8080 at either end): verdict, and the per-protocol counters;
 * - tc_icmp_server: which frames it answers, and each reply byte for
 *   byte (addresses and MACs swapped, TTL 64, checksums computed here
 *   from scratch); everything else passes unchanged;
 * - tc_tailcall: which stages ran (its counters), verdict TC_ACT_UNSPEC.
 *
 * In a network namespace of its own: tc_icmp_server's replies go out of
 * that namespace's lo.
 */
#include <sched.h>
#include "testlib.h"
#include "common.h"
#include "sched_cls/sched_cls.h"
#include "sched_cls/sched_cls.skel.h"
#include "sched_cls/tc_icmp_server.h"
#include "sched_cls/tc_icmp_server.skel.h"
#include "sched_cls/tc_tailcall.h"
#include "sched_cls/tc_tailcall.skel.h"

#define SEED		0x7c5ULL
#define PASS_V		((uint32_t)-1)	/* TC_ACT_UNSPEC */
#define DROP_V		2		/* TC_ACT_SHOT */
#define REFUSED		((uint32_t)-EINVAL)

static int fd;
static struct t_diff d;
static size_t nrun;

static const char *vname(uint32_t v)
{
	return v == PASS_V ? "pass" : v == DROP_V ? "drop" : v == REFUSED ? "refused (EINVAL)" : "other";
}

/* One run; out (T_FRAME_MAX bytes) gets the packet as the program left it. */
static uint32_t run(const uint8_t *f, size_t len, uint8_t *out, uint32_t *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f, .data_size_in = len,
		    .data_out = out, .data_size_out = out ? T_FRAME_MAX : 0, .repeat = 1);

	if (bpf_prog_test_run_opts(fd, &o))
		return (uint32_t)-errno;
	nrun++;
	if (out_len)
		*out_len = o.data_size_out;
	return o.retval;
}

static void verdict_check(const uint8_t *f, size_t len, const char *what, uint32_t got,
			  uint32_t want)
{
	d.frames++;
	if (got != want)
		t_diff(&d, what, f, len, "program %s (%d), model %s", vname(got), (int)got,
		       vname(want));
}

static void report(const char *name, size_t n)
{
	t_check(!d.diffs && d.frames == n, name, "%zu of %zu frames differ from the model",
		d.diffs, d.frames);
	printf("# %s: %zu frames, %zu run, %zu refused by the test run\n", name, d.frames, nrun,
	       d.frames - nrun);
}

static void reset(void)
{
	memset(&d, 0, sizeof(d));
	nrun = 0;
}

/* ---- sched_cls ---- */

static bool policy;
static uint64_t want_pkts[SCHED_CLS_NSTATS], want_bytes[SCHED_CLS_NSTATS], want_drops[SCHED_CLS_NSTATS];

static bool port_listed(const uint8_t *p)
{
	return t_get16(p) == 8080 || t_get16(p + 2) == 8080;
}

/* The model: the counter slot and whether the policy drops the frame. */
static int cls_model(const uint8_t *f, size_t len, bool *drop)
{
	struct t_hdrs h;
	int slot;

	*drop = false;
	t_parse_chain(f, len, &h);
	if (h.eth < 0)
		return SCHED_CLS_STAT_MALFORMED;
	if (h.eth == 0x0806)
		return SCHED_CLS_STAT_ARP;
	if (h.eth != 0x0800 && h.eth != 0x86dd)
		return SCHED_CLS_STAT_OTHER;
	/* A chain longer than the program follows: dropped under a policy. */
	if (h.deep) {
		*drop = policy;
		return SCHED_CLS_STAT_LONG_CHAIN;
	}
	if (h.proto < 0)
		return SCHED_CLS_STAT_MALFORMED;
	if (h.eth == 0x86dd && h.later)
		return SCHED_CLS_STAT_OTHER_IP;		/* no protocol to go by */
	slot = h.proto == 1 ? SCHED_CLS_STAT_ICMP : h.proto == 58 ? SCHED_CLS_STAT_ICMP6 : h.proto == 6 ? SCHED_CLS_STAT_TCP :
	       h.proto == 17 ? SCHED_CLS_STAT_UDP : SCHED_CLS_STAT_OTHER_IP;
	if (policy && h.proto == 17) {
		*drop = true;
		return slot;
	}
	if (h.later || (h.proto != 6 && h.proto != 17))
		return slot;
	/* Ports: a header cut short is dropped under a port policy (RFC 1858). */
	if (h.proto == 6 && (h.l4 + 20 > len || f[h.l4 + 12] >> 4 < 5 ||
			     h.l4 + (f[h.l4 + 12] >> 4) * 4 > len)) {
		*drop = policy;
		return SCHED_CLS_STAT_MALFORMED;
	}
	if (h.proto == 17 && h.l4 + 8 > len) {
		*drop = policy;
		return SCHED_CLS_STAT_MALFORMED;
	}
	*drop = policy && port_listed(f + h.l4);
	return slot;
}

static void cls_one(const uint8_t *f, size_t len, const char *what, void *ctx)
{
	uint32_t want = PASS_V;
	bool drop;
	int slot = cls_model(f, len, &drop);

	if (t_skb_refused(f, len)) {
		want = REFUSED;
	} else {
		want = drop ? DROP_V : PASS_V;
		want_pkts[slot]++;
		want_bytes[slot] += len;
		want_drops[slot] += drop;
	}
	verdict_check(f, len, what, run(f, len, NULL, NULL), want);
}

static void cls_counters(struct sched_cls_bpf *skel, const char *name)
{
	int map = bpf_map__fd(skel->maps.stats), bad = 0;
	struct sched_cls_count c;

	for (__u32 i = 0; i < SCHED_CLS_NSTATS; i++) {
		percpu_sum(map, &i, (uint64_t *)&c, 3);
		if (c.packets != want_pkts[i] || c.bytes != want_bytes[i] ||
		    c.dropped != want_drops[i]) {
			printf("# slot %u: %llu packets %llu bytes %llu dropped, model %llu %llu %llu\n",
			       i, c.packets, c.bytes, c.dropped, (unsigned long long)want_pkts[i],
			       (unsigned long long)want_bytes[i], (unsigned long long)want_drops[i]);
			bad++;
		}
	}
	t_check(!bad, name, "%d counter slots differ from the model", bad);
}

static int test_sched_cls(bool with_policy)
{
	struct sched_cls_bpf *skel = sched_cls_bpf__open();
	char name[160];
	size_t n;

	if (!skel)
		return -1;
	skel->rodata->have_ports = with_policy;
	skel->rodata->have_policy = with_policy;
	if (sched_cls_bpf__load(skel)) {
		sched_cls_bpf__destroy(skel);
		return -1;
	}
	if (with_policy) {
		__u32 key = 17;
		__u16 port = 8080;
		__u8 one = 1;

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.drop_proto), &key, &one, 0) ||
		    bpf_map_update_elem(bpf_map__fd(skel->maps.drop_port), &port, &one, 0))
			return -1;
	}
	policy = with_policy;
	memset(want_pkts, 0, sizeof(want_pkts));
	memset(want_bytes, 0, sizeof(want_bytes));
	memset(want_drops, 0, sizeof(want_drops));
	reset();
	fd = bpf_program__fd(skel->progs.sched_cls);
	n = t_corpus(SEED, 3000, 3000, cls_one, NULL);
	snprintf(name, sizeof(name), "sched_cls%s: every corpus frame gets the model's verdict",
		 with_policy ? " (drop udp, port 8080)" : "");
	report(name, n);
	snprintf(name, sizeof(name), "sched_cls%s: counters equal the model's, per protocol",
		 with_policy ? " (drop udp, port 8080)" : "");
	cls_counters(skel, name);
	sched_cls_bpf__destroy(skel);
	return 0;
}

/* ---- tc_icmp_server ---- */

static uint64_t replies[2];

static bool martian4(const uint8_t *a)
{
	return a[0] == 0 || a[0] >= 224 || a[0] == 127;
}

static bool martian6(const uint8_t *a)
{
	static const uint8_t zero[16], one[16] = { [15] = 1 };

	return !memcmp(a, zero, 16) || !memcmp(a, one, 16) || a[0] == 0xff;
}

/*
 * The reply the model sends for f, into r; 0 when f must pass to the
 * kernel. A request counts only when it is for this host (lo's MAC, all
 * zeros), valid, unfragmented, without options or extension headers,
 * between unicast addresses, with a right checksum.
 */
static size_t echo_model(const uint8_t *f, size_t len, uint8_t *r)
{
	static const uint8_t zero_mac[6];
	struct t_hdrs h;
	size_t end, l3, l4;
	uint8_t tmp[16];

	t_parse(f, len, &h);
	l3 = h.l3;
	l4 = h.l4;
	if (memcmp(f, zero_mac, 6) || h.proto < 0)
		return 0;
	if (h.eth == 0x0800) {
		if (h.proto != 1 || (f[l3] & 0xf) != 5 || h.frag || t_ipv4_check(f + l3))
			return 0;
		end = l3 + t_get16(f + l3 + 2);
		if (end > len || end < l4 + 8 || f[l4] != 8 || f[l4 + 1] != 0)
			return 0;
		if (martian4(f + l3 + 12) || f[l3 + 16] >= 224)
			return 0;
		if (t_csum(f + l4, end - l4, 0))
			return 0;
		memcpy(r, f, len);
		t_swap_macs(r);
		memcpy(r + l3 + 12, f + l3 + 16, 4);
		memcpy(r + l3 + 16, f + l3 + 12, 4);
		r[l3 + 8] = TC_ICMP_SERVER_REPLY_TTL;
		memset(r + l3 + 10, 0, 2);
		memcpy(r + l3 + 10, (uint16_t[]){ t_csum(r + l3, 20, 0) }, 2);
		r[l4] = 0;
		memset(r + l4 + 2, 0, 2);
		memcpy(r + l4 + 2, (uint16_t[]){ t_csum(r + l4, end - l4, 0) }, 2);
		return len;
	}
	if (h.eth != 0x86dd || h.proto != 58 || h.ext || l4 + 8 > len)
		return 0;
	end = l4 + t_get16(f + l3 + 4);
	if (f[l4] != 128 || f[l4 + 1] != 0 || end > len || end < l4 + 8)
		return 0;
	if (martian6(f + l3 + 8) || f[l3 + 24] == 0xff)
		return 0;
	if (t_csum(f + l4, end - l4, t_sum(f + l3 + 8, 32, 58 + (end - l4))))
		return 0;
	memcpy(r, f, len);
	t_swap_macs(r);
	memcpy(tmp, f + l3 + 8, 16);
	memcpy(r + l3 + 8, f + l3 + 24, 16);
	memcpy(r + l3 + 24, tmp, 16);
	r[l3 + 7] = TC_ICMP_SERVER_REPLY_TTL;
	r[l4] = 129;
	memset(r + l4 + 2, 0, 2);
	memcpy(r + l4 + 2, (uint16_t[]){ t_csum(r + l4, end - l4,
					       t_sum(r + l3 + 8, 32, 58 + (end - l4))) }, 2);
	return len;
}

static void icmp_one(const uint8_t *f, size_t len, const char *what, void *ctx)
{
	static uint8_t out[T_FRAME_MAX], want[T_FRAME_MAX];
	uint32_t got, out_len = 0;
	size_t wlen = echo_model(f, len, want);
	bool same;

	got = run(f, len, out, &out_len);
	if (t_skb_refused(f, len)) {
		verdict_check(f, len, what, got, REFUSED);
		return;
	}
	if (wlen) {
		struct t_hdrs h;

		t_parse(f, len, &h);
		replies[h.eth == 0x86dd]++;
	}
	d.frames++;
	same = out_len == len && !memcmp(out, wlen ? want : f, len);
	if (got != (wlen ? DROP_V : PASS_V) || !same) {
		t_diff(&d, what, f, len, "program %s, bytes %s; model %s", vname(got),
		       same ? "as the model's" : "differ", wlen ? "reply (drop the request)" : "pass unchanged");
		if (d.diffs <= 8 && !same) {
			size_t at = 0;

			while (at < len && out[at] == (wlen ? want : f)[at])
				at++;
			printf("# first differing byte at %zu: program %02x, model %02x\n", at,
			       out[at], (wlen ? want : f)[at]);
		}
	}
}

static int test_icmp_server(void)
{
	struct tc_icmp_server_bpf *skel = tc_icmp_server_bpf__open_and_load();
	uint64_t c[TC_ICMP_SERVER_NSTATS][2] = {};
	size_t n;

	if (!skel)
		return -1;
	reset();
	fd = bpf_program__fd(skel->progs.tc_icmp_server);
	n = t_corpus(SEED + 1, 3000, 3000, icmp_one, NULL);
	report("tc_icmp_server: answers exactly the frames the model answers, with its reply", n);
	for (__u32 i = 0; i < TC_ICMP_SERVER_NSTATS; i++)
		percpu_sum(bpf_map__fd(skel->maps.stats), &i, c[i], 2);
	printf("# tc_icmp_server: model replies ipv4 %llu ipv6 %llu\n",
	       (unsigned long long)replies[0], (unsigned long long)replies[1]);
	t_check(c[TC_ICMP_SERVER_STAT_REPLY4][0] + c[TC_ICMP_SERVER_STAT_REPLY6][0] == replies[0] + replies[1] &&
		c[TC_ICMP_SERVER_STAT_TX_ERR][0] == 0 && c[TC_ICMP_SERVER_STAT_PASS][0] + c[TC_ICMP_SERVER_STAT_REPLY4][0] +
		c[TC_ICMP_SERVER_STAT_REPLY6][0] == nrun,
		"tc_icmp_server: reply and pass counters equal the model's",
		"replies %llu + %llu (model %llu), passed %llu, redirect errors %llu, run %zu",
		(unsigned long long)c[TC_ICMP_SERVER_STAT_REPLY4][0], (unsigned long long)c[TC_ICMP_SERVER_STAT_REPLY6][0],
		(unsigned long long)(replies[0] + replies[1]),
		(unsigned long long)c[TC_ICMP_SERVER_STAT_PASS][0], (unsigned long long)c[TC_ICMP_SERVER_STAT_TX_ERR][0],
		nrun);
	tc_icmp_server_bpf__destroy(skel);
	return 0;
}

/* ---- tc_tailcall ---- */

static struct tc_tailcall_bpf *tc;

/* The stages that count frame f, as a bit set of enum tail_stat. */
static unsigned tail_model(const uint8_t *f, size_t len)
{
	unsigned s = 1u << TC_TAILCALL_STAT_ETH;
	struct t_hdrs h;
	size_t need;

	t_parse(f, len, &h);
	if (h.eth < 0)
		return s | 1u << TC_TAILCALL_STAT_MALFORMED;
	if (h.eth != 0x0800 && h.eth != 0x86dd)
		return s | 1u << TC_TAILCALL_STAT_OTHER;
	s |= 1u << (h.eth == 0x0800 ? TC_TAILCALL_STAT_IPV4 : TC_TAILCALL_STAT_IPV6);
	if (h.proto < 0)
		return s | 1u << TC_TAILCALL_STAT_MALFORMED;
	if (h.later)
		return s | 1u << TC_TAILCALL_STAT_OTHER;
	switch (h.proto) {
	case 6:
		s |= 1u << TC_TAILCALL_STAT_TCP;
		need = h.l4 + 20 <= len && f[h.l4 + 12] >> 4 >= 5 ? (f[h.l4 + 12] >> 4) * 4 : 9999;
		break;
	case 17:
		s |= 1u << TC_TAILCALL_STAT_UDP;
		need = 8;
		break;
	case 1:
	case 58:
		s |= 1u << TC_TAILCALL_STAT_ICMP;
		need = 8;
		break;
	default:
		return s | 1u << TC_TAILCALL_STAT_OTHER;
	}
	/* The stages take the L4 offset from skb->cb[] only up to 256. */
	if (h.l4 > 256 || h.l4 + need > len)
		s |= 1u << TC_TAILCALL_STAT_MALFORMED;
	return s;
}

static void snapshot(uint64_t *c)
{
	for (__u32 i = 0; i < TC_TAILCALL_NSTATS; i++)
		percpu_sum(bpf_map__fd(tc->maps.stats), &i, &c[i], 1);
}

static void tail_one(const uint8_t *f, size_t len, const char *what, void *ctx)
{
	uint64_t before[TC_TAILCALL_NSTATS], after[TC_TAILCALL_NSTATS];
	unsigned want = tail_model(f, len), got = 0;
	uint32_t ret;

	snapshot(before);
	ret = run(f, len, NULL, NULL);
	snapshot(after);
	if (t_skb_refused(f, len)) {
		verdict_check(f, len, what, ret, REFUSED);
		return;
	}
	for (int i = 0; i < TC_TAILCALL_NSTATS; i++)
		if (after[i] - before[i] == 1)
			got |= 1u << i;
		else if (after[i] != before[i])
			got |= 1u << 31;
	d.frames++;
	if (ret != PASS_V || got != want)
		t_diff(&d, what, f, len, "program %s, stages %#x; model pass, stages %#x "
		       "(bits: eth ipv4 ipv6 tcp udp icmp other malformed missed)", vname(ret), got,
		       want);
}

static int test_tailcall(void)
{
	struct bpf_program *stage[TC_TAILCALL_NSTAGES];
	size_t n;

	tc = tc_tailcall_bpf__open_and_load();
	if (!tc)
		return -1;
	stage[TC_TAILCALL_STAGE_IPV4] = tc->progs.stage_ipv4;
	stage[TC_TAILCALL_STAGE_IPV6] = tc->progs.stage_ipv6;
	stage[TC_TAILCALL_STAGE_TCP] = tc->progs.stage_tcp;
	stage[TC_TAILCALL_STAGE_UDP] = tc->progs.stage_udp;
	stage[TC_TAILCALL_STAGE_ICMP] = tc->progs.stage_icmp;
	for (__u32 i = 0; i < TC_TAILCALL_NSTAGES; i++) {
		int pfd = bpf_program__fd(stage[i]);

		if (bpf_map_update_elem(bpf_map__fd(tc->maps.stages), &i, &pfd, 0))
			return -1;
	}
	reset();
	fd = bpf_program__fd(tc->progs.tc_tailcall);
	n = t_corpus(SEED + 2, 3000, 3000, tail_one, NULL);
	report("tc_tailcall: every corpus frame runs the stages the model says", n);
	tc_tailcall_bpf__destroy(tc);
	return 0;
}

int main(void)
{
	t_init();
	if (unshare(CLONE_NEWNET) || system("ip link set lo up")) {
		printf("FAIL a network namespace of our own (%s)\n", strerror(errno));
		return 1;
	}
	if (test_sched_cls(false) || test_sched_cls(true)) {
		printf("FAIL load sched_cls (%s)\n", strerror(errno));
		return 1;
	}
	if (test_icmp_server()) {
		printf("FAIL load tc_icmp_server (%s)\n", strerror(errno));
		return 1;
	}
	if (test_tailcall()) {
		printf("FAIL load tc_tailcall (%s)\n", strerror(errno));
		return 1;
	}
	return t_exit();
}
