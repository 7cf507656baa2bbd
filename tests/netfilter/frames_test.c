// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The hostile-frame corpus (testlib.h's t_corpus) through the netfilter
 * program under BPF_PROG_TEST_RUN, at PRE_ROUTING (the frame as it is)
 * and at LOCAL_OUT (from its IP header on), with TCP/80 and UDP/53 to
 * drop. The model reads the IP header as the program's comments say:
 * IPv4 with version 4 and IHL >= 5, no ports in a later fragment; IPv6
 * with version 6 and at most six hop-by-hop, routing, destination options
 * and fragment headers (not a later fragment); then the two ports of TCP
 * or UDP. A listed destination port is dropped (NF_DROP), all else
 * accepted (NF_ACCEPT), and the counters say which.
 *
 * What the test run refuses: fewer than 20 bytes (EINVAL); at the hooks
 * other than LOCAL_OUT a frame shorter than Ethernet + IPv4 header
 * (EINVAL), an IPv6 EtherType shorter than Ethernet + IPv6 header or with
 * the IPv4 family (EINVAL), and any EtherType other than IPv4 and IPv6
 * (EPROTO); more than T_SKB_MAX bytes (EINVAL).
 */
#include "testlib.h"
#include "common.h"
#include "netfilter/netfilter.h"
#include "netfilter/netfilter.skel.h"

#define SEED		0x9f1ULL
#define NFPROTO_IPV4	2
#define NFPROTO_IPV6	10
#define PRE_ROUTING	0
#define LOCAL_OUT	3

static int fd, hook;
static struct t_diff d;
static uint64_t want[NETFILTER_NSTATS];
static size_t nrun;

struct hook_ctx {
	uint8_t hook;
	uint8_t pf;
	uint8_t pad[6];
};

static const char *vname(int v)
{
	static char buf[32];

	if (v == 0)
		return "NF_DROP";
	if (v == 1)
		return "NF_ACCEPT";
	snprintf(buf, sizeof(buf), "refused (%s)", v == -EPROTO ? "EPROTO" : v == -EINVAL ?
		 "EINVAL" : "?");
	return buf;
}

/* The L4 offset and protocol of the packet p (from its IP header), or -1. */
static int l4_of(const uint8_t *p, size_t len, int pf, size_t *off)
{
	size_t pos;
	uint8_t nh;

	if (pf == NFPROTO_IPV4) {
		if (len < 20 || p[0] >> 4 != 4 || (p[0] & 0xf) < 5 || (t_get16(p + 6) & 0x1fff))
			return -1;
		*off = (p[0] & 0xf) * 4;
		return p[9];
	}
	if (len < 40 || p[0] >> 4 != 6)
		return -1;
	nh = p[6];
	pos = 40;
	for (int i = 0; i <= T_CHAIN_MAX_HDRS; i++) {
		if (nh != 0 && nh != 43 && nh != 60 && nh != 44) {
			*off = pos;
			return nh;
		}
		if (i == T_CHAIN_MAX_HDRS)
			return -2;		/* more than followed */
		if (pos + 4 > len)
			return -1;
		if (nh == 44 && (t_get16(p + pos + 2) & 0xfff8))
			return -1;
		size_t elen = nh == 44 ? 8 : (p[pos + 1] + 1) * 8;

		nh = p[pos];
		pos += elen;
		if (pos - 40 > T_CHAIN_MAX_BYTES)
			return -2;
	}
	return -1;
}

static int model(const uint8_t *p, size_t len, int pf)
{
	size_t off = 0;
	int proto = l4_of(p, len, pf, &off);
	uint16_t dport;

	/* A chain longer than followed: dropped, whatever lies behind it. */
	if (proto == -2) {
		want[NETFILTER_STAT_LONG_CHAIN]++;
		return 0;
	}
	if (proto != 6 && proto != 17) {
		want[proto < 0 ? NETFILTER_STAT_UNPARSED : NETFILTER_STAT_ACCEPT]++;
		return 1;
	}
	if (off + 4 > len) {
		want[NETFILTER_STAT_UNPARSED]++;
		return 1;
	}
	dport = t_get16(p + off + 2);
	if ((proto == 6 && dport == 80) || (proto == 17 && dport == 53)) {
		want[NETFILTER_STAT_DROP]++;
		return 0;
	}
	want[NETFILTER_STAT_ACCEPT]++;
	return 1;
}

static void one(const uint8_t *f, size_t len, const char *what, void *ctx)
{
	int et = len >= 14 ? t_get16(f + 12) : -1, pf = et == 0x86dd ? NFPROTO_IPV6 : NFPROTO_IPV4;
	const uint8_t *p = hook == LOCAL_OUT ? f + 14 : f;
	size_t plen = hook == LOCAL_OUT ? (len >= 14 ? len - 14 : 0) : len;
	struct hook_ctx hc = { .hook = hook, .pf = pf };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p, .data_size_in = plen,
		    .ctx_in = &hc, .ctx_size_in = sizeof(hc), .repeat = 1);
	int got, exp;

	if (hook == LOCAL_OUT && len < 14)
		return;
	got = bpf_prog_test_run_opts(fd, &o) ? -errno : (int)o.retval;
	if (plen < 20 || plen > T_SKB_MAX)
		exp = -EINVAL;
	else if (hook != LOCAL_OUT && (plen < 34 || (et == 0x86dd && plen < 54)))
		exp = -EINVAL;
	else if (hook != LOCAL_OUT && et != 0x0800 && et != 0x86dd)
		exp = -EPROTO;
	else
		exp = model(hook == LOCAL_OUT ? p : p + 14, hook == LOCAL_OUT ? plen : plen - 14, pf);
	if (exp >= 0)
		nrun++;
	d.frames++;
	if (got != exp)
		t_diff(&d, what, p, plen, "program %s, model %s", vname(got), vname(exp));
}

int main(void)
{
	struct netfilter_port_key key = {};
	struct netfilter_bpf *skel;
	uint64_t c[NETFILTER_NSTATS][2];
	char name[128];
	__u64 zero = 0;
	size_t n;

	t_init();
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_NETFILTER, NULL) <= 0) {
		printf("SKIP netfilter frames (BPF_PROG_TYPE_NETFILTER needs Linux 6.4 or newer)\n");
		return 77;
	}
	for (int pass = 0; pass < 2; pass++) {
		hook = pass ? LOCAL_OUT : PRE_ROUTING;
		skel = netfilter_bpf__open_and_load();
		if (!skel) {
			printf("FAIL load netfilter (%s)\n", strerror(errno));
			return 1;
		}
		key = (struct netfilter_port_key){ .port = 80, .proto = 6 };
		bpf_map_update_elem(bpf_map__fd(skel->maps.drop_ports), &key, &zero, BPF_ANY);
		key = (struct netfilter_port_key){ .port = 53, .proto = 17 };
		bpf_map_update_elem(bpf_map__fd(skel->maps.drop_ports), &key, &zero, BPF_ANY);
		fd = bpf_program__fd(skel->progs.nf_drop_ports);
		memset(&d, 0, sizeof(d));
		memset(want, 0, sizeof(want));
		nrun = 0;
		n = t_corpus(SEED + pass, 3000, 3000, one, NULL);
		snprintf(name, sizeof(name), "netfilter at %s: every corpus frame gets the model's "
			 "verdict", pass ? "LOCAL_OUT" : "PRE_ROUTING");
		t_check(!d.diffs, name, "%zu of %zu frames differ from the model", d.diffs, d.frames);
		printf("# %s: %zu frames (of the corpus's %zu, those with an Ethernet header to "
		       "strip at LOCAL_OUT), %zu run\n", name, d.frames, n, nrun);
		for (__u32 i = 0; i < NETFILTER_NSTATS; i++)
			percpu_sum(bpf_map__fd(skel->maps.stats), &i, c[i], 2);
		snprintf(name, sizeof(name), "netfilter at %s: accept, drop, unparsed and long-chain "
			 "counters equal the model's", pass ? "LOCAL_OUT" : "PRE_ROUTING");
		t_check(c[NETFILTER_STAT_ACCEPT][0] == want[NETFILTER_STAT_ACCEPT] &&
			c[NETFILTER_STAT_DROP][0] == want[NETFILTER_STAT_DROP] &&
			c[NETFILTER_STAT_UNPARSED][0] == want[NETFILTER_STAT_UNPARSED] &&
			c[NETFILTER_STAT_LONG_CHAIN][0] == want[NETFILTER_STAT_LONG_CHAIN], name,
			"accept %llu drop %llu unparsed %llu long-chain %llu, model %llu %llu %llu %llu",
			(unsigned long long)c[0][0], (unsigned long long)c[1][0],
			(unsigned long long)c[2][0], (unsigned long long)c[3][0],
			(unsigned long long)want[0], (unsigned long long)want[1],
			(unsigned long long)want[2], (unsigned long long)want[3]);
		netfilter_bpf__destroy(skel);
	}
	return t_exit();
}
