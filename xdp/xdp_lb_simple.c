// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* xdp_lb_simple: a load balancer from scratch, one client, two backends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "common.h"
#include "xdp.h"
#include "xdp_lb_simple.h"
#include "xdp_lb_simple.skel.h"

static struct in_addr vip, client, backend[2], lb;
static int nbackends;
static unsigned int port = 8080;
static bool have_vip, have_client;

static const char doc[] =
"Forward TCP for VIP:PORT arriving on IFACE to one of two backends, and the\n"
"backends' answers to the client, rewriting MAC and IP addresses in XDP\n"
"(XDP_TX). The backend is a hash of the connection's 4-tuple; the IPv4\n"
"and TCP checksums are patched incrementally. Deliberately small: one\n"
"client, two backends, MACs read once from the neighbour table.\n"
"\n"
"EXAMPLES:\n"
"  xdp_lb_simple --vip 192.0.2.80 --client 192.0.2.1 \\\n"
"        --backend 198.51.100.11 --backend 198.51.100.12 eth0\n"
"  xdp_lb_simple --vip 192.0.2.80 --port 80 --client 192.0.2.1 \\\n"
"        -b 198.51.100.11 -b 198.51.100.12 -d 60 eth0\n";

enum { OPT_VIP = 0x100, OPT_PORT, OPT_CLIENT };

static const struct argp_option options[] = {
	{ "vip", OPT_VIP, "ADDR", 0, "The virtual IPv4 address clients connect to (required)", 0 },
	{ "port", OPT_PORT, "PORT", 0, "The TCP port of the VIP and the backends (default 8080)", 0 },
	{ "client", OPT_CLIENT, "ADDR", 0, "The one client (required)", 0 },
	{ "backend", 'b', "ADDR", 0, "A backend (exactly two)", 0 },
	{},
};

static void parse_addr(const char *arg, struct in_addr *a, const char *what)
{
	if (inet_pton(AF_INET, arg, a) != 1)
		usage_error("%s: not an IPv4 address: %s", what, arg);
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_VIP:
		parse_addr(arg, &vip, "--vip");
		have_vip = true;
		break;
	case OPT_PORT:
		port = parse_long(arg, "--port", 1, 65535);
		break;
	case OPT_CLIENT:
		parse_addr(arg, &client, "--client");
		have_client = true;
		break;
	case 'b':
		if (nbackends == 2)
			usage_error("exactly two backends (xdp_load_balancer takes up to 64)");
		parse_addr(arg, &backend[nbackends++], "--backend");
		break;
	case ARGP_KEY_END:
		if (!have_vip || !have_client || nbackends != 2)
			usage_error("needs --vip, --client and two --backend addresses");
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
	.children = xdp_loader_children,
};

/* The source address the kernel picks towards addr: ours towards the backends. */
static int source_towards(struct in_addr addr, struct in_addr *src)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr = addr };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len))
		err = -errno;
	*src = sa.sin_addr;
	if (fd >= 0)
		close(fd);
	return err;
}

/*
 * addr's MAC from the kernel's neighbour table (/proc/net/arp). When it is
 * not there, one UDP datagram to the discard port makes the kernel ARP.
 */
static bool read_arp(struct in_addr addr, __u8 mac[6])
{
	char line[256], ip[64], dev[IF_NAMESIZE + 1], want[INET_ADDRSTRLEN];
	unsigned int flags, m[6];
	bool found = false;
	FILE *f = fopen("/proc/net/arp", "r");

	if (!f)
		return false;
	inet_ntop(AF_INET, &addr, want, sizeof(want));
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %*s %x %x:%x:%x:%x:%x:%x %*s %16s", ip, &flags, &m[0], &m[1],
			   &m[2], &m[3], &m[4], &m[5], dev) == 9 &&
		    !strcmp(ip, want) && (flags & 0x2) && !strcmp(dev, xdp_target.ifname)) {
			for (int i = 0; i < 6; i++)
				mac[i] = m[i];
			found = true;
		}
	fclose(f);
	return found;
}

static int neighbour_mac(struct in_addr addr, __u8 mac[6])
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr = addr };
	char text[INET_ADDRSTRLEN];
	int fd;

	if (read_arp(addr, mac))
		return 0;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		sendto(fd, "", 0, 0, (struct sockaddr *)&sa, sizeof(sa));
		close(fd);
	}
	for (int i = 0; i < 20; i++) {
		usleep(100000);
		if (read_arp(addr, mac))
			return 0;
	}
	inet_ntop(AF_INET, &addr, text, sizeof(text));
	return errmsg("no MAC address for %s on %s: is it on that link?", text, xdp_target.ifname);
}

static int own_mac(__u8 mac[6])
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", xdp_target.ifname);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = fail_step(errno, "reading the MAC address of the interface");
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (fd >= 0)
		close(fd);
	return err;
}

static void print_stats(void *ctx, bool final)
{
	struct xdp_lb_simple_bpf *skel = ctx;
	int fd = bpf_map__fd(skel->maps.stats);
	uint64_t c[XDP_LB_SIMPLE_NSTATS] = {};
	char b0[INET_ADDRSTRLEN], b1[INET_ADDRSTRLEN];

	for (__u32 i = 0; i < XDP_LB_SIMPLE_NSTATS; i++)
		percpu_sum(fd, &i, &c[i], 1);
	inet_ntop(AF_INET, &backend[0], b0, sizeof(b0));
	inet_ntop(AF_INET, &backend[1], b1, sizeof(b1));
	printf("%sto %s %llu  to %s %llu  to client %llu  | passed %llu\n", final ? "total " : "",
	       b0, (unsigned long long)c[XDP_LB_SIMPLE_STAT_TO_B0], b1,
	       (unsigned long long)c[XDP_LB_SIMPLE_STAT_TO_B1],
	       (unsigned long long)c[XDP_LB_SIMPLE_STAT_TO_CLIENT],
	       (unsigned long long)c[XDP_LB_SIMPLE_STAT_PASS]);
}

int main(int argc, char **argv)
{
	struct xdp_lb_simple_bpf *skel;
	char vtext[INET_ADDRSTRLEN], ltext[INET_ADDRSTRLEN];
	const char *mode;
	int link_fd = -1, err;

	common_init(&argp, argc, argv);
	require_root();

	skel = xdp_lb_simple_bpf__open();
	if (!skel)
		return fail_step(errno, "opening the BPF object");
	err = source_towards(backend[0], &lb);
	if (err) {
		err = fail_step(err, "finding our address towards the backends");
		goto out;
	}
	/* Everything the program needs is fixed here, before load. */
	err = own_mac((__u8 *)skel->rodata->lb_mac) ?:
	      neighbour_mac(client, (__u8 *)skel->rodata->client_mac) ?:
	      neighbour_mac(backend[0], (__u8 *)skel->rodata->backend_mac[0]) ?:
	      neighbour_mac(backend[1], (__u8 *)skel->rodata->backend_mac[1]);
	if (err)
		goto out;
	skel->rodata->vip = vip.s_addr;
	skel->rodata->lb_addr = lb.s_addr;
	skel->rodata->client_addr = client.s_addr;
	skel->rodata->backend_addr[0] = backend[0].s_addr;
	skel->rodata->backend_addr[1] = backend[1].s_addr;
	skel->rodata->port = htons(port);
	err = xdp_lb_simple_bpf__load(skel);
	if (err) {
		err = fail_step(err, "loading the BPF program");
		goto out;
	}
	err = xdp_attach(skel->progs.xdp_lb_simple, xdp_target.ifindex, xdp_target.ifname,
			 xdp_target.mode, xdp_target.force, &link_fd, &mode);
	if (err)
		goto out;

	inet_ntop(AF_INET, &vip, vtext, sizeof(vtext));
	inet_ntop(AF_INET, &lb, ltext, sizeof(ltext));
	printf("xdp_lb_simple: balancing %s:%u on %s (ifindex %d, %s mode) over 2 backends from %s; Ctrl-C to stop\n",
	       vtext, port, xdp_target.ifname, xdp_target.ifindex, mode, ltext);
	err = run_loop(print_stats, NULL, skel, 0);
out:
	if (link_fd >= 0)
		close(link_fd);
	xdp_lb_simple_bpf__destroy(skel);
	return err;
}
