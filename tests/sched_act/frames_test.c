// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The hostile-frame corpus (testlib.h's t_corpus) through sched_act under
 * BPF_PROG_TEST_RUN, at a drop share of 100% and of 0%, each verdict
 * checked against the model: ICMP over IPv4 (fragments included) and
 * ICMPv6 other than neighbour discovery (133-137; its type must be
 * there to tell) are ICMP; at 100% every ICMP frame is dropped
 * (TC_ACT_SHOT), at 0% none; everything else goes on (TC_ACT_UNSPEC).
 * The counters must equal the model's.
 */
#include "testlib.h"
#include "common.h"
#include "sched_act/sched_act.h"
#include "sched_act/sched_act.skel.h"

#define SEED		0xac7ULL
#define PASS_V		((uint32_t)-1)
#define DROP_V		2
#define REFUSED		((uint32_t)-EINVAL)

static int fd;
static bool all;
static struct t_diff d;
static uint64_t seen, icmp, dropped;

static const char *vname(uint32_t v)
{
	return v == PASS_V ? "pass" : v == DROP_V ? "drop" : v == REFUSED ? "refused (EINVAL)" : "other";
}

static bool is_icmp(const uint8_t *f, size_t len)
{
	struct t_hdrs h;

	t_parse(f, len, &h);
	if (h.eth == 0x0800)
		return h.proto == 1;
	if (h.eth != 0x86dd || h.proto != 58 || h.later || h.l4 + 8 > len)
		return false;
	return f[h.l4] < 133 || f[h.l4] > 137;
}

static void one(const uint8_t *f, size_t len, const char *what, void *ctx)
{
	uint32_t ret = 0, want;
	int err = t_run(fd, f, len, NULL, NULL, &ret);

	if (err)
		ret = (uint32_t)err;
	if (t_skb_refused(f, len)) {
		want = REFUSED;
	} else {
		seen++;
		want = PASS_V;
		if (is_icmp(f, len)) {
			icmp++;
			dropped += all;
			want = all ? DROP_V : PASS_V;
		}
	}
	d.frames++;
	if (ret != want)
		t_diff(&d, what, f, len, "program %s (%d), model %s", vname(ret), (int)ret,
		       vname(want));
}

int main(void)
{
	struct sched_act_bpf *skel;
	struct sched_act_count s;
	char name[128];
	size_t n;

	t_init();
	for (int pass = 0; pass < 2; pass++) {
		all = pass == 0;
		skel = sched_act_bpf__open();
		if (!skel)
			return 1;
		skel->rodata->threshold = all ? 1ULL << 32 : 0;
		if (sched_act_bpf__load(skel)) {
			printf("FAIL load sched_act (%s)\n", strerror(errno));
			return 1;
		}
		fd = bpf_program__fd(skel->progs.sched_act);
		memset(&d, 0, sizeof(d));
		seen = icmp = dropped = 0;
		n = t_corpus(SEED + pass, 3000, 3000, one, NULL);
		snprintf(name, sizeof(name), "sched_act, drop %d%%: every corpus frame gets the "
			 "model's verdict", all ? 100 : 0);
		t_check(!d.diffs && d.frames == n, name, "%zu of %zu frames differ from the model",
			d.diffs, d.frames);
		printf("# %s: %zu frames, %llu run, %llu icmp\n", name, n,
		       (unsigned long long)seen, (unsigned long long)icmp);
		percpu_sum(bpf_map__fd(skel->maps.stats), &(__u32){ 0 }, (uint64_t *)&s, 3);
		snprintf(name, sizeof(name), "sched_act, drop %d%%: seen, icmp and dropped equal "
			 "the model's", all ? 100 : 0);
		t_check(s.seen == seen && s.icmp == icmp && s.dropped == dropped, name,
			"seen %llu icmp %llu dropped %llu, model %llu %llu %llu",
			(unsigned long long)s.seen, (unsigned long long)s.icmp,
			(unsigned long long)s.dropped, (unsigned long long)seen,
			(unsigned long long)icmp, (unsigned long long)dropped);
		sched_act_bpf__destroy(skel);
	}
	return t_exit();
}
