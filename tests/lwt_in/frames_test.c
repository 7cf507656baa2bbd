// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The hostile-frame corpus (testlib.h's t_corpus) through lwt_in under
 * BPF_PROG_TEST_RUN, counting only and dropping UDP, each verdict and
 * counter checked against the model. An LWT program sees the packet from
 * the IP header on and goes by skb->protocol, which the test run takes
 * from the frame's EtherType: IPv4 and IPv6 are parsed (testlib.h's
 * t_parse_ip), anything else (a VLAN tag included) is malformed. The
 * protocol found is counted, and dropped (BPF_DROP) when it is the one
 * to drop; the rest goes on (BPF_OK), the packet unchanged.
 */
#include "testlib.h"
#include "common.h"
#include "lwt_in/lwt_in.h"
#include "lwt_in/lwt_in.skel.h"

#define SEED		0x1317ULL
#define REFUSED		((uint32_t)-EINVAL)

static int fd, drop_proto;
static struct t_diff d;
static uint64_t want_pkts[LWT_IN_NSTATS], want_bytes[LWT_IN_NSTATS];
static size_t nrun;

static const char *vname(uint32_t v)
{
	return v == BPF_OK ? "BPF_OK" : v == BPF_DROP ? "BPF_DROP" :
	       v == REFUSED ? "refused (EINVAL)" : "other";
}

static void one(const uint8_t *f, size_t len, const char *what, void *ctx)
{
	static uint8_t out[1600];
	uint32_t ret = 0, out_len = 0, want = BPF_OK;
	int et = len >= 14 ? t_get16(f + 12) : -1, slot = LWT_IN_STAT_MALFORMED;
	bool small = len <= sizeof(out);
	struct t_hdrs h = { .proto = -1 };
	int err = t_run(fd, f, len, small ? out : NULL, small ? &out_len : NULL, &ret);

	if (err)
		ret = (uint32_t)err;
	if (t_skb_refused(f, len)) {
		want = REFUSED;
	} else {
		nrun++;
		if (et == 0x0800 || et == 0x86dd)
			t_parse_ip_max(f, len, 14, et, &h, T_CHAIN_MAX_HDRS);
		if (h.proto >= 0)
			slot = h.proto;
		/* Longer than followed: dropped when a protocol is (fail closed). */
		if (h.deep)
			slot = LWT_IN_STAT_LONG_CHAIN;
		want_pkts[slot]++;
		want_bytes[slot] += len - 14;
		if ((h.proto >= 0 && h.proto == drop_proto) || (h.deep && drop_proto >= 0))
			want = BPF_DROP;
	}
	d.frames++;
	if (ret != want)
		t_diff(&d, what, f, len, "program %s, model %s", vname(ret), vname(want));
	else if (want != REFUSED && small && (out_len != len || memcmp(out + 14, f + 14, len - 14)))
		t_diff(&d, what, f, len, "the packet came back changed");
}

int main(void)
{
	struct lwt_in_bpf *skel;
	char name[128];
	size_t n;

	t_init();
	for (int pass = 0; pass < 2; pass++) {
		int bad = 0;

		drop_proto = pass ? IPPROTO_UDP : -1;
		skel = lwt_in_bpf__open();
		if (!skel)
			return 1;
		skel->rodata->drop_proto = drop_proto;
		if (lwt_in_bpf__load(skel)) {
			printf("FAIL load lwt_in (%s)\n", strerror(errno));
			return 1;
		}
		fd = bpf_program__fd(skel->progs.lwt_in_count);
		memset(&d, 0, sizeof(d));
		memset(want_pkts, 0, sizeof(want_pkts));
		memset(want_bytes, 0, sizeof(want_bytes));
		nrun = 0;
		n = t_corpus(SEED + pass, 3000, 3000, one, NULL);
		snprintf(name, sizeof(name), "lwt_in%s: every corpus frame gets the model's verdict",
			 pass ? " (drop udp)" : "");
		t_check(!d.diffs && d.frames == n, name, "%zu of %zu frames differ from the model",
			d.diffs, d.frames);
		printf("# %s: %zu frames, %zu run\n", name, n, nrun);
		for (__u32 i = 0; i < LWT_IN_NSTATS; i++) {
			uint64_t c[2];

			percpu_sum(bpf_map__fd(skel->maps.stats), &i, c, 2);
			if (c[0] != want_pkts[i] || c[1] != want_bytes[i]) {
				printf("# slot %u: %llu packets %llu bytes, model %llu %llu\n", i,
				       (unsigned long long)c[0], (unsigned long long)c[1],
				       (unsigned long long)want_pkts[i],
				       (unsigned long long)want_bytes[i]);
				bad++;
			}
		}
		snprintf(name, sizeof(name), "lwt_in%s: counters equal the model's, per protocol",
			 pass ? " (drop udp)" : "");
		t_check(!bad, name, "%d slots differ", bad);
		lwt_in_bpf__destroy(skel);
	}
	return t_exit();
}
