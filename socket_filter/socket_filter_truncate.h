/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SOCKET_FILTER_TRUNCATE_H
#define SOCKET_FILTER_TRUNCATE_H

/* The one per-CPU slot of counters. */
struct socket_filter_truncate_count {
	__u64 seen;		/* packets the filter ran on */
	__u64 trimmed;		/* packets cut short */
};

#endif
