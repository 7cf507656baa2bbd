// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* sk_reuseport: a BPF program picks the worker socket of each reuseport group. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "common.h"
#include "serve.h"
#include "sk_reuseport.h"
#include "sk_reuseport.skel.h"

static const char doc[] =
"A server listening on one or more addresses: on each, N worker sockets\n"
"(TCP and UDP) share the port with SO_REUSEPORT, and an SK_REUSEPORT program\n"
"(SO_ATTACH_REUSEPORT_EBPF) picks the worker for every new connection or\n"
"datagram from a REUSEPORT_SOCKARRAY: by the kernel's hash of the 4-tuple,\n"
"by a key (UDP: a number at the start of the payload; TCP: the source port),\n"
"or by the receiving CPU. When a worker closes, the program also moves its\n"
"pending connections to another worker (Linux 5.14), unless --no-migrate.\n"
"Every worker answers each request with \"worker N\".\n"
"\n"
"With --hold, workers accept nothing until SIGUSR1; SIGUSR1 then closes\n"
"worker 0 and lets the others accept: its queued connections migrate.\n"
"\n"
"EXAMPLES:\n"
"  sk_reuseport --workers 4                       # [::]:5300, hash policy\n"
"  sk_reuseport --addr 192.0.2.2 --addr 2001:db8:1::2 --policy key\n"
"      # then: echo 3 | nc -u -w1 192.0.2.2 5300   -> worker 3\n"
"  sk_reuseport --policy cpu --port 8053 -d 60\n";

enum { OPT_NO_MIGRATE = 0x100, OPT_HOLD };

static const struct argp_option options[] = {
	{ "addr", 'a', "ADDR", 0, "Listen on ADDR (repeat; default :: = every address)", 0 },
	{ "port", 'p', "PORT", 0, "Port (default 5300)", 0 },
	{ "workers", 'w', "N", 0, "Worker sockets per address and protocol (default 4)", 0 },
	{ "policy", 'P', "hash|key|cpu", 0, "How to pick the worker (default hash)", 0 },
	{ "no-migrate", OPT_NO_MIGRATE, NULL, 0, "Refuse to move a closed worker's connections", 0 },
	{ "hold", OPT_HOLD, NULL, 0, "Accept nothing until SIGUSR1, which closes worker 0", 0 },
	{},
};

static struct {
	const char *addr[SK_REUSEPORT_MAX_ADDRS];
	int naddrs;
	int port;
	int workers;
	int policy;
	bool no_migrate;
	bool hold;
} cfg = { .port = 5300, .workers = 4 };

static const char *policy_names[] = { "hash", "key", "cpu" };

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct in6_addr a6;
	struct in_addr a4;

	switch (key) {
	case 'a':
		if (inet_pton(AF_INET, arg, &a4) != 1 && inet_pton(AF_INET6, arg, &a6) != 1)
			usage_error("not an IP address: %s", arg);
		if (cfg.naddrs == SK_REUSEPORT_MAX_ADDRS)
			usage_error("too many --addr (at most %d)", SK_REUSEPORT_MAX_ADDRS);
		cfg.addr[cfg.naddrs++] = arg;
		break;
	case 'p':
		cfg.port = parse_long(arg, "port", 1, 65535);
		break;
	case 'w':
		cfg.workers = parse_long(arg, "workers", 1, SK_REUSEPORT_MAX_WORKERS);
		break;
	case 'P':
		for (cfg.policy = 0; cfg.policy < 3; cfg.policy++)
			if (!strcmp(arg, policy_names[cfg.policy]))
				break;
		if (cfg.policy == 3)
			usage_error("unknown policy: %s (use hash, key or cpu)", arg);
		break;
	case OPT_NO_MIGRATE:
		cfg.no_migrate = true;
		break;
	case OPT_HOLD:
		cfg.hold = true;
		break;
	case ARGP_KEY_END:
		if (!cfg.naddrs)
			cfg.addr[cfg.naddrs++] = "::";
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

struct ctx {
	struct sk_reuseport_bpf *skel;
	struct srv srv;
	int fd[SK_REUSEPORT_MAX_ADDRS * 2][SK_REUSEPORT_MAX_WORKERS];	/* [group][worker] */
};

static volatile sig_atomic_t usr1;

static void on_usr1(int sig)
{
	usr1 = 1;
}

static size_t reply(void *ctx, int tag, const char *in, size_t len, char *out, size_t outsz)
{
	return snprintf(out, outsz, "worker %d\n", tag);
}

static int serve(void *arg, int timeout_ms)
{
	struct ctx *c = arg;

	if (usr1) {
		usr1 = 0;
		/* Closing worker 0 runs the program for each queued connection. */
		for (int g = 0; g < cfg.naddrs * 2; g++) {
			srv_close(&c->srv, c->fd[g][0]);
			c->fd[g][0] = -1;
		}
		c->srv.paused = false;
		printf("closed worker 0; the others accept now\n");
	}
	return srv_wait(&c->srv, timeout_ms);
}

static void print_stats(void *arg, bool final)
{
	struct ctx *c = arg;
	int pfd = bpf_map__fd(c->skel->maps.picks), efd = bpf_map__fd(c->skel->maps.events);
	uint64_t v, ev[SK_REUSEPORT_NSTATS];

	printf("%spicks:", final ? "total " : "");
	for (__u32 w = 0; w < (__u32)cfg.workers; w++) {
		percpu_sum(pfd, &w, &v, 1);
		printf(" w%u %llu", w, (unsigned long long)v);
	}
	for (__u32 e = 0; e < SK_REUSEPORT_NSTATS; e++)
		percpu_sum(efd, &e, &ev[e], 1);
	printf(" | migrated %llu refused %llu | no group %llu no worker %llu\n",
	       (unsigned long long)ev[SK_REUSEPORT_STAT_MIGRATED],
	       (unsigned long long)ev[SK_REUSEPORT_STAT_MIGRATE_REFUSED],
	       (unsigned long long)ev[SK_REUSEPORT_STAT_NO_GROUP],
	       (unsigned long long)ev[SK_REUSEPORT_STAT_NO_WORKER]);
}

/*
 * SO_REUSEPORT lets every socket of the same user join a group, and the
 * last SO_ATTACH_REUSEPORT_EBPF replaces the program of the whole group:
 * a second instance on the same port would take the first one's traffic,
 * and leave the group with a program whose sockets are gone when it exits.
 * So before joining, bind a probe without SO_REUSEPORT: it fails while
 * anything holds addr:port, reuseport group or not. 0 or -errno.
 */
static int probe_port(int type, const char *addr)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(cfg.port) };
	int fd, zero = 0, one = 1, err = 0;
	struct in_addr a4;

	if (inet_pton(AF_INET6, addr, &sa.sin6_addr) != 1 && inet_pton(AF_INET, addr, &a4) == 1) {
		sa.sin6_addr.s6_addr[10] = sa.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&sa.sin6_addr.s6_addr[12], &a4, 4);
	}
	fd = socket(AF_INET6, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	/* TCP: a connection of an earlier run in TIME_WAIT owns nothing. */
	if (type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		err = -errno;
	close(fd);
	return err;
}

/*
 * Two instances starting at the same moment could both probe before
 * either binds. They take turns: the holder of an abstract unix socket
 * name (one namespace of those per network namespace, released when the
 * process dies) probes and binds; the other waits. Best effort: after
 * 5 s it goes on without.
 */
static int setup_lock(void)
{
	static const char name[] = "sk_reuseport: binding";
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + 1 + sizeof(name) - 1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memcpy(sun.sun_path + 1, name, sizeof(name) - 1);
	for (int i = 0; fd >= 0 && i < 500; i++) {
		if (!bind(fd, (struct sockaddr *)&sun, len))
			return fd;
		if (errno != EADDRINUSE)
			break;
		usleep(10000);
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

/* One group: N sockets on addr:port, in the SOCKARRAY from slot base, program attached. */
static int open_group(struct ctx *c, int g, const char *addr, int type)
{
	struct sk_reuseport_group_key gk = {
		.protocol = type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP,
	};
	struct sockaddr_in6 sa;
	socklen_t len = sizeof(sa);
	__u32 base = g * SK_REUSEPORT_MAX_WORKERS, slot;
	int prog = bpf_program__fd(c->skel->progs.select_worker), fd;
	__u64 val;

	fd = probe_port(type, addr);
	if (fd == -EADDRNOTAVAIL)
		return errmsg("cannot listen on %s: not an address of this host", addr);
	if (fd == -EADDRINUSE)
		return errmsg("[%s]:%d (%s): address already in use, by another server or sk_reuseport; not joining its reuseport group",
			      addr, cfg.port, type == SOCK_STREAM ? "TCP" : "UDP");
	for (int w = 0; w < cfg.workers; w++) {
		fd = srv_socket(type, addr, cfg.port, true);
		if (fd < 0) {
			if (fd == -EADDRNOTAVAIL)
				return errmsg("cannot listen on %s: not an address of this host", addr);
			return fail_step(fd, "opening a worker socket");
		}
		c->fd[g][w] = fd;
		if (srv_add(&c->srv, fd, w))
			return errmsg("too many sockets for the server");
		slot = base + w;
		val = fd;
		if (bpf_map__update_elem(c->skel->maps.workers, &slot, sizeof(slot), &val,
					 sizeof(val), BPF_ANY))
			return fail_step(errno, "putting a worker into the REUSEPORT_SOCKARRAY");
	}
	/* Any one member carries the program for the whole group. */
	if (setsockopt(c->fd[g][0], SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog, sizeof(prog)))
		return fail_step(errno, "SO_ATTACH_REUSEPORT_EBPF");
	getsockname(c->fd[g][0], (struct sockaddr *)&sa, &len);
	memcpy(gk.addr, &sa.sin6_addr, 16);
	if (bpf_map__update_elem(c->skel->maps.groups, &gk, sizeof(gk), &base, sizeof(base),
				 BPF_ANY))
		return fail_step(errno, "filling the group map");
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct ctx c = { .srv.reply = reply };
	int err, lock = -1;

	common_init(&argp, argc, argv);
	require_root();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);

	c.skel = sk_reuseport_bpf__open();
	if (!c.skel)
		return fail_step(errno, "opening the BPF object");
	c.skel->rodata->nworkers = cfg.workers;
	c.skel->rodata->policy = cfg.policy;
	c.skel->rodata->migrate = !cfg.no_migrate;
	err = sk_reuseport_bpf__load(c.skel);
	if (err) {
		/* The migrate attach type is what a pre-5.14 kernel does not know. */
		if (err == -EINVAL)
			err = fail_step(EOPNOTSUPP, "loading the SK_REUSEPORT program (sk_reuseport/migrate needs Linux 5.14)");
		else if (err == -EACCES)	/* we are root: it is the verifier */
			err = errmsg("the verifier rejected the program (run with -v for its log)");
		else
			err = fail_step(err, "loading the SK_REUSEPORT program");
		goto out;
	}
	c.srv.paused = cfg.hold;

	lock = setup_lock();
	for (int a = 0; a < cfg.naddrs; a++) {
		if ((err = open_group(&c, 2 * a, cfg.addr[a], SOCK_STREAM)) ||
		    (err = open_group(&c, 2 * a + 1, cfg.addr[a], SOCK_DGRAM)))
			goto out;
		printf("sk_reuseport: %d TCP and %d UDP workers on [%s]:%d\n", cfg.workers,
		       cfg.workers, cfg.addr[a], cfg.port);
	}
	if (lock >= 0)
		close(lock);
	lock = -1;
	printf("sk_reuseport: SO_ATTACH_REUSEPORT_EBPF on %d groups, policy %s, migration %s%s; Ctrl-C to stop\n",
	       cfg.naddrs * 2, policy_names[cfg.policy], cfg.no_migrate ? "refused" : "on",
	       cfg.hold ? ", holding connections until SIGUSR1" : "");
	err = run_loop(print_stats, serve, &c, 0);
out:
	if (lock >= 0)
		close(lock);
	srv_free(&c.srv);
	sk_reuseport_bpf__destroy(c.skel);
	return err;
}
