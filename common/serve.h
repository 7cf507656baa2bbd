/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small poll() server for the examples that choose sockets (sk_lookup,
 * sk_reuseport): it owns listening TCP and bound UDP sockets, accepts,
 * and answers every TCP chunk or UDP datagram with what a reply function
 * makes of it. A loader calls srv_wait() from its run_loop wait function,
 * so it serves while it prints its stats.
 */
#ifndef CATALOG_SERVE_H
#define CATALOG_SERVE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SRV_MAX_FDS 256

/*
 * Fill out[0..outsz) with the answer to in[0..len) received on a socket
 * added with `tag`; return its length (0: answer nothing).
 */
typedef size_t (*srv_reply_fn)(void *ctx, int tag, const char *in, size_t len,
			       char *out, size_t outsz);

struct srv {
	struct pollfd pfd[SRV_MAX_FDS];
	int tag[SRV_MAX_FDS];
	char kind[SRV_MAX_FDS];		/* 'L' listener, 'U' UDP, 'C' connection */
	int n;
	srv_reply_fn reply;		/* NULL: echo */
	void *ctx;
	bool paused;			/* leave listeners' queues alone */
	uint64_t accepted, datagrams, bytes;
};

/*
 * A socket bound to addr:port (addr NULL or "::": every IPv4 and IPv6
 * address, dual stack), listening for TCP. reuseport sets SO_REUSEPORT.
 * Returns the fd, or -errno (-EINVAL for an address that does not parse).
 */
int srv_socket(int type, const char *addr, int port, bool reuseport);

/* Serve fd (a listener or a UDP socket) under tag. 0 or -errno. */
int srv_add(struct srv *s, int fd, int tag);
/* Stop serving and close the listener or UDP socket fd. */
void srv_close(struct srv *s, int fd);
/* Close everything. */
void srv_free(struct srv *s);

/* Wait up to timeout_ms and serve what arrived; call it from a run_loop wait_fn. */
int srv_wait(struct srv *s, int timeout_ms);

#endif
