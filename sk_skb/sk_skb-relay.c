// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sk_skb's proxy: accept, connect to the backend, splice the pair (or
 * relay it in user space), pass shutdowns on, all from one epoll loop.
 * The BPF side of it is in sk_skb.c.
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <linux/tcp.h>	/* tcp_info with the byte counters */
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "common.h"
#include "sk_skb.h"
#include "sk_skb-relay.h"

void proxy_parse_backend(struct proxy_cfg *cfg, const char *arg)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	char host[256];
	const char *colon = strrchr(arg, ':');
	size_t len;
	int port;

	if (!colon || colon == arg)
		usage_error("backend must be ADDR:PORT: %s", arg);
	port = parse_long(colon + 1, "backend port", 1, 65535);
	len = colon - arg;
	if (arg[0] == '[' && len > 2 && arg[len - 1] == ']') {
		arg++;
		len -= 2;
	}
	if (len >= sizeof(host))
		usage_error("backend name too long: %s", arg);
	memcpy(host, arg, len);
	host[len] = 0;
	if (getaddrinfo(host, NULL, &hints, &res))
		usage_error("backend does not resolve: %s", host);
	memcpy(&cfg->backend, res->ai_addr, res->ai_addrlen);
	cfg->backend_len = res->ai_addrlen;
	/* Both families keep the port at the same offset. */
	((struct sockaddr_in *)&cfg->backend)->sin_port = htons(port);
	freeaddrinfo(res);
}

/*
 * The backend is this proxy itself when it has the listening port and an
 * address of this host (we listen on all of them): each client would then
 * connect to us again, and again, until the pair limit. An address is
 * local when a socket can bind to it.
 */
bool proxy_backend_is_self(const struct proxy_cfg *cfg)
{
	union {
		struct sockaddr_storage ss;
		struct sockaddr_in in;
	} a;
	int fd, err;

	memcpy(&a, &cfg->backend, sizeof(a));
	/* Both families keep the port at the same offset. */
	if (ntohs(a.in.sin_port) != cfg->port)
		return false;
	a.in.sin_port = 0;
	fd = socket(a.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	err = bind(fd, (struct sockaddr *)&a, cfg->backend_len);
	close(fd);
	return !err;
}

#define BUFSZ		(64 * 1024)
#define DRAIN_NS	(5 * 1000000000ULL)

/* One end of a connection; epoll hands us a pointer to it. */
struct end {
	struct conn *c;
	int side;		/* 0 client, 1 backend */
};

struct conn {
	int fd[2];
	int pair;		/* sockmap pair index, -1 when not spliced */
	bool connecting;	/* backend connect() in progress */
	bool dead;		/* closed; freed after this batch of events */
	struct conn *next_dead;
	bool eof[2];		/* fd[i] has no more to read */
	bool shut[2];		/* we shut down the write side of fd[i] */
	bool unwatched[2];	/* fd[i] is out of the epoll set */
	uint64_t written0[2];	/* sock_written(fd[i]) when spliced */
	uint32_t events[2];
	uint64_t drain_until[2];	/* spliced, fd[i] at EOF: when to give up */
	uint64_t drain_seen[2];		/* sock_written(fd[!i]) when last checked */
	size_t len[2], off[2];	/* buf[i]: read from fd[i], for fd[!i] */
	struct end end[2];
	char buf[2][BUFSZ];
};

struct proxy_stats proxy_stats;
static const struct proxy_cfg *cfg;
static int lfd = -1, epfd = -1;
static bool pair_used[SK_SKB_MAX_PAIRS];
static struct conn *conns[SK_SKB_MAX_PAIRS];
static struct conn *dead;

static void set_events(struct conn *c, int i, uint32_t ev)
{
	struct epoll_event e = { .events = ev, .data.ptr = &c->end[i] };

	if (c->events[i] != ev && !epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd[i], &e))
		c->events[i] = ev;
}

/* What each socket should wake us for, given the state of the pair. */
static void update_events(struct conn *c)
{
	for (int i = 0; i < 2; i++) {
		uint32_t ev = 0;

		/*
		 * Nothing more to read, and (spliced) nothing to write by us or
		 * (relayed) write side shut: stop watching, else the level-
		 * triggered EPOLLHUP of a socket shut both ways spins the loop.
		 */
		if (c->eof[i] && (c->pair >= 0 || c->shut[i])) {
			if (!c->unwatched[i])
				epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd[i], NULL);
			c->unwatched[i] = true;
			continue;
		}
		if (c->connecting)
			ev = i ? EPOLLOUT : 0;
		else if (c->pair >= 0)
			ev = c->eof[i] ? 0 : EPOLLRDHUP;
		else {
			if (!c->eof[i] && !c->len[i])
				ev |= EPOLLIN;
			if (c->len[!i])
				ev |= EPOLLOUT;
		}
		set_events(c, i, ev);
	}
}

static void conn_close(struct conn *c)
{
	for (int i = 0; i < 2; i++) {
		if (c->pair >= 0)
			unsplice(c->fd[i]);
		close(c->fd[i]);
	}
	if (c->pair >= 0) {
		pair_used[c->pair] = false;
		conns[c->pair] = NULL;
	}
	proxy_stats.active--;
	/* Another event of this batch may still point at c. */
	c->dead = true;
	c->next_dead = dead;
	dead = c;
}

/*
 * A client whose backend is down: close without a reset. Unread bytes
 * in the receive queue would make close() send RST, so drop them firproxy_stats.
 */
static void close_clean(int fd)
{
	char sink[4096];

	while (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
		;
	close(fd);
}

/* Put the pair into the sockmap (sk_skb.c): from then on the kernel moves its bytes. */
static int splice(struct conn *c)
{
	int pair, err;

	for (pair = 0; pair < SK_SKB_MAX_PAIRS && pair_used[pair]; pair++)
		;
	if (pair == SK_SKB_MAX_PAIRS)
		return -ENOSPC;
	err = splice_pair(pair, c->fd, c->written0);
	if (err)
		return err;
	pair_used[pair] = true;
	conns[pair] = c;
	c->pair = pair;
	return 0;
}

static void accept_clients(void)
{
	struct epoll_event e;
	struct conn *c;
	int fd, bfd, one = 1;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		proxy_stats.accepted++;
		if (proxy_stats.active >= SK_SKB_MAX_PAIRS) {
			warnmsg("too many connections (%d): refusing one", SK_SKB_MAX_PAIRS);
			proxy_stats.failed++;
			close_clean(fd);
			continue;
		}
		bfd = socket(cfg->backend.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		c = calloc(1, sizeof(*c));
		if (bfd < 0 || !c) {
			warnmsg("no resources for a new connection: %s", strerror(errno));
			if (bfd >= 0)
				close(bfd);
			free(c);
			close_clean(fd);
			continue;
		}
		c->fd[0] = fd;
		c->fd[1] = bfd;
		/*
		 * A proxy must not delay what its peers already sent: with
		 * Nagle on, the second of two small writes (an HTTP server's
		 * headers, then its body) waits on this leg for the ACK of the
		 * first, which a client delays by up to 40 ms. Both legs, like
		 * HAProxy and Envoy; spliced bytes go out under the same rule.
		 */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(bfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->pair = -1;
		c->connecting = true;
		proxy_stats.active++;
		for (int i = 0; i < 2; i++) {
			c->end[i] = (struct end){ c, i };
			e = (struct epoll_event){ .data.ptr = &c->end[i] };
			epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd[i], &e);
		}
		if (connect(bfd, (struct sockaddr *)&cfg->backend, cfg->backend_len) && errno != EINPROGRESS) {
			warnmsg("backend %s: %s", cfg->backend_arg, err_sentence(errno));
			proxy_stats.failed++;
			close_clean(fd);
			c->fd[0] = -1;
			conn_close(c);
			continue;
		}
		update_events(c);
	}
}

static void backend_connected(struct conn *c)
{
	int err = 0;
	socklen_t l = sizeof(err);

	getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &err, &l);
	if (err) {
		warnmsg("backend %s: %s", cfg->backend_arg, err_sentence(err));
		proxy_stats.failed++;
		close_clean(c->fd[0]);
		c->fd[0] = -1;
		conn_close(c);
		return;
	}
	c->connecting = false;
	if (cfg->splice) {
		err = splice(c);
		/*
		 * A sockmap takes only established sockets: a client that has
		 * already sent its FIN is relayed in user space instead.
		 */
		if (err == -EOPNOTSUPP)
			proxy_stats.unspliced++;
		else if (err)
			warnmsg("cannot splice a connection (%s): relaying it in user space",
				err_sentence(err));
	}
	update_events(c);
}

/* User-space relay: move what fd[i] has for fd[!i]. */
static void relay(struct conn *c, int i)
{
	ssize_t n;

	if (!c->len[i] && !c->eof[i]) {
		n = read(c->fd[i], c->buf[i], BUFSZ);
		if (n > 0) {
			c->len[i] = n;
			c->off[i] = 0;
		} else if (n == 0) {
			c->eof[i] = true;
		} else if (errno != EAGAIN) {
			c->eof[i] = c->eof[!i] = true;
			c->len[0] = c->len[1] = 0;
		}
	}
	while (c->len[i]) {
		n = write(c->fd[!i], c->buf[i] + c->off[i], c->len[i]);
		if (n < 0) {
			if (errno != EAGAIN) {
				/* The other side is gone: nothing more to relay. */
				c->eof[0] = c->eof[1] = true;
				c->len[0] = c->len[1] = 0;
			}
			break;
		}
		proxy_stats.user_bytes += n;
		c->off[i] += n;
		c->len[i] -= n;
	}
	if (c->eof[i] && !c->len[i] && !c->shut[!i]) {
		shutdown(c->fd[!i], SHUT_WR);
		c->shut[!i] = true;
	}
}

uint64_t sock_written(int fd)
{
	struct tcp_info ti;
	socklen_t l = sizeof(ti);
	int queued = 0;

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l) || ioctl(fd, SIOCOUTQ, &queued))
		return UINT64_MAX;
	return ti.tcpi_bytes_acked + queued;
}

/*
 * A spliced socket's peer has shut down its side. Bytes it sent before
 * may still sit in the partner's transmit backlog (the redirect is queued
 * to a worker), so pass the shutdown on only once the partner has taken
 * every byte the socket received. bytes_received counts the FIN too;
 * bytes_acked counts the SYN on connect()ed sockets but not on accepted
 * ones, hence the baseline taken when the pair was spliced.
 */
static bool forwarded(struct conn *c, int i)
{
	struct tcp_info in;
	socklen_t l = sizeof(in);
	uint64_t out = sock_written(c->fd[!i]);

	if (getsockopt(c->fd[i], IPPROTO_TCP, TCP_INFO, &in, &l) || out == UINT64_MAX)
		return true;
	return out - c->written0[!i] + 1 >= in.tcpi_bytes_received;
}

static void spliced_eof(struct conn *c, int i)
{
	if (!c->eof[i]) {
		c->eof[i] = true;
		c->drain_until[i] = now_ns() + DRAIN_NS;
	}
}

/* Pass shutdowns on for spliced pairs that have drained; true if any wait. */
static bool check_drains(void)
{
	bool waiting = false;

	for (int p = 0; p < SK_SKB_MAX_PAIRS; p++) {
		struct conn *c = conns[p];

		if (!c)
			continue;
		for (int i = 0; i < 2; i++) {
			if (!c->eof[i] || c->shut[!i])
				continue;
			if (!forwarded(c, i)) {
				uint64_t w = sock_written(c->fd[!i]);

				/* A busy machine drains slowly: give up only when stuck. */
				if (w != c->drain_seen[i]) {
					c->drain_seen[i] = w;
					c->drain_until[i] = now_ns() + DRAIN_NS;
				}
				if (now_ns() < c->drain_until[i]) {
					waiting = true;
					continue;
				}
				proxy_stats.lost++;
				warnmsg("gave up waiting for a spliced connection to drain");
			}
			shutdown(c->fd[!i], SHUT_WR);
			c->shut[!i] = true;
		}
		if (c->shut[0] && c->shut[1])
			conn_close(c);
		else
			update_events(c);
	}
	return waiting;
}

static int listen_on(int port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd, one = 1, zero = 0, err;

	/* Dual stack where IPv6 exists, plain IPv4 where it does not. */
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		err = bind(fd, (struct sockaddr *)&a6, sizeof(a6));
	} else {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		err = bind(fd, (struct sockaddr *)&a4, sizeof(a4));
	}
	if (err || listen(fd, 1024)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int proxy_start(const struct proxy_cfg *c)
{
	struct epoll_event e = { .events = EPOLLIN };

	cfg = c;
	lfd = listen_on(cfg->port);
	if (lfd < 0)
		return lfd;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return -errno;
	epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &e);
	return 0;
}

int proxy_run(void (*tick)(void *ctx, bool final), void *ctx)
{
	uint64_t start = now_ns(), end = env.duration ? start + env.duration * 1000000000ULL : 0;
	uint64_t next = start + env.interval * 1000000000ULL;
	struct epoll_event evs[64];
	bool waiting = false;
	int err = EXIT_OK, n;

	/* An event loop of its own, so the stats cadence mirrors run_loop's. */
	while (!exiting && (!end || now_ns() < end)) {
		n = epoll_wait(epfd, evs, 64, waiting ? 10 : 100);
		if (n < 0 && errno != EINTR) {
			err = fail_step(errno, "epoll");
			break;
		}
		for (int k = 0; k < n; k++) {
			struct end *p = evs[k].data.ptr;
			struct conn *c;

			if (!p) {
				accept_clients();
				continue;
			}
			c = p->c;
			if (c->dead)
				continue;
			if (c->connecting) {
				if (p->side)
					backend_connected(c);
				else	/* the client gave up first */
					conn_close(c);
				continue;
			}
			if (c->pair >= 0) {
				/* A reset loses what is in flight anyway. */
				if (evs[k].events & EPOLLERR) {
					conn_close(c);
					continue;
				}
				spliced_eof(c, p->side);
				update_events(c);
				continue;
			}
			relay(c, p->side);
			relay(c, !p->side);
			if (c->eof[0] && c->eof[1] && !c->len[0] && !c->len[1]) {
				conn_close(c);
				continue;
			}
			update_events(c);
		}
		waiting = check_drains();
		while (dead) {
			struct conn *c = dead;

			dead = c->next_dead;
			free(c);
		}
		if (now_ns() >= next) {
			tick(ctx, false);
			next += env.interval * 1000000000ULL;
		}
	}
	tick(ctx, true);
	return err;
}

void proxy_stop(void)
{
	for (int p = 0; p < SK_SKB_MAX_PAIRS; p++)
		if (conns[p])
			conn_close(conns[p]);
	if (lfd >= 0)
		close(lfd);
	if (epfd >= 0)
		close(epfd);
	lfd = epfd = -1;
}
