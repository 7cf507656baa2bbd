// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * BPF_PROG_TEST_RUN unit tests of lwt_in/lwt_in.bpf.c. The input is an
 * Ethernet frame (test runs need one); an LWT program sees it from the IP
 * header on, and skb->len counts from there too. The Ethernet header comes
 * back zeroed, so outputs are compared from the IP header on. The test run
 * itself refuses (EINVAL) an IPv4 or IPv6 frame shorter than the fixed IP
 * header, so truncations start there.
 */
#include "testlib.h"
#include "common.h"
#include "lwt_in/lwt_in.h"
#include "lwt_in/lwt_in.skel.h"

static const char payload[40] = "lwt_in unit test payload, 40 bytes long";

static struct lwt_in_bpf *load(int drop_proto)
{
	struct lwt_in_bpf *skel = lwt_in_bpf__open();

	if (!skel)
		return NULL;
	skel->rodata->drop_proto = drop_proto;
	if (lwt_in_bpf__load(skel)) {
		lwt_in_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

static void count_of(struct lwt_in_bpf *skel, __u32 slot, uint64_t c[2])
{
	percpu_sum(bpf_map__fd(skel->maps.stats), &slot, c, 2);
}

/* One run: verdict want, packet unchanged, counted in slot with its IP length. */
static void verdict_case(struct lwt_in_bpf *skel, const char *name, const uint8_t *in,
			 size_t len, uint32_t want, __u32 slot)
{
	int fd = bpf_program__fd(skel->progs.lwt_in_count);
	uint64_t before[2], after[2];
	uint8_t out[1600];
	uint32_t out_len = 0, ret = 0;
	int err;

	count_of(skel, slot, before);
	err = t_run(fd, in, len, out, &out_len, &ret);
	count_of(skel, slot, after);
	t_check(!err && ret == want && out_len == len && !memcmp(in + 14, out + 14, len - 14) &&
		after[0] == before[0] + 1 && after[1] == before[1] + (len - 14), name,
		"err %d verdict %u (want %u), len %u/%zu, slot %u +%llu packets +%llu bytes (want +1, +%zu)",
		err, ret, want, out_len, len, slot,
		(unsigned long long)(after[0] - before[0]),
		(unsigned long long)(after[1] - before[1]), len - 14);
}

static void spec_case(struct lwt_in_bpf *skel, const char *name, struct pkt_spec s,
		      uint32_t want, __u32 slot)
{
	uint8_t buf[1600];

	verdict_case(skel, name, buf, build_packet(buf, &s), want, slot);
}

/*
 * Every truncation: shorter than the IP header (with its options, and the
 * extension headers for IPv6) is malformed and goes on; from there on the
 * protocol is known and gets its verdict.
 */
static void truncation_case(struct lwt_in_bpf *skel, const char *name, const uint8_t *in,
			    size_t len, size_t hdr_end, uint32_t full_verdict, __u32 slot)
{
	int fd = bpf_program__fd(skel->progs.lwt_in_count);
	size_t n, bad = 0, first = 14 + ((in[14] >> 4) == 6 ? 40 : 20);
	uint64_t m0[2], m1[2], p0[2], p1[2];
	uint32_t out_len = 0, ret = 0, want;
	uint8_t out[1600];
	char what[256];
	int err;

	for (n = 14; n < first; n++)
		if (t_run(fd, in, n, out, &out_len, &ret) != -EINVAL)
			bad++;
	snprintf(what, sizeof(what), "%s: the test run refuses it without a fixed IP header", name);
	t_check(!bad, what, "%zu of %zu lengths were accepted", bad, first - 14);
	bad = 0;
	count_of(skel, LWT_IN_STAT_MALFORMED, m0);
	count_of(skel, slot, p0);
	for (n = first; n < len; n++) {
		want = n < hdr_end ? BPF_OK : full_verdict;
		err = t_run(fd, in, n, out, &out_len, &ret);
		if (err || ret != want || out_len != n || memcmp(in + 14, out + 14, n - 14)) {
			if (!bad)
				printf("# first failure at length %zu: err %d verdict %u (want %u)\n",
				       n, err, ret, want);
			bad++;
		}
	}
	count_of(skel, LWT_IN_STAT_MALFORMED, m1);
	count_of(skel, slot, p1);
	t_check(!bad && m1[0] - m0[0] == hdr_end - first && p1[0] - p0[0] == len - hdr_end, name,
		"%zu of %zu lengths wrong; malformed +%llu (want %zu), protocol +%llu (want %zu)",
		bad, len - first, (unsigned long long)(m1[0] - m0[0]), hdr_end - first,
		(unsigned long long)(p1[0] - p0[0]), len - hdr_end);
}

static void truncation_spec(struct lwt_in_bpf *skel, const char *name, struct pkt_spec s,
			    size_t hdr_end, uint32_t full_verdict, __u32 slot)
{
	uint8_t buf[1600];

	truncation_case(skel, name, buf, build_packet(buf, &s), hdr_end, full_verdict, slot);
}

/* Put an 8-byte hop-by-hop header (PadN only) after the IPv6 header. */
static size_t add_hop_by_hop(uint8_t *buf, size_t len)
{
	uint8_t *ext = buf + 14 + 40;
	uint16_t plen = (buf[18] << 8 | buf[19]) + 8;

	memmove(ext + 8, ext, len - 54);
	ext[0] = buf[20];
	memcpy(ext + 1, "\x00\x01\x04\x00\x00\x00\x00", 7);
	buf[20] = 0;
	buf[18] = plen >> 8;
	buf[19] = plen;
	return len + 8;
}

int main(void)
{
	struct pkt_spec icmp4 = { .family = 4, .icmp_type = 8, .payload = payload,
				  .payload_len = sizeof(payload) };
	struct pkt_spec udp4 = { .family = 4, .proto = 17, .sport = 5000, .dport = 53,
				 .payload = payload, .payload_len = sizeof(payload) };
	struct pkt_spec tcp4 = { .family = 4, .proto = 6, .sport = 40000, .dport = 80 };
	struct pkt_spec udp6 = { .family = 6, .proto = 17, .sport = 5000, .dport = 53,
				 .payload = payload, .payload_len = sizeof(payload) };
	struct pkt_spec icmp6 = { .family = 6, .icmp_type = 128, .payload = payload,
				  .payload_len = 8 };
	struct lwt_in_bpf *count, *drop;
	struct pkt_spec s;
	uint8_t buf[1600];
	size_t len;

	t_init();
	count = load(-1);
	drop = load(17);
	if (!count || !drop) {
		printf("FAIL load lwt_in (%s)\n", strerror(errno));
		return 1;
	}

	/* Counting only: everything goes on, each in its protocol's slot. */
	spec_case(count, "ipv4 icmp is counted as icmp and goes on", icmp4, BPF_OK, 1);
	spec_case(count, "ipv4 udp is counted as udp and goes on", udp4, BPF_OK, 17);
	spec_case(count, "ipv4 tcp is counted as tcp and goes on", tcp4, BPF_OK, 6);
	s = udp4;
	s.ip_opts_len = 8;
	spec_case(count, "ipv4 udp with IP options is counted as udp", s, BPF_OK, 17);
	s = udp4;
	s.frag = 0x0010;
	spec_case(count, "ipv4 later fragment of udp is counted as udp", s, BPF_OK, 17);
	spec_case(count, "ipv6 udp is counted as udp", udp6, BPF_OK, 17);
	spec_case(count, "ipv6 icmpv6 is counted as icmpv6", icmp6, BPF_OK, 58);
	spec_case(count, "ipv4 gre (no L4 parsing) is counted as proto 47",
		  (struct pkt_spec){ .family = 4, .proto = 47, .payload = payload,
				     .payload_len = 4 }, BPF_OK, 47);

	/* The drop instance drops exactly udp, IPv4 and IPv6. */
	spec_case(drop, "drop udp: ipv4 udp is dropped (BPF_DROP)", udp4, BPF_DROP, 17);
	spec_case(drop, "drop udp: ipv6 udp is dropped (BPF_DROP)", udp6, BPF_DROP, 17);
	spec_case(drop, "drop udp: ipv4 tcp goes on", tcp4, BPF_OK, 6);
	spec_case(drop, "drop udp: ipv4 icmp goes on", icmp4, BPF_OK, 1);
	spec_case(drop, "drop udp: ipv6 icmpv6 goes on", icmp6, BPF_OK, 58);

	truncation_spec(count, "every truncation of ipv4 udp is counted as udp",
			udp4, 14 + 20, BPF_OK, 17);
	s = udp4;
	s.ip_opts_len = 12;
	truncation_spec(count, "every truncation of ipv4 udp with options: malformed below 32 bytes",
			s, 14 + 32, BPF_OK, 17);
	s.ip_opts_len = 12;
	truncation_spec(drop, "drop udp: truncated ipv4 udp goes on until its header is complete",
			s, 14 + 32, BPF_DROP, 17);
	truncation_spec(drop, "drop udp: every truncation of ipv6 udp is dropped",
			udp6, 14 + 40, BPF_DROP, 17);
	len = add_hop_by_hop(buf, build_packet(buf, &udp6));
	verdict_case(drop, "drop udp: ipv6 udp behind a hop-by-hop header is dropped", buf, len,
		     BPF_DROP, 17);
	truncation_case(drop, "drop udp: ipv6 udp behind a truncated hop-by-hop header goes on",
			buf, len, 14 + 48, BPF_DROP, 17);

	/* Malformed headers are counted and left to the kernel. */
	len = build_packet(buf, &udp4);
	buf[14] = 0x55;			/* version 5 */
	verdict_case(drop, "ipv4 frame with version 5 is malformed and goes on", buf, len,
		     BPF_OK, LWT_IN_STAT_MALFORMED);
	len = build_packet(buf, &udp4);
	buf[14] = 0x44;			/* IHL 4 */
	verdict_case(drop, "ipv4 header with IHL 4 is malformed and goes on", buf, len,
		     BPF_OK, LWT_IN_STAT_MALFORMED);
	len = build_packet(buf, &udp4);
	buf[16] = 0;
	buf[17] = 8;			/* total length shorter than the header */
	verdict_case(drop, "ipv4 total length below its header is malformed", buf, len,
		     BPF_OK, LWT_IN_STAT_MALFORMED);
	len = build_packet(buf, &udp6);
	buf[14] = 0x40;			/* version 4 in an IPv6 frame */
	verdict_case(drop, "ipv6 frame with version 4 is malformed and goes on", buf, len,
		     BPF_OK, LWT_IN_STAT_MALFORMED);
	len = build_packet(buf, &udp6);
	buf[20] = 0;			/* hop-by-hop announced, udp header read as one */
	buf[14 + 40 + 1] = 20;		/* ...that claims 168 bytes */
	verdict_case(drop, "ipv6 with an extension header beyond the packet is malformed",
		     buf, len, BPF_OK, LWT_IN_STAT_MALFORMED);
	memset(buf, 0, 60);
	memcpy(buf + 12, "\x08\x06", 2);
	verdict_case(drop, "arp (neither IPv4 nor IPv6) is malformed and goes on", buf, 42,
		     BPF_OK, LWT_IN_STAT_MALFORMED);

	lwt_in_bpf__destroy(count);
	lwt_in_bpf__destroy(drop);
	return t_exit();
}
