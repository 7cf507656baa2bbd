/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef CGROUP_SOCKOPT_H
#define CGROUP_SOCKOPT_H

struct opt_key {
	__s32 level;
	__s32 optname;
};

enum opt_action {
	OPT_REFUSED,		/* setsockopt answered EPERM */
	OPT_CLAMPED,		/* setsockopt value lowered to the ceiling */
	OPT_PASSED,		/* setsockopt handed to the kernel untouched */
	OPT_READ,		/* getsockopt, result untouched */
	OPT_NACTIONS,
};

/* Per-CPU counter key: which option, what we did. */
struct opt_count_key {
	struct opt_key opt;
	__u32 action;
};

/* The most a program may see of optval; beyond it the kernel's rule applies. */
#define SOCKOPT_PAGE_SIZE 4096

#endif
