// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pktcost: what each packet program of the catalog costs per packet.
 * Every program of a runnable type in every built object is loaded as the
 * example ships it (its default configuration) and run through
 * BPF_PROG_TEST_RUN on the first test packet it acts on and the first it
 * lets through, next to an empty program of the same type on the same
 * packet: the difference is the example's own work.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"
#include "pktcost.skel.h"
#include <bpf/btf.h>
#include "../../xdp/xdp_icmp_server.h"
#include "../tests/lib/testlib.h"	/* build_packet: the unit tests' frames */

static long repeat = 1000000;
static char **objs;
static int nobjs;

static const char doc[] =
"Measure ns per packet of every packet program (XDP, tc classifier and\n"
"action, socket filter, LWT, netfilter, flow dissector) in the given BPF\n"
"objects, default every .output/DIR/NAME.bpf.o of the catalog, with\n"
"BPF_PROG_TEST_RUN. Prints CSV: one row per program and packet, with the\n"
"floor (an empty program of the same type), verified_insns and JIT size.\n"
"\n"
"A program that rewrites its packet would see its own output on the next\n"
"repetition, so those are timed one run per call instead (method single).\n"
"\n"
"EXAMPLES:\n"
"  pktcost                                # the whole catalog, run from the top\n"
"  pktcost -r 100000 .output/xdp/xdp_drop.bpf.o\n";

static const struct argp_option options[] = {
	{ "repeat", 'r', "N", 0, "Repetitions per measurement (default 1000000)", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'r':
		repeat = parse_long(arg, "repeat", 1000, 100000000);
		break;
	case ARGP_KEY_ARGS:
		objs = state->argv + state->next;
		nobjs = state->argc - state->next;
		for (int i = 0; i < nobjs; i++)
			if (access(objs[i], R_OK))
				usage_error("no such BPF object: %s", quote_arg(objs[i]));
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.args_doc = "[OBJECT.bpf.o...]",
	.doc = doc,
	.children = common_children,
};

/* Tried in this order: the first acted on and the first passed are timed. */
static const struct {
	const char *name;
	struct pkt_spec spec;
} pkts[] = {
	{ "icmp-echo", { .icmp_type = 8, .icmp_id = 1, .icmp_seq = 1 } },
	{ "icmp6-echo", { .family = 6, .icmp_type = 128, .icmp_id = 1, .icmp_seq = 1 } },
	{ "tcp-syn:8080", { .proto = 6, .sport = 40000, .dport = 8080 } },
	{ "tcp-syn:80", { .proto = 6, .sport = 40000, .dport = 80 } },
	{ "udp:53", { .proto = 17, .sport = 40000, .dport = 53 } },
	{ "udp:9", { .proto = 17, .sport = 40000, .dport = 9 } },
};
#define NPKTS (sizeof(pkts) / sizeof(pkts[0]))

static struct pktcost_bpf *floor_skel;

static struct bpf_program *floor_prog(enum bpf_prog_type type)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, floor_skel->obj)
		if (bpf_program__type(p) == type && bpf_program__autoload(p))
			return p;
	return NULL;
}

/* Netfilter programs take a packet that starts at the IP header. */
static bool l3_only(enum bpf_prog_type type)
{
	return type == BPF_PROG_TYPE_NETFILTER;
}

static bool passes(enum bpf_prog_type type, uint32_t ret, size_t len)
{
	switch (type) {
	case BPF_PROG_TYPE_XDP:
		return ret == XDP_PASS;
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
		return ret == 0 || ret == 3 || ret == (uint32_t)-1;	/* OK, PIPE, UNSPEC */
	case BPF_PROG_TYPE_SOCKET_FILTER:
		return ret >= len - 14;		/* kept whole (the filter sees no MAC header) */
	case BPF_PROG_TYPE_NETFILTER:
		return ret == 1;		/* NF_ACCEPT */
	default:
		return ret == 0;		/* BPF_OK: LWT, flow dissector */
	}
}

static const char *verdict(enum bpf_prog_type type, uint32_t ret)
{
	static const char *xdp[] = { "aborted", "drop", "pass", "tx", "redirect" };
	static const char *tc[] = { "ok", "reclassify", "shot", "pipe", "stolen",
				    "queued", "repeat", "redirect" };
	static char buf[32];

	switch (type) {
	case BPF_PROG_TYPE_XDP:
		if (ret < 5)
			return xdp[ret];
		break;
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
		if (ret == (uint32_t)-1)
			return "unspec";
		if (ret < 8)
			return tc[ret];
		break;
	case BPF_PROG_TYPE_NETFILTER:
		if (ret < 2)
			return ret ? "accept" : "drop";
		break;
	case BPF_PROG_TYPE_SOCKET_FILTER:
		snprintf(buf, sizeof(buf), "keep %u", ret);
		return buf;
	case BPF_PROG_TYPE_FLOW_DISSECTOR:
		return "dissected";
	default:			/* LWT: BPF_OK, BPF_DROP, BPF_REDIRECT */
		if (ret == 0 || ret == 2 || ret == 7)
			return ret == 0 ? "ok" : ret == 2 ? "drop" : "redirect";
	}
	snprintf(buf, sizeof(buf), "ret %u", ret);
	return buf;
}

static bool runnable(enum bpf_prog_type t)
{
	switch (t) {
	case BPF_PROG_TYPE_XDP:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_LWT_IN:
	case BPF_PROG_TYPE_LWT_OUT:
	case BPF_PROG_TYPE_LWT_XMIT:
	case BPF_PROG_TYPE_NETFILTER:
	case BPF_PROG_TYPE_FLOW_DISSECTOR:
		return true;
	default:
		return false;
	}
}

/*
 * One run: verdict, and whether the program changed the packet. Types
 * that start at L3 hand back the frame with a zeroed MAC header; a flow
 * dissector hands back its flow keys, never a changed packet.
 */
static int run_once(int fd, enum bpf_prog_type type, const uint8_t *pkt, size_t len,
		    uint32_t *ret, bool *changed)
{
	size_t skip = type == BPF_PROG_TYPE_SOCKET_FILTER || type == BPF_PROG_TYPE_LWT_IN ||
		      type == BPF_PROG_TYPE_LWT_OUT || type == BPF_PROG_TYPE_LWT_XMIT ? 14 : 0;
	uint8_t out[1600];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	*ret = o.retval;
	*changed = type != BPF_PROG_TYPE_FLOW_DISSECTOR && o.data_size_out &&
		   (o.data_size_out != len || memcmp(out + skip, pkt + skip, len - skip));
	return 0;
}

/*
 * Mean ns per run. With `single`, one run per call, so each run sees the
 * original packet; the kernel's clock reads around that one run are in
 * the figure, and equally in the floor's.
 */
static double time_runs(int fd, const uint8_t *pkt, size_t len, bool single)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len,
		    .repeat = single ? 1 : repeat);
	long calls = single ? repeat / 10 : 1;
	uint64_t total = 0;

	for (long i = 0; i < calls; i++) {
		if (bpf_prog_test_run_opts(fd, &o))
			return -1;
		total += o.duration;
	}
	return (double)total / calls;
}

static void prog_info(int fd, __u32 *insns, __u32 *jited)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	*insns = *jited = 0;
	if (!bpf_prog_get_info_by_fd(fd, &info, &len)) {
		*insns = info.verified_insns;
		*jited = info.jited_prog_len;
	}
}

static void measure(const char *obj, struct bpf_program *prog)
{
	enum bpf_prog_type type = bpf_program__type(prog);
	struct bpf_program *fl = floor_prog(type);
	int fd = bpf_program__fd(prog);
	bool done_act = false, done_pass = false, changed = false;
	__u32 insns, jited, ret = 0;
	uint8_t pkt[1600];
	size_t len;

	prog_info(fd, &insns, &jited);
	for (size_t i = 0; i < NPKTS && !(done_act && done_pass); i++) {
		struct pkt_spec s = pkts[i].spec;
		bool pass;
		double ns, floor_ns;

		s.no_eth = l3_only(type);
		len = build_packet(pkt, &s);
		if (run_once(fd, type, pkt, len, &ret, &changed)) {
			printf("%s,%s,%s,%s,error,,,%u,%u,\n", obj, bpf_program__name(prog),
			       libbpf_bpf_prog_type_str(type), pkts[i].name, insns, jited);
			return;
		}
		/* A flow dissector has no verdict to tell cases apart: one row. */
		pass = type != BPF_PROG_TYPE_FLOW_DISSECTOR && passes(type, ret, len);
		if ((pass && done_pass) || (!pass && done_act))
			continue;
		if (pass)
			done_pass = true;
		else
			done_act = true;
		if (type == BPF_PROG_TYPE_FLOW_DISSECTOR)
			done_pass = true;
		ns = time_runs(fd, pkt, len, changed);
		floor_ns = fl ? time_runs(bpf_program__fd(fl), pkt, len, changed) : -1;
		printf("%s,%s,%s,%s,%s,%.1f,%.1f,%u,%u,%s\n", obj, bpf_program__name(prog),
		       libbpf_bpf_prog_type_str(type), pkts[i].name, verdict(type, ret),
		       ns, floor_ns, insns, jited, changed ? "single" : "repeat");
	}
}

/*
 * xdp_icmp_server answers only for the interface its loader describes in
 * the global `cfg`; left zeroed, every echo request takes the pass path.
 * Describe the test packets' destination (192.0.2.2, 2001:db8:1::2 and
 * t_mac_dst), as the unit test does, through the .bss initial image.
 */
static void fill_icmp_server_cfg(struct bpf_object *obj)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct xdp_icmp_server_cfg c = { .ttl = 64, .hop_limit = 64, .n4 = 1, .n6 = 1 };
	struct bpf_map *bss = bpf_object__find_map_by_name(obj, ".bss");
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	size_t size;
	char *data;
	int id;

	if (!btf || !bss || (id = btf__find_by_name(btf, ".bss")) < 0)
		return;
	data = bpf_map__initial_value(bss, &size);
	sec = btf__type_by_id(btf, id);
	if (!data || !sec)
		return;
	memcpy(c.mac, t_mac_dst, 6);
	inet_pton(AF_INET, "192.0.2.2", &c.a4[0].addr);
	inet_pton(AF_INET, "255.255.255.0", &c.a4[0].mask);
	inet_pton(AF_INET6, "2001:db8:1::2", c.a6[0].addr);
	inet_pton(AF_INET6, "ffff:ffff:ffff:ffff::", c.a6[0].mask);
	vs = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, v->name_off), "cfg") &&
		    vs->size == sizeof(c) && vs->offset + sizeof(c) <= size)
			memcpy(data + vs->offset, &c, sizeof(c));
	}
}

static void measure_object(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *p;
	struct bpf_map *m;
	int n = 0, err;

	if (!obj) {
		warnmsg("%s: cannot open: %s", path, err_sentence(errno));
		return;
	}
	/* Objects such as xdp-filter's pin their maps by name: not here. */
	bpf_object__for_each_map(m, obj)
		bpf_map__set_pin_path(m, NULL);
	bpf_object__for_each_program(p, obj) {
		bool ok = runnable(bpf_program__type(p));

		bpf_program__set_autoload(p, ok);
		n += ok;
	}
	if (!n)
		goto out;
	if (strstr(path, "xdp_icmp_server.bpf.o"))
		fill_icmp_server_cfg(obj);
	err = bpf_object__load(obj);
	if (err) {
		warnmsg("%s: cannot load: %s", path, err_sentence(err));
		printf("%s,,,,load failed,,,,,\n", path);
		goto out;
	}
	bpf_object__for_each_program(p, obj)
		if (bpf_program__autoload(p))
			measure(path, p);
out:
	bpf_object__close(obj);
}

/*
 * The examples' objects, not clang's intermediates. The bench's own
 * fixtures (.output/bench/DIR/) are a level deeper than the glob reaches.
 */
static bool is_example(const char *path)
{
	return !strstr(path, ".tmp.bpf.o");
}

int main(int argc, char **argv)
{
	glob_t g = {};
	struct bpf_program *p;
	int err;

	common_init(&argp, argc, argv);
	require_root();
	floor_skel = pktcost_bpf__open();
	if (!floor_skel)
		return fail_step(errno, "opening the empty programs");
	/* A type this kernel lacks (netfilter before 6.4) has no floor. */
	bpf_object__for_each_program(p, floor_skel->obj)
		if (libbpf_probe_bpf_prog_type(bpf_program__type(p), NULL) != 1)
			bpf_program__set_autoload(p, false);
	err = pktcost_bpf__load(floor_skel);
	if (err)
		return fail_step(err, "loading the empty programs");

	printf("object,program,type,packet,verdict,ns,floor_ns,verified_insns,jited_bytes,method\n");
	if (nobjs) {
		for (int i = 0; i < nobjs; i++)
			measure_object(objs[i]);
	} else {
		err = glob(".output/*/*.bpf.o", 0, NULL, &g);
		if (err == GLOB_NOMATCH)
			warnmsg("no .output/*/*.bpf.o here: run from the top of the tree after make");
		for (size_t i = 0; i < g.gl_pathc; i++)
			if (is_example(g.gl_pathv[i]))
				measure_object(g.gl_pathv[i]);
		globfree(&g);
	}
	pktcost_bpf__destroy(floor_skel);
	return EXIT_OK;
}
