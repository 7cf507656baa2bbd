// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* sched_act: drop a share of ICMP with a tc action (act_bpf), or a classifier where there is none. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_bpf.h>
#include <sys/socket.h>
#include "common.h"
#include "nl.h"
#include "guard.h"
#include "tc.h"
#include "sched_act.h"
#include "sched_act.skel.h"

/* The preference of our u32 filter: fixed, so that exit can delete it. */
#define ACT_FILTER_PREF 0xac7

static int percent = 7;
static bool no_fallback;

static const char doc[] =
"Drop PERCENT of the ICMP packets (default 7) at the tc hook of IFACE with\n"
"a tc action program: a u32 filter that matches everything carries an\n"
"act_bpf action with the program, set up over rtnetlink. On a kernel\n"
"without act_bpf (CONFIG_NET_ACT_BPF) the same program runs as a\n"
"direct-action classifier instead, unless --no-fallback (then exit 77).\n"
"IPv6 neighbour discovery is never dropped.\n"
"\n"
"EXAMPLES:\n"
"  sched_act eth0                 # 7 % of the pings arriving on eth0 are lost\n"
"  sched_act --percent 50 eth0\n"
"  sched_act --no-fallback eth0   # the act_bpf path or nothing\n";

enum { OPT_PERCENT = 0x100, OPT_NO_FALLBACK };

static const struct argp_option options[] = {
	{ "percent", OPT_PERCENT, "P", 0, "Drop P percent of ICMP packets, 0..100 (default 7)", 0 },
	{ "no-fallback", OPT_NO_FALLBACK, NULL, 0,
	  "Without act_bpf, exit (77) instead of running as a classifier", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_PERCENT:
		percent = parse_long(arg, "percent", 0, 100);
		break;
	case OPT_NO_FALLBACK:
		no_fallback = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.args_doc = "IFACE",
	.doc = doc,
	.children = tc_loader_children,
};

/* The act_bpf path: what we created, for the exit and for the guard. */
struct act_path {
	struct tc_hook *h;
	bool filter;		/* our u32 filter exists */
	bool created_qdisc;
	bool uses_qdisc;	/* clsact created or found: tc_clsact_put at the end */
	struct guard guard;
};

static struct nlmsghdr *filter_msg(struct nl *nl, char *buf, int type, int flags,
				   const struct tc_hook *h)
{
	struct nlmsghdr *nlh = nl_msg(nl, buf, type, flags);
	struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));

	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = h->ifindex;
	tcm->tcm_parent = TC_H_MAKE(TC_H_CLSACT, h->egress ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS);
	tcm->tcm_info = TC_H_MAKE(ACT_FILTER_PREF << 16, htons(ETH_P_ALL));
	mnl_attr_put_strz(nlh, TCA_KIND, "u32");
	return nlh;
}

/*
 * tc filter add dev IFACE ingress pref 0xac7 protocol all \
 *	u32 match u32 0 0 action bpf fd PROG_FD
 * as one RTM_NEWTFILTER: the u32 selector with one key that matches every
 * packet, and in its action list (TCA_U32_ACT) action 1 of kind "bpf".
 */
static int add_act_filter(struct nl *nl, const struct tc_hook *h, int prog_fd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct {
		struct tc_u32_sel sel;
		struct tc_u32_key key;
	} sel = { .sel = { .flags = TC_U32_TERMINAL, .nkeys = 1 } };
	struct tc_act_bpf parms = { .action = TC_ACT_PIPE };
	struct nlattr *opts, *acts, *act, *aopts;
	struct nlmsghdr *nlh;

	nlh = filter_msg(nl, buf, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, h);
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_U32_SEL, sizeof(sel), &sel);
	acts = mnl_attr_nest_start(nlh, TCA_U32_ACT);
	act = mnl_attr_nest_start(nlh, 1);		/* the first action of the list */
	mnl_attr_put_strz(nlh, TCA_ACT_KIND, "bpf");
	aopts = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS);
	mnl_attr_put(nlh, TCA_ACT_BPF_PARMS, sizeof(parms), &parms);
	mnl_attr_put_u32(nlh, TCA_ACT_BPF_FD, prog_fd);
	mnl_attr_put_strz(nlh, TCA_ACT_BPF_NAME, "sched_act");
	mnl_attr_nest_end(nlh, aopts);
	mnl_attr_nest_end(nlh, act);
	mnl_attr_nest_end(nlh, acts);
	mnl_attr_nest_end(nlh, opts);
	if (env.verbose) {
		fprintf(stderr, "%s: RTM_NEWTFILTER (u32 + act_bpf), %u bytes:\n", prog_name, nlh->nlmsg_len);
		mnl_nlmsg_fprintf(stderr, nlh, nlh->nlmsg_len, sizeof(struct tcmsg));
	}
	return nl_request(nl, nlh);
}

static void act_cleanup(void *ctx)
{
	struct act_path *a = ctx;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nl nl;

	if (a->filter && !nl_open(&nl)) {
		nl_request(&nl, filter_msg(&nl, buf, RTM_DELTFILTER, 0, a->h));
		nl_close(&nl);
	}
	a->filter = false;
	if (a->uses_qdisc)
		tc_clsact_put(a->h->ifindex, a->h->ifname, a->created_qdisc);
	a->uses_qdisc = a->created_qdisc = false;
}

/*
 * Try the act_bpf path. Returns 0 (attached), an exit code, or -1 when
 * the kernel has no act_bpf; *why then holds its answer.
 */
static int act_attach(struct act_path *a, int prog_fd, char *why, size_t len)
{
	struct nl nl;
	int err;

	err = tc_clsact_create(a->h->ifindex);
	if (err && err != -EEXIST)
		return fail_step(err, "creating the clsact qdisc");
	a->created_qdisc = !err;
	a->uses_qdisc = true;

	err = nl_open(&nl);
	if (err) {
		act_cleanup(a);
		return fail_step(err, "opening rtnetlink");
	}
	err = add_act_filter(&nl, a->h, prog_fd);
	if (env.verbose)
		fprintf(stderr, "%s: the kernel answered: %s%s%s\n", prog_name,
			err ? strerror(-err) : "OK", nl.err[0] ? ": " : "", nl.err);
	snprintf(why, len, "%s", nl.err[0] ? nl.err : strerror(-err));
	nl_close(&nl);
	if (err) {
		act_cleanup(a);
		/* Without the module the kernel cannot even look the kind up. */
		if (err == -ENOENT || err == -EOPNOTSUPP || err == -ENOTSUPP)
			return -1;
		if (err == -EEXIST)
			return errmsg("a filter with preference 0x%x is already on %s %s",
				      ACT_FILTER_PREF, a->h->ifname, tc_dir_name(a->h));
		return fail_step(err, "adding the u32 filter with the act_bpf action");
	}
	a->filter = true;
	/* A tc action has no BPF link: a guard removes it if we are killed. */
	err = guard_start(&a->guard, act_cleanup, a);
	if (err) {
		act_cleanup(a);
		return fail_step(err, "starting the cleanup guard");
	}
	return 0;
}

static void print_stats(void *ctx, bool final)
{
	struct sched_act_bpf *skel = *(struct sched_act_bpf **)ctx;
	struct sched_act_count s = {};

	percpu_sum(bpf_map__fd(skel->maps.stats), &(__u32){ 0 }, (uint64_t *)&s, 3);
	printf("%spackets %llu, icmp %llu, dropped %llu\n", final ? "total " : "",
	       s.seen, s.icmp, s.dropped);
}

static struct sched_act_bpf *open_skel(void)
{
	struct sched_act_bpf *skel = sched_act_bpf__open();

	if (skel)
		skel->rodata->threshold = ((__u64)percent << 32) / 100;
	return skel;
}

int main(int argc, char **argv)
{
	struct act_path a = { .h = &tc_target };
	struct sched_act_bpf *skel;
	char why[256], how[320];
	int err;

	common_init(&argp, argc, argv);
	require_root();

	/* First as what it is: a SCHED_ACT program for act_bpf. */
	skel = open_skel();
	if (!skel)
		return fail_step(errno, "opening the BPF object");
	err = sched_act_bpf__load(skel);
	if (err) {
		err = fail_step(err, "loading the BPF program");
		goto out;
	}
	err = act_attach(&a, bpf_program__fd(skel->progs.sched_act), why, sizeof(why));
	if (err > 0)
		goto out;
	if (!err) {
		snprintf(how, sizeof(how), "act_bpf action in u32 filter pref 0x%x on a%s clsact qdisc",
			 ACT_FILTER_PREF, a.created_qdisc ? " new" : "n existing");
	} else {
		if (no_fallback) {
			errmsg("this kernel has no act_bpf tc action (CONFIG_NET_ACT_BPF is not set or its module is missing; it said: %s): use a kernel with CONFIG_NET_ACT_BPF, or drop --no-fallback to run as a classifier",
			       why);
			err = EXIT_NOFEATURE;
			goto out;
		}
		warnmsg("this kernel has no act_bpf tc action (CONFIG_NET_ACT_BPF is not set or its module is missing; it said: %s): running the program as a direct-action classifier instead",
			why);
		/* The type is fixed at load: load it again, as SCHED_CLS. */
		sched_act_bpf__destroy(skel);
		skel = open_skel();
		if (!skel)
			return fail_step(errno, "opening the BPF object");
		tc_hook_prepare(&tc_target, skel->progs.sched_act);
		err = sched_act_bpf__load(skel);
		if (err) {
			err = fail_step(err, "loading the BPF program as a classifier");
			goto out;
		}
		err = tc_hook_attach(&tc_target, skel->progs.sched_act);
		if (err)
			goto out;
		snprintf(how, sizeof(how), "a direct-action classifier (%s), act_bpf fallback",
			 tc_hook_describe(&tc_target, why, sizeof(why)));
	}

	printf("sched_act: dropping %d%% of ICMP on %s %s (ifindex %d) via %s; Ctrl-C to stop\n",
	       percent, tc_target.ifname, tc_dir_name(&tc_target), tc_target.ifindex, how);
	err = run_loop(print_stats, NULL, &skel, 0);
out:
	act_cleanup(&a);
	guard_stop(&a.guard);
	tc_hook_detach(&tc_target);
	sched_act_bpf__destroy(skel);
	return err;
}
