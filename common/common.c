// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include "common.h"

struct common_env env = { .interval = 1 };

enum { OPT_USAGE = 0x7f00 };
const char *prog_name = "catalog";
volatile sig_atomic_t exiting;

static const struct argp_option common_options[] = {
	{ "verbose", 'v', NULL, 0, "Show libbpf debug output and the verifier log", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop by itself after SECONDS", 0 },
	{ "interval", 'i', "SECONDS", 0, "Print statistics every SECONDS (default 1)", 0 },
	{ "help", 'h', NULL, 0, "Show this help", -1 },
	{ "usage", OPT_USAGE, NULL, 0, "Show a short usage message", -1 },
	{},
};

/* Does the option named by arg ("--name[=v]" or "-x") exist and take a value? */
static const struct argp_option *find_option(const struct argp *a, const char *arg)
{
	const struct argp_option *o;
	const struct argp_child *c;
	size_t n;

	for (o = a->options; o && (o->name || o->key || o->doc); o++) {
		if (arg[1] == '-') {
			n = strcspn(arg + 2, "=");
			if (o->name && n && !strncmp(o->name, arg + 2, n) && !o->name[n])
				return o;
		} else if (arg[1] && o->key == arg[strlen(arg) - 1]) {
			return o;
		}
	}
	for (c = a->children; c && c->argp; c++)
		if ((o = find_option(c->argp, arg)))
			return o;
	return NULL;
}

/*
 * argp runs with ARGP_NO_ERRS, so that a bad option gets the same two
 * lines as every other usage error (getopt's own message and argp's
 * "Try" line wrap after 79 columns with a long program name).
 */
static void option_error(struct argp_state *state)
{
	const char *arg = state->next > 0 ? state->argv[state->next - 1] : "";
	const struct argp_option *o = arg[0] == '-' ? find_option(state->root_argp, arg) : NULL;

	if (o && o->arg)
		usage_error("option %s needs a value (%s)", quote_arg(arg), o->arg);
	usage_error("unrecognized option: %s", quote_arg(arg));
}

static error_t common_parse(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'v':
		env.verbose = true;
		break;
	case 'd':
		env.duration = parse_long(arg, "duration", 1, INT_MAX);
		break;
	case 'i':
		env.interval = parse_long(arg, "interval", 1, 3600);
		break;
	case 'h':
		argp_help(state->root_argp, stdout, ARGP_HELP_STD_HELP, (char *)prog_name);
		exit(EXIT_OK);
	case OPT_USAGE:
		argp_help(state->root_argp, stdout, ARGP_HELP_USAGE, (char *)prog_name);
		exit(EXIT_OK);
	case ARGP_KEY_ERROR:
		option_error(state);
		break;
	case ARGP_KEY_ARG:
		/* Last in every loader's argp: no one before us wanted it. */
		usage_error("unexpected argument: %s", quote_arg(arg));
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp common_argp = {
	.options = common_options,
	.parser = common_parse,
};

const struct argp_child common_children[] = {
	{ &common_argp, 0, "Common options:", 0 },
	{},
};

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !env.verbose)
		return 0;
	/* Without -v only warnings, and those name the step that failed. */
	if (level == LIBBPF_INFO && !env.verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

void common_init(const struct argp *argp, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	const char *slash = strrchr(argv[0], '/');

	prog_name = slash ? slash + 1 : argv[0];
	/* getopt names the program by argv[0]: the bare name, as in our messages. */
	argv[0] = (char *)prog_name;
	/* Banner and stats lines reach a pipe (a test, a script) as printed. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	argp_err_exit_status = EXIT_USAGE;
	/* Our own --help and errors: see option_error(). */
	if (argp_parse(argp, argc, argv, ARGP_NO_ERRS | ARGP_NO_HELP, NULL, NULL))
		exit(EXIT_USAGE);

	libbpf_set_print(libbpf_log);

	/*
	 * No SA_RESTART: a blocking poll() or read() must return EINTR so the
	 * loop notices. A handler installed with sigaction() also works in a
	 * background job of a shell, which starts with SIGINT ignored.
	 */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/*
	 * A closed terminal or `kill -HUP` stops the loader like SIGTERM:
	 * final stats line, everything removed. A loader that gives SIGHUP a
	 * meaning of its own (reload) installs its handler after this.
	 */
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

const char *quote_arg(const char *s)
{
	/* A few at once: one message may quote two or three arguments. */
	static char bufs[4][QUOTE_MAX + 8];
	static unsigned int next;
	char *b = bufs[next++ % 4];
	size_t i;

	if (!s)
		return "(null)";
	for (i = 0; s[i] && i < QUOTE_MAX; i++)
		b[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	strcpy(b + i, s[i] ? "..." : "");
	return b;
}

/*
 * The message as one line whatever went into it: control characters
 * become '?', and a word longer than QUOTE_MAX (an overlong argument a
 * caller printed with a bare %s) keeps its first QUOTE_MAX bytes and "...".
 */
static void vmsg(const char *fmt, va_list ap)
{
	char in[8192], out[1024];
	size_t o = 0, word = 0;

	vsnprintf(in, sizeof(in), fmt, ap);
	for (const char *p = in; *p && o < sizeof(out) - 8; p++) {
		word = *p == ' ' ? 0 : word + 1;
		if (word > QUOTE_MAX) {
			if (word == QUOTE_MAX + 1) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			continue;
		}
		out[o++] = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
	}
	out[o] = 0;
	fprintf(stderr, "%s: %s\n", prog_name, out);
}

int errmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}

void warnmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", prog_name);
	exit(EXIT_USAGE);
}

const char *err_sentence(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case EPERM:
		return "needs root (or CAP_BPF and CAP_NET_ADMIN)";
	case EACCES:
		/* After require_root(), bpf() says EACCES when the verifier refuses. */
		return "the verifier rejected the program (run with -v to see its log)";
	case EBUSY:
	case EEXIST:
		return "something is already attached there";
	case ENODEV:
	case ENXIO:
		return "no such device";
	case ENOENT:
		return "not found";
	case EOPNOTSUPP:
	case ENOTSUPP:
		return "not supported by this kernel or device";
	case EINVAL:
		return "the kernel refused the request as invalid (try -v for the details)";
	case E2BIG:
		return "too big for the kernel";
	case ENOMEM:
		return "out of memory (or RLIMIT_MEMLOCK too low)";
	case ENOSPC:
		return "map or table is full";
	case EADDRINUSE:
		return "address already in use";
	case ECONNREFUSED:
		return "connection refused";
	default:
		return strerror(err);
	}
}

int fail_step(int err, const char *what)
{
	if (err < 0)
		err = -err;
	errmsg("%s: %s", what, err_sentence(err));
	if (err == EOPNOTSUPP || err == ENOTSUPP)
		return EXIT_NOFEATURE;
	return EXIT_FAIL;
}

void require_root(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};
	uint64_t eff = 0;

	/* Capabilities, not the uid: root under setpriv without them fails too. */
	if (!syscall(SYS_capget, &hdr, data))
		eff = data[0].effective | (uint64_t)data[1].effective << 32;
	if ((eff & (1ULL << CAP_SYS_ADMIN)) ||
	    ((eff & (1ULL << CAP_BPF)) && (eff & (1ULL << CAP_NET_ADMIN))))
		return;
	errmsg("needs root (or CAP_BPF and CAP_NET_ADMIN)");
	exit(EXIT_FAIL);
}

bool have_prog_type(enum bpf_prog_type type, const char *name, const char *version)
{
	struct utsname u;

	if (libbpf_probe_bpf_prog_type(type, NULL) > 0)
		return true;
	uname(&u);
	errmsg("%s needs Linux %s or newer (this is %s)", name, version, u.release);
	return false;
}

long parse_long(const char *arg, const char *what, long min, long max)
{
	const char *digits = arg + (arg[0] == '-');
	char *end;
	long v;

	/*
	 * Decimal only: base 0 would read "010" as 8 and refuse "08". No
	 * blanks or '+' either, which strtol would skip quietly.
	 */
	if (*digits < '0' || *digits > '9')
		usage_error("%s: not a number: %s", what, quote_arg(arg));
	errno = 0;
	v = strtol(arg, &end, 10);
	if (*end)
		usage_error("%s: not a number: %s", what, quote_arg(arg));
	if (errno == ERANGE || v < min || v > max)
		usage_error("%s: %s is out of range (%ld..%ld)", what, quote_arg(arg), min, max);
	return v;
}

char *list_next(char **list, const char *what)
{
	char *item;

	if (!*list)
		return NULL;
	item = strsep(list, ",");
	if (!*item)
		usage_error("%s: empty item in the list (give NAME[,NAME...])", what);
	return item;
}

int parse_ifindex(const char *name)
{
	unsigned int idx;

	if (!name || !*name)
		usage_error("missing interface name");
	idx = if_nametoindex(name);
	if (!idx)
		usage_error("no such interface: %s", quote_arg(name));
	return idx;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int plain_wait(void *ctx, int timeout_ms)
{
	(void)ctx;
	if (poll(NULL, 0, timeout_ms) < 0)
		return -errno;
	return 0;
}

int run_loop(tick_fn tick, wait_fn wait, void *ctx, pid_t child)
{
	uint64_t start = now_ns(), next = start + env.interval * 1000000000ULL;
	uint64_t end = env.duration ? start + env.duration * 1000000000ULL : 0;
	int status, ret = EXIT_OK, err;

	if (!wait)
		wait = plain_wait;
	while (!exiting) {
		uint64_t now = now_ns(), until = next;

		if (end && now >= end)
			break;
		if (end && end < until)
			until = end;
		if (now >= next) {
			if (tick)
				tick(ctx, false);
			next += env.interval * 1000000000ULL;
			continue;
		}
		err = wait(ctx, (until - now) / 1000000 + 1);
		if (err < 0 && err != -EINTR) {
			ret = fail_step(err, "polling");
			break;
		}
		if (child > 0 && waitpid(child, &status, WNOHANG) == child) {
			ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			break;
		}
	}
	if (tick)
		tick(ctx, true);
	return ret;
}

int percpu_sum(int map_fd, const void *key, uint64_t *sum, int nvals)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, i;
	uint64_t *vals;

	if (ncpu < 1)
		return -EINVAL;
	vals = calloc((size_t)ncpu * nvals, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	memset(sum, 0, nvals * sizeof(*sum));
	if (bpf_map_lookup_elem(map_fd, key, vals)) {
		i = -errno;
		free(vals);
		return i;
	}
	for (cpu = 0; cpu < ncpu; cpu++)
		for (i = 0; i < nvals; i++)
			sum[i] += vals[cpu * nvals + i];
	free(vals);
	return 0;
}
