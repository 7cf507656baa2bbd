// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
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

const char *cgroup2_mount(void)
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

bool cgroup_path_ok(const char *path)
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

/*
 * A created cgroup gets a keeper: a process outside it that waits on a
 * pipe only the loader holds. When the loader dies, even by SIGKILL, the
 * pipe closes and the keeper kills COMMAND and removes the cgroup, so
 * COMMAND never goes on running without its policy and nothing is left.
 */
static int start_keeper(struct cgroup_target *t)
{
	int p[2];
	char c;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	t->keeper = fork();
	if (t->keeper < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (t->keeper == 0) {
		/* Ctrl-C reaches the whole process group: the loader cleans up itself. */
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		close(p[1]);
		/* Hold nothing of the loader's (stdout of a pipeline, BPF objects). */
		dup2(p[0], 0);
		close_range(1, 1, 0);
		close_range(3, ~0U, 0);
		while (read(0, &c, 1) != 0 && errno == EINTR)
			;
		remove_cgroup(t->path);
		_exit(0);
	}
	close(p[0]);
	t->keeper_fd = p[1];
	return 0;
}

static void on_child(int sig)
{
}

int cgroup_target_open(struct cgroup_target *t, const char *path, char **argv)
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
		err = start_keeper(t);
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
	if (t->keeper > 0) {
		close(t->keeper_fd);
		waitpid(t->keeper, NULL, 0);
		t->keeper = 0;
	}
}
