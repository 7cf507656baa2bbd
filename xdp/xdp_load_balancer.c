// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* xdp_load_balancer: a one-arm TCP load balancer with full NAT, in XDP. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include "common.h"
#include "xdp.h"
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
"connections, new ones go to the others. There are no health checks: a\n"
"stopped backend stays in the set until it is removed from the file.\n"
"IFACE needs IPv4 forwarding on (bpf_fib_lookup refuses otherwise). The\n"
"backends are expected on IFACE's segment: where the kernel has no\n"
"neighbour entry for one, the LB adds a managed one, removed at exit.\n"
"With --pin DIR (on a BPF filesystem) the XDP link and the connection\n"
"tables stay pinned in DIR at exit, and the program keeps balancing; the\n"
"next start with the same --pin DIR takes them over without a moment\n"
"without a program, so established connections survive a restart.\n"
"--unpin DIR removes them.\n"
"\n"
"EXAMPLES:\n"
"  xdp_load_balancer eth0 --vip 192.0.2.80 -b 198.51.100.11 -b 198.51.100.12\n"
"  xdp_load_balancer eth0 --vip 192.0.2.80:80 --backend-file backends.txt\n"
"      # edit backends.txt, then: kill -HUP $(pidof xdp_load_balancer)\n"
"  xdp_load_balancer eth0 --vip 192.0.2.80 -b 198.51.100.11 \\\n"
"      --client-side 198.51.100.254\n"
"  xdp_load_balancer eth0 --vip 192.0.2.80 --backend-file backends.txt \\\n"
"      --pin /sys/fs/bpf/xlb      # Ctrl-C, start again: connections survive\n"
"  xdp_load_balancer eth0 --unpin /sys/fs/bpf/xlb   # detach, remove the pins\n";

enum { OPT_VIP = 0x100, OPT_FILE, OPT_CLIENT_SIDE, OPT_PIN, OPT_UNPIN };

static const struct argp_option options[] = {
	{ "vip", OPT_VIP, "ADDR[:PORT]", 0, "The virtual IPv4 address (and port, default 8080) to balance", 0 },
	{ "backend", 'b', "ADDR", 0, "A backend's IPv4 address (repeat for more)", 0 },
	{ "backend-file", OPT_FILE, "FILE", 0, "Take the backends from FILE, read again on SIGHUP", 0 },
	{ "client-side", OPT_CLIENT_SIDE, "ADDR", 0, "Source address towards the backends (default: the route's)", 0 },
	{ "pin", OPT_PIN, "DIR", 0, "Keep the XDP link and connection tables in DIR (bpffs) at exit; take over those found there", 0 },
	{ "unpin", OPT_UNPIN, "DIR", 0, "Detach the program pinned in DIR by --pin, remove the pins, and exit", 0 },
	{},
};

/* A backend set, and every backend ever in it (for the counters). */
struct set {
	int n;
	__be32 addr[XDP_LOAD_BALANCER_MAX_BACKENDS];
};

static struct {
	__be32 vip, lb_addr;
	__be16 vport;
	struct set cli;			/* from -b */
	const char *file;
	const char *pin, *unpin;
} opt;

static struct set live;
static __be32 known[4 * XDP_LOAD_BALANCER_MAX_BACKENDS];
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
	if (s->n == XDP_LOAD_BALANCER_MAX_BACKENDS)
		return false;
	s->addr[s->n++] = addr;
	return true;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
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
			usage_error("at most %d backends", XDP_LOAD_BALANCER_MAX_BACKENDS);
		break;
	case OPT_FILE:
		opt.file = arg;
		break;
	case OPT_CLIENT_SIDE:
		if (!parse_addr(arg, &opt.lb_addr))
			usage_error("client-side: not an IPv4 address: %s", arg);
		break;
	case OPT_PIN:
		opt.pin = arg;
		break;
	case OPT_UNPIN:
		opt.unpin = arg;
		break;
	case ARGP_KEY_END:
		if (opt.unpin) {
			if (opt.vip || opt.cli.n || opt.file || opt.pin)
				usage_error("--unpin DIR takes only IFACE");
			break;
		}
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
	.parser = parse_arg,
	.args_doc = "IFACE --vip ADDR[:PORT] --backend ADDR...",
	.doc = doc,
	.children = xdp_loader_children,
};

/* A backend file is short text; more than this is the wrong file. */
#define LB_FILE_MAX	65536

/*
 * The file's set, or an error sentence (the old set stays). Reads are
 * bounded and never block, so /dev/zero, a huge file or a pipe gives an
 * error instead of a loader that hangs, deaf to signals.
 */
static int read_set(const char *path, struct set *s)
{
	static char buf[LB_FILE_MAX + 1];
	char *line, *next, *p;
	size_t len = 0;
	ssize_t n = 0;
	int fd, lineno = 0;
	__be32 a;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errmsg("cannot read %s: %s", path, strerror(errno));
	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += n;
	close(fd);
	if (n < 0)
		return errmsg("cannot read %s: %s", path, strerror(errno));
	if (len > LB_FILE_MAX)
		return errmsg("%s is longer than %d bytes: not a backend file", path, LB_FILE_MAX);
	if (memchr(buf, 0, len))
		return errmsg("%s holds NUL bytes: not a backend file", path);
	buf[len] = 0;
	s->n = 0;
	for (line = buf; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		line[strcspn(line, "#\r")] = 0;
		p = strtok(line, " \t");
		if (!p)
			continue;
		if (!parse_addr(p, &a) || !set_add(s, a))
			return errmsg("%s:%d: not an IPv4 address, or more than %d backends: %s",
				      path, lineno, XDP_LOAD_BALANCER_MAX_BACKENDS, p);
	}
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
 * The kernel never talks to a backend itself, so nothing resolves its MAC
 * for bpf_fib_lookup. Where IFACE has no neighbour entry for a backend,
 * the loader adds a managed one (NTF_EXT_MANAGED: the kernel resolves it
 * and keeps it fresh), marked with its own protocol number. An entry that
 * is there already (an administrator's static one, the kernel's cache) is
 * left exactly as it is, and only marked entries are ever deleted.
 */
#define LB_NEIGH_PROTO	76

struct neigh {
	__be32 addr;
	__u16 state;
	__u8 proto;
	bool managed;
};

struct neigh_list {
	int n;
	struct neigh e[256];
};

static int neigh_attr_cb(const struct nlattr *attr, void *data)
{
	struct neigh *e = data;

	switch (mnl_attr_get_type(attr)) {
	case NDA_DST:
		if (mnl_attr_get_payload_len(attr) == 4)
			e->addr = mnl_attr_get_u32(attr);
		break;
	case NDA_PROTOCOL:
		e->proto = mnl_attr_get_u8(attr);
		break;
	case NDA_FLAGS_EXT:
		e->managed = mnl_attr_get_u32(attr) & NTF_EXT_MANAGED;
		break;
	}
	return MNL_CB_OK;
}

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	struct neigh_list *l = data;
	struct neigh e = { .state = ndm->ndm_state };

	if (ndm->ndm_family != AF_INET || ndm->ndm_ifindex != xdp_target.ifindex ||
	    l->n == (int)(sizeof(l->e) / sizeof(l->e[0])))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ndm), neigh_attr_cb, &e);
	if (e.addr)
		l->e[l->n++] = e;
	return MNL_CB_OK;
}

/* IFACE's IPv4 neighbour entries (the first 256). */
static int neigh_list(struct neigh_list *l)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	struct nl nl;
	int err = nl_open(&nl);

	if (err)
		return err;
	l->n = 0;
	nlh = nl_msg(&nl, buf, RTM_GETNEIGH, 0);
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_INET;
	mnl_attr_put_u32(nlh, NDA_IFINDEX, xdp_target.ifindex);
	err = nl_dump(&nl, nlh, neigh_cb, l);
	nl_close(&nl);
	return err;
}

/* Add a marked managed entry (never replacing one) or delete one. */
static int neigh_change(int type, __be32 addr)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	struct nl nl;
	int err = nl_open(&nl);

	if (err)
		return err;
	nlh = nl_msg(&nl, buf, type, type == RTM_NEWNEIGH ? NLM_F_CREATE | NLM_F_EXCL : 0);
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_INET;
	ndm->ndm_ifindex = xdp_target.ifindex;
	mnl_attr_put_u32(nlh, NDA_DST, addr);
	if (type == RTM_NEWNEIGH) {
		mnl_attr_put_u32(nlh, NDA_FLAGS_EXT, NTF_EXT_MANAGED);
		mnl_attr_put_u8(nlh, NDA_PROTOCOL, LB_NEIGH_PROTO);
	}
	err = nl_request(&nl, nlh);
	nl_close(&nl);
	return err;
}

static bool neigh_warned[4 * XDP_LOAD_BALANCER_MAX_BACKENDS];

/* Every backend ever in the set gets an entry where it has none (each tick: one may go). */
static void neigh_sync(void)
{
	struct neigh_list l;
	int k, i, err;

	if (neigh_list(&l))
		return;
	for (k = 0; k < nr_known; k++) {
		for (i = 0; i < l.n && l.e[i].addr != known[k]; i++)
			;
		if (i < l.n)
			continue;
		err = neigh_change(RTM_NEWNEIGH, known[k]);
		if (err && err != -EEXIST && !neigh_warned[k]) {
			neigh_warned[k] = true;
			warnmsg("cannot add a managed neighbour entry for %s: %s",
				inet_ntoa((struct in_addr){ known[k] }), err_sentence(err));
		}
	}
}

/* Delete the entries the loader added (marked, still managed, not made static since). */
static void neigh_cleanup(void)
{
	struct neigh_list l;

	if (neigh_list(&l))
		return;
	for (int i = 0; i < l.n; i++)
		if (l.e[i].proto == LB_NEIGH_PROTO && l.e[i].managed &&
		    !(l.e[i].state & (NUD_PERMANENT | NUD_NOARP)))
			neigh_change(RTM_DELNEIGH, l.e[i].addr);
}

/* Make `next` the live set: slots first, then the count, so a packet never sees a removed backend. */
static void apply_set(struct xdp_load_balancer_bpf *skel, const struct set *next)
{
	int slots = bpf_map__fd(skel->maps.backends);
	int members = bpf_map__fd(skel->maps.members);
	int stats = bpf_map__fd(skel->maps.backend_stats);
	int ncpu = libbpf_num_possible_cpus();
	struct xdp_load_balancer_count zero[ncpu];
	__u8 one = 1;
	__u32 i;
	int k;

	memset(zero, 0, sizeof(zero));
	for (i = 0; i < (__u32)next->n; i++) {
		__be32 a = next->addr[i];

		for (k = 0; k < nr_known && known[k] != a; k++)
			;
		if (k == nr_known && nr_known < (int)(sizeof(known) / sizeof(known[0]))) {
			known[nr_known++] = a;
			bpf_map_update_elem(stats, &a, zero, BPF_NOEXIST);
		}
		bpf_map_update_elem(members, &a, &one, BPF_ANY);
		bpf_map_update_elem(slots, &i, &a, BPF_ANY);
	}
	neigh_sync();
	__atomic_store_n(&skel->bss->nr_backends, next->n, __ATOMIC_RELEASE);
	for (i = 0; i < (__u32)live.n; i++)
		if (!in_set(next, live.addr[i]))
			bpf_map_delete_elem(members, &live.addr[i]);
	live = *next;
}

static void print_stats(void *ctx, bool final)
{
	struct xdp_load_balancer_bpf *skel = ctx;
	int fd = bpf_map__fd(skel->maps.backend_stats);
	__u64 s[XDP_LOAD_BALANCER_NSTATS];
	struct xdp_load_balancer_count c;

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
	for (__u32 i = 0; i < XDP_LOAD_BALANCER_NSTATS; i++)
		percpu_sum(fd, &i, (uint64_t *)&s[i], 1);
	printf("to backends %llu to clients %llu (learned MAC %llu) passed %llu no-backend %llu dropped: no-neigh %llu no-route %llu too-big %llu no-port %llu\n",
	       s[XDP_LOAD_BALANCER_STAT_TO_BACKEND], s[XDP_LOAD_BALANCER_STAT_TO_CLIENT],
	       s[XDP_LOAD_BALANCER_STAT_LEARNED_MAC], s[XDP_LOAD_BALANCER_STAT_PASS],
	       s[XDP_LOAD_BALANCER_STAT_NO_BACKEND], s[XDP_LOAD_BALANCER_STAT_NO_NEIGH],
	       s[XDP_LOAD_BALANCER_STAT_NO_ROUTE], s[XDP_LOAD_BALANCER_STAT_TOO_BIG],
	       s[XDP_LOAD_BALANCER_STAT_NO_PORT]);
}

static void on_hup(int sig)
{
	reload = 1;
}

/*
 * Sleep between stats lines; a SIGHUP interrupts it and re-reads the
 * file. poll() takes the milliseconds as they are: -i goes to 3600 s.
 */
static int wait_reload(void *ctx, int timeout_ms)
{
	struct set next;

	poll(NULL, 0, timeout_ms);
	if (!reload) {
		neigh_sync();
		return 0;
	}
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

/*
 * --pin DIR: the XDP link and the connection tables outlive the loader
 * in bpffs, and the next loader takes them over: it reuses the tables
 * before loading its program, then swaps that program in on the pinned
 * link (bpf_link_update), so the interface is never without a program
 * and no connection loses its entry.
 */
static const char *const pin_names[] = { "conns", "nat" };

static const char *pin_path(const char *dir, const char *name)
{
	static char path[4][4096];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	return p;
}

static struct bpf_map *pin_map(struct xdp_load_balancer_bpf *skel, int i)
{
	return i == 0 ? skel->maps.conns : skel->maps.nat;
}

/* Before load: the tables a previous loader left in DIR, if any. */
static int pin_reuse_maps(struct xdp_load_balancer_bpf *skel, bool reused[2])
{
	struct statfs st;
	struct bpf_map_info info;
	__u32 len;
	int i, fd;

	if (mkdir(opt.pin, 0700) && errno != EEXIST)
		return errmsg("cannot create %s: %s", opt.pin, strerror(errno));
	if (statfs(opt.pin, &st) || st.f_type != BPF_FS_MAGIC)
		return errmsg("%s is not on a BPF filesystem (mount -t bpf bpf DIR first)", opt.pin);
	for (i = 0; i < 2; i++) {
		struct bpf_map *map = pin_map(skel, i);

		reused[i] = false;
		fd = bpf_obj_get(pin_path(opt.pin, pin_names[i]));
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			return errmsg("cannot open %s: %s", pin_path(opt.pin, pin_names[i]),
				      err_sentence(-errno));
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_map_get_info_by_fd(fd, &info, &len) || info.type != bpf_map__type(map) ||
		    info.key_size != bpf_map__key_size(map) ||
		    info.value_size != bpf_map__value_size(map) ||
		    info.max_entries != bpf_map__max_entries(map) || bpf_map__reuse_fd(map, fd)) {
			close(fd);
			return errmsg("%s is not a table of this program (remove it with --unpin %s)",
				      pin_path(opt.pin, pin_names[i]), opt.pin);
		}
		close(fd);
		reused[i] = true;
	}
	return 0;
}

/* The link pinned in DIR, checked to be XDP on IFACE; -1 when there is none. */
static int pinned_link(const char *dir, int *fd)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	*fd = bpf_obj_get(pin_path(dir, "link"));
	if (*fd < 0)
		return errno == ENOENT ? -1 : errmsg("cannot open %s: %s", pin_path(dir, "link"),
						     err_sentence(-errno));
	if (bpf_link_get_info_by_fd(*fd, &info, &len) || info.type != BPF_LINK_TYPE_XDP ||
	    info.xdp.ifindex != (__u32)xdp_target.ifindex) {
		close(*fd);
		*fd = -1;
		return errmsg("%s is not an XDP link on %s", pin_path(dir, "link"), xdp_target.ifname);
	}
	return 0;
}

/* After a fresh attach: pin the link and the tables that are new. */
static int pin_all(struct xdp_load_balancer_bpf *skel, int link_fd, const bool reused[2])
{
	int i;

	if (bpf_obj_pin(link_fd, pin_path(opt.pin, "link")))
		return errmsg("cannot pin the link at %s: %s", pin_path(opt.pin, "link"),
			      err_sentence(-errno));
	for (i = 0; i < 2; i++) {
		if (reused[i])
			continue;
		if (bpf_obj_pin(bpf_map__fd(pin_map(skel, i)), pin_path(opt.pin, pin_names[i]))) {
			int err = -errno;

			unlink(pin_path(opt.pin, "link"));
			while (--i >= 0)
				if (!reused[i])
					unlink(pin_path(opt.pin, pin_names[i]));
			return errmsg("cannot pin %s: %s", pin_path(opt.pin, pin_names[0]),
				      err_sentence(err));
		}
	}
	return 0;
}

/* --unpin DIR: detach the pinned program and remove what --pin left. */
static int unpin(const char *dir)
{
	int fd, err, found = 0;

	err = pinned_link(dir, &fd);
	if (err > 0)
		return err;
	if (!err) {
		bpf_link_detach(fd);
		close(fd);
		unlink(pin_path(dir, "link"));
		found++;
	}
	for (int i = 0; i < 2; i++)
		found += !unlink(pin_path(dir, pin_names[i]));
	if (!found)
		return errmsg("nothing pinned in %s", dir);
	rmdir(dir);	/* only if now empty */
	neigh_cleanup();
	printf("xdp_load_balancer: removed the pins in %s%s\n", dir,
	       err ? "" : "; the program is detached from the interface");
	return EXIT_OK;
}

/* Entries in the connection table (to show what a takeover inherited). */
static long count_conns(struct xdp_load_balancer_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.conns);
	struct xdp_load_balancer_client k, *prev = NULL;
	long n = 0;

	while (!bpf_map_get_next_key(fd, prev, &k)) {
		n++;
		prev = &k;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_hup };
	struct xdp_load_balancer_bpf *skel;
	char vip[INET_ADDRSTRLEN], lb[INET_ADDRSTRLEN];
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	bool reused[2] = { false, false }, took_over = false, pinned = false;
	struct set first;
	const char *mode;
	int link_fd = -1, err;
	long nconns;

	common_init(&argp, argc, argv);
	require_root();
	if (opt.unpin)
		return unpin(opt.unpin);
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
	if (opt.pin) {
		err = pin_reuse_maps(skel, reused);
		if (err)
			goto out;
		err = pinned_link(opt.pin, &link_fd);
		if (err > 0)
			goto out;
		took_over = pinned = !err;
	}
	err = xdp_load_balancer_bpf__load(skel);
	if (err) {
		err = fail_step(err, "loading the BPF program");
		goto out;
	}
	apply_set(skel, &first);

	if (took_over) {
		/* The old program runs until this very call replaces it. */
		err = bpf_link_update(link_fd, bpf_program__fd(skel->progs.xdp_load_balancer), NULL);
		if (err) {
			err = fail_step(err, "replacing the program on the pinned link");
			goto out;
		}
		mode = !bpf_xdp_query(xdp_target.ifindex, 0, &q) &&
		       q.attach_mode == XDP_ATTACHED_SKB ? "skb (generic)" : "native";
	} else {
		err = xdp_attach(skel->progs.xdp_load_balancer, xdp_target.ifindex,
				 xdp_target.ifname, xdp_target.mode, xdp_target.force,
				 &link_fd, &mode);
		if (!err && opt.pin)
			err = pin_all(skel, link_fd, reused);
		if (err)
			goto out;
		pinned = opt.pin;
	}

	inet_ntop(AF_INET, &opt.vip, vip, sizeof(vip));
	inet_ntop(AF_INET, &opt.lb_addr, lb, sizeof(lb));
	printf("xdp_load_balancer: balancing %s:%d on %s (ifindex %d, %s mode) over %d backends from %s; Ctrl-C to stop\n",
	       vip, ntohs(opt.vport), xdp_target.ifname, xdp_target.ifindex, mode, live.n, lb);
	nconns = took_over ? count_conns(skel) : 0;
	if (took_over)
		printf("xdp_load_balancer: took over the link pinned in %s, with %ld connection%s in its table\n",
		       opt.pin, nconns, nconns == 1 ? "" : "s");
	else if (opt.pin)
		printf("xdp_load_balancer: link and connection tables pinned in %s\n", opt.pin);
	err = run_loop(print_stats, wait_reload, skel, 0);
	if (pinned)
		printf("xdp_load_balancer: the program stays attached to %s through %s/link; start with --pin %s to take over, or --unpin %s to remove it\n",
		       xdp_target.ifname, opt.pin, opt.pin, opt.pin);
out:
	if (link_fd >= 0)
		close(link_fd);
	/* A pinned program still needs the backends' MACs. */
	if (!pinned)
		neigh_cleanup();
	xdp_load_balancer_bpf__destroy(skel);
	return err;
}
