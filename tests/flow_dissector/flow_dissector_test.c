// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * BPF_PROG_TEST_RUN unit tests of flow_dissector/flow_dissector.bpf.c:
 * crafted frames in, the whole struct bpf_flow_keys out, compared with
 * the keys worked out by hand for each frame.
 */
#include "testlib.h"
#include "common.h"
#include "flow_dissector/flow_dissector.h"
#include "flow_dissector/flow_dissector.skel.h"

#define F_1ST_FRAG BPF_FLOW_DISSECTOR_F_PARSE_1ST_FRAG
#define F_LABEL BPF_FLOW_DISSECTOR_F_STOP_AT_FLOW_LABEL
#define CONTINUE 129	/* BPF_FLOW_DISSECTOR_CONTINUE */

static int prog_fd;

static int dissect(const uint8_t *pkt, size_t len, uint32_t flags, struct bpf_flow_keys *out,
		   uint32_t *retval)
{
	struct bpf_flow_keys in = { .flags = flags };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(*out),
		    .ctx_in = &in, .ctx_size_in = sizeof(in), .repeat = 1);

	memset(out, 0, sizeof(*out));
	if (bpf_prog_test_run_opts(prog_fd, &o))
		return -errno;
	*retval = o.retval;
	return 0;
}

static void show(const char *what, const struct bpf_flow_keys *k)
{
	char s[64], d[64];

	inet_ntop(k->addr_proto == 0x86dd ? AF_INET6 : AF_INET,
		  k->addr_proto == 0x86dd ? (void *)k->ipv6_src : (void *)&k->ipv4_src, s, sizeof(s));
	inet_ntop(k->addr_proto == 0x86dd ? AF_INET6 : AF_INET,
		  k->addr_proto == 0x86dd ? (void *)k->ipv6_dst : (void *)&k->ipv4_dst, d, sizeof(d));
	printf("# %s: nhoff %u thoff %u addr_proto %#x frag %u/%u encap %u ip_proto %u n_proto %#x "
	       "ports %u/%u %s -> %s flags %#x label %#x\n", what, k->nhoff, k->thoff,
	       k->addr_proto, k->is_frag, k->is_first_frag, k->is_encap, k->ip_proto,
	       ntohs(k->n_proto), ntohs(k->sport), ntohs(k->dport), s, d, k->flags,
	       ntohl(k->flow_label));
}

/* The frame must dissect to exactly `want` with BPF_OK. */
static void keys_case(const char *name, const uint8_t *pkt, size_t len, uint32_t flags,
		      struct bpf_flow_keys want)
{
	struct bpf_flow_keys got;
	uint32_t ret = ~0u;
	int err = dissect(pkt, len, flags, &got, &ret);
	bool ok;

	want.flags = flags;
	ok = !err && ret == BPF_OK && !memcmp(&got, &want, sizeof(got));
	if (!ok) {
		show("got ", &got);
		show("want", &want);
	}
	t_check(ok, name, "err %d verdict %u (want BPF_OK), keys %s", err, ret,
		memcmp(&got, &want, sizeof(got)) ? "differ" : "equal");
}

static void verdict_case(const char *name, const uint8_t *pkt, size_t len, uint32_t want)
{
	struct bpf_flow_keys got;
	uint32_t ret = ~0u;
	int err = dissect(pkt, len, 0, &got, &ret);

	t_check(!err && ret == want, name, "err %d verdict %u (want %u)", err, ret, want);
}

/* Every cut of a valid frame between the Ethernet header and its end is dropped. */
static void truncation_case(const char *name, const uint8_t *pkt, size_t len, size_t upto)
{
	struct bpf_flow_keys got;
	size_t bad = 0;
	uint32_t ret;

	for (size_t n = 14; n < upto; n++) {
		if (dissect(pkt, n, F_1ST_FRAG, &got, &ret) || ret != BPF_DROP) {
			if (!bad)
				printf("# first failure at length %zu: verdict %u\n", n, ret);
			bad++;
		}
	}
	t_check(!bad, name, "%zu of %zu cuts not dropped", bad, upto - 14);
}

static uint32_t ip4(const char *s)
{
	uint32_t a;

	inet_pton(AF_INET, s, &a);
	return a;
}

static void ip6(const char *s, uint32_t *a)
{
	inet_pton(AF_INET6, s, a);
}

static struct bpf_flow_keys v4keys(uint16_t nhoff, uint16_t thoff, uint8_t proto,
				   uint16_t sport, uint16_t dport)
{
	return (struct bpf_flow_keys){
		.nhoff = nhoff, .thoff = thoff, .addr_proto = 0x0800, .ip_proto = proto,
		.n_proto = htons(0x0800), .sport = htons(sport), .dport = htons(dport),
		.ipv4_src = ip4("192.0.2.1"), .ipv4_dst = ip4("192.0.2.2"),
	};
}

static struct bpf_flow_keys v6keys(uint16_t thoff, uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct bpf_flow_keys k = {
		.nhoff = 14, .thoff = thoff, .addr_proto = 0x86dd, .ip_proto = proto,
		.n_proto = htons(0x86dd), .sport = htons(sport), .dport = htons(dport),
	};

	ip6("2001:db8:1::1", k.ipv6_src);
	ip6("2001:db8:1::2", k.ipv6_dst);
	return k;
}

/* Insert n bytes at offset off of a frame of *len bytes. */
static void insert(uint8_t *buf, size_t *len, size_t off, const void *bytes, size_t n)
{
	memmove(buf + off + n, buf + off, *len - off);
	memcpy(buf + off, bytes, n);
	*len += n;
}

int main(void)
{
	static const uint8_t ospf_hello[44] = {
		2, 1, 0, 44, 1, 2, 3, 4, 0, 0, 0, 1,	/* v2 hello, router 1.2.3.4, area 0.0.0.1 */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* checksum, auth */
		255, 255, 255, 0, 0, 10, 2, 1, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	static const uint8_t ospf3_hello[16] = {
		3, 1, 0, 16, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,	/* router 10.0.0.1, area 0 */
	};
	struct pkt_spec tcp4 = { .proto = 6, .sport = 1234, .dport = 80 };
	struct pkt_spec udp6 = { .family = 6, .proto = 17, .sport = 5353, .dport = 53 };
	struct flow_dissector_bpf *skel;
	struct bpf_flow_keys k;
	uint8_t buf[1600], ext[32];
	struct pkt_spec s;
	size_t len;

	t_init();
	skel = flow_dissector_bpf__open_and_load();
	if (!skel) {
		printf("FAIL load flow_dissector (%s)\n", strerror(errno));
		return 1;
	}
	prog_fd = bpf_program__fd(skel->progs.dissect);

	len = build_packet(buf, &tcp4);
	keys_case("ipv4 tcp", buf, len, 0, v4keys(14, 34, 6, 1234, 80));
	truncation_case("ipv4 tcp: every cut is dropped", buf, len, len);
	buf[14 + 32] = 0x40;		/* TCP data offset 4: shorter than a header */
	verdict_case("ipv4 tcp with data offset 4 is dropped", buf, len, BPF_DROP);

	s = (struct pkt_spec){ .proto = 17, .sport = 5353, .dport = 53, .ip_opts_len = 8 };
	len = build_packet(buf, &s);
	keys_case("ipv4 udp with 8 bytes of IP options", buf, len, 0, v4keys(14, 42, 17, 5353, 53));
	truncation_case("ipv4 udp with options: every cut is dropped", buf, len, len);

	s = tcp4;
	s.vlan = 100;
	len = build_packet(buf, &s);
	k = v4keys(18, 38, 6, 1234, 80);
	keys_case("802.1Q ipv4 tcp", buf, len, 0, k);
	truncation_case("802.1Q ipv4 tcp: every cut is dropped", buf, len, len);
	insert(buf, &len, 12, "\x88\xa8\x00\x07", 4);	/* outer 802.1ad tag */
	k = v4keys(22, 42, 6, 1234, 80);
	keys_case("802.1ad + 802.1Q ipv4 tcp", buf, len, 0, k);

	/* Fragments: ports only from a first fragment, and only when asked. */
	s = (struct pkt_spec){ .proto = 17, .sport = 5353, .dport = 53, .frag = 0x2000 };
	len = build_packet(buf, &s);
	k = v4keys(14, 34, 17, 0, 0);
	k.is_frag = k.is_first_frag = 1;
	keys_case("ipv4 first fragment: no ports by default", buf, len, 0, k);
	k.sport = htons(5353);
	k.dport = htons(53);
	keys_case("ipv4 first fragment with PARSE_1ST_FRAG: ports", buf, len, F_1ST_FRAG, k);
	s.frag = 0x0020;		/* offset 256, last fragment */
	len = build_packet(buf, &s);
	k = v4keys(14, 34, 17, 0, 0);
	k.is_frag = 1;
	keys_case("ipv4 later fragment: no ports even with PARSE_1ST_FRAG", buf, len,
		  F_1ST_FRAG, k);

	len = build_packet(buf, &udp6);
	keys_case("ipv6 udp", buf, len, 0, v6keys(54, 17, 5353, 53));
	truncation_case("ipv6 udp: every cut is dropped", buf, len, len);
	buf[15] |= 0x01;		/* flow label 0x12345 */
	buf[16] = 0x23;
	buf[17] = 0x45;
	k = v6keys(54, 17, 5353, 53);
	k.flow_label = htonl(0x12345);
	keys_case("ipv6 udp with a flow label", buf, len, 0, k);
	k.sport = k.dport = 0;
	keys_case("ipv6 flow label with STOP_AT_FLOW_LABEL: stops at IPv6", buf, len, F_LABEL, k);

	/* Hop-by-hop (8 bytes) and destination options (16 bytes), then TCP. */
	s = (struct pkt_spec){ .family = 6, .proto = 6, .sport = 40000, .dport = 443 };
	len = build_packet(buf, &s);
	memset(ext, 0, sizeof(ext));
	ext[0] = 60;			/* hop-by-hop: next is destination options */
	ext[8] = 6;			/* destination options: next is TCP, length 1 (16 bytes) */
	ext[9] = 1;
	insert(buf, &len, 54, ext, 24);
	buf[20] = 0;			/* IPv6 next header: hop-by-hop */
	t_put16(buf + 18, len - 54);
	keys_case("ipv6 hop-by-hop + destination options + tcp", buf, len, 0,
		  v6keys(78, 6, 40000, 443));
	truncation_case("ipv6 with extension headers: every cut is dropped", buf, len, len);

	/* IPv6 fragment header, first and later fragment of UDP. */
	len = build_packet(buf, &udp6);
	memset(ext, 0, 8);
	ext[0] = 17;
	ext[3] = 1;			/* offset 0, more fragments */
	insert(buf, &len, 54, ext, 8);
	buf[20] = 44;
	t_put16(buf + 18, len - 54);
	k = v6keys(62, 17, 0, 0);
	k.is_frag = k.is_first_frag = 1;
	keys_case("ipv6 first fragment: no ports by default", buf, len, 0, k);
	k.sport = htons(5353);
	k.dport = htons(53);
	keys_case("ipv6 first fragment with PARSE_1ST_FRAG: ports", buf, len, F_1ST_FRAG, k);
	buf[56] = 0x01;			/* offset 32 (in 8-byte units: 0x100 >> 3) */
	k = v6keys(62, 17, 0, 0);
	k.is_frag = 1;
	keys_case("ipv6 later fragment: no ports", buf, len, F_1ST_FRAG, k);

	/* OSPF: router ID 1.2.3.4 -> 0x0102 ^ 0x0304, area 0.0.0.1 -> 1. */
	s = (struct pkt_spec){ .proto = 89, .dst = "224.0.0.5", .ttl = 1,
			       .payload = ospf_hello, .payload_len = sizeof(ospf_hello) };
	len = build_packet(buf, &s);
	k = v4keys(14, 34, 89, 0x0206, 1);
	k.ipv4_dst = ip4("224.0.0.5");
	keys_case("ospfv2 hello: router ID and area in the ports", buf, len, 0, k);
	truncation_case("ospfv2: every cut up to the area ID is dropped", buf, len, 14 + 20 + 12);
	s = (struct pkt_spec){ .family = 6, .proto = 89, .dst = "2001:db8:1::2",
			       .payload = ospf3_hello, .payload_len = sizeof(ospf3_hello) };
	len = build_packet(buf, &s);
	keys_case("ospfv3 hello over ipv6: router ID 10.0.0.1 -> port 0x0a01",
		  buf, len, 0, v6keys(54, 89, 0x0a01, 0));

	/* What we leave to the kernel. */
	len = build_packet(buf, &(struct pkt_spec){ .icmp_type = 8 });
	verdict_case("icmp goes to the kernel's dissector", buf, len, CONTINUE);
	len = build_packet(buf, &(struct pkt_spec){ .family = 6, .proto = 47 });
	verdict_case("gre over ipv6 goes to the kernel's dissector", buf, len, CONTINUE);
	memset(buf, 0, 60);
	memcpy(buf + 12, "\x08\x06", 2);
	verdict_case("arp goes to the kernel's dissector", buf, 42, CONTINUE);
	memcpy(buf + 12, "\x88\x47", 2);
	verdict_case("mpls goes to the kernel's dissector", buf, 60, CONTINUE);

	/* Malformed network headers. */
	len = build_packet(buf, &tcp4);
	buf[14] = 0x55;
	verdict_case("ipv4 version 5 is dropped", buf, len, BPF_DROP);
	buf[14] = 0x44;
	verdict_case("ipv4 IHL 4 is dropped", buf, len, BPF_DROP);
	buf[14] = 0x4f;
	verdict_case("ipv4 IHL 15 beyond the frame is dropped", buf, 14 + 40, BPF_DROP);
	len = build_packet(buf, &udp6);
	buf[14] = 0x40;
	verdict_case("ipv6 frame with version 4 is dropped", buf, len, BPF_DROP);
	len = build_packet(buf, &udp6);
	buf[20] = 0;			/* hop-by-hop announced; the UDP header is read as one */
	buf[54 + 1] = 200;		/* ... whose length runs past the frame */
	verdict_case("ipv6 extension header longer than the frame is dropped", buf, len, BPF_DROP);

	{
		int fd = bpf_map__fd(skel->maps.stats);
		uint64_t ospf = 0, cont = 0;
		__u32 ko = FLOW_DISSECTOR_STAT_OSPF, kc = FLOW_DISSECTOR_STAT_CONTINUE;

		percpu_sum(fd, &ko, &ospf, 1);
		percpu_sum(fd, &kc, &cont, 1);
		t_check(ospf == 2 && cont == 4, "counters: 2 OSPF, 4 to the kernel",
			"ospf %llu, to kernel %llu", (unsigned long long)ospf,
			(unsigned long long)cont);
	}
	flow_dissector_bpf__destroy(skel);
	return t_exit();
}
