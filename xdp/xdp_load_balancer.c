// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* xdp_load_balancer: a one-arm TCP load balancer with full NAT, in XDP. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include "common.h"
#include "nl.h"
#include "xdp_load_balancer.h"
#include "xdp_load_balancer.skel.h"

static const char doc[] =
"Balance TCP connections to VIP:PORT (default port 8080) arriving on IFACE\n"
"over the backends, from XDP. Full NAT: the client talks to the VIP only,\n"
"the backends see the LB's address (--client-side; default: the source the\n"
"kernel would use towards the first backend). A connection stays on its\n"
"backend for its whole life, also when the set changes. With\n"
"--backend-file the set is the file's addresses (one per line, # comments),\n"
"read again on SIGHUP: a removed backend keeps its established\n"
"connections, new ones go to the others. IFACE needs IPv4 forwarding on\n"
"(bpf_fib_lookup refuses otherwise). The backends are expected on IFACE's\n"
"segment: the LB keeps their MACs resolved with managed neighbour entries,\n"
"removed at exit.\n"
"\n"
"EXAMPLES:\n"
"  xdp_load_balancer eth0 --vip 192.0.2.80 -b 198.51.100.11 -b 198.51.100.12\n"
"  xdp_load_balancer eth0 --vip 192.0.2.80:80 --backend-file backends.txt\n"
"      # edit backends.txt, then: kill -HUP $(pidof xdp_load_balancer)\n"
"  xdp_load_balancer eth0 --vip 192.0.2.80 -b 198.51.100.11 \\\n"
"      --client-side 198.51.100.254\n";

enum { OPT_VIP = 1000, OPT_FILE, OPT_CLIENT_SIDE };

static const struct argp_option options[] = {
	{ "vip", OPT_VIP, "ADDR[:PORT]", 0, "The virtual IPv4 address (and port, default 8080) to balance", 0 },
	{ "backend", 'b', "ADDR", 0, "A backend's IPv4 address (repeat for more)", 0 },
	{ "backend-file", OPT_FILE, "FILE", 0, "Take the backends from FILE, read again on SIGHUP", 0 },
	{ "client-side", OPT_CLIENT_SIDE, "ADDR", 0, "Source address towards the backends (default: the route's)", 0 },
	{},
};

/* A backend set, and every backend ever in it (for the counters). */
struct set {
	int n;
	__be32 addr[LB_MAX_BACKENDS];
};

static struct {
	__be32 vip, lb_addr;
	__be16 vport;
	struct set cli;			/* from -b */
	const char *file;
} opt;

static struct set live;
static __be32 known[4 * LB_MAX_BACKENDS];
static int nr_known;
static volatile sig_atomic_t reload;

static bool parse_addr(const char *s, __be32 *addr)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*addr = a.s_addr;
	return true;
}

static void parse_vip(char *arg)
{
	char *colon = strchr(arg, ':');
	struct in6_addr a6;

	if (inet_pton(AF_INET6, arg, &a6) == 1)
		usage_error("IPv6 VIPs are not supported (IPv4 only): %s", arg);
	opt.vport = htons(8080);
	if (colon) {
		*colon = 0;
		opt.vport = htons(parse_long(colon + 1, "VIP port", 1, 65535));
	}
	if (!parse_addr(arg, &opt.vip))
		usage_error("not an IPv4 address: %s", arg);
}

static bool set_add(struct set *s, __be32 addr)
{
	for (int i = 0; i < s->n; i++)
		if (s->addr[i] == addr)
			return true;
	if (s->n == LB_MAX_BACKENDS)
		return false;
	s->addr[s->n++] = addr;
	return true;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	__be32 a;

	switch (key) {
	case OPT_VIP:
		parse_vip(arg);
		break;
	case 'b':
		if (!parse_addr(arg, &a))
			usage_error("backend: not an IPv4 address: %s", arg);
		if (!set_add(&opt.cli, a))
			usage_error("at most %d backends", LB_MAX_BACKENDS);
		break;
	case OPT_FILE:
		opt.file = arg;
		break;
	case OPT_CLIENT_SIDE:
		if (!parse_addr(arg, &opt.lb_addr))
			usage_error("client-side: not an IPv4 address: %s", arg);
		break;
	case ARGP_KEY_END:
		if (!opt.vip)
			usage_error("missing --vip ADDR");
		if (!opt.cli.n && !opt.file)
			usage_error("no backends: give --backend ADDR or --backend-file FILE");
		if (opt.cli.n && opt.file)
			usage_error("give either --backend or --backend-file, not both");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.options = options,
	.parser = parse_opt,
	.args_doc = "IFACE --vip ADDR[:PORT] --backend ADDR...",
	.doc = doc,
	.children = xdp_loader_children,
};

/* The file's set, or an error sentence (the old set stays). */
static int read_set(const char *path, struct set *s)
{
	char line[256], *p;
	int lineno = 0;
	__be32 a;
	FILE *f = fopen(path, "r");

	if (!f)
		return errmsg("cannot read %s: %s", path, strerror(errno));
	s->n = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "#\r\n")] = 0;
		p = strtok(line, " \t");
		if (!p)
			continue;
		if (!parse_addr(p, &a) || !set_add(s, a)) {
			fclose(f);
			return errmsg("%s:%d: not an IPv4 address, or more than %d backends: %s",
				      path, lineno, LB_MAX_BACKENDS, p);
		}
	}
	fclose(f);
	if (!s->n)
		return errmsg("no backends in %s", path);
	return 0;
}

static bool in_set(const struct set *s, __be32 addr)
{
	for (int i = 0; i < s->n; i++)
		if (s->addr[i] == addr)
			return true;
	return false;
}

/*
 * A managed neighbour entry: the kernel resolves the backend's MAC and
 * keeps it fresh, so bpf_fib_lookup finds it although the kernel itself
 * never talks to the backend. An existing entry becomes managed and keeps
 * its MAC. At exit they are deleted: a cache, refilled on demand.
 */
static int neigh_managed(int type, int flags, __be32 addr)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	struct nl nl;
	int err = nl_open(&nl);

	if (err)
		return err;
	nlh = nl_msg(&nl, buf, type, flags);
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_INET;
	ndm->ndm_ifindex = xdp_target.ifindex;
	mnl_attr_put_u32(nlh, NDA_DST, addr);
	if (type == RTM_NEWNEIGH)
		mnl_attr_put_u32(nlh, NDA_FLAGS_EXT, NTF_EXT_MANAGED);
	err = nl_request(&nl, nlh);
	nl_close(&nl);
	return err;
}

static bool neigh_ours[4 * LB_MAX_BACKENDS];

/* Make `next` the live set: slots first, then the count, so a packet never sees a removed backend. */
static void apply_set(struct xdp_load_balancer_bpf *skel, const struct set *next)
{
	int slots = bpf_map__fd(skel->maps.backends);
	int members = bpf_map__fd(skel->maps.members);
	int stats = bpf_map__fd(skel->maps.backend_stats);
	int ncpu = libbpf_num_possible_cpus();
	struct lb_count zero[ncpu];
	__u8 one = 1;
	__u32 i;
	int k, err;

	memset(zero, 0, sizeof(zero));
	for (i = 0; i < (__u32)next->n; i++) {
		__be32 a = next->addr[i];

		for (k = 0; k < nr_known && known[k] != a; k++)
			;
		if (k == nr_known && nr_known < (int)(sizeof(known) / sizeof(known[0]))) {
			known[nr_known++] = a;
			bpf_map_update_elem(stats, &a, zero, BPF_NOEXIST);
			err = neigh_managed(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, a);
			neigh_ours[k] = !err;
			if (err)
				warnmsg("cannot add a managed neighbour entry for %s: %s",
					inet_ntoa((struct in_addr){ a }), err_sentence(err));
		}
		bpf_map_update_elem(members, &a, &one, BPF_ANY);
		bpf_map_update_elem(slots, &i, &a, BPF_ANY);
	}
	__atomic_store_n(&skel->bss->nr_backends, next->n, __ATOMIC_RELEASE);
	for (i = 0; i < (__u32)live.n; i++)
		if (!in_set(next, live.addr[i]))
			bpf_map_delete_elem(members, &live.addr[i]);
	live = *next;
}

static void neigh_cleanup(void)
{
	for (int k = 0; k < nr_known; k++)
		if (neigh_ours[k])
			neigh_managed(RTM_DELNEIGH, 0, known[k]);
}

static void print_stats(void *ctx, bool final)
{
	struct xdp_load_balancer_bpf *skel = ctx;
	int fd = bpf_map__fd(skel->maps.backend_stats);
	__u64 s[LB_NSTATS];
	struct lb_count c;

	printf("%s", final ? "total " : "");
	for (int k = 0; k < nr_known; k++) {
		if (percpu_sum(fd, &known[k], (uint64_t *)&c, 3))
			continue;
		printf("%s%s: conns %llu pkts %llu bytes %llu | ",
		       inet_ntoa((struct in_addr){ known[k] }),
		       in_set(&live, known[k]) ? "" : " (removed)",
		       c.conns, c.packets, c.bytes);
	}
	fd = bpf_map__fd(skel->maps.stats);
	for (__u32 i = 0; i < LB_NSTATS; i++)
		percpu_sum(fd, &i, (uint64_t *)&s[i], 1);
	printf("to backends %llu to clients %llu (learned MAC %llu) passed %llu no-backend %llu dropped: no-neigh %llu no-route %llu too-big %llu no-port %llu\n",
	       s[LB_TO_BACKEND], s[LB_TO_CLIENT], s[LB_LEARNED_MAC], s[LB_PASS],
	       s[LB_NO_BACKEND], s[LB_NO_NEIGH], s[LB_NO_ROUTE], s[LB_TOO_BIG], s[LB_NO_PORT]);
	fflush(stdout);
}

static void on_hup(int sig)
{
	reload = 1;
}

/* Sleep between stats lines; a SIGHUP interrupts it and re-reads the file. */
static int wait_reload(void *ctx, int timeout_ms)
{
	struct set next;

	usleep(timeout_ms * 1000);
	if (!reload)
		return 0;
	reload = 0;
	if (!opt.file) {
		warnmsg("SIGHUP ignored: the backends come from the command line");
		return 0;
	}
	if (read_set(opt.file, &next))
		return 0;	/* the message said why; the old set stays */
	apply_set(ctx, &next);
	printf("backends now:");
	for (int i = 0; i < live.n; i++)
		printf(" %s", inet_ntoa((struct in_addr){ live.addr[i] }));
	printf("\n");
	fflush(stdout);
	return 0;
}

/* The source address the kernel would pick towards addr, or 0. */
static __be32 source_towards(__be32 addr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9),
				   .sin_addr.s_addr = addr };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	__be32 a = 0;

	/* A UDP connect() only routes: nothing is sent. */
	if (fd >= 0 && !connect(fd, (struct sockaddr *)&sin, sizeof(sin)) &&
	    !getsockname(fd, (struct sockaddr *)&sin, &len))
		a = sin.sin_addr.s_addr;
	if (fd >= 0)
		close(fd);
	return a;
}

static bool forwarding_on(const char *ifname)
{
	char path[128];
	int v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/forwarding", ifname);
	f = fopen(path, "r");
	if (!f)
		return true;	/* let bpf_fib_lookup say so */
	if (fscanf(f, "%d", &v) != 1)
		v = 1;
	fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_hup };
	struct xdp_load_balancer_bpf *skel;
	char vip[INET_ADDRSTRLEN], lb[INET_ADDRSTRLEN];
	struct set first;
	const char *mode;
	int link_fd = -1, err;

	common_init(&argp, argc, argv, NULL);
	require_root();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);

	first = opt.cli;
	if (opt.file && read_set(opt.file, &first))
		return EXIT_USAGE;
	if (!opt.lb_addr)
		opt.lb_addr = source_towards(first.addr[0]);
	if (!opt.lb_addr)
		return errmsg("no route to backend %s: give --client-side ADDR",
			      inet_ntoa((struct in_addr){ first.addr[0] }));
	if (!forwarding_on(xdp_target.ifname))
		return errmsg("IPv4 forwarding is off on %s, so bpf_fib_lookup cannot route (sysctl -w net.ipv4.conf.%s.forwarding=1)",
			      xdp_target.ifname, xdp_target.ifname);

	skel = xdp_load_balancer_bpf__open();
	if (!skel)
		return fail_step(errno, "opening the BPF object");
	skel->rodata->vip = opt.vip;
	skel->rodata->vport = opt.vport;
	skel->rodata->lb_addr = opt.lb_addr;
	err = xdp_load_balancer_bpf__load(skel);
	if (err) {
		err = fail_step(err, "loading the BPF program");
		goto out;
	}
	apply_set(skel, &first);

	err = xdp_attach(skel->progs.xdp_load_balancer, xdp_target.ifindex,
			 xdp_target.ifname, xdp_target.mode, xdp_target.force,
			 &link_fd, &mode);
	if (err)
		goto out;

	inet_ntop(AF_INET, &opt.vip, vip, sizeof(vip));
	inet_ntop(AF_INET, &opt.lb_addr, lb, sizeof(lb));
	printf("xdp_load_balancer: balancing %s:%d on %s (ifindex %d, %s mode) over %d backends from %s; Ctrl-C to stop\n",
	       vip, ntohs(opt.vport), xdp_target.ifname, xdp_target.ifindex, mode, live.n, lb);
	fflush(stdout);
	err = run_loop(print_stats, wait_reload, skel, 0);
out:
	if (link_fd >= 0)
		close(link_fd);
	neigh_cleanup();
	xdp_load_balancer_bpf__destroy(skel);
	return err;
}
