/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SOCKET_FILTER_H
#define SOCKET_FILTER_H

/* The one per-CPU slot of counters. */
struct socket_filter_count {
	__u64 seen;		/* packets the filter ran on */
	__u64 kept;		/* packets kept */
};

#endif
