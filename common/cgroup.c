// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* pipe2, close_range */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <linux/magic.h>
#include "common.h"
#include "cgroup.h"

/* Where the cgroup v2 hierarchy is mounted, or NULL when there is none. */
static const char *cgroup2_mount(void)
{
	static char path[4096];
	char line[8192], *p, *fields[12];
	FILE *f;
	int n;

	if (path[0])
		return path;
	/*
	 * mountinfo: "id parent maj:min root mountpoint opts... - fstype src opts".
	 * The v2 hierarchy is /sys/fs/cgroup on most systems and
	 * /sys/fs/cgroup/unified on hybrid ones: read, don't guess.
	 */
	f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		n = 0;
		for (p = strtok(line, " \n"); p && n < 12; p = strtok(NULL, " \n"))
			fields[n++] = p;
		for (int i = 6; i + 1 < n; i++) {
			if (strcmp(fields[i], "-"))
				continue;
			if (!strcmp(fields[i + 1], "cgroup2") && strlen(fields[4]) < sizeof(path)) {
				strcpy(path, fields[4]);
				fclose(f);
				return path;
			}
			break;
		}
	}
	fclose(f);
	return NULL;
}

/* An existing cgroup v2 directory? */
static bool cgroup_path_ok(const char *path)
{
	struct statfs sfs;
	struct stat st;

	/* Files in cgroupfs (cgroup.procs) have the magic too: want a directory. */
	return !statfs(path, &sfs) && sfs.f_type == CGROUP2_SUPER_MAGIC &&
	       !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int write_file(const char *dir, const char *name, const char *val)
{
	char p[4200];
	int fd, err = 0;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Kill whatever runs in the cgroup (COMMAND's daemons too), then remove it. */
static void remove_cgroup(const char *path)
{
	char p[4200];
	FILE *f;
	int i, pid;

	for (i = 0; i < 50 && rmdir(path) && errno == EBUSY; i++) {
		/* cgroup.kill is 5.14+; before it, signal every member. */
		if (!write_file(path, "cgroup.kill", "1"))
			goto wait;
		snprintf(p, sizeof(p), "%s/cgroup.procs", path);
		f = fopen(p, "r");
		while (f && fscanf(f, "%d", &pid) == 1)
			kill(pid, SIGKILL);
		if (f)
			fclose(f);
wait:
		usleep(20000);
	}
}

/* The guard of a created cgroup, when the loader died without removing it. */
static void guard_cleanup(void *ctx)
{
	struct cgroup_target *t = ctx;

	remove_cgroup(t->path);
}

static void on_child(int sig)
{
	(void)sig;
}

/*
 * Open PATH, or when path is NULL create "<mount>/<prog_name>-<pid>" and
 * fork argv[0..] stopped before exec. Exit-code style return (0 = ok).
 */
static int cgroup_target_open(struct cgroup_target *t, const char *path, char **argv)
{
	struct sigaction sa = { .sa_handler = on_child };
	const char *mnt;
	int go[2], err;
	char c;

	memset(t, 0, sizeof(*t));
	t->fd = t->go_fd = -1;

	if (path) {
		if (!cgroup_path_ok(path))
			usage_error("not a cgroup v2 directory: %s", quote_arg(path));
		snprintf(t->path, sizeof(t->path), "%s", path);
	} else {
		if (!argv || !argv[0])
			usage_error("give --cgroup PATH or -- COMMAND [ARGS...]");
		mnt = cgroup2_mount();
		if (!mnt)
			/* ip netns exec remounts /sys in a mount namespace of its own. */
			return errmsg("cgroup v2 not found: mount it (mount -t cgroup2 none /sys/fs/cgroup), "
				      "or run the loader outside ip netns exec: -- ip netns exec NS COMMAND");
		snprintf(t->path, sizeof(t->path), "%s/%s-%d", mnt, prog_name, getpid());
		if (mkdir(t->path, 0755))
			return fail_step(errno, "creating a child cgroup");
		t->created = true;
		/*
		 * Outside the cgroup, waiting for the loader: when it dies,
		 * even by SIGKILL, the guard kills COMMAND and removes the
		 * cgroup, so COMMAND never runs on without its policy.
		 */
		err = guard_start(&t->guard, guard_cleanup, t);
		if (err)
			return fail_step(err, "fork");
	}
	t->fd = open(t->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->fd < 0)
		return fail_step(errno, "opening the cgroup");
	if (!argv || !argv[0])
		return EXIT_OK;

	/*
	 * Fork now, exec later: the child waits on a pipe until the programs
	 * are attached, then moves itself into the cgroup and execs, so the
	 * very first socket COMMAND opens is already under the policy.
	 */
	if (pipe2(go, O_CLOEXEC))
		return fail_step(errno, "pipe");
	/* Without SA_RESTART, COMMAND's exit interrupts run_loop's sleep at once. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	t->child = fork();
	if (t->child < 0)
		return fail_step(errno, "fork");
	if (t->child == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		if (write_file(t->path, "cgroup.procs", "0")) {
			fprintf(stderr, "%s: cannot join %s\n", prog_name, t->path);
			_exit(127);
		}
		/* The loader's handlers do not belong to COMMAND. */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: cannot run %s: %s\n", prog_name, argv[0], strerror(errno));
		_exit(127);
	}
	close(go[0]);
	t->go_fd = go[1];
	return EXIT_OK;
}

int cgroup_target_start(struct cgroup_target *t)
{
	if (t->go_fd < 0)
		return EXIT_OK;
	if (write(t->go_fd, "g", 1) != 1)
		return fail_step(errno, "starting COMMAND");
	close(t->go_fd);
	t->go_fd = -1;
	return EXIT_OK;
}

void cgroup_target_close(struct cgroup_target *t)
{
	if (t->go_fd >= 0) {
		/* Never started: closing the pipe makes the child exit. */
		close(t->go_fd);
		t->go_fd = -1;
	}
	if (t->child > 0) {
		if (waitpid(t->child, NULL, WNOHANG) == 0) {
			kill(t->child, SIGTERM);
			waitpid(t->child, NULL, 0);
		}
		t->child = 0;
	}
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->created)
		remove_cgroup(t->path);
	t->created = false;
	guard_stop(&t->guard);
}

/* --cgroup PATH and -- COMMAND [ARGS...] */

/* What the command line said. */
static struct {
	const char *path;	/* --cgroup PATH, or NULL */
	char **argv;		/* COMMAND [ARGS...], or NULL */
	const char *after_dashdash;	/* the word after the first "--" as typed */
} cgroup_args;

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
	case ARGP_KEY_INIT:
		/* Before getopt moves words around "--": what really follows it. */
		for (int i = 1; i < state->argc; i++)
			if (!strcmp(state->argv[i], "--")) {
				cgroup_args.after_dashdash = state->argv[i + 1];
				break;
			}
		break;
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
		    state->argv[state->next] != cgroup_args.after_dashdash)
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

static const struct argp cgroup_args_argp = {
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
