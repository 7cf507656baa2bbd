// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pktgen: a packet generator for kernels without pktgen.ko or the tracing
 * programs xdp-trafficgen needs. One frame is built here and handed to
 * BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES; the kernel replays it
 * `repeat` times through an XDP program that redirects it out of IFACE.
 *
 * What the kernel accepted is what is reported: frames the receiving side
 * could not take (a veth peer without NAPI, a full ring) vanish after the
 * redirect, so the receiver's own counters are the only truth for rates.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include "common.h"
#include "pktgen.skel.h"
#include "../tests/lib/testlib.h"	/* build_packet: the unit tests' frames */

enum pkt_type { PKT_UDP, PKT_ICMP, PKT_SYN };

#define CALL_NS 250000000ULL	/* aim: one BPF_PROG_TEST_RUN call per 250 ms */

static struct {
	const char *ifname;
	enum pkt_type type;
	struct in_addr src, dst;
	unsigned char smac[ETH_ALEN], dmac[ETH_ALEN];
	bool have_smac;
	unsigned int sport, dport, size, batch;
	unsigned long long count;
} cfg = {
	.sport = 9, .dport = 9, .size = 64, .batch = 64,
	.dmac = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
};

static const char doc[] =
"Send one IPv4 packet, replayed at full speed, out of IFACE: UDP (default),\n"
"ICMP echo request or TCP SYN. The kernel's BPF_PROG_TEST_RUN does the\n"
"sending (live XDP frames redirected to IFACE), so it needs no pktgen\n"
"module. Stops after -n packets, -d seconds or Ctrl-C, whichever is first.\n"
"\n"
"The receiver must take XDP frames: a veth peer needs an XDP program or\n"
"GRO on (ethtool -K PEER gro on), else the frames are silently lost.\n"
"Only the receiver's counters say what arrived.\n"
"\n"
"EXAMPLES:\n"
"  pktgen -n 5000000 veth0                   # 5 M 64-byte UDP frames, broadcast MAC\n"
"  pktgen -d 10 --dst 192.0.2.2 --dst-mac 02:00:00:00:00:02 veth0\n"
"  pktgen -t icmp -s 98 --dst-mac 02:00:00:00:00:02 -d 5 veth0   # ping flood\n"
"  pktgen -t syn --dport 8080 -n 1000 veth0\n";

enum { OPT_SRC = 0x100, OPT_DST, OPT_SMAC, OPT_DMAC, OPT_SPORT, OPT_DPORT };

static const struct argp_option options[] = {
	{ "type", 't', "TYPE", 0, "udp (default), icmp (echo request) or syn", 0 },
	{ "count", 'n', "N", 0, "Send N packets, then stop", 0 },
	{ "size", 's', "BYTES", 0, "Frame size with the 4-byte FCS, as on a wire (default 64)", 0 },
	{ "batch", 'b', "N", 0, "Frames per kernel batch, 1..256 (default 64)", 0 },
	{ "src", OPT_SRC, "IP", 0, "Source address (default 192.0.2.1)", 0 },
	{ "dst", OPT_DST, "IP", 0, "Destination address (default 192.0.2.2)", 0 },
	{ "src-mac", OPT_SMAC, "MAC", 0, "Source MAC (default IFACE's)", 0 },
	{ "dst-mac", OPT_DMAC, "MAC", 0, "Destination MAC (default ff:ff:ff:ff:ff:ff)", 0 },
	{ "sport", OPT_SPORT, "PORT", 0, "UDP/TCP source port (default 9)", 0 },
	{ "dport", OPT_DPORT, "PORT", 0, "UDP/TCP destination port (default 9)", 0 },
	{},
};

static void parse_ip(const char *arg, struct in_addr *a)
{
	if (inet_pton(AF_INET, arg, a) != 1)
		usage_error("not an IPv4 address: %s", arg);
}

static void parse_mac(const char *arg, unsigned char *mac)
{
	if (sscanf(arg, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2],
		   &mac[3], &mac[4], &mac[5]) != 6)
		usage_error("not a MAC address: %s", arg);
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 't':
		if (!strcmp(arg, "udp"))
			cfg.type = PKT_UDP;
		else if (!strcmp(arg, "icmp"))
			cfg.type = PKT_ICMP;
		else if (!strcmp(arg, "syn"))
			cfg.type = PKT_SYN;
		else
			usage_error("unknown packet type: %s (use udp, icmp or syn)", arg);
		break;
	case 'n':
		cfg.count = parse_long(arg, "count", 1, 1L << 50);
		break;
	case 's':
		cfg.size = parse_long(arg, "size", 64, 1518);
		break;
	case 'b':
		cfg.batch = parse_long(arg, "batch", 1, 256);
		break;
	case OPT_SRC:
		parse_ip(arg, &cfg.src);
		break;
	case OPT_DST:
		parse_ip(arg, &cfg.dst);
		break;
	case OPT_SMAC:
		parse_mac(arg, cfg.smac);
		cfg.have_smac = true;
		break;
	case OPT_DMAC:
		parse_mac(arg, cfg.dmac);
		break;
	case OPT_SPORT:
		cfg.sport = parse_long(arg, "sport", 0, 65535);
		break;
	case OPT_DPORT:
		cfg.dport = parse_long(arg, "dport", 0, 65535);
		break;
	case ARGP_KEY_ARG:
		if (cfg.ifname)
			usage_error("one interface only: %s", arg);
		cfg.ifname = arg;
		break;
	case ARGP_KEY_END:
		if (!cfg.ifname)
			usage_error("missing IFACE");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.args_doc = "IFACE",
	.doc = doc,
	.children = common_children,
};

/*
 * The frame without its FCS (the kernel never sees one): size - 4 bytes,
 * zero payload. Built by the unit tests' builder, checksums in full.
 */
static size_t build_frame(uint8_t *f)
{
	static const uint8_t proto[] = { [PKT_UDP] = 17, [PKT_ICMP] = 1, [PKT_SYN] = 6 };
	static const size_t l4hdr[] = { [PKT_UDP] = 8, [PKT_ICMP] = 8, [PKT_SYN] = 20 };
	static const uint8_t zeros[1600];
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
	struct pkt_spec s = {
		.proto = proto[cfg.type],
		.src = inet_ntop(AF_INET, &cfg.src, src, sizeof(src)),
		.dst = inet_ntop(AF_INET, &cfg.dst, dst, sizeof(dst)),
		.sport = cfg.sport, .dport = cfg.dport,
		.icmp_type = 8, .icmp_id = getpid(), .icmp_seq = 1,
		.frag = 0x4000,			/* DF */
		.payload = zeros,
	};
	size_t len;

	s.payload_len = cfg.size - 4 - ETH_HLEN - 20 - l4hdr[cfg.type];
	len = build_packet(f, &s);
	memcpy(f, cfg.dmac, ETH_ALEN);
	memcpy(f + ETH_ALEN, cfg.smac, ETH_ALEN);
	return len;
}

static int if_mac(const char *ifname, unsigned char *mac)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	close(fd);
	return err;
}

int main(int argc, char **argv)
{
	uint64_t start, last, now, end, sent = 0, last_sent = 0, chunk, prev_chunk = 8192;
	double rate = 0;	/* frames per ns of the last call */
	static uint8_t frame[1600];
	struct pktgen_bpf *skel;
	int ifindex, err, ret = EXIT_OK;
	size_t len;

	inet_pton(AF_INET, "192.0.2.1", &cfg.src);
	inet_pton(AF_INET, "192.0.2.2", &cfg.dst);
	common_init(&argp, argc, argv);
	ifindex = parse_ifindex(cfg.ifname);
	require_root();
	if (!cfg.have_smac && (err = if_mac(cfg.ifname, cfg.smac)))
		return fail_step(err, "reading the MAC address of IFACE");
	len = build_frame(frame);

	skel = pktgen_bpf__open();
	if (!skel)
		return fail_step(errno, "opening the BPF object");
	skel->rodata->out_ifindex = ifindex;
	memcpy((void *)skel->rodata->hdr, frame, sizeof(skel->rodata->hdr));
	err = pktgen_bpf__load(skel);
	if (err) {
		ret = fail_step(err, "loading the BPF program");
		goto out;
	}

	printf("pktgen: sending %zu+4-byte %s frames out of %s (ifindex %d), batch %u%s\n",
	       len, cfg.type == PKT_ICMP ? "ICMP echo" : cfg.type == PKT_SYN ? "TCP SYN" : "UDP",
	       cfg.ifname, ifindex, cfg.batch, env.duration || cfg.count ? "" : "; Ctrl-C to stop");

	start = last = now_ns();
	end = env.duration ? start + env.duration * 1000000000ULL : 0;
	while (!exiting && (!cfg.count || sent < cfg.count)) {
		uint64_t t0 = now_ns(), want = CALL_NS;

		/*
		 * Each call sets up a page pool, which costs milliseconds: size
		 * calls to last about CALL_NS (from the rate of the last one),
		 * short enough for the stats, -d and Ctrl-C to stay prompt.
		 */
		if (end && end - t0 < want)
			want = end - t0;
		chunk = rate ? (uint64_t)(rate * want) : 65536;
		if (chunk > 8 * prev_chunk)
			chunk = 8 * prev_chunk;
		if (chunk < 1024)
			chunk = 1024;
		if (cfg.count && cfg.count - sent < chunk)
			chunk = cfg.count - sent;
		LIBBPF_OPTS(bpf_test_run_opts, o,
			.data_in = frame,
			.data_size_in = len,
			.repeat = chunk,
			.batch_size = cfg.batch,
			.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		);
		if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.pktgen_xmit), &o)) {
			err = -errno;
			if (err == -EINTR)
				break;		/* this call's count is unknown: not counted */
			/* Kernels before 5.18 refuse the live-frames flag. */
			if (err == -EINVAL && !sent)
				ret = fail_step(-EOPNOTSUPP, "sending live XDP frames "
						"(BPF_F_TEST_XDP_LIVE_FRAMES, Linux 5.18)");
			else
				ret = fail_step(err, "sending");
			break;
		}
		sent += chunk;
		prev_chunk = chunk;
		now = now_ns();
		rate = (double)chunk / (now - t0 ? now - t0 : 1);
		if (end && now >= end)
			break;
		if (now - last >= env.interval * 1000000000ULL) {
			printf("sent %llu  (%.2f Mpps)\n", (unsigned long long)sent,
			       (sent - last_sent) * 1e3 / (now - last));
			last = now;
			last_sent = sent;
		}
	}
	now = now_ns();
	printf("total sent %llu in %.3f s: %.2f Mpps\n", (unsigned long long)sent,
	       (now - start) / 1e9, sent * 1e3 / (now - start ? now - start : 1));
out:
	pktgen_bpf__destroy(skel);
	return ret;
}
