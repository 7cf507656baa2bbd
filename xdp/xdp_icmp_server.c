// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* xdp_icmp_server: answer IPv4 and IPv6 ping from XDP, before the stack. */
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <linux/if_addr.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "common.h"
#include "xdp.h"
#include "xdp_icmp_server.h"
#include "xdp_icmp_server.skel.h"

static const char doc[] =
"Answer IPv4 ICMP echo and ICMPv6 echo requests arriving on IFACE from XDP\n"
"(XDP_TX): the kernel's ICMP code never sees them. Only requests the kernel\n"
"would answer itself are answered: to an address of IFACE, from a host on\n"
"one of its subnets, with valid checksums and no IP options or extension\n"
"headers. Everything else goes to the kernel unchanged.\n"
"\n"
"EXAMPLES:\n"
"  xdp_icmp_server lo                 # then: ping 127.0.0.1, ping ::1\n"
"  xdp_icmp_server --mode native veth0\n"
"  xdp_icmp_server -d 30 -i 5 veth0   # 30 seconds, a stats line every 5\n";

static const struct argp argp = {
	.args_doc = "IFACE",
	.doc = doc,
	.children = xdp_loader_children,
};

static int read_sysctl(const char *path, int dflt)
{
	FILE *f = fopen(path, "r");
	int v;

	if (!f)
		return dflt;
	if (fscanf(f, "%d", &v) != 1)
		v = dflt;
	fclose(f);
	return v;
}

/*
 * IPv6 addresses from /proc/net/if_inet6, which has their flags: one still
 * in duplicate address detection (or failed it) is not ours yet.
 */
static void read_addrs6(struct xdp_icmp_server_cfg *c, const char *ifname)
{
	unsigned int idx, plen, scope, flags;
	char hex[33], name[IF_NAMESIZE + 1];
	FILE *f = fopen("/proc/net/if_inet6", "r");

	if (!f)
		return;
	while (c->n6 < XDP_ICMP_SERVER_MAX_ADDRS &&
	       fscanf(f, "%32s %x %x %x %x %16s", hex, &idx, &plen, &scope, &flags, name) == 6) {
		__u8 *a = (__u8 *)c->a6[c->n6].addr, *m = (__u8 *)c->a6[c->n6].mask;

		if (strcmp(name, ifname) || (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) ||
		    plen > 128)
			continue;
		for (unsigned int k = 0; k < 16; k++) {
			sscanf(hex + 2 * k, "%2hhx", &a[k]);
			m[k] = plen >= 8 * (k + 1) ? 0xff : plen > 8 * k ? 0xff << (8 - plen % 8) : 0;
		}
		c->n6++;
	}
	fclose(f);
}

/*
 * What the program needs to know of IFACE and of the sysctls that shape
 * the kernel's own reply. Read again every second: addresses come and go.
 */
static void read_config(struct xdp_icmp_server_cfg *c, const char *ifname)
{
	struct ifaddrs *ifa, *i;
	char path[128];

	memset(c, 0, sizeof(*c));
	c->ttl = read_sysctl("/proc/sys/net/ipv4/ip_default_ttl", 64);
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/hop_limit", ifname);
	c->hop_limit = read_sysctl(path, 64);
	c->ignore4 = read_sysctl("/proc/sys/net/ipv4/icmp_echo_ignore_all", 0) != 0;
	c->ignore6 = read_sysctl("/proc/sys/net/ipv6/icmp/echo_ignore_all", 0) != 0;
	if (getifaddrs(&ifa))
		return;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || strcmp(i->ifa_name, ifname))
			continue;
		c->loopback = !!(i->ifa_flags & IFF_LOOPBACK);
		switch (i->ifa_addr->sa_family) {
		case AF_PACKET: {
			struct sockaddr_ll *ll = (struct sockaddr_ll *)i->ifa_addr;

			if (ll->sll_halen == 6)
				memcpy(c->mac, ll->sll_addr, 6);
			break;
		}
		case AF_INET:
			if (c->n4 == XDP_ICMP_SERVER_MAX_ADDRS)
				break;
			c->a4[c->n4].addr = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr;
			c->a4[c->n4++].mask = ((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr;
			break;
		}
	}
	freeifaddrs(ifa);
	read_addrs6(c, ifname);
}

/* Sleep in steps of at most a second, refreshing the program's view of IFACE. */
static int refresh_wait(void *ctx, int timeout_ms)
{
	struct xdp_icmp_server_bpf *skel = ctx;
	struct xdp_icmp_server_cfg c;

	read_config(&c, xdp_target.ifname);
	if (memcmp(&c, &skel->bss->cfg, sizeof(c)))
		skel->bss->cfg = c;
	if (poll(NULL, 0, timeout_ms < 1000 ? timeout_ms : 1000) < 0)
		return -errno;
	return 0;
}

static void print_stats(void *ctx, bool final)
{
	struct xdp_icmp_server_bpf *skel = ctx;
	int fd = bpf_map__fd(skel->maps.stats);
	struct xdp_icmp_server_count c[XDP_ICMP_SERVER_NSTATS] = {};

	for (__u32 i = 0; i < XDP_ICMP_SERVER_NSTATS; i++)
		percpu_sum(fd, &i, (uint64_t *)&c[i], 2);
	printf("%sreplies: ipv4 %llu  ipv6 %llu  | passed to kernel %llu\n",
	       final ? "total " : "", c[XDP_ICMP_SERVER_STAT_REPLY4].packets,
	       c[XDP_ICMP_SERVER_STAT_REPLY6].packets, c[XDP_ICMP_SERVER_STAT_PASS].packets);
}

int main(int argc, char **argv)
{
	struct xdp_icmp_server_bpf *skel;
	const char *mode;
	int link_fd = -1, err;

	common_init(&argp, argc, argv);
	require_root();

	skel = xdp_icmp_server_bpf__open_and_load();
	if (!skel)
		return fail_step(errno, "loading the BPF program");

	read_config(&skel->bss->cfg, xdp_target.ifname);
	err = xdp_attach(skel->progs.xdp_icmp_server, xdp_target.ifindex,
			 xdp_target.ifname, xdp_target.mode, xdp_target.force,
			 &link_fd, &mode);
	if (err)
		goto out;

	printf("xdp_icmp_server: answering ping on %s (ifindex %d, %s mode); Ctrl-C to stop\n",
	       xdp_target.ifname, xdp_target.ifindex, mode);
	err = run_loop(print_stats, refresh_wait, skel, 0);
out:
	if (link_fd >= 0)
		close(link_fd);
	xdp_icmp_server_bpf__destroy(skel);
	return err;
}
