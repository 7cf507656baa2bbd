/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A guard: a child process that outlives a loader killed by SIGKILL (or a
 * crash) and cleans up after it, for what has no BPF link to go away with
 * the process: a tc filter or action, a clsact qdisc, a child cgroup.
 *
 * The guard waits on a pipe whose write end only the loader holds. When
 * the loader has cleaned up itself, guard_stop() tells the guard so and
 * it exits without acting; when the loader dies first, the pipe reaches
 * EOF and the guard runs cleanup(ctx) on the copy of the loader's memory
 * it got at fork(). It keeps no BPF object or output of the loader alive:
 * it closes every inherited descriptor but stderr.
 *
 *	guard_start(&g, cleanup, ctx);	// once what it undoes exists
 *	...
 *	cleanup(ctx);			// the loader's own exit path
 *	guard_stop(&g);
 */
#ifndef CATALOG_GUARD_H
#define CATALOG_GUARD_H

#include <sys/types.h>

struct guard {
	pid_t pid;		/* 0: none */
	int fd;			/* write end; the guard acts when it sees EOF */
};

/* Fork the guard (name: "guard" in ps). 0 or -errno. */
int guard_start(struct guard *g, void (*cleanup)(void *ctx), void *ctx);
/* The loader cleaned up: let the guard go without acting, and reap it. */
void guard_stop(struct guard *g);

#endif
