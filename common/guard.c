// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* pipe2, close_range */
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "common.h"
#include "guard.h"

int guard_start(struct guard *g, void (*cleanup)(void *ctx), void *ctx)
{
	int p[2], err;
	ssize_t n;
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	/* What stdio holds must not come out twice. */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(p[0]);
		close(p[1]);
		return err;
	}
	if (pid == 0) {
		/*
		 * Outlive Ctrl-C, which reaches the whole process group:
		 * only the loader's exit ends the wait.
		 */
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		prctl(PR_SET_NAME, "guard");
		close(p[1]);
		/*
		 * Hold nothing of the loader's: its BPF links and programs,
		 * the stdout of a pipeline that waits for EOF. stderr stays,
		 * for cleanup's warnings.
		 */
		if (p[0] != 0) {
			dup2(p[0], 0);
			close(p[0]);
		}
		close_range(1, 1, 0);
		close_range(3, ~0U, 0);
		do
			n = read(0, &c, 1);
		while (n < 0 && errno == EINTR);
		/* A byte: the loader cleaned up. EOF: it died without doing so. */
		if (n != 1)
			cleanup(ctx);
		_exit(0);
	}
	close(p[0]);
	g->pid = pid;
	g->fd = p[1];
	return 0;
}

void guard_stop(struct guard *g)
{
	if (g->pid <= 0)
		return;
	if (write(g->fd, "x", 1) != 1)
		warnmsg("cleanup guard: %s", strerror(errno));
	close(g->fd);
	waitpid(g->pid, NULL, 0);
	g->pid = 0;
	g->fd = -1;
}
