// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* --trace, the user-space side: read the ring buffer, print one line per packet. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "common.h"
#include "trace.h"

struct trace_opts trace_opts = { .rate = TRACE_DEFAULT_RATE };

static struct ring_buffer *rb;
static int counts_fd = -1;
static __u64 missed_reported;

enum { OPT_TRACE = 0x3000, OPT_TRACE_RATE };

static const struct argp_option trace_options[] = {
	{ "trace", OPT_TRACE, NULL, 0,
	  "Print a line per packet: its verdict, addresses, ports or ICMP type", 0 },
	{ "trace-rate", OPT_TRACE_RATE, "N", 0,
	  "At most N trace lines a second (default 20; the rest are counted); implies --trace", 0 },
	{},
};

static error_t trace_parse_opt(int key, char *arg, struct argp_state *state)
{
	(void)state;
	switch (key) {
	case OPT_TRACE:
		trace_opts.on = true;
		break;
	case OPT_TRACE_RATE:
		trace_opts.rate = parse_long(arg, "trace-rate", 1, TRACE_MAX_RATE);
		trace_opts.on = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp trace_argp = {
	.options = trace_options,
	.parser = trace_parse_opt,
};

static const char *verdict_name(const struct trace_pkt *e, char *buf, size_t len)
{
	static const char *const xdp[] = { "aborted", "drop", "pass", "tx", "redirect" };

	if (e->hook == TRACE_HOOK_XDP && e->verdict >= 0 && e->verdict < 5)
		return xdp[e->verdict];
	if (e->hook == TRACE_HOOK_TC) {
		switch (e->verdict) {
		case -1:
			return "pass";	/* TC_ACT_UNSPEC: the next program decides, else pass */
		case 0:
			return "ok";	/* TC_ACT_OK: pass, and no later program sees it */
		case 2:
			return "drop";	/* TC_ACT_SHOT */
		case 4:
			return "stolen";
		case 7:
			return "redirect";
		}
	}
	snprintf(buf, len, "verdict %d", e->verdict);
	return buf;
}

static const char *icmp_name(int family, __u8 type, char *buf, size_t len)
{
	static const char *const v4[] = {
		[0] = "echo-reply", [3] = "unreachable", [5] = "redirect",
		[8] = "echo-request", [11] = "time-exceeded", [12] = "parameter-problem",
	};
	static const char *const v6[] = {
		[1] = "unreachable", [2] = "packet-too-big", [3] = "time-exceeded",
		[4] = "parameter-problem",
	};
	static const char *const v6_info[] = {
		[0] = "echo-request", [1] = "echo-reply", [5] = "router-solicitation",
		[6] = "router-advertisement", [7] = "neighbour-solicitation",
		[8] = "neighbour-advertisement", [9] = "redirect",
	};
	const char *n = NULL;

	if (family == 4 && type < sizeof(v4) / sizeof(v4[0]))
		n = v4[type];
	else if (family == 6 && type < sizeof(v6) / sizeof(v6[0]))
		n = v6[type];
	else if (family == 6 && type >= 128 && type - 128 < (int)(sizeof(v6_info) / sizeof(v6_info[0])))
		n = v6_info[type - 128];
	if (n)
		return n;
	snprintf(buf, len, "type %u", type);
	return buf;
}

/* "192.0.2.1" or "2001:db8::1"; with a port "192.0.2.1:80" or "[2001:db8::1]:80". */
static void addr_str(int family, const __u8 *addr, int port, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, a, sizeof(a));
	if (port < 0)
		snprintf(buf, len, "%s", a);
	else if (family == 4)
		snprintf(buf, len, "%s:%d", a, port);
	else
		snprintf(buf, len, "[%s]:%d", a, port);
}

void trace_format(const struct trace_pkt *e, char *buf, size_t len)
{
	char vb[32], tb[32], src[64], dst[64], what[32];
	const char *verdict = verdict_name(e, vb, sizeof(vb));
	bool ports = !e->flags && (e->proto == IPPROTO_TCP || e->proto == IPPROTO_UDP);
	bool icmp = !e->flags && ((e->family == 4 && e->proto == IPPROTO_ICMP) ||
				  (e->family == 6 && e->proto == IPPROTO_ICMPV6));
	const char *tail = e->flags & TRACE_F_FRAG ? " fragment" :
			   e->flags & TRACE_F_SHORT ? " truncated" : "";

	if (e->eth_proto == 0x0806) {
		addr_str(4, e->saddr, -1, src, sizeof(src));
		addr_str(4, e->daddr, -1, dst, sizeof(dst));
		if (e->flags)
			snprintf(buf, len, "%s arp truncated len %u", verdict, e->len);
		else if (e->type == 1)
			snprintf(buf, len, "%s arp who-has %s tell %s len %u", verdict, dst, src, e->len);
		else if (e->type == 2)
			snprintf(buf, len, "%s arp reply %s is-at %02x:%02x:%02x:%02x:%02x:%02x len %u",
				 verdict, src, e->mac[0], e->mac[1], e->mac[2], e->mac[3], e->mac[4],
				 e->mac[5], e->len);
		else
			snprintf(buf, len, "%s arp op %u len %u", verdict, e->type, e->len);
		return;
	}
	if (!e->family) {
		if (e->eth_proto == 0x0800 || e->eth_proto == 0x86dd)
			snprintf(buf, len, "%s %s truncated len %u", verdict,
				 e->eth_proto == 0x0800 ? "ipv4" : "ipv6", e->len);
		else if (e->eth_proto)
			snprintf(buf, len, "%s ethertype 0x%04x len %u", verdict, e->eth_proto, e->len);
		else
			snprintf(buf, len, "%s truncated len %u", verdict, e->len);
		return;
	}

	addr_str(e->family, e->saddr, ports ? e->sport : -1, src, sizeof(src));
	addr_str(e->family, e->daddr, ports ? e->dport : -1, dst, sizeof(dst));
	switch (e->proto) {
	case IPPROTO_TCP:
		snprintf(what, sizeof(what), "tcp");
		break;
	case IPPROTO_UDP:
		snprintf(what, sizeof(what), "udp");
		break;
	case IPPROTO_ICMP:
		snprintf(what, sizeof(what), e->family == 4 ? "icmp" : "ipv6 proto 1");
		break;
	case IPPROTO_ICMPV6:
		snprintf(what, sizeof(what), e->family == 6 ? "icmpv6" : "ipv4 proto 58");
		break;
	default:
		/* An IPv6 later fragment or cut extension headers: the protocol is unknown. */
		if (e->family == 6 && e->flags)
			snprintf(what, sizeof(what), "ipv6");
		else
			snprintf(what, sizeof(what), "ipv%d proto %u", e->family, e->proto);
	}
	snprintf(buf, len, "%s %s %s > %s%s%s%s len %u", verdict, what, src, dst,
		 icmp ? " " : "", icmp ? icmp_name(e->family, e->type, tb, sizeof(tb)) : "",
		 tail, e->len);
}

static int on_event(void *ctx, void *data, size_t size)
{
	char line[256];

	(void)ctx;
	if (size < sizeof(struct trace_pkt))
		return 0;
	trace_format(data, line, sizeof(line));
	printf("trace: %s\n", line);
	return 0;
}

struct bpf_program *trace_pick(struct bpf_object *obj, struct bpf_program *plain,
			       struct bpf_program *traced)
{
	static const char *const maps[] = { "trace_rb", "trace_counts", "trace_win" };
	struct bpf_map *map;

	if (trace_opts.on) {
		bpf_program__set_autoload(plain, false);
		return traced;
	}
	/* Only the traced program uses them: no 64 KiB ring buffer for nothing. */
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		map = bpf_object__find_map_by_name(obj, maps[i]);
		if (map)
			bpf_map__set_autocreate(map, false);
	}
	bpf_program__set_autoload(traced, false);
	return plain;
}

int trace_start(struct bpf_object *obj)
{
	struct bpf_map *map;

	if (!trace_opts.on)
		return EXIT_OK;
	map = bpf_object__find_map_by_name(obj, "trace_counts");
	counts_fd = map ? bpf_map__fd(map) : -1;
	map = bpf_object__find_map_by_name(obj, "trace_rb");
	if (!map || counts_fd < 0)
		return errmsg("this BPF object has no trace maps (include trace.bpf.h)");
	rb = ring_buffer__new(bpf_map__fd(map), on_event, NULL, NULL);
	if (!rb)
		return fail_step(errno, "opening the trace ring buffer");
	return EXIT_OK;
}

int trace_wait(void *ctx, int timeout_ms)
{
	int n;

	(void)ctx;
	if (!rb)
		return poll(NULL, 0, timeout_ms) < 0 ? -errno : 0;
	n = ring_buffer__poll(rb, timeout_ms);
	fflush(stdout);
	return n < 0 ? n : 0;
}

void trace_report(bool final)
{
	__u64 c[TRACE_NCOUNTS] = {};

	if (!rb)
		return;
	if (final)
		ring_buffer__consume(rb);
	for (__u32 i = 0; i < TRACE_NCOUNTS; i++)
		percpu_sum(counts_fd, &i, (uint64_t *)&c[i], 1);
	if (final)
		printf("trace: %llu packets shown, %llu not shown (at most %u lines a second)\n",
		       (unsigned long long)c[TRACE_SHOWN], (unsigned long long)c[TRACE_MISSED],
		       trace_opts.rate);
	else if (c[TRACE_MISSED] > missed_reported)
		printf("trace: %llu more packets not shown (at most %u lines a second)\n",
		       (unsigned long long)(c[TRACE_MISSED] - missed_reported), trace_opts.rate);
	missed_reported = c[TRACE_MISSED];
	fflush(stdout);
}

void trace_stop(void)
{
	ring_buffer__free(rb);
	rb = NULL;
}
