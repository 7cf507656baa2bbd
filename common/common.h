/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * User-space plumbing shared by every loader (common.c): options, messages,
 * errors, signals, the stats loop, per-CPU sums. The attach helpers have
 * headers of their own: xdp.h, tc.h, cgroup.h, route.h (with nl.h), and
 * guard.h, serve.h, report.h. A loader keeps only what is particular to
 * its example.
 */
#ifndef CATALOG_COMMON_H
#define CATALOG_COMMON_H

#include <argp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

/* Exit codes of the loader contract (CONTRIBUTING.md). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_NOFEATURE = 77,
};

/* The kernel's internal "not supported", seen by user space as errno 524. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

/* Options every loader has: -v, -d, -i (and -h, handled by argp). */
struct common_env {
	bool verbose;
	int duration;		/* seconds, 0 = until a signal */
	int interval;		/* seconds between stats lines */
};
extern struct common_env env;
extern const char *prog_name;
extern volatile sig_atomic_t exiting;

/*
 * The last child of every loader's argp; it also refuses positional
 * arguments that no parser before it took. A loader whose only child it
 * is sets .children = common_children.
 */
extern const struct argp common_argp;
extern const struct argp_child common_children[];

/*
 * Parse argv with the loader's argp (and common_argp as a child), set
 * prog_name, route libbpf's log through -v, install SIGINT/SIGTERM/SIGHUP
 * handlers (all three stop the loop: `exiting`). Usage errors exit 2.
 */
void common_init(const struct argp *argp, int argc, char **argv);

/* Messages: "prog: text". errmsg returns EXIT_FAIL for `return errmsg(...)`. */
int errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * One sentence for an errno (positive or negative), worded for BPF work:
 * EPERM → "needs root (or CAP_BPF and CAP_NET_ADMIN)" and so on.
 */
const char *err_sentence(int err);

/*
 * Report a failed step "what" with err's sentence and return the exit code
 * it deserves: EXIT_NOFEATURE for a kernel that lacks the feature
 * (EOPNOTSUPP, ENOTSUPP), EXIT_FAIL otherwise.
 */
int fail_step(int err, const char *what);

/* Exit 1 with the contract's sentence unless we may do BPF networking. */
void require_root(void);
/*
 * Can this kernel load programs of TYPE? If not, say "NAME needs Linux
 * VERSION or newer (this is RELEASE)" and return false: the caller exits
 * with EXIT_NOFEATURE.
 */
bool have_prog_type(enum bpf_prog_type type, const char *name, const char *version);

/*
 * User input inside an error message: at most QUOTE_MAX bytes of s, then
 * "...", control characters as '?'. Four results stay valid at a time.
 * (Every message is also cut that way, as a safety net, word by word.)
 */
#define QUOTE_MAX 64
const char *quote_arg(const char *s);

/*
 * Parse helpers: exit 2 with a sentence on bad input. Numbers are
 * decimal ("010" is ten); signs other than a leading '-' are refused.
 */
long parse_long(const char *arg, const char *what, long min, long max);
int parse_ifindex(const char *name);	/* "no such interface: eth9" */

/*
 * The next item of a comma-separated option value (what: "--deny"), or
 * NULL after the last. *list advances; the string is cut in place. An
 * empty value or an empty item ("", "a,,b", "a,") is a usage error:
 * silently taking nothing would look like a policy that is not there.
 */
char *list_next(char **list, const char *what);

/*
 * The stats loop: call tick(ctx, false) every env.interval seconds until a
 * signal, env.duration, or `child` (if > 0) exits; then tick(ctx, true)
 * once more. wait(ctx, ms) is called to sleep (NULL: plain sleep) so a
 * loader can poll a ring buffer or a socket instead; it returns < 0 on
 * error (stops the loop, except for -EINTR). Returns 0, or the child's
 * exit status as an exit code when `child` is given, or EXIT_FAIL.
 */
typedef void (*tick_fn)(void *ctx, bool final);
typedef int (*wait_fn)(void *ctx, int timeout_ms);
int run_loop(tick_fn tick, wait_fn wait, void *ctx, pid_t child);

/* Monotonic clock in ns. */
uint64_t now_ns(void);

/*
 * Per-CPU maps: sum `nvals` u64 counters at key over every possible CPU.
 * The value of one CPU is `nvals` u64s (a struct of __u64 fields works).
 */
int percpu_sum(int map_fd, const void *key, uint64_t *sum, int nvals);

#endif
