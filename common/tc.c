// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include "common.h"
#include "nl.h"
#include "tc.h"

#define CLSACT_HANDLE	TC_H_MAKE(TC_H_CLSACT, 0)

const char *tc_dir_name(const struct tc_hook *h)
{
	return h->egress ? "egress" : "ingress";
}

/* Does this kernel have tcx? (Probed with a BPF_PROG_QUERY on ifindex.) */
static bool tcx_supported(int ifindex)
{
	LIBBPF_OPTS(bpf_prog_query_opts, q);

	/* Kernels before 6.6 do not know the attach type: EINVAL. */
	return bpf_prog_query_opts(ifindex, BPF_TCX_INGRESS, &q) == 0;
}

void tc_hook_prepare(struct tc_hook *h, struct bpf_program *prog)
{
	h->path = TC_PATH_TCX;
	h->why_legacy = NULL;
	if (h->force_legacy) {
		h->path = TC_PATH_LEGACY;
		h->why_legacy = "--legacy-tc";
	} else if (!tcx_supported(h->ifindex)) {
		h->path = TC_PATH_LEGACY;
		h->why_legacy = "this kernel has no tcx, which came in Linux 6.6";
	}
	bpf_program__set_type(prog, BPF_PROG_TYPE_SCHED_CLS);
	/* tcx takes the hook from the program's expected attach type. */
	if (h->path == TC_PATH_TCX)
		bpf_program__set_expected_attach_type(prog, h->egress ? BPF_TCX_EGRESS
								      : BPF_TCX_INGRESS);
}

/*
 * Which clsact qdiscs a loader of this catalog created: a marker file per
 * network namespace and interface. A loader that finds the qdisc already
 * there and sees the marker knows it may remove the qdisc if it is the
 * last one to use it, so that two overlapping runs leave nothing behind
 * whichever stops first. A qdisc someone else made has no marker and is
 * never removed.
 *
 * The file is named after the namespace's inode number, which the kernel
 * hands out again once the namespace is gone; it holds the namespace's
 * cookie, which is never reused. A marker whose namespace has died (a run
 * killed with its guard, a lab deleted under it) would otherwise stay,
 * and match the next namespace given the same inode: every start sweeps
 * those away first (clsact_sweep).
 */
#define CLSACT_MARK_DIR "/run/ebpf-catalog"
#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

static unsigned long long netns_ino(void)
{
	struct stat st = {};

	stat("/proc/self/ns/net", &st);
	return st.st_ino;
}

/* The namespace's cookie (Linux 5.14), or 0 where there is none. */
static unsigned long long netns_cookie(void)
{
	unsigned long long cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len))
		cookie = 0;
	close(fd);
	return cookie;
}

static void clsact_mark_path(int ifindex, char *buf, size_t len)
{
	snprintf(buf, len, CLSACT_MARK_DIR "/clsact-%llu-%d", netns_ino(), ifindex);
}

static void clsact_mark(int ifindex)
{
	char path[128];
	FILE *f;

	mkdir(CLSACT_MARK_DIR, 0755);
	clsact_mark_path(ifindex, path, sizeof(path));
	f = fopen(path, "we");
	if (f) {
		fprintf(f, "netns-cookie %llu\n", netns_cookie());
		fclose(f);
	}
}

/* Is a network namespace with this inode number alive (a process in it, or a mount)? */
static bool netns_alive(unsigned long long ino)
{
	char want[48], buf[4096], link[48];
	struct dirent *de;
	bool found = false;
	DIR *d;
	FILE *f;

	snprintf(want, sizeof(want), "net:[%llu]", ino);
	f = fopen("/proc/self/mountinfo", "re");
	while (f && !found && fgets(buf, sizeof(buf), f))
		found = strstr(buf, want);
	if (f)
		fclose(f);
	d = opendir("/proc");
	while (d && !found && (de = readdir(d))) {
		char path[300];
		ssize_t n;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		found = n > 0 && (link[n] = 0, !strcmp(link, want));
	}
	if (d)
		closedir(d);
	return found;
}

/*
 * Remove the markers nobody can use: of a namespace that no longer
 * exists, of this namespace's inode but another (dead) namespace's
 * cookie, or of an interface this namespace no longer has.
 */
static void clsact_sweep(void)
{
	unsigned long long self = netns_ino(), cookie = netns_cookie(), ino, c;
	char path[384], ifname[IF_NAMESIZE];
	struct dirent *de;
	bool stale;
	int ifindex;
	DIR *d = opendir(CLSACT_MARK_DIR);
	FILE *f;

	while (d && (de = readdir(d))) {
		if (sscanf(de->d_name, "clsact-%llu-%d", &ino, &ifindex) != 2)
			continue;
		snprintf(path, sizeof(path), CLSACT_MARK_DIR "/%s", de->d_name);
		if (ino != self) {
			stale = !netns_alive(ino);
		} else {
			c = 0;
			f = fopen(path, "re");
			if (f && fscanf(f, "netns-cookie %llu", &c) != 1)
				c = 0;
			if (f)
				fclose(f);
			stale = (c && cookie && c != cookie) || !if_indextoname(ifindex, ifname);
		}
		if (stale)
			unlink(path);
	}
	if (d)
		closedir(d);
}

static bool clsact_marked(int ifindex)
{
	char path[128];

	clsact_mark_path(ifindex, path, sizeof(path));
	return !access(path, F_OK);
}

static void clsact_unmark(int ifindex)
{
	char path[128];

	clsact_mark_path(ifindex, path, sizeof(path));
	unlink(path);
	rmdir(CLSACT_MARK_DIR);		/* only when empty */
}

/*
 * The marker goes down before the qdisc is created, so that a loader
 * killed right after the create leaves no qdisc without one; when the
 * create finds a qdisc that is not ours, the marker we put is taken back.
 */
static bool clsact_premark(int ifindex)
{
	bool had;

	clsact_sweep();
	had = clsact_marked(ifindex);

	if (!had)
		clsact_mark(ifindex);
	return had;
}

static void clsact_postmark(int ifindex, bool premarked, int err)
{
	if (err && !premarked)
		clsact_unmark(ifindex);
}

static void legacy_cleanup(void *ctx)
{
	struct tc_hook *h = ctx;
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = h->ifindex,
		    .attach_point = h->egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = h->handle, .priority = h->priority);

	if (h->attached)
		bpf_tc_detach(&hook, &o);	/* ENOENT: gone with the interface */
	h->attached = false;
	if (h->uses_qdisc)
		tc_clsact_put(h->ifindex, h->ifname, h->created_qdisc);
	h->uses_qdisc = h->created_qdisc = false;
}

int tc_hook_attach(struct tc_hook *h, struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = h->ifindex,
		    .attach_point = h->egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, o, .prog_fd = bpf_program__fd(prog));
	libbpf_print_fn_t print;
	bool premarked;
	int err;

	if (h->path == TC_PATH_TCX) {
		h->link = bpf_program__attach_tcx(prog, h->ifindex, NULL);
		if (!h->link)
			return fail_step(errno, "attaching with tcx");
		return EXIT_OK;
	}

	/* EEXIST is an answer, not an error: keep libbpf from printing it. */
	premarked = clsact_premark(h->ifindex);
	print = libbpf_set_print(NULL);
	err = bpf_tc_hook_create(&hook);
	libbpf_set_print(print);
	clsact_postmark(h->ifindex, premarked, err);
	if (err && err != -EEXIST)
		return fail_step(err, "creating the clsact qdisc");
	h->created_qdisc = !err;
	h->uses_qdisc = true;
	/* handle and priority 0: the kernel picks free ones and reports them. */
	err = bpf_tc_attach(&hook, &o);
	if (err) {
		legacy_cleanup(h);
		return fail_step(err, "attaching the cls_bpf filter");
	}
	h->handle = o.handle;
	h->priority = o.priority;
	h->attached = true;
	/* No BPF link holds this filter: a guard removes it if we are killed. */
	err = guard_start(&h->guard, legacy_cleanup, h);
	if (err) {
		legacy_cleanup(h);
		return fail_step(err, "starting the cleanup guard");
	}
	return EXIT_OK;
}

void tc_hook_detach(struct tc_hook *h)
{
	if (h->link)
		bpf_link__destroy(h->link);
	h->link = NULL;
	legacy_cleanup(h);
	guard_stop(&h->guard);
}

const char *tc_hook_describe(const struct tc_hook *h, char *buf, size_t len)
{
	struct bpf_link_info info = {};
	__u32 ilen = sizeof(info);

	if (h->path == TC_PATH_TCX) {
		if (h->link && !bpf_link_get_info_by_fd(bpf_link__fd(h->link), &info, &ilen))
			snprintf(buf, len, "tcx link %u", info.id);
		else
			snprintf(buf, len, "tcx link");
	} else {
		snprintf(buf, len, "%s clsact qdisc + cls_bpf direct-action filter pref %u handle 0x%x; legacy tc because %s",
			 h->created_qdisc ? "new" : "existing", h->priority, h->handle,
			 h->why_legacy ? h->why_legacy : "asked");
	}
	return buf;
}

/* clsact over rtnetlink. */

static struct nlmsghdr *tc_msg(struct nl *nl, void *buf, int type, int flags,
			       int ifindex, __u32 parent, __u32 handle)
{
	struct nlmsghdr *nlh = nl_msg(nl, buf, type, flags);
	struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));

	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_parent = parent;
	tcm->tcm_handle = handle;
	return nlh;
}

static int clsact_request(int type, int flags, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nl nl;
	int err;

	err = nl_open(&nl);
	if (err)
		return err;
	nlh = tc_msg(&nl, buf, type, flags, ifindex, TC_H_CLSACT, CLSACT_HANDLE);
	mnl_attr_put_strz(nlh, TCA_KIND, "clsact");
	err = nl_request(&nl, nlh);
	nl_close(&nl);
	return err;
}

int tc_clsact_create(int ifindex)
{
	bool premarked = clsact_premark(ifindex);
	int err = clsact_request(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex);

	clsact_postmark(ifindex, premarked, err);
	return err;
}

static int tc_clsact_delete(int ifindex)
{
	return clsact_request(RTM_DELQDISC, 0, ifindex);
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);

	/*
	 * A dump answers each priority with a message of its own (handle 0)
	 * before its filters: count the filters only.
	 */
	if (nlh->nlmsg_type == RTM_NEWTFILTER && tcm->tcm_handle)
		(*(int *)data)++;
	return MNL_CB_OK;
}

/* The filters at the clsact qdisc's ingress and egress hooks: >= 0, or -errno. */
static int tc_clsact_filters(int ifindex)
{
	static const __u32 hooks[] = { TC_H_MIN_INGRESS, TC_H_MIN_EGRESS };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nl nl;
	int err, n = 0;

	err = nl_open(&nl);
	if (err)
		return err;
	for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]) && !err; i++) {
		nlh = tc_msg(&nl, buf, RTM_GETTFILTER, 0, ifindex,
			     TC_H_MAKE(TC_H_CLSACT, hooks[i]), 0);
		err = nl_dump(&nl, nlh, count_cb, &n);
	}
	nl_close(&nl);
	return err ? err : n;
}

void tc_clsact_put(int ifindex, const char *ifname, bool created)
{
	bool ours = created || clsact_marked(ifindex);
	int n;

	if (!ours)
		return;
	n = tc_clsact_filters(ifindex);
	if (n > 0) {
		/* Another loader of ours still on it removes it when it stops. */
		if (created)
			warnmsg("left the clsact qdisc on %s in place: %d other filter(s) use it",
				ifname, n);
		return;
	}
	if (n == 0)
		tc_clsact_delete(ifindex);
	/* n < 0: the interface is gone, and its qdisc with it. */
	clsact_unmark(ifindex);
}

/* IFACE [--ingress|--egress] [--legacy-tc] */

struct tc_hook tc_target;

enum { OPT_INGRESS = 0x1000, OPT_EGRESS, OPT_LEGACY };

static const struct argp_option tc_target_options[] = {
	{ "ingress", OPT_INGRESS, NULL, 0, "Attach at IFACE's ingress (the default)", 0 },
	{ "egress", OPT_EGRESS, NULL, 0, "Attach at IFACE's egress", 0 },
	{ "legacy-tc", OPT_LEGACY, NULL, 0,
	  "Attach through a clsact qdisc and a cls_bpf filter even where tcx exists", 0 },
	{},
};

static error_t tc_target_parse(int key, char *arg, struct argp_state *state)
{
	(void)state;
	switch (key) {
	case OPT_INGRESS:
		tc_target.egress = false;
		break;
	case OPT_EGRESS:
		tc_target.egress = true;
		break;
	case OPT_LEGACY:
		tc_target.force_legacy = true;
		break;
	case ARGP_KEY_ARG:
		if (tc_target.ifname)
			usage_error("unexpected argument: %s", quote_arg(arg));
		tc_target.ifname = arg;
		break;
	case ARGP_KEY_END:
		if (!tc_target.ifname)
			usage_error("missing interface name (IFACE)");
		tc_target.ifindex = parse_ifindex(tc_target.ifname);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp tc_target_argp = {
	.options = tc_target_options,
	.parser = tc_target_parse,
};

const struct argp_child tc_loader_children[] = {
	{ &tc_target_argp, 0, NULL, 0 },
	{ &common_argp, 0, "Common options:", 0 },
	{},
};
