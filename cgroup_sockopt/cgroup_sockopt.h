/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef CGROUP_SOCKOPT_H
#define CGROUP_SOCKOPT_H

struct cgroup_sockopt_opt {
	__s32 level;
	__s32 optname;
};

enum cgroup_sockopt_stat {
	CGROUP_SOCKOPT_STAT_REFUSED,	/* setsockopt answered EPERM */
	CGROUP_SOCKOPT_STAT_CLAMPED,	/* setsockopt value lowered to the ceiling */
	CGROUP_SOCKOPT_STAT_PASSED,	/* setsockopt handed to the kernel untouched */
	CGROUP_SOCKOPT_STAT_READ,	/* getsockopt, result untouched */
	CGROUP_SOCKOPT_NSTATS,
};

/* Per-CPU counter key: which option, what we did. */
struct cgroup_sockopt_key {
	struct cgroup_sockopt_opt opt;
	__u32 action;
};

/* The most a program may see of optval; beyond it the kernel's rule applies. */
#define CGROUP_SOCKOPT_PAGE_SIZE 4096

#endif
