// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The hostile-frame corpus (testlib.h's t_corpus) through both socket
 * filters under BPF_PROG_TEST_RUN, each verdict checked against a model:
 *
 * - socket_filter against tcpdump itself: `tcpdump -ddd 'ip and tcp'`
 *   gives the classic BPF program libpcap compiles, and a small classic
 *   BPF interpreter here runs it over the same frame, from the MAC header
 *   on, as a packet socket would. Its verdict (0: drop, else keep) must be
 *   the eBPF program's.
 * - socket_filter_truncate against its rule: UDP keeps the 8-byte header
 *   and `keep` bytes; TCP keeps doff * 4 + `keep` bytes unless FIN, SYN or
 *   RST is set or fewer than 14 bytes are there; never more than it got.
 */
#include <sys/wait.h>
#include "testlib.h"
#include "common.h"
#include "socket_filter/socket_filter.h"
#include "socket_filter/socket_filter_truncate.h"
#include "socket_filter/socket_filter.skel.h"
#include "socket_filter/socket_filter_truncate.skel.h"

#define SEED 0x5f11e7ULL

/* ---- classic BPF, as the kernel runs it on a packet socket ---- */

struct cbpf {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

static struct cbpf prog[256];
static int prog_len;

/* `tcpdump -ddd FILTER`: the count, then "code jt jf k" per line. */
static int cbpf_from_tcpdump(const char *filter)
{
	char cmd[256];
	FILE *p;
	int n, i;

	snprintf(cmd, sizeof(cmd), "tcpdump -ddd '%s' 2>/dev/null", filter);
	p = popen(cmd, "r");
	if (!p || fscanf(p, "%d", &n) != 1 || n <= 0 || n > 256) {
		if (p)
			pclose(p);
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned c, jt, jf, k;

		if (fscanf(p, "%u %u %u %u", &c, &jt, &jf, &k) != 4)
			break;
		prog[i] = (struct cbpf){ c, jt, jf, k };
	}
	prog_len = i;
	return pclose(p) == 0 && i == n ? 0 : -1;
}

static bool ld(const uint8_t *p, uint32_t len, uint32_t off, int size, uint32_t *v)
{
	if (off >= len || size > (int)(len - off))
		return false;
	*v = 0;
	for (int i = 0; i < size; i++)
		*v = *v << 8 | p[off + i];
	return true;
}

/* The filter's return value for packet p; a load out of bounds returns 0. */
static uint32_t cbpf_run(const uint8_t *p, uint32_t len)
{
	uint32_t A = 0, X = 0, M[16] = {}, v;

	for (int pc = 0; pc < prog_len; pc++) {
		const struct cbpf *in = &prog[pc];
		uint32_t src = (in->code & 0x08) ? X : in->k;	/* BPF_X : BPF_K */
		int size = (in->code & 0x18) == 0x00 ? 4 : (in->code & 0x18) == 0x08 ? 2 : 1;

		switch (in->code & 0x07) {
		case 0x00:					/* BPF_LD */
		case 0x01:					/* BPF_LDX */
			switch (in->code & 0xe0) {
			case 0x00: v = in->k; break;		/* BPF_IMM */
			case 0x20:				/* BPF_ABS */
				if (!ld(p, len, in->k, size, &v))
					return 0;
				break;
			case 0x40:				/* BPF_IND */
				if (!ld(p, len, X + in->k, size, &v))
					return 0;
				break;
			case 0x60: v = M[in->k & 15]; break;	/* BPF_MEM */
			case 0x80: v = len; break;		/* BPF_LEN */
			case 0xa0:				/* BPF_MSH: 4 * (P[k] & 0xf) */
				if (!ld(p, len, in->k, 1, &v))
					return 0;
				v = (v & 0xf) * 4;
				break;
			default:
				return 0;
			}
			if ((in->code & 0x07) == 0x00)
				A = v;
			else
				X = v;
			break;
		case 0x02: M[in->k & 15] = A; break;		/* BPF_ST */
		case 0x03: M[in->k & 15] = X; break;		/* BPF_STX */
		case 0x04:					/* BPF_ALU */
			switch (in->code & 0xf0) {
			case 0x00: A += src; break;
			case 0x10: A -= src; break;
			case 0x20: A *= src; break;
			case 0x30: if (!src) return 0; A /= src; break;
			case 0x40: A |= src; break;
			case 0x50: A &= src; break;
			case 0x60: A = src < 32 ? A << src : 0; break;
			case 0x70: A = src < 32 ? A >> src : 0; break;
			case 0x80: A = -A; break;
			case 0x90: if (!src) return 0; A %= src; break;
			case 0xa0: A ^= src; break;
			default: return 0;
			}
			break;
		case 0x05:					/* BPF_JMP */
			switch (in->code & 0xf0) {
			case 0x00: pc += in->k; break;		/* BPF_JA */
			case 0x10: pc += A == src ? in->jt : in->jf; break;
			case 0x20: pc += A > src ? in->jt : in->jf; break;
			case 0x30: pc += A >= src ? in->jt : in->jf; break;
			case 0x40: pc += (A & src) ? in->jt : in->jf; break;
			default: return 0;
			}
			break;
		case 0x06:					/* BPF_RET */
			return (in->code & 0x18) == 0x10 ? A : in->k;	/* BPF_A : BPF_K */
		case 0x07:					/* BPF_MISC */
			if (in->code & 0x80)
				A = X;				/* TXA */
			else
				X = A;				/* TAX */
			break;
		}
	}
	return 0;
}

/* ---- the test run ---- */

static int fd;
static struct t_diff d;
static uint64_t runs, refused, kept, trimmed;
static uint32_t keep = 5;
static bool tcp;

static const char *ret_name(uint32_t v, char *buf, size_t n)
{
	if (v == (uint32_t)-EINVAL)
		return "refused (EINVAL)";
	snprintf(buf, n, "%u", v);
	return buf;
}

/* One run: the kernel's return value, or -errno as a u32. */
static uint32_t run(const uint8_t *f, size_t len)
{
	uint32_t ret = 0;
	int err = t_run(fd, f, len, NULL, NULL, &ret);

	if (err) {
		refused++;
		return (uint32_t)err;
	}
	runs++;
	return ret;
}

static void compare(const uint8_t *f, size_t len, const char *what, uint32_t got, uint32_t want)
{
	char g[32], w[32];

	d.frames++;
	if (got != want)
		t_diff(&d, what, f, len, "program %s, model %s", ret_name(got, g, sizeof(g)),
		       ret_name(want, w, sizeof(w)));
}

static void ip_and_tcp(const uint8_t *f, size_t len, const char *what, void *ctx)
{
	uint32_t want = t_skb_refused(f, len) ? (uint32_t)-EINVAL : cbpf_run(f, len);

	/* A nonzero snap length keeps the whole packet: skb->len from the network header. */
	if (want && want != (uint32_t)-EINVAL) {
		want = len - 14;
		kept++;
	}
	compare(f, len, what, run(f, len), want);
}

/*
 * The truncating filter runs on a UDP or TCP socket with skb->data at
 * the transport header: the test run gives it the bytes after a 14-byte
 * header of a non-IP EtherType. Each corpus frame is offered from its L4
 * header on (from its IP header on for what is not IPv4/IPv6).
 */
static void truncate_one(const uint8_t *f, size_t len, const char *what, void *ctx)
{
	static uint8_t b[T_FRAME_MAX];
	size_t off = t_l3_offset(f, len), n, hlen = 8;
	uint32_t want;

	if (off + 20 <= len && (f[off - 2] << 8 | f[off - 1]) == 0x0800)
		off += (f[off] & 0xf) * 4;
	else if (off + 40 <= len && (f[off - 2] << 8 | f[off - 1]) == 0x86dd)
		off += 40;
	if (off > len)
		off = len;
	memset(b, 0, 12);
	t_put16(b + 12, 0x88b5);
	memcpy(b + 14, f + off, len - off);
	n = 14 + len - off;

	if (n > T_SKB_MAX) {
		compare(b, n, what, run(b, n), (uint32_t)-EINVAL);
		return;
	}
	want = n - 14;
	if (tcp && want >= 14) {
		hlen = (b[14 + 12] >> 4) * 4;
		if (b[14 + 13] & 0x07)		/* FIN, SYN, RST: left whole */
			hlen = want;
	} else if (tcp) {
		hlen = want;			/* no flags to go by: left whole */
	}
	if (want > hlen + keep) {
		want = hlen + keep;
		trimmed++;
	}
	compare(b, n, what, run(b, n), want);
}

/* seen and kept (socket_filter) or seen and trimmed (the truncating one). */
static void check_stats(const char *name, struct bpf_map *map, uint64_t slot_want, bool trim)
{
	uint64_t s[2] = {};

	percpu_sum(bpf_map__fd(map), &(__u32){ 0 }, s, 2);
	t_check(s[0] == runs && s[1] == slot_want, name,
		"seen %llu (want %llu), %s %llu (want %llu)", (unsigned long long)s[0],
		(unsigned long long)runs, trim ? "trimmed" : "kept",
		(unsigned long long)s[1], (unsigned long long)slot_want);
}

static void verdicts(const char *name, size_t n)
{
	t_check(!d.diffs && n == d.frames, name, "%zu of %zu frames differ from the model",
		d.diffs, d.frames);
	printf("# %s: %zu frames, %llu run, %llu refused by the test run\n", name, d.frames,
	       (unsigned long long)runs, (unsigned long long)refused);
}

int main(void)
{
	struct socket_filter_truncate_bpf *tr;
	struct socket_filter_bpf *skel;
	size_t n;

	t_init();
	if (cbpf_from_tcpdump("ip and tcp")) {
		printf("SKIP tcpdump as the model (tcpdump -ddd 'ip and tcp' did not run: install tcpdump)\n");
		return 77;
	}
	printf("# tcpdump -ddd 'ip and tcp': %d instructions\n", prog_len);

	skel = socket_filter_bpf__open_and_load();
	if (!skel) {
		printf("FAIL load socket_filter (%s)\n", strerror(errno));
		return 1;
	}
	fd = bpf_program__fd(skel->progs.socket_filter);
	n = t_corpus(SEED, 3000, 3000, ip_and_tcp, NULL);
	verdicts("socket_filter: every corpus frame gets tcpdump's verdict for 'ip and tcp'", n);
	check_stats("socket_filter: seen and kept count the frames run and kept", skel->maps.stats,
		    kept, false);
	socket_filter_bpf__destroy(skel);

	for (int mode = 0; mode < 2; mode++) {
		char name[128];

		tr = socket_filter_truncate_bpf__open();
		if (!tr)
			return 1;
		tcp = mode;
		keep = mode ? 7 : 5;
		tr->rodata->tcp = tcp;
		tr->rodata->keep = keep;
		if (socket_filter_truncate_bpf__load(tr)) {
			printf("FAIL load socket_filter_truncate (%s)\n", strerror(errno));
			return 1;
		}
		fd = bpf_program__fd(tr->progs.socket_filter_truncate);
		memset(&d, 0, sizeof(d));
		runs = refused = trimmed = 0;
		n = t_corpus(SEED + 1 + mode, 3000, 3000, truncate_one, NULL);
		snprintf(name, sizeof(name), "socket_filter_truncate %s, keep %u: every corpus frame "
			 "is cut where the rule says", tcp ? "tcp" : "udp", keep);
		verdicts(name, n);
		snprintf(name, sizeof(name), "socket_filter_truncate %s: seen and trimmed count the "
			 "frames run and cut", tcp ? "tcp" : "udp");
		check_stats(name, tr->maps.stats, trimmed, true);
		socket_filter_truncate_bpf__destroy(tr);
	}
	return t_exit();
}
