/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The proxy around the BPF lesson of sk_skb.c: sk_skb-relay.c accepts
 * clients, connects each to the backend, and hands every connected pair
 * to splice_pair() (sk_skb.c), or relays it with read()/write() when it
 * cannot be spliced or --no-splice says so. One epoll loop does it all.
 */
#ifndef SK_SKB_RELAY_H
#define SK_SKB_RELAY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct proxy_cfg {
	int port;			/* --listen */
	const char *backend_arg;	/* --backend, as given */
	struct sockaddr_storage backend;
	socklen_t backend_len;
	bool splice;			/* false: --no-splice */
};

extern struct proxy_stats {
	uint64_t accepted, active, failed, unspliced, user_bytes, lost;
} proxy_stats;

/* --backend ADDR:PORT into cfg. Exits 2 on bad input. */
void proxy_parse_backend(struct proxy_cfg *cfg, const char *arg);
/* Would the proxy connect to itself (the backend is our port on this host)? */
bool proxy_backend_is_self(const struct proxy_cfg *cfg);

/* Listen on cfg->port and set up the event loop: 0 or -errno. */
int proxy_start(const struct proxy_cfg *cfg);
/*
 * Serve until a signal or env.duration; tick(false) every env.interval
 * seconds and tick(true) at the end, like run_loop. Returns an exit code.
 */
int proxy_run(void (*tick)(void *ctx, bool final), void *ctx);
/* Close every connection and the listener. */
void proxy_stop(void);

/* Bytes the application ever wrote to a TCP socket: acked plus queued. */
uint64_t sock_written(int fd);

/* In sk_skb.c: the sockmap. */
int splice_pair(int pair, const int fd[2], uint64_t written0[2]);
void unsplice(int fd);

#endif
