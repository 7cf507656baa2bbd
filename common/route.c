// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/lwtunnel.h>
#include <linux/rtnetlink.h>
#include "common.h"
#include "route.h"

bool route_parse_addr(int family, const char *arg, void *buf)
{
	return inet_pton(family, arg, buf) == 1;
}

void route_parse_prefix(struct route *r, const char *arg, const char *what,
			int want_family)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(arg, '/');
	size_t alen = slash ? (size_t)(slash - arg) : strlen(arg);
	unsigned int max, i;

	memset(r, 0, sizeof(*r));
	r->table = RT_TABLE_MAIN;
	if (alen == 0 || alen >= sizeof(addr))
		usage_error("%s: not a prefix: %s", what, quote_arg(arg));
	memcpy(addr, arg, alen);
	addr[alen] = 0;
	if (route_parse_addr(AF_INET6, addr, r->dst))
		r->family = AF_INET6;
	else if (route_parse_addr(AF_INET, addr, r->dst))
		r->family = AF_INET;
	else if (want_family == AF_INET6)
		usage_error("%s: not an IPv6 address: %s", what, quote_arg(arg));
	else
		usage_error("%s: not a prefix: %s", what, quote_arg(arg));
	if (want_family == AF_INET6 && r->family != AF_INET6)
		usage_error("%s: not an IPv6 address: %s", what, quote_arg(arg));

	max = r->family == AF_INET ? 32 : 128;
	r->prefixlen = slash ? (unsigned int)parse_long(slash + 1, "prefix length", 0, max) : max;
	/* The kernel refuses host bits behind the prefix; say it first. */
	for (i = r->prefixlen; i < max; i++)
		if (r->dst[i / 8] & (0x80 >> (i % 8)))
			usage_error("%s: %s has host bits set beyond /%u", what, quote_arg(arg), r->prefixlen);
	inet_ntop(r->family, r->dst, addr, sizeof(addr));
	snprintf(r->text, sizeof(r->text), "%s/%u", addr, r->prefixlen);
}

/* --via GW: an address of the prefix's family. Exits 2 on bad input. */
static void route_parse_via(struct route *r, const char *arg)
{
	if (!route_parse_addr(r->family, arg, r->gw))
		usage_error("via: not an IPv%d address: %s", r->family == AF_INET ? 4 : 6, quote_arg(arg));
	r->has_gw = true;
}

/* --route PREFIX --dev DEV [--via GW] in one go. Exits 2 on bad input. */
static void route_parse_target(struct route *r, const char *prefix, const char *dev,
			const char *via, int want_family)
{
	route_parse_prefix(r, prefix, "route", want_family);
	if (via)
		route_parse_via(r, via);
	r->ifindex = parse_ifindex(dev);
}

const char *route_owner_name(void)
{
	static char name[64];

	if (!name[0])
		snprintf(name, sizeof(name), "%s:%d", prog_name, (int)getpid());
	return name;
}

/*
 * Start RTM_NEWROUTE (flags NLM_F_CREATE | NLM_F_EXCL) or RTM_DELROUTE for
 * r in buf, with protocol RTPROT_CATALOG, dst, table, oif and gateway.
 */
static struct nlmsghdr *route_msg(struct nl *nl, void *buf, int type, const struct route *r)
{
	int flags = type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_EXCL : 0;
	struct nlmsghdr *nlh = nl_msg(nl, buf, type, flags);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	size_t alen = r->family == AF_INET ? 4 : 16;

	rtm->rtm_family = r->family;
	rtm->rtm_dst_len = r->prefixlen;
	rtm->rtm_table = r->table < 256 ? r->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_CATALOG;
	rtm->rtm_scope = r->has_gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (type == RTM_DELROUTE)
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	mnl_attr_put(nlh, RTA_DST, alen, r->dst);
	mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
	if (r->ifindex)
		mnl_attr_put_u32(nlh, RTA_OIF, r->ifindex);
	if (r->has_gw)
		mnl_attr_put(nlh, RTA_GATEWAY, alen, r->gw);
	return nlh;
}

/* Delete our route r; 0 or -errno (nl->err may say why). */
static int route_del(struct nl *nl, const struct route *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	return nl_request(nl, route_msg(nl, buf, RTM_DELROUTE, r));
}

/* What the dump callback looks for, and what it found. */
struct find_ctx {
	const struct route *r;
	route_encap_fn fn;
	void *data;
	bool found;
	struct route match;	/* r with the device and gateway of the route found */
};

static int find_cb(const struct nlmsghdr *nlh, void *data)
{
	struct find_ctx *ctx = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct route *r = ctx->r;
	const struct nlattr *a, *dst = NULL, *encap = NULL, *oif = NULL, *gw = NULL;
	unsigned int table = rtm->rtm_table;

	if (rtm->rtm_family != r->family || rtm->rtm_dst_len != r->prefixlen ||
	    rtm->rtm_protocol != RTPROT_CATALOG)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_DST:
			dst = a;
			break;
		case RTA_TABLE:
			table = mnl_attr_get_u32(a);
			break;
		case RTA_ENCAP:
			encap = a;
			break;
		case RTA_OIF:
			oif = a;
			break;
		case RTA_GATEWAY:
			gw = a;
			break;
		}
	}
	if (table != r->table || !encap ||
	    (r->prefixlen && (!dst || memcmp(mnl_attr_get_payload(dst), r->dst,
					     r->family == AF_INET ? 4 : 16))))
		return MNL_CB_OK;
	ctx->found = true;
	ctx->match = *r;
	ctx->match.ifindex = oif ? (int)mnl_attr_get_u32(oif) : 0;
	ctx->match.has_gw = gw && mnl_attr_get_payload_len(gw) <= sizeof(ctx->match.gw);
	if (ctx->match.has_gw)
		memcpy(ctx->match.gw, mnl_attr_get_payload(gw), mnl_attr_get_payload_len(gw));
	if (ctx->fn)
		ctx->fn(encap, ctx->data);
	return MNL_CB_OK;
}

static int route_find_match(struct nl *nl, const struct route *r, route_encap_fn fn,
			    void *data, struct route *match)
{
	struct find_ctx ctx = { .r = r, .fn = fn, .data = data };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(nl, buf, RTM_GETROUTE, 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	int err;

	rtm->rtm_family = r->family;
	err = nl_dump(nl, nlh, find_cb, &ctx);
	if (!err && ctx.found && match)
		*match = ctx.match;
	return err ? err : ctx.found;
}

int route_find(struct nl *nl, const struct route *r, route_encap_fn fn, void *data)
{
	return route_find_match(nl, r, fn, data, NULL);
}

const struct nlattr *route_nested(const struct nlattr *nest, int type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

struct owner_ctx {
	int prog_nest;
	char name[64];
};

static void owner_cb(const struct nlattr *encap, void *data)
{
	struct owner_ctx *ctx = data;
	const struct nlattr *prog = route_nested(encap, ctx->prog_nest);
	const struct nlattr *name = prog ? route_nested(prog, LWT_BPF_PROG_NAME) : NULL;

	snprintf(ctx->name, sizeof(ctx->name), "%s",
		 name ? (const char *)mnl_attr_get_payload(name) : "");
}

/*
 * Is the owner named "LOADER:PID" still running? Any catalog loader's
 * route counts: one loader must never delete another's live route.
 */
static bool owner_alive(const char *name)
{
	const char *colon = strrchr(name, ':');
	char path[64], comm[32] = "";
	pid_t pid;
	FILE *f;

	if (!colon)
		return false;
	pid = atoi(colon + 1);
	if (pid <= 0 || pid == getpid() || (kill(pid, 0) && errno == ESRCH))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = 0;
	fclose(f);
	comm[strcspn(comm, "\n")] = 0;
	/* comm holds at most 15 characters of the loader's name. */
	return comm[0] && !strncmp(comm, name, strlen(comm));
}

/*
 * Look for a route of ours to r's prefix in r's table. When its owner
 * (the "LOADER:PID" program name in the nested attribute prog_nest of
 * RTA_ENCAP) is gone, delete it and say so; when the owner still runs,
 * return -EBUSY with its name in owner. 0 when nothing (or only a stale
 * route) was there.
 */
static int route_clean_stale(struct nl *nl, const struct route *r, int prog_nest, char *owner,
			     size_t owner_len)
{
	struct owner_ctx ctx = { .prog_nest = prog_nest };
	struct route stale;
	int found;

	/*
	 * Ours by prefix, table and protocol alone: the dead loader may have
	 * named another device or gateway than this run does, and the delete
	 * must name the route's own, or the kernel answers ESRCH.
	 */
	found = route_find_match(nl, r, owner_cb, &ctx, &stale);
	if (found <= 0)
		return found;
	if (owner_alive(ctx.name)) {
		snprintf(owner, owner_len, "%s", ctx.name);
		return -EBUSY;
	}
	warnmsg("removing the stale route %s (program \"%s\") left by a loader that was killed",
		r->text, ctx.name);
	return route_del(nl, &stale);
}

void route_put_lwt_bpf(struct nlmsghdr *nlh, int where, int prog_fd)
{
	struct nlattr *encap, *prog;

	encap = mnl_attr_nest_start(nlh, RTA_ENCAP);
	prog = mnl_attr_nest_start(nlh, where);
	mnl_attr_put_u32(nlh, LWT_BPF_PROG_FD, prog_fd);
	mnl_attr_put_strz(nlh, LWT_BPF_PROG_NAME, route_owner_name());
	mnl_attr_nest_end(nlh, prog);
	mnl_attr_nest_end(nlh, encap);
	mnl_attr_put_u16(nlh, RTA_ENCAP_TYPE, LWTUNNEL_ENCAP_BPF);
}

/*
 * Report a failed route add/delete as one sentence and return the exit
 * code: the kernel's own extack text when it gave one; exit 77 naming
 * feature when the kernel lacks support.
 */
static int route_fail(struct nl *nl, int err, const char *what, const struct route *r,
	      const char *feature)
{
	if (err == -EOPNOTSUPP || err == -ENOTSUPP) {
		errmsg("%s to %s: this kernel does not support it (needs %s)%s%s", what,
		       r->text, feature, nl->err[0] ? "; the kernel says: " : "", nl->err);
		return EXIT_NOFEATURE;
	}
	if (err == -EEXIST)
		return errmsg("%s: a route to %s that is not ours already exists in table %s%.0u (remove it or pick another prefix)",
			      what, r->text, r->table == RT_TABLE_MAIN ? "main" : "",
			      r->table == RT_TABLE_MAIN ? 0 : r->table);
	if (nl->err[0])
		return errmsg("%s to %s: the kernel says: %s", what, r->text, nl->err);
	return fail_step(err, what);
}

int route_install(struct nl *nl, const struct route *r, int prog_nest,
		  route_put_fn put, void *ctx, const char *feature)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	char owner[64] = "";
	int err;

	err = nl_open(nl);
	if (err)
		return fail_step(err, "opening rtnetlink");
	err = route_clean_stale(nl, r, prog_nest, owner, sizeof(owner));
	if (err == -EBUSY)
		return errmsg("route %s is already in use by the running loader %s (LOADER:PID)",
			      r->text, owner);
	if (err)
		return route_fail(nl, err, "removing a stale route", r, feature);
	nlh = route_msg(nl, buf, RTM_NEWROUTE, r);
	put(nlh, ctx);
	err = nl_request(nl, nlh);
	if (err)
		return route_fail(nl, err, "adding the route", r, feature);
	return 0;
}

int route_remove(struct nl *nl, const struct route *r, const char *feature)
{
	int err = route_del(nl, r);

	/* The device may have gone, taking the route with it. */
	if (err && err != -ESRCH && err != -ENOENT && err != -ENODEV)
		return route_fail(nl, err, "removing the route", r, feature);
	return 0;
}

/* --route PREFIX --dev DEV [--via GW] */

struct route_target route_target;

static const struct argp_option route_target_options[] = {
	{ "route", 'r', "PREFIX", 0, "Destination of the route (ADDR/LEN, IPv4 or IPv6)", 0 },
	{ "dev", 'D', "DEV", 0, "Device of the route", 0 },
	{ "via", 'g', "GW", 0, "Gateway of the route", 0 },
	{},
};

static error_t route_target_parse(int key, char *arg, struct argp_state *state)
{
	struct route_target *t = &route_target;

	(void)state;
	switch (key) {
	case 'r':
		t->prefix = arg;
		break;
	case 'D':
		t->dev = arg;
		break;
	case 'g':
		t->via = arg;
		break;
	case ARGP_KEY_SUCCESS:
		/*
		 * argp runs every parser's ARGP_KEY_END before any
		 * ARGP_KEY_SUCCESS: a loader's own check of its required
		 * options comes first, as it did before this child existed.
		 */
		if (!t->prefix || !t->dev)
			usage_error("--route PREFIX and --dev DEV are required");
		route_parse_target(&t->route, t->prefix, t->dev, t->via, t->family);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* --help says IPv6 where the loader takes nothing else. */
static char *route_target_help(int key, const char *text, void *input)
{
	(void)input;
	if (key == 'r' && route_target.family == AF_INET6)
		return strdup("IPv6 destination of the route (ADDR/LEN)");
	return (char *)text;
}

static const struct argp route_target_argp = {
	.options = route_target_options,
	.parser = route_target_parse,
	.help_filter = route_target_help,
};

const struct argp_child route_loader_children[] = {
	{ &route_target_argp, 0, NULL, 0 },
	{ &common_argp, 0, "Common options:", 0 },
	{},
};
