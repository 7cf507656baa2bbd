/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The target of every cgroup example, parsed the same way everywhere:
 *
 *	prog [OPTIONS] --cgroup PATH              attach to an existing cgroup
 *	prog [OPTIONS] -- COMMAND [ARGS...]       run COMMAND in a fresh child
 *	prog [OPTIONS] --cgroup PATH -- COMMAND   run COMMAND inside PATH
 *
 * Add cgroup_args_argp as a child of the loader's argp; after common_init,
 * cgroup_args holds the result (PATH already checked to be cgroup v2).
 * Then:
 *
 *	cgroup_args_open(&cg);             // fork COMMAND, stopped before exec
 *	cgroup_attach(prog, &cg, &link);   // once per program
 *	cgroup_target_start(&cg);          // COMMAND runs under the policy
 *	err = run_loop(tick, NULL, ctx, cg.child);
 *	... bpf_link__destroy(link); cgroup_target_close(&cg);
 */
#ifndef CATALOG_CGROUP_ARGS_H
#define CATALOG_CGROUP_ARGS_H

#include "common.h"

struct cgroup_args {
	const char *path;	/* --cgroup PATH, or NULL */
	char **argv;		/* COMMAND [ARGS...], or NULL */
};
extern struct cgroup_args cgroup_args;
extern const struct argp cgroup_args_argp;

/*
 * The children of a cgroup loader's argp, the target and then -v/-d/-i:
 *	static const struct argp argp = { options, parse, CGROUP_ARGS_DOC,
 *					  doc, cgroup_loader_children };
 */
extern const struct argp_child cgroup_loader_children[];
#define CGROUP_ARGS_DOC "--cgroup PATH [-- COMMAND [ARGS...]] | -- COMMAND [ARGS...]"

/* cgroup_target_open() with what the command line said. */
int cgroup_args_open(struct cgroup_target *t);

/*
 * bpf_program__attach_cgroup() with the contract's error sentence (CONTRIBUTING.md)
 * ("attaching PROG to PATH: ..."). Returns an exit code.
 */
int cgroup_attach(struct bpf_program *prog, const struct cgroup_target *t,
		  struct bpf_link **link);

/* "COMMAND ARGS" or "PATH" for banners. */
const char *cgroup_args_describe(const struct cgroup_target *t);
/* "PATH" or "PATH, running: COMMAND ARGS", for "attached to %s". */
const char *cgroup_args_where(const struct cgroup_target *t);

#endif
