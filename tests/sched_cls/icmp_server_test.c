// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * BPF_PROG_TEST_RUN unit tests of sched_cls/tc_icmp_server.bpf.c, in a
 * network namespace of its own: the program's bpf_clone_redirect() sends
 * each reply out of that namespace's lo, and nowhere else.
 */
#include <sched.h>
#include "testlib.h"
#include "common.h"
#include "sched_cls/tc_icmp_server.h"
#include "sched_cls/tc_icmp_server.skel.h"

#define TC_ACT_UNSPEC	(-1)
#define TC_ACT_SHOT	2

static int prog_fd;
static char payload[1400];

/*
 * BPF_PROG_TEST_RUN runs tc programs on lo, whose MAC is all zeros: a
 * frame to any other MAC is "for another host" (skb->pkt_type).
 */
static size_t build_to_us(uint8_t *buf, const struct pkt_spec *s)
{
	size_t len = build_packet(buf, s);

	memset(buf, 0, 6);
	return len;
}

/* The reply a correct responder sends to the request `req` describes. */
static size_t expected_reply(uint8_t *buf, struct pkt_spec req)
{
	struct pkt_spec rep = t_echo_reply_spec(req, TC_ICMP_SERVER_REPLY_TTL);
	size_t len = build_to_us(buf, &rep);

	t_swap_macs(buf);
	return len;
}

static void echo_case(const char *name, struct pkt_spec req)
{
	static uint8_t in[1600], out[1600], want[1600];
	uint32_t out_len = 0, ret = 0;
	size_t len = build_to_us(in, &req), wlen = expected_reply(want, req);
	int err = t_run(prog_fd, in, len, out, &out_len, &ret);
	bool same = out_len == wlen && !memcmp(out, want, wlen);

	if (err || (int)ret != TC_ACT_SHOT || !same) {
		t_hexdump("got", out, out_len);
		t_hexdump("want", want, wlen);
	}
	t_check(!err && (int)ret == TC_ACT_SHOT && same, name,
		"err %d verdict %d len %u/%zu, bytes %s", err, (int)ret, out_len, wlen,
		same ? "equal" : "differ");
}

static void pass_case(const char *name, const uint8_t *in, size_t len)
{
	static uint8_t out[1600];
	uint32_t out_len = 0, ret = 0;
	int err = t_run(prog_fd, in, len, out, &out_len, &ret);

	t_check(!err && (int)ret == TC_ACT_UNSPEC && out_len == len && !memcmp(in, out, len),
		name, "err %d verdict %d (want TC_ACT_UNSPEC, packet unchanged)", err, (int)ret);
}

static void pass_spec(const char *name, struct pkt_spec s)
{
	static uint8_t in[1600];

	pass_case(name, in, build_to_us(in, &s));
}

/*
 * Every prefix of a valid request must pass untouched. BPF_PROG_TEST_RUN
 * refuses an IP frame shorter than its IP header (EINVAL), so untagged
 * packets start there; behind a VLAN tag every length from 14 is run.
 */
static void truncation_case(const char *name, struct pkt_spec req)
{
	static uint8_t in[1600], out[1600];
	size_t len = build_to_us(in, &req), bad = 0, n;
	size_t first = req.vlan ? 14 : req.family == 6 ? 54 : 34;
	uint32_t out_len = 0, ret = 0;
	int err;

	for (n = first; n < len; n++) {
		err = t_run(prog_fd, in, n, out, &out_len, &ret);
		if (err || (int)ret != TC_ACT_UNSPEC || out_len != n || memcmp(in, out, n)) {
			if (!bad)
				printf("# first failure at length %zu: err %d verdict %d\n",
				       n, err, (int)ret);
			bad++;
		}
	}
	t_check(!bad, name, "%zu of %zu lengths did not pass unchanged", bad, len - first);
}

int main(void)
{
	struct pkt_spec v4 = { .family = 4, .icmp_type = 8, .icmp_id = 0x77, .icmp_seq = 1,
			       .ttl = 50, .payload = payload, .payload_len = 56 };
	struct pkt_spec v6 = { .family = 6, .icmp_type = 128, .icmp_id = 0x78, .icmp_seq = 9,
			       .ttl = 33, .payload = payload, .payload_len = 56 };
	struct tc_icmp_server_bpf *skel;
	struct pkt_spec s;
	static uint8_t buf[1600];
	size_t len;

	t_init();
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = 'a' + i % 26;
	if (unshare(CLONE_NEWNET) || system("ip link set lo up")) {
		printf("FAIL a network namespace of our own (%s)\n", strerror(errno));
		return 1;
	}
	skel = tc_icmp_server_bpf__open_and_load();
	if (!skel) {
		printf("FAIL load tc_icmp_server (%s)\n", strerror(errno));
		return 1;
	}
	prog_fd = bpf_program__fd(skel->progs.tc_icmp_server);

	echo_case("ipv4 echo request becomes the exact reply (TC_ACT_SHOT after the clone)", v4);
	s = v4;
	s.payload_len = 0;
	echo_case("ipv4 echo request without payload", s);
	s = v4;
	s.payload_len = 57;
	echo_case("ipv4 echo request with an odd length", s);
	s = v4;
	s.payload_len = 1400;
	echo_case("ipv4 1400-byte echo request (checksum over 22 chunks)", s);
	s = v4;
	s.vlan = 42;
	echo_case("ipv4 echo request in a VLAN tag", s);
	echo_case("ipv6 echo request becomes the exact reply", v6);
	s = v6;
	s.payload_len = 1001;
	echo_case("ipv6 1001-byte echo request", s);

	truncation_case("every truncation of an ipv4 request passes", v4);
	truncation_case("every truncation of an ipv6 request passes", v6);
	s = v4;
	s.vlan = 7;
	truncation_case("every truncation of a vlan-tagged ipv4 request from 14 bytes passes", s);

	/* What the kernel has rules for goes to the kernel. */
	len = build_to_us(buf, &v4);
	buf[len - 1] ^= 0x20;
	pass_case("ipv4 request with a bad ICMP checksum passes", buf, len);
	len = build_to_us(buf, &v4);
	buf[14 + 10] ^= 0x01;
	pass_case("ipv4 request with a bad IP header checksum passes", buf, len);
	len = build_to_us(buf, &v6);
	buf[len - 1] ^= 0x20;
	pass_case("ipv6 request with a bad ICMPv6 checksum passes", buf, len);
	s = v4;
	s.ip_opts_len = 8;
	pass_spec("ipv4 request with IP options passes", s);
	s = v4;
	s.frag = 0x2000;
	pass_spec("ipv4 first fragment passes", s);
	s.frag = 0x0010;
	pass_spec("ipv4 later fragment passes", s);
	s = v4;
	s.dst = "255.255.255.255";
	pass_spec("ipv4 broadcast echo passes", s);
	s.dst = "224.0.0.1";
	pass_spec("ipv4 multicast echo passes", s);
	s = v4;
	s.src = "127.0.0.1";
	pass_spec("ipv4 loopback source on a non-loopback device passes", s);
	s.src = "0.0.0.0";
	pass_spec("ipv4 source 0.0.0.0 passes", s);
	s.src = "224.0.0.5";
	pass_spec("ipv4 multicast source passes", s);
	s = v6;
	s.dst = "ff02::1";
	pass_spec("ipv6 multicast echo passes", s);
	s = v6;
	s.src = "::1";
	pass_spec("ipv6 loopback source passes", s);
	s.src = "::";
	pass_spec("ipv6 unspecified source passes", s);
	len = build_packet(buf, &v4);		/* to 02:00:00:00:00:02, not to us */
	pass_case("ipv4 request to another host's MAC passes", buf, len);
	s = v4;
	s.icmp_type = 0;
	pass_spec("ipv4 echo reply passes", s);
	s = v4;
	s.icmp_code = 1;
	pass_spec("ipv4 echo with a non-zero code passes", s);
	s = v6;
	s.icmp_type = 135;
	pass_spec("ipv6 neighbour solicitation passes", s);
	pass_spec("tcp passes", (struct pkt_spec){ .proto = 6, .sport = 1, .dport = 80 });
	len = build_to_us(buf, &v4);
	buf[16] = 0x05;				/* IP length 1300 > packet */
	pass_case("ipv4 request longer than its frame passes", buf, len);
	len = build_to_us(buf, &v4);
	buf[17] = 24;				/* IP length 24: half an ICMP header */
	buf[16] = 0;
	memset(buf + 24, 0, 2);			/* a valid IP header checksum again */
	memcpy(buf + 24, (uint16_t[]){ t_csum(buf + 14, 20, 0) }, 2);
	memset(buf + 36, 0, 2);			/* and a checksum valid over those 4 bytes */
	memcpy(buf + 36, (uint16_t[]){ t_csum(buf + 34, 4, 0) }, 2);
	pass_case("ipv4 request whose IP length ends inside the ICMP header passes", buf, len);
	len = build_to_us(buf, &v6);
	buf[18] = 0;
	buf[19] = 4;				/* payload length 4 */
	memset(buf + 56, 0, 2);
	memcpy(buf + 56, (uint16_t[]){ t_csum(buf + 54, 4, t_sum(buf + 22, 32, 58 + 4)) }, 2);
	pass_case("ipv6 request whose payload length ends inside the ICMPv6 header passes",
		  buf, len);

	{
		int fd = bpf_map__fd(skel->maps.stats);
		__u32 k4 = TC_ICMP_SERVER_STAT_REPLY4, k6 = TC_ICMP_SERVER_STAT_REPLY6;
		__u32 ke = TC_ICMP_SERVER_STAT_TX_ERR;
		uint64_t c4[2] = {}, c6[2] = {}, ce[2] = {};

		percpu_sum(fd, &k4, c4, 2);
		percpu_sum(fd, &k6, c6, 2);
		percpu_sum(fd, &ke, ce, 2);
		t_check(c4[0] == 5 && c6[0] == 2, "reply counters count the replies",
			"ipv4 %llu (want 5), ipv6 %llu (want 2)",
			(unsigned long long)c4[0], (unsigned long long)c6[0]);
		t_check(ce[0] == 0, "bpf_clone_redirect() succeeded for every reply",
			"%llu redirect errors", (unsigned long long)ce[0]);
	}
	tc_icmp_server_bpf__destroy(skel);
	return t_exit();
}
