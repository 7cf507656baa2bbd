// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* vasprintf */
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"

void report_add(struct report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->n == REPORT_MAX_LINES)
		return;
	va_start(ap, fmt);
	if (vasprintf(&r->line[r->n], fmt, ap) >= 0)
		r->n++;
	va_end(ap);
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void report_print(struct report *r)
{
	qsort(r->line, r->n, sizeof(r->line[0]), cmp_line);
	for (int i = 0; i < r->n; i++) {
		puts(r->line[i]);
		free(r->line[i]);
	}
	r->n = 0;
}
