/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The target of every cgroup example, parsed the same way everywhere:
 *
 *	prog [OPTIONS] --cgroup PATH              attach to an existing cgroup
 *	prog [OPTIONS] -- COMMAND [ARGS...]       run COMMAND in a fresh child
 *	prog [OPTIONS] --cgroup PATH -- COMMAND   run COMMAND inside PATH
 *
 * The loader's argp has .children = cgroup_loader_children; after
 * common_init the command line is checked (PATH is a cgroup v2 directory,
 * COMMAND can be run). Then:
 *
 *	cgroup_args_open(&cg);             // fork COMMAND, stopped before exec
 *	cgroup_attach(prog, &cg, &link);   // once per program
 *	cgroup_target_start(&cg);          // COMMAND runs under the policy
 *	err = run_loop(tick, NULL, ctx, cg.child);
 *	... bpf_link__destroy(link); cgroup_target_close(&cg);
 *
 * A child cgroup made for COMMAND gets a guard (guard.h): if the loader
 * is killed, it kills COMMAND and removes the cgroup, so COMMAND never
 * goes on running without its policy and nothing is left.
 */
#ifndef CATALOG_CGROUP_H
#define CATALOG_CGROUP_H

#include <argp.h>
#include <stdbool.h>
#include <sys/types.h>
#include <bpf/libbpf.h>
#include "guard.h"

/*
 * The children of a cgroup loader's argp, the target and then -v/-d/-i:
 *	static const struct argp argp = { options, parse, CGROUP_ARGS_DOC,
 *					  doc, cgroup_loader_children };
 */
extern const struct argp_child cgroup_loader_children[];
#define CGROUP_ARGS_DOC "--cgroup PATH [-- COMMAND [ARGS...]] | -- COMMAND [ARGS...]"

struct cgroup_target {
	int fd;			/* open directory of the cgroup */
	char path[4096];
	bool created;		/* we made it: remove it on close */
	pid_t child;		/* COMMAND's pid, 0 when none */
	int go_fd;		/* write end: tells the child to exec */
	struct guard guard;	/* removes a created cgroup if we die */
};

/*
 * Open --cgroup PATH, or create "<cgroup2 mount>/<prog_name>-<pid>"; fork
 * COMMAND, if given, stopped before exec. Exit-code style return (0 = ok).
 */
int cgroup_args_open(struct cgroup_target *t);
/* Let COMMAND run (call after attaching). */
int cgroup_target_start(struct cgroup_target *t);
/* Kill what is left of COMMAND's cgroup, remove the cgroup we created. */
void cgroup_target_close(struct cgroup_target *t);

/*
 * bpf_program__attach_cgroup() with the contract's error sentence
 * ("attaching PROG to PATH: ..."). Returns an exit code.
 */
int cgroup_attach(struct bpf_program *prog, const struct cgroup_target *t,
		  struct bpf_link **link);

/* "COMMAND ARGS" or "PATH" for banners. */
const char *cgroup_args_describe(const struct cgroup_target *t);
/* "PATH" or "PATH, running: COMMAND ARGS", for "attached to %s". */
const char *cgroup_args_where(const struct cgroup_target *t);

#endif
