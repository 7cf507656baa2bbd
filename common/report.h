/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A final report whose lines come out of a hash map in random order:
 * collect them with report_add(), print them sorted with report_print().
 */
#ifndef CATALOG_REPORT_H
#define CATALOG_REPORT_H

#define REPORT_MAX_LINES 1024

struct report {
	char *line[REPORT_MAX_LINES];
	int n;
};

/* Lines beyond REPORT_MAX_LINES are dropped. */
void report_add(struct report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print sorted, one per line, and free them. */
void report_print(struct report *r);

#endif
