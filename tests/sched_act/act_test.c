// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* BPF_PROG_TEST_RUN unit tests of sched_act/sched_act.bpf.c, run as SCHED_ACT. */
#include "testlib.h"
#include "common.h"
#include "sched_act/sched_act.h"
#include "sched_act/sched_act.skel.h"

#define SHOT 2
#define UNSPEC ((uint32_t)-1)

static struct sched_act_bpf *load(int percent)
{
	struct sched_act_bpf *s = sched_act_bpf__open();

	if (!s)
		return NULL;
	s->rodata->threshold = ((__u64)percent << 32) / 100;
	if (sched_act_bpf__load(s)) {
		sched_act_bpf__destroy(s);
		return NULL;
	}
	return s;
}

/* Run pkt n times; the number dropped, or -1 on a verdict other than pass/drop. */
static long drops(struct sched_act_bpf *s, const uint8_t *pkt, size_t len, int n)
{
	int fd = bpf_program__fd(s->progs.sched_act);
	uint32_t ret = 0;
	long d = 0;

	for (int i = 0; i < n; i++) {
		if (t_run(fd, pkt, len, NULL, NULL, &ret) || (ret != SHOT && ret != UNSPEC))
			return -1;
		d += ret == SHOT;
	}
	return d;
}

static long spec_drops(struct sched_act_bpf *s, struct pkt_spec spec, int n)
{
	uint8_t buf[1600];

	return drops(s, buf, build_packet(buf, &spec), n);
}

int main(void)
{
	const struct pkt_spec echo = { .icmp_type = 8, .icmp_id = 1, .icmp_seq = 1 };
	const struct pkt_spec echo6 = { .family = 6, .icmp_type = 128 };
	const struct pkt_spec ns6 = { .family = 6, .icmp_type = 135 };
	const struct pkt_spec tcp = { .proto = 6, .sport = 1, .dport = 80 };
	const struct pkt_spec udp = { .family = 6, .proto = 17, .sport = 1, .dport = 53 };
	struct sched_act_bpf *s;
	struct sched_act_count st;
	uint8_t arp[42] = {};
	long d, n = 20000;

	t_init();
	memcpy(arp + 12, "\x08\x06", 2);

	s = load(7);
	if (!s) {
		printf("FAIL load sched_act (%s)\n", strerror(errno));
		return 1;
	}
	t_check(bpf_program__type(s->progs.sched_act) == BPF_PROG_TYPE_SCHED_ACT,
		"the program is loaded as BPF_PROG_TYPE_SCHED_ACT", "type %d",
		bpf_program__type(s->progs.sched_act));
	d = spec_drops(s, echo, n);
	printf("# P=7: %ld of %ld icmp echo requests dropped (%.2f%%)\n", d, n, 100.0 * d / n);
	t_check(d >= n * 55 / 1000 && d <= n * 85 / 1000,
		"P=7: 20,000 icmp packets, drop share within 5.5%..8.5%", "%ld dropped (%.2f%%)", d,
		100.0 * d / n);
	percpu_sum(bpf_map__fd(s->maps.stats), &(__u32){ 0 }, (uint64_t *)&st, 3);
	t_check(st.seen == (uint64_t)n && st.icmp == (uint64_t)n && st.dropped == (uint64_t)d,
		"P=7: counters equal the verdicts", "seen %llu icmp %llu dropped %llu",
		st.seen, st.icmp, st.dropped);
	t_check(spec_drops(s, tcp, 2000) == 0, "P=7: 2,000 tcp packets, 0 dropped", "drops or bad verdict");
	t_check(spec_drops(s, udp, 2000) == 0, "P=7: 2,000 ipv6 udp packets, 0 dropped", "drops or bad verdict");
	t_check(drops(s, arp, sizeof(arp), 2000) == 0, "P=7: 2,000 arp packets, 0 dropped", "drops or bad verdict");
	t_check(spec_drops(s, ns6, 2000) == 0, "P=7: 2,000 neighbour solicitations, 0 dropped",
		"drops or bad verdict");
	d = spec_drops(s, echo6, n);
	t_check(d >= n * 55 / 1000 && d <= n * 85 / 1000,
		"P=7: 20,000 icmpv6 echo requests, drop share within 5.5%..8.5%", "%ld dropped", d);
	sched_act_bpf__destroy(s);

	s = load(0);
	if (!s)
		return 1;
	t_check(spec_drops(s, echo, n) == 0, "P=0: 20,000 icmp packets, 0 dropped", "drops or bad verdict");
	sched_act_bpf__destroy(s);

	s = load(100);
	if (!s)
		return 1;
	t_check(spec_drops(s, echo, 2000) == 2000, "P=100: every icmp packet dropped", "not all dropped");
	t_check(spec_drops(s, ns6, 500) == 0, "P=100: neighbour discovery still passes", "dropped");
	t_check(spec_drops(s, tcp, 500) == 0, "P=100: tcp still passes", "dropped");
	sched_act_bpf__destroy(s);
	return t_exit();
}
