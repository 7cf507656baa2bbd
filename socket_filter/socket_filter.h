/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SOCKET_FILTER_H
#define SOCKET_FILTER_H

/* One per-CPU slot of counters, shared by both programs of this directory. */
struct sf_stats {
	__u64 seen;		/* packets the filter ran on */
	__u64 kept;		/* socket_filter: packets kept */
	__u64 trimmed;		/* socket_filter_truncate: packets cut short */
};

#endif
