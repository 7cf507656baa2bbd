// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The hostile-frame corpus (testlib.h's t_corpus) through the flow
 * dissector under BPF_PROG_TEST_RUN, with the three sets of flags the
 * kernel passes (none, PARSE_1ST_FRAG, PARSE_1ST_FRAG|STOP_AT_FLOW_LABEL)
 * in turn. The model is a dissector written here from the protocol specs
 * and the program's documented rules; it computes the whole struct
 * bpf_flow_keys, which must equal the program's byte for byte whenever
 * the verdict is BPF_OK, and the verdict (BPF_OK, BPF_DROP for what is
 * cut short or invalid, BPF_FLOW_DISSECTOR_CONTINUE for what it leaves to
 * the kernel) must be the same for every frame.
 *
 * The test run refuses (EINVAL) frames shorter than 14 bytes and longer
 * than a page (4096 bytes).
 */
#include "testlib.h"
#include "common.h"
#include "flow_dissector/flow_dissector.h"
#include "flow_dissector/flow_dissector.skel.h"

#define SEED		0xf10ULL
#define CONTINUE	129		/* BPF_FLOW_DISSECTOR_CONTINUE */
#define REFUSED		((uint32_t)-EINVAL)
#define FD_MAX		4096
#define F_1ST		BPF_FLOW_DISSECTOR_F_PARSE_1ST_FRAG
#define F_LABEL		BPF_FLOW_DISSECTOR_F_STOP_AT_FLOW_LABEL

static int fd;
static struct t_diff d;
static size_t nframe, nrun, nkeys;

static const char *vname(uint32_t v)
{
	return v == BPF_OK ? "BPF_OK" : v == BPF_DROP ? "BPF_DROP" : v == CONTINUE ? "CONTINUE" :
	       v == REFUSED ? "refused (EINVAL)" : "other";
}

static uint16_t fold(const uint8_t *p)
{
	return t_get16(p) ^ t_get16(p + 2);
}

/* L4 at off: ports (or OSPF's router and area IDs) into k. */
static uint32_t l4_model(const uint8_t *f, size_t len, size_t off, uint8_t proto,
			 struct bpf_flow_keys *k)
{
	switch (proto) {
	case 6:
		if (off + 20 > len || f[off + 12] >> 4 < 5)
			return BPF_DROP;
		break;
	case 17:
		if (off + 8 > len)
			return BPF_DROP;
		break;
	case 89:
		if (off + 12 > len)
			return BPF_DROP;
		k->sport = htons(fold(f + off + 4));
		k->dport = htons(fold(f + off + 8));
		return BPF_OK;
	default:
		return CONTINUE;
	}
	memcpy(&k->sport, f + off, 2);
	memcpy(&k->dport, f + off + 2, 2);
	return BPF_OK;
}

/* A fragment: true when dissection stops here (later, or ports not asked for). */
static bool frag_stops(struct bpf_flow_keys *k, bool first)
{
	k->is_frag = 1;
	k->is_first_frag = first;
	return !first || !(k->flags & F_1ST);
}

static uint32_t model(const uint8_t *f, size_t len, struct bpf_flow_keys *k)
{
	uint16_t proto = t_get16(f + 12);
	size_t off = 14, hl;
	uint8_t nh;

	for (int i = 0; i < 2 && (proto == 0x8100 || proto == 0x88a8); i++) {
		if (off + 4 > len)
			return BPF_DROP;
		proto = t_get16(f + off + 2);
		off += 4;
	}
	k->n_proto = htons(proto);
	k->nhoff = k->thoff = off;
	if (proto == 0x0800) {
		if (off + 20 > len || f[off] >> 4 != 4)
			return BPF_DROP;
		hl = (f[off] & 0xf) * 4;
		if (hl < 20 || t_get16(f + off + 2) < hl || off + hl > len)
			return BPF_DROP;
		k->addr_proto = 0x0800;
		k->ip_proto = f[off + 9];
		memcpy(&k->ipv4_src, f + off + 12, 4);
		memcpy(&k->ipv4_dst, f + off + 16, 4);
		k->thoff = off + hl;
		if ((t_get16(f + off + 6) & 0x3fff) &&
		    frag_stops(k, !(t_get16(f + off + 6) & 0x1fff)))
			return BPF_OK;
		return l4_model(f, len, off + hl, f[off + 9], k);
	}
	if (proto != 0x86dd)
		return CONTINUE;
	if (off + 40 > len || f[off] >> 4 != 6)
		return BPF_DROP;
	k->addr_proto = 0x86dd;
	memcpy(k->ipv6_src, f + off + 8, 16);
	memcpy(k->ipv6_dst, f + off + 24, 16);
	memcpy(&k->flow_label, f + off, 4);
	k->flow_label &= htonl(0xfffff);
	nh = k->ip_proto = f[off + 6];
	off += 40;
	k->thoff = off;
	if (k->flow_label && (k->flags & F_LABEL))
		return BPF_OK;
	for (int i = 0; i <= T_MAX_EXT6; i++) {
		if (nh != 0 && nh != 43 && nh != 60 && nh != 44) {
			k->ip_proto = nh;
			k->thoff = off;
			return l4_model(f, len, off, nh, k);
		}
		if (i == T_MAX_EXT6)
			return CONTINUE;	/* more than it follows: the kernel's turn */
		if (nh == 44) {
			if (off + 8 > len)
				return BPF_DROP;
			nh = k->ip_proto = f[off];
			k->thoff = off + 8;
			if (frag_stops(k, !(t_get16(f + off + 2) & 0xfff8)))
				return BPF_OK;
			off += 8;
		} else {
			if (off + 8 > len || off + 8 + f[off + 1] * 8 > len)
				return BPF_DROP;
			nh = f[off];
			off += 8 + f[off + 1] * 8;
		}
	}
	return CONTINUE;
}

static void show(const char *what, const struct bpf_flow_keys *k)
{
	const uint8_t *b = (const uint8_t *)k;

	printf("# %s keys:", what);
	for (size_t i = 0; i < sizeof(*k); i++)
		printf("%s%02x", i % 28 ? "" : "\n#   ", b[i]);
	printf("\n");
}

static void one(const uint8_t *f, size_t len, const char *what, void *ctx)
{
	static const uint32_t flags[3] = { 0, F_1ST, F_1ST | F_LABEL };
	struct bpf_flow_keys in = { .flags = flags[nframe++ % 3] }, got = {}, want = in;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f, .data_size_in = len,
		    .data_out = &got, .data_size_out = sizeof(got),
		    .ctx_in = &in, .ctx_size_in = sizeof(in), .repeat = 1);
	uint32_t ret, exp;

	ret = bpf_prog_test_run_opts(fd, &o) ? (uint32_t)-errno : o.retval;
	if (len < 14 || len > FD_MAX) {
		exp = REFUSED;
	} else {
		nrun++;
		exp = model(f, len, &want);
		/* The kernel keeps the offsets inside the packet. */
		if (want.thoff > len)
			want.thoff = len;
	}
	d.frames++;
	if (ret != exp) {
		t_diff(&d, what, f, len, "program %s, model %s (flags %#x)", vname(ret), vname(exp),
		       in.flags);
		return;
	}
	if (exp != BPF_OK)
		return;
	nkeys++;
	if (memcmp(&got, &want, sizeof(got))) {
		t_diff(&d, what, f, len, "keys differ (flags %#x)", in.flags);
		if (d.diffs <= 8) {
			show("program", &got);
			show("model", &want);
		}
	}
}

int main(void)
{
	struct flow_dissector_bpf *skel;
	size_t n;

	t_init();
	skel = flow_dissector_bpf__open_and_load();
	if (!skel) {
		printf("FAIL load flow_dissector (%s)\n", strerror(errno));
		return 1;
	}
	fd = bpf_program__fd(skel->progs.dissect);
	n = t_corpus(SEED, 3000, 3000, one, NULL);
	t_check(!d.diffs && d.frames == n,
		"flow_dissector: every corpus frame gets the model's verdict, and its keys when BPF_OK",
		"%zu of %zu frames differ from the model", d.diffs, d.frames);
	printf("# flow_dissector: %zu frames, %zu run, %zu with keys compared\n", n, nrun, nkeys);
	flow_dissector_bpf__destroy(skel);
	return t_exit();
}
