// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* BPF_PROG_TEST_RUN unit tests of xdp/xdp_drop.bpf.c, with and without --all-ip. */
#include "testlib.h"
#include "xdp/xdp_drop.h"
#include "xdp/xdp_drop.skel.h"

static int verdict(int fd, const uint8_t *pkt, size_t len)
{
	uint32_t ret = 0;
	int err = t_run(fd, pkt, len, NULL, NULL, &ret);

	return err ? err : (int)ret;
}

static void expect(int fd, const char *name, struct pkt_spec s, int want)
{
	uint8_t buf[1600];
	size_t len = build_packet(buf, &s);
	int got = verdict(fd, buf, len);

	t_check(got == want, name, "verdict %d, want %d", got, want);
}

static size_t build_arp(uint8_t *buf)
{
	memset(buf, 0, 42);
	memset(buf, 0xff, 6);
	buf[12] = 0x08;
	buf[13] = 0x06;
	buf[14 + 1] = 1;	/* Ethernet */
	buf[14 + 2] = 0x08;	/* IPv4 */
	buf[14 + 4] = 6;
	buf[14 + 5] = 4;
	buf[14 + 7] = 1;	/* request */
	return 42;
}

/* Every prefix of pkt gets XDP_PASS or XDP_DROP, never ABORTED or an error. */
static void truncations(int fd, const char *name, struct pkt_spec s, int want_full)
{
	uint8_t buf[1600];
	size_t len = build_packet(buf, &s), bad = 0;

	for (size_t n = 14; n < len; n++) {
		int v = verdict(fd, buf, n);

		if (v != XDP_PASS && v != XDP_DROP)
			bad++;
	}
	t_check(!bad && verdict(fd, buf, len) == want_full, name,
		"%zu lengths without a defined verdict", bad);
}

static void run_suite(struct xdp_drop_bpf *skel, bool all_ip)
{
	int fd = bpf_program__fd(skel->progs.xdp_drop);
	int other = all_ip ? XDP_DROP : XDP_PASS;
	char name[160];
	uint8_t buf[1600];
	const char *tag = all_ip ? " [--all-ip]" : "";

#define NAME(s) (snprintf(name, sizeof(name), "%s%s", s, tag), name)
	expect(fd, NAME("ipv4 echo request dropped"), (struct pkt_spec){ .icmp_type = 8 }, XDP_DROP);
	expect(fd, NAME("ipv4 echo reply dropped"), (struct pkt_spec){ .icmp_type = 0 }, XDP_DROP);
	expect(fd, NAME("ipv4 echo request in VLAN dropped"),
	       (struct pkt_spec){ .icmp_type = 8, .vlan = 7 }, XDP_DROP);
	expect(fd, NAME("ipv4 echo with IP options dropped"),
	       (struct pkt_spec){ .icmp_type = 8, .ip_opts_len = 4 }, XDP_DROP);
	expect(fd, NAME("ipv6 echo request dropped"),
	       (struct pkt_spec){ .family = 6, .icmp_type = 128 }, XDP_DROP);
	expect(fd, NAME("ipv6 echo reply dropped"),
	       (struct pkt_spec){ .family = 6, .icmp_type = 129 }, XDP_DROP);
	expect(fd, NAME("ipv4 destination unreachable"), (struct pkt_spec){ .icmp_type = 3 }, other);
	expect(fd, NAME("ipv4 later fragment of an echo"),
	       (struct pkt_spec){ .icmp_type = 8, .frag = 0x0010 }, other);
	expect(fd, NAME("tcp"), (struct pkt_spec){ .proto = 6, .sport = 1234, .dport = 80 }, other);
	expect(fd, NAME("udp over ipv6"),
	       (struct pkt_spec){ .family = 6, .proto = 17, .sport = 1, .dport = 53 }, other);
	/* Neighbour discovery and ARP keep the link alive: always pass. */
	for (int t = 133; t <= 137; t++) {
		char what[64];

		snprintf(what, sizeof(what), "icmpv6 neighbour discovery type %d passes", t);
		expect(fd, NAME(what), (struct pkt_spec){ .family = 6, .icmp_type = t }, XDP_PASS);
	}
	t_check(verdict(fd, buf, build_arp(buf)) == XDP_PASS, NAME("arp passes"), "arp not passed");
	truncations(fd, NAME("every truncation of an ipv4 echo has a defined verdict"),
		    (struct pkt_spec){ .icmp_type = 8, .payload_len = 0 }, XDP_DROP);
	truncations(fd, NAME("every truncation of an ipv6 echo has a defined verdict"),
		    (struct pkt_spec){ .family = 6, .icmp_type = 128 }, XDP_DROP);
#undef NAME
}

int main(void)
{
	struct xdp_drop_bpf *skel;

	t_init();
	for (int all = 0; all <= 1; all++) {
		skel = xdp_drop_bpf__open();
		if (!skel || (skel->rodata->drop_all_ip = all, xdp_drop_bpf__load(skel))) {
			printf("FAIL load xdp_drop (%s)\n", strerror(errno));
			return 1;
		}
		run_suite(skel, all);
		xdp_drop_bpf__destroy(skel);
	}
	return t_exit();
}
