// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* sk_lookup: one listening socket receives connections for many ports. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/sockios.h>
#include "common.h"
#include "serve.h"
#include "sk_lookup.h"
#include "sk_lookup.skel.h"

static const char doc[] =
"Steer TCP connections (and with --udp, UDP datagrams) for every port of the\n"
"steer set to one socket that never bound those ports. An SK_LOOKUP program,\n"
"attached to this network namespace, looks up the destination port and\n"
"assigns the socket with bpf_sk_assign(). By default the socket is this\n"
"program's own echo server on --port ([::], IPv4 and IPv6); with --pid and\n"
"--fd it is another process's socket, taken with pidfd_getfd(), so a running\n"
"server gets more ports without a restart. With --follow PORT it is whatever\n"
"TCP socket listens on PORT, found through /proc, and taken again from the\n"
"new server when a restart closes the old one. A socket that closes under\n"
"--pid/--fd ends the loader (exit 1): its ports would be refused.\n"
"\n"
"EXAMPLES:\n"
"  sk_lookup --steer 5202 --steer 8000-8099        # then: nc HOST 8042\n"
"  sk_lookup --port 7 --steer 1-1023 --udp -d 60\n"
"  sk_lookup --pid 1234 --fd 3 --steer 8080-8089   # give nginx 10 more ports\n"
"  sk_lookup --follow 80 --steer 8000-8099         # ... and keep them across restarts\n";

enum { OPT_PID = 0x100, OPT_FD, OPT_FOLLOW };

static const struct argp_option options[] = {
	{ "port", 'p', "PORT", 0, "Port of the echo server (default 5201)", 0 },
	{ "steer", 's', "PORT|LO-HI", 0, "Steer this port or range (repeat; at least one)", 0 },
	{ "udp", 'u', NULL, 0, "Steer UDP too (the echo server also answers UDP)", 0 },
	{ "pid", OPT_PID, "PID", 0, "Take the socket of process PID (with --fd) instead", 0 },
	{ "fd", OPT_FD, "FD", 0, "With --pid: that process's fd of a TCP listener or UDP socket", 0 },
	{ "follow", OPT_FOLLOW, "PORT", 0, "Steer to the TCP socket listening on PORT, whoever owns it; take the new one after a restart", 0 },
	{},
};

static struct {
	int port;
	bool udp;
	pid_t pid;
	int fd;
	int follow;		/* --follow PORT */
	char set[256];		/* the steer set as given, for the banner */
	uint16_t lo[64], hi[64];
	int nranges;
	long nports;
} cfg = { .port = 5201, .fd = -1 };

static void add_range(const char *arg)
{
	char buf[32], *dash;
	long lo, hi;

	if (cfg.nranges == 64)
		usage_error("too many --steer options (at most 64)");
	snprintf(buf, sizeof(buf), "%s", arg);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	lo = parse_long(buf, "steer port", 1, 65535);
	hi = dash ? parse_long(dash + 1, "steer port", 1, 65535) : lo;
	if (hi < lo)
		usage_error("steer range %s is empty (LO must not exceed HI)", arg);
	for (int r = 0; r < cfg.nranges; r++)
		if (lo <= cfg.hi[r] && cfg.lo[r] <= hi)
			usage_error("steer port %ld given twice", lo > cfg.lo[r] ? lo : (long)cfg.lo[r]);
	cfg.nports += hi - lo + 1;
	if (cfg.nports > SK_LOOKUP_MAX_PORTS)
		usage_error("steer set has more than %d ports", SK_LOOKUP_MAX_PORTS);
	cfg.lo[cfg.nranges] = lo;
	cfg.hi[cfg.nranges++] = hi;
	snprintf(cfg.set + strlen(cfg.set), sizeof(cfg.set) - strlen(cfg.set), "%s%s",
		 cfg.nranges > 1 ? "," : "", arg);
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	static bool port_given;

	switch (key) {
	case 'p':
		cfg.port = parse_long(arg, "port", 1, 65535);
		port_given = true;
		break;
	case 's':
		add_range(arg);
		break;
	case 'u':
		cfg.udp = true;
		break;
	case OPT_PID:
		cfg.pid = parse_long(arg, "pid", 1, INT32_MAX);
		break;
	case OPT_FD:
		cfg.fd = parse_long(arg, "fd", 0, INT32_MAX);
		break;
	case OPT_FOLLOW:
		cfg.follow = parse_long(arg, "follow port", 1, 65535);
		break;
	case ARGP_KEY_END:
		if (!cfg.nranges)
			usage_error("give at least one --steer PORT or --steer LO-HI");
		if (!cfg.pid != (cfg.fd < 0))
			usage_error("--pid and --fd go together");
		if (cfg.pid && (port_given || cfg.udp))
			usage_error("--port and --udp are for the echo server, not with --pid");
		if (cfg.follow && (cfg.pid || port_given || cfg.udp))
			usage_error("--follow names the target by itself: not with --pid, --port or --udp");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.doc = doc,
	.children = common_children,
};

static bool same_netns(int sock)
{
	struct stat a, b;
	int ns = ioctl(sock, SIOCGSKNS);
	bool same = ns >= 0 && !fstat(ns, &a) && !stat("/proc/self/ns/net", &b) &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev;

	if (ns >= 0)
		close(ns);
	return same;
}

/*
 * Another process's socket, duplicated into ours (Linux 5.6). quiet: no
 * message (--follow retries while a restarting server comes up).
 */
static int take_socket(pid_t pid, int fd, int *out, int *slot, char *what, size_t wlen,
		       bool quiet)
{
	int pidfd, sfd, type = 0, dom = 0, listening = 0;
	socklen_t len = sizeof(int);

	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		if (quiet)
			return EXIT_FAIL;
		if (errno == ESRCH)
			return errmsg("no such process: %d", pid);
		return fail_step(errno == ENOSYS ? EOPNOTSUPP : errno, "pidfd_open (Linux 5.3)");
	}
	sfd = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	if (sfd < 0) {
		if (quiet)
			return EXIT_FAIL;
		if (errno == EBADF)
			return errmsg("process %d has no file descriptor %d", pid, fd);
		/* Not about BPF: the kernel's ptrace check (PTRACE_MODE_ATTACH). */
		if (errno == EPERM)
			return errmsg("no ptrace access to process %d, so its fd %d cannot be taken (same user and no capability it has that we lack, or CAP_SYS_PTRACE; Yama's ptrace_scope can forbid it too)",
				      pid, fd);
		return fail_step(errno == ENOSYS ? EOPNOTSUPP : errno, "pidfd_getfd (Linux 5.6)");
	}
	getsockopt(sfd, SOL_SOCKET, SO_DOMAIN, &dom, &len);
	getsockopt(sfd, SOL_SOCKET, SO_TYPE, &type, &len);
	getsockopt(sfd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
	if ((dom != AF_INET && dom != AF_INET6) ||
	    !((type == SOCK_STREAM && listening) || type == SOCK_DGRAM)) {
		close(sfd);
		return quiet ? EXIT_FAIL :
		       errmsg("fd %d of process %d is not a listening TCP socket or a UDP socket",
			      fd, pid);
	}
	/* The program sees only its own namespace's lookups. */
	if (!same_netns(sfd)) {
		close(sfd);
		return quiet ? EXIT_FAIL :
		       errmsg("the socket of process %d is in another network namespace: run sk_lookup in that one (ip netns exec ...)",
			      pid);
	}
	*slot = type == SOCK_STREAM ? SK_LOOKUP_SLOT_TCP : SK_LOOKUP_SLOT_UDP;
	snprintf(what, wlen, "the %s %s socket of process %d (fd %d)",
		 dom == AF_INET ? "IPv4" : "IPv6", type == SOCK_STREAM ? "TCP" : "UDP", pid, fd);
	*out = sfd;
	return EXIT_OK;
}

/* Inode of a TCP socket listening on port in this namespace (IPv4 first), or 0. */
static unsigned long listener_inode(int port)
{
	static const char *const tables[] = { "/proc/self/net/tcp", "/proc/self/net/tcp6" };
	unsigned long ino = 0;
	unsigned int lport, state;
	char line[512];

	for (int t = 0; t < 2 && !ino; t++) {
		FILE *f = fopen(tables[t], "r");

		if (!f)
			continue;
		while (!ino && fgets(line, sizeof(line), f))
			if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*x:%*x %*x:%*x %*x %*u %*d %lu",
				   &lport, &state, &ino) != 3 || state != 10 /* TCP_LISTEN */ ||
			    (int)lport != port)
				ino = 0;
		fclose(f);
	}
	return ino;
}

/* A process and fd that hold socket inode ino: 0, or -1 if none we may see. */
static int socket_owner(unsigned long ino, pid_t *pid, int *fd)
{
	char want[48], path[64], link[48];
	struct dirent *p, *f;
	DIR *procs, *fds;
	ssize_t n;

	snprintf(want, sizeof(want), "socket:[%lu]", ino);
	procs = opendir("/proc");
	if (!procs)
		return -1;
	while ((p = readdir(procs))) {
		*pid = atoi(p->d_name);
		if (*pid <= 0 || *pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", *pid);
		/* Unreadable (no ptrace access) or gone: not a candidate. */
		fds = opendir(path);
		if (!fds)
			continue;
		while ((f = readdir(fds))) {
			n = readlinkat(dirfd(fds), f->d_name, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = 0;
			if (!strcmp(link, want)) {
				*fd = atoi(f->d_name);
				closedir(fds);
				closedir(procs);
				return 0;
			}
		}
		closedir(fds);
	}
	closedir(procs);
	return -1;
}

/* --follow: find the listener on the port and take it; an exit code. */
static int take_listener(int port, int *out, int *slot, char *what, size_t wlen, bool quiet)
{
	unsigned long ino = listener_inode(port);
	char how[128];
	int fd, err;
	pid_t pid;

	if (!ino)
		return quiet ? EXIT_FAIL :
		       errmsg("nothing listens on TCP port %d in this network namespace", port);
	if (socket_owner(ino, &pid, &fd))
		return quiet ? EXIT_FAIL :
		       errmsg("a socket listens on TCP port %d but no process whose fds we may read holds it",
			      port);
	err = take_socket(pid, fd, out, slot, how, sizeof(how), quiet);
	if (!err)	/* how: "the IPv4 TCP socket of ..." */
		snprintf(what, wlen, "the %.4s TCP listener on port %d (process %d, fd %d)",
			 how + 4, port, pid, fd);
	return err;
}

static int put_socket(struct sk_lookup_bpf *skel, int slot, int fd)
{
	__u64 val = fd;
	__u32 key = slot;

	if (bpf_map__update_elem(skel->maps.socks, &key, sizeof(key), &val, sizeof(val), BPF_ANY))
		return fail_step(errno, "putting the socket into the SOCKMAP");
	return 0;
}

struct ctx {
	struct sk_lookup_bpf *skel;
	struct srv srv;
	int slot;		/* --pid/--follow: where the target socket sits */
	char what[128];		/* ... and what it is */
	bool lost;		/* it closed, and we stopped (--pid) */
	bool waiting;		/* it closed, and we wait for the next (--follow) */
	uint64_t retaken;	/* --follow: listeners taken after the first */
};

static void print_stats(void *arg, bool final)
{
	struct ctx *c = arg;
	int fd = bpf_map__fd(c->skel->maps.stats);
	uint64_t v[SK_LOOKUP_NSTATS] = {};

	for (__u32 i = 0; i < SK_LOOKUP_NSTATS; i++)
		percpu_sum(fd, &i, &v[i], 1);
	printf("%ssteered: tcp %llu udp %llu | not in set %llu | no socket %llu | assign failed %llu",
	       final ? "total " : "", (unsigned long long)v[SK_LOOKUP_STAT_STEERED_TCP],
	       (unsigned long long)v[SK_LOOKUP_STAT_STEERED_UDP],
	       (unsigned long long)v[SK_LOOKUP_STAT_NOT_IN_SET],
	       (unsigned long long)v[SK_LOOKUP_STAT_NO_SOCKET],
	       (unsigned long long)v[SK_LOOKUP_STAT_ASSIGN_FAILED]);
	if (cfg.follow)
		printf(" | listener retaken %llu%s", (unsigned long long)c->retaken,
		       c->waiting ? " (waiting for one)" : "");
	else if (!cfg.pid)
		printf(" | echo: connections %llu datagrams %llu bytes %llu",
		       (unsigned long long)c->srv.accepted, (unsigned long long)c->srv.datagrams,
		       (unsigned long long)c->srv.bytes);
	printf("\n");
}

static int serve(void *arg, int timeout_ms)
{
	return srv_wait(&((struct ctx *)arg)->srv, timeout_ms);
}

/*
 * --pid, --follow: the target socket leaves the SOCKMAP when it closes
 * (the kernel unlinks a closing socket from every sockmap). Look every
 * 100 ms: a loader whose ports are refused must not look alive.
 */
static int watch(void *arg, int timeout_ms)
{
	struct ctx *c = arg;
	uint64_t end = now_ns() + timeout_ms * 1000000ULL, now;
	__u32 key = c->slot;
	__u64 cookie;
	int fd, slot;

	while (!exiting && (now = now_ns()) < end) {
		if (poll(NULL, 0, end - now > 100000000 ? 100 : (end - now) / 1000000 + 1) < 0)
			return -errno;
		if (!bpf_map__lookup_elem(c->skel->maps.socks, &key, sizeof(key), &cookie,
					  sizeof(cookie), 0))
			continue;
		if (!cfg.follow) {
			errmsg("%s has closed (the server exited or restarted): ports %s are refused now; stopping",
			       c->what, cfg.set);
			c->lost = true;
			exiting = 1;
			return 0;
		}
		if (!c->waiting) {
			errmsg("%s has closed: ports %s are refused until a socket listens on %d again",
			       c->what, cfg.set, cfg.follow);
			c->waiting = true;
		}
		if (take_listener(cfg.follow, &fd, &slot, c->what, sizeof(c->what), true))
			continue;
		if (slot == c->slot && !put_socket(c->skel, slot, fd)) {
			c->waiting = false;
			c->retaken++;
			printf("sk_lookup: ports %s go to %s now\n", cfg.set, c->what);
		}
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ctx c = {};
	struct bpf_link *link = NULL;
	char what[128];
	struct stat st;
	int netns = -1, fd = -1, slot = SK_LOOKUP_SLOT_TCP, err;
	__u8 one = 1;

	common_init(&argp, argc, argv);
	require_root();

	c.skel = sk_lookup_bpf__open_and_load();
	if (!c.skel)
		return fail_step(errno, "loading the BPF program");

	for (int r = 0; r < cfg.nranges; r++)
		for (long p = cfg.lo[r]; p <= cfg.hi[r]; p++) {
			__u16 port = p;

			if (bpf_map__update_elem(c.skel->maps.ports, &port, sizeof(port),
						 &one, sizeof(one), BPF_ANY)) {
				err = fail_step(errno, "filling the port set");
				goto out;
			}
		}

	if (cfg.pid || cfg.follow) {
		err = cfg.pid ? take_socket(cfg.pid, cfg.fd, &fd, &slot, what, sizeof(what), false)
			      : take_listener(cfg.follow, &fd, &slot, what, sizeof(what), false);
		if (err)
			goto out;
		c.slot = slot;
		snprintf(c.what, sizeof(c.what), "%s", what);
		err = put_socket(c.skel, slot, fd);
		close(fd);	/* the SOCKMAP holds the socket; its owner still serves it */
		if (err)
			goto out;
	} else {
		/* The echo server: TCP, and UDP with --udp, on [::]:port. */
		for (int udp = 0; udp <= cfg.udp; udp++) {
			fd = srv_socket(udp ? SOCK_DGRAM : SOCK_STREAM, NULL, cfg.port, false);
			if (fd < 0) {
				err = fail_step(fd, udp ? "UDP echo socket" : "TCP echo socket");
				goto out;
			}
			srv_add(&c.srv, fd, 0);	/* the first two of SRV_MAX_FDS */
			err = put_socket(c.skel, udp ? SK_LOOKUP_SLOT_UDP : SK_LOOKUP_SLOT_TCP, fd);
			if (err)
				goto out;
		}
		snprintf(what, sizeof(what), "the echo server on [::]:%d (%s)", cfg.port,
			 cfg.udp ? "TCP and UDP" : "TCP");
	}

	netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (netns < 0) {
		err = fail_step(errno, "opening this network namespace");
		goto out;
	}
	/* A netns link: it goes away with the last fd, even on SIGKILL. */
	link = bpf_program__attach_netns(c.skel->progs.steer_ports, netns);
	if (!link) {
		err = errno == EINVAL ? fail_step(EOPNOTSUPP, "attaching SK_LOOKUP (Linux 5.9)")
				      : fail_step(errno, "attaching SK_LOOKUP to the namespace");
		goto out;
	}
	fstat(netns, &st);
	printf("sk_lookup: ports %s (%ld) of netns net:[%lu] go to %s; Ctrl-C to stop\n",
	       cfg.set, cfg.nports, (unsigned long)st.st_ino, what);
	err = run_loop(print_stats, cfg.pid || cfg.follow ? watch : serve, &c, 0);
	if (c.lost)
		err = EXIT_FAIL;
out:
	bpf_link__destroy(link);
	if (netns >= 0)
		close(netns);
	srv_free(&c.srv);
	sk_lookup_bpf__destroy(c.skel);
	return err;
}
