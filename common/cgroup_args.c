// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cgroup_args.h"

struct cgroup_args cgroup_args;

enum { OPT_CGROUP = 0x1000 };

static const struct argp_option cgroup_options[] = {
	{ "cgroup", OPT_CGROUP, "PATH", 0,
	  "Attach to this cgroup v2 directory (it is never removed); "
	  "without it, give -- COMMAND to run in a fresh child cgroup; "
	  "with both, COMMAND runs inside PATH", 0 },
	{},
};

/*
 * Can COMMAND be run? Asked before anything is loaded or attached, so that
 * a typo is a usage error (exit 2) and not COMMAND's exit status 127 after
 * a policy was installed for nothing. Searches PATH as execvp() does.
 */
static bool command_found(const char *cmd)
{
	const char *path = getenv("PATH");
	char buf[4096];
	struct stat st;
	size_t n;

	if (strchr(cmd, '/'))
		return !stat(cmd, &st) && S_ISREG(st.st_mode) && !access(cmd, X_OK);
	if (!path)
		path = "/bin:/usr/bin";
	while (*path) {
		n = strcspn(path, ":");
		if (snprintf(buf, sizeof(buf), "%.*s%s%s", (int)n, n ? path : ".",
			     "/", cmd) < (int)sizeof(buf) &&
		    !stat(buf, &st) && S_ISREG(st.st_mode) && !access(buf, X_OK))
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

static error_t cgroup_parse(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_CGROUP:
		cgroup_args.path = arg;
		break;
	case ARGP_KEY_ARGS:
		/*
		 * Everything after "--" (getopt stops there) is COMMAND. A
		 * word before it would be a typo of an option or a command
		 * missing its "--": refuse rather than guess.
		 */
		if (strcmp(state->argv[state->next - 1], "--") ||
		    state->argv[state->next] != after_dashdash)
			usage_error("unexpected argument: %s (put COMMAND after --)",
				    quote_arg(state->argv[state->next]));
		cgroup_args.argv = state->argv + state->next;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (!cgroup_args.path && !cgroup_args.argv)
			usage_error("give --cgroup PATH or -- COMMAND [ARGS...]");
		if (cgroup_args.path && !cgroup_path_ok(cgroup_args.path))
			usage_error("not a cgroup v2 directory: %s", quote_arg(cgroup_args.path));
		if (cgroup_args.argv && !cgroup_args.argv[0])
			usage_error("nothing after --: give COMMAND [ARGS...]");
		if (cgroup_args.argv && !command_found(cgroup_args.argv[0]))
			usage_error("COMMAND not found or not executable: %s",
				    quote_arg(cgroup_args.argv[0]));
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp cgroup_args_argp = {
	.options = cgroup_options,
	.parser = cgroup_parse,
};

const struct argp_child cgroup_loader_children[] = {
	{ &cgroup_args_argp, 0, NULL, 0 },
	{ &common_argp, 0, "Common options:", 0 },
	{},
};

int cgroup_args_open(struct cgroup_target *t)
{
	return cgroup_target_open(t, cgroup_args.path, cgroup_args.argv);
}

int cgroup_attach(struct bpf_program *prog, const struct cgroup_target *t,
		  struct bpf_link **link)
{
	char what[4200];
	int err;

	*link = bpf_program__attach_cgroup(prog, t->fd);
	if (*link)
		return EXIT_OK;
	err = errno;
	*link = NULL;
	snprintf(what, sizeof(what), "attaching %s to %s", bpf_program__name(prog), t->path);
	return fail_step(err, what);
}

const char *cgroup_args_describe(const struct cgroup_target *t)
{
	static char buf[512];
	size_t n = 0;

	if (!cgroup_args.argv)
		return t->path;
	for (char **a = cgroup_args.argv; *a && n < sizeof(buf) - 1; a++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "", *a);
	return buf;
}

const char *cgroup_args_where(const struct cgroup_target *t)
{
	static char buf[4700];

	if (!t->child)
		return t->path;
	snprintf(buf, sizeof(buf), "%s, running: %s", t->path, cgroup_args_describe(t));
	return buf;
}
