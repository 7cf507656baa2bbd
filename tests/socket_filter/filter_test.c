// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* BPF_PROG_TEST_RUN unit tests of the two socket filters of socket_filter/. */
#include "testlib.h"
#include "common.h"
#include "socket_filter/socket_filter.h"
#include "socket_filter/socket_filter_truncate.h"
#include "socket_filter/socket_filter.skel.h"
#include "socket_filter/socket_filter_truncate.skel.h"

static int fd;
static uint64_t runs, kept;

/* A socket filter's return value is the number of bytes the socket gets. */
static bool run(const uint8_t *pkt, size_t len, uint32_t want, uint32_t *got)
{
	int err = t_run(fd, pkt, len, NULL, NULL, got);

	runs++;
	if (*got)
		kept++;
	return !err && *got == want;
}

/* `ip and tcp` keeps the whole packet (BPF_PROG_TEST_RUN starts a socket
 * filter's skb at the network header: what it keeps is len - 14 bytes). */
static void keep_case(const char *name, const uint8_t *pkt, size_t len, bool keep)
{
	uint32_t want = keep ? len - 14 : 0, got = 0;
	bool ok = run(pkt, len, want, &got);

	t_check(ok, name, "returned %u, want %u (%s)", got, want, keep ? "keep" : "drop");
}

static void spec_case(const char *name, struct pkt_spec s, bool keep)
{
	uint8_t buf[1600];

	keep_case(name, buf, build_packet(buf, &s), keep);
}

/*
 * The truncating filter sees what a UDP or TCP socket sees, skb->data at
 * the transport header: a non-IP EtherType makes BPF_PROG_TEST_RUN hand
 * over the bytes after the 14-byte Ethernet header as they are.
 */
static size_t l4_frame(uint8_t *buf, const void *l4, size_t l4len)
{
	memset(buf, 0, 14);
	memcpy(buf + 12, "\x88\xb5", 2);
	memcpy(buf + 14, l4, l4len);
	return 14 + l4len;
}

static void trim_case(const char *name, const void *l4, size_t l4len, uint32_t want)
{
	uint8_t buf[1600];
	uint32_t got = 0;
	size_t len = l4_frame(buf, l4, l4len);
	bool ok = run(buf, len, want, &got);

	t_check(ok, name, "kept %u bytes, want %u", got, want);
}

static void check_stats(const char *name, struct bpf_map *map, uint64_t seen, uint64_t k, int slot)
{
	/* socket_filter_count or socket_filter_truncate_count: seen, then kept or trimmed */
	uint64_t s[2] = {};

	percpu_sum(bpf_map__fd(map), &(__u32){ 0 }, s, 2);
	t_check(s[0] == seen && s[1] == k, name, "seen %llu %s %llu, want %llu and %llu",
		(unsigned long long)s[0], slot ? "trimmed" : "kept", (unsigned long long)s[1],
		(unsigned long long)seen, (unsigned long long)k);
}

int main(void)
{
	const struct pkt_spec tcp4 = { .proto = 6, .sport = 40000, .dport = 80, .payload = "hello", .payload_len = 5 };
	struct socket_filter_truncate_bpf *tr;
	struct socket_filter_bpf *skel;
	uint8_t buf[1600], l4[64];
	size_t len, n, bad = 0;
	struct pkt_spec s;
	uint64_t trimmed;
	uint32_t got;

	t_init();
	skel = socket_filter_bpf__open_and_load();
	if (!skel) {
		printf("FAIL load socket_filter (%s)\n", strerror(errno));
		return 1;
	}
	fd = bpf_program__fd(skel->progs.socket_filter);

	spec_case("ipv4 tcp is kept whole", tcp4, true);
	s = tcp4;
	s.tcp_flags = 0x11;
	spec_case("ipv4 tcp fin is kept", s, true);
	s = tcp4;
	s.ip_opts_len = 12;
	spec_case("ipv4 tcp with ip options is kept", s, true);
	s = tcp4;
	s.frag = 0x2000;
	spec_case("ipv4 tcp first fragment is kept", s, true);
	s = tcp4;
	s.frag = 0x00b9;		/* offset 1480: no TCP header, still `tcp` */
	spec_case("ipv4 tcp later fragment is kept (as in tcpdump)", s, true);
	spec_case("ipv4 udp is dropped", (struct pkt_spec){ .proto = 17, .sport = 1, .dport = 2 }, false);
	spec_case("ipv4 icmp is dropped", (struct pkt_spec){ .icmp_type = 8 }, false);
	spec_case("ipv4 gre is dropped", (struct pkt_spec){ .proto = 47 }, false);
	spec_case("ipv6 tcp is dropped (`ip` is IPv4)", (struct pkt_spec){ .family = 6, .proto = 6, .sport = 1, .dport = 80 }, false);
	spec_case("ipv6 icmpv6 is dropped", (struct pkt_spec){ .family = 6, .icmp_type = 128 }, false);
	s = tcp4;
	s.vlan = 5;
	spec_case("vlan-tagged ipv4 tcp is dropped (EtherType 0x8100, as tcpdump's `ip`)", s, false);
	memset(buf, 0, 60);
	memcpy(buf + 12, "\x08\x06", 2);
	keep_case("arp is dropped", buf, 42, false);
	len = build_packet(buf, &tcp4);
	buf[14] = 0x65;
	keep_case("protocol 6 with IP version 6 in an IPv4 frame is kept (tcpdump does not check)", buf, len, true);

	/* BPF_PROG_TEST_RUN refuses IPv4 frames shorter than 34 bytes. */
	len = build_packet(buf, &tcp4);
	for (n = 34; n <= len; n++)
		if (!run(buf, n, n - 14, &got))
			bad++;
	t_check(!bad, "every truncation of ipv4 tcp from 34 bytes is kept whole",
		"%zu of %zu lengths not kept whole", bad, len - 33);
	check_stats("counters: seen and kept equal the packets fed and kept", skel->maps.stats, runs, kept, 0);
	socket_filter_bpf__destroy(skel);

	/* The truncating filter, UDP. */
	tr = socket_filter_truncate_bpf__open();
	if (!tr || socket_filter_truncate_bpf__load(tr)) {
		printf("FAIL load socket_filter_truncate (%s)\n", strerror(errno));
		return 1;
	}
	fd = bpf_program__fd(tr->progs.socket_filter_truncate);
	runs = 0;
	memcpy(l4, "\x13\x88\x14\x51\x00\x13\x00\x00hello world", 19);
	trim_case("udp 'hello world' keeps header + 'hello' (13 bytes)", l4, 19, 13);
	trim_case("udp with exactly 5 bytes is left whole", l4, 13, 13);
	trim_case("udp with 3 bytes is left whole", l4, 11, 11);
	check_stats("udp counters: 3 seen, 1 trimmed", tr->maps.stats, 3, 1, 1);
	socket_filter_truncate_bpf__destroy(tr);

	/* The truncating filter, TCP. */
	tr = socket_filter_truncate_bpf__open();
	if (!tr)
		return 1;
	tr->rodata->tcp = true;
	tr->rodata->keep = 5;
	if (socket_filter_truncate_bpf__load(tr)) {
		printf("FAIL load socket_filter_truncate for tcp (%s)\n", strerror(errno));
		return 1;
	}
	fd = bpf_program__fd(tr->progs.socket_filter_truncate);
	runs = 0;
	memset(l4, 0, sizeof(l4));
	l4[12] = 5 << 4;
	l4[13] = 0x18;			/* PSH ACK */
	memcpy(l4 + 20, "hello world", 11);
	trim_case("tcp data keeps the 20-byte header + 5 bytes", l4, 31, 25);
	l4[12] = 8 << 4;		/* 12 bytes of options: the cut moves with doff */
	memcpy(l4 + 32, "hello world", 11);
	trim_case("tcp with options keeps its 32-byte header + 5 bytes", l4, 43, 37);
	l4[12] = 5 << 4;
	l4[13] = 0x11;			/* FIN ACK */
	trim_case("tcp data with FIN is left whole (the FIN must not move)", l4, 31, 31);
	l4[13] = 0x02;
	trim_case("tcp SYN is left whole", l4, 20, 20);
	l4[13] = 0x10;
	trim_case("tcp pure ACK is left whole", l4, 20, 20);
	trimmed = 2;
	l4[13] = 0x18;
	bad = 0;
	for (n = 0; n <= 31; n++) {
		/* Shorter than the flags byte: nothing to go by, keep it all. */
		uint32_t want = n < 14 || n <= 25 ? n : 25;

		len = l4_frame(buf, l4, n);
		if (!run(buf, len, want, &got))
			bad++;
		if (n > 25)
			trimmed++;
	}
	t_check(!bad, "every truncation of a tcp data segment: cut to header + 5 bytes, never longer",
		"%zu of 32 lengths wrong", bad);
	check_stats("tcp counters count the trimmed segments", tr->maps.stats, runs, trimmed, 1);
	socket_filter_truncate_bpf__destroy(tr);
	return t_exit();
}
