/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Routes that carry a BPF program (LWT encap bpf, seg6local End.BPF).
 * A route has no BPF link: the loader adds it over rtnetlink and must
 * delete exactly that route again. Our routes are tagged twice so that
 * this works even after a SIGKILL:
 *   - rtm_protocol RTPROT_CATALOG ("proto 235" in `ip route`), which also
 *     makes the delete match our route and nobody else's;
 *   - the program name stored in the route, "<loader>:<pid>", which tells
 *     the next start whether the owner is still alive.
 */
#ifndef CATALOG_ROUTE_H
#define CATALOG_ROUTE_H

#include <argp.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "nl.h"

#define RTPROT_CATALOG 235	/* 0xeb: "eBPF", unassigned in iproute2's rt_protos */

struct route {
	int family;			/* AF_INET or AF_INET6 */
	unsigned char dst[16];
	unsigned int prefixlen;
	unsigned int table;		/* RT_TABLE_MAIN unless set */
	int ifindex;
	bool has_gw;
	unsigned char gw[16];
	char text[64];			/* "198.51.100.1/32", for messages */
};

/*
 * --route PREFIX --dev DEV [--via GW], the target of a route example. A
 * loader sets .children = route_loader_children (this, then common_argp),
 * and route_target.family = AF_INET6 before common_init if it takes IPv6
 * only. After common_init, route_target.route is the parsed route; a
 * loader with required options of its own checks route_target.prefix and
 * .dev together with them in its ARGP_KEY_END (this child parses after).
 */
struct route_target {
	const char *prefix, *dev, *via;
	int family;			/* 0: IPv4 or IPv6 */
	struct route route;
};
extern struct route_target route_target;
extern const struct argp_child route_loader_children[];

/*
 * "ADDR/LEN" or a bare ADDR (a host route). want_family 0 takes either;
 * AF_INET6 refuses IPv4 ("not an IPv6 address: ..."). Exits 2 on bad input.
 */
void route_parse_prefix(struct route *r, const char *arg, const char *what,
			int want_family);
/* Parse an address of family into buf; false when it is not one. */
bool route_parse_addr(int family, const char *arg, void *buf);

/* The program name our routes carry: "<prog_name>:<pid>". */
const char *route_owner_name(void);

/*
 * Find our route to r's prefix in r's table (a dump); fn, if given, gets
 * its RTA_ENCAP. 1 found, 0 not, or -errno.
 */
typedef void (*route_encap_fn)(const struct nlattr *encap, void *data);
int route_find(struct nl *nl, const struct route *r, route_encap_fn fn, void *data);
/* The attribute of type `type` inside nest, or NULL. */
const struct nlattr *route_nested(const struct nlattr *nest, int type);

/* RTA_ENCAP + RTA_ENCAP_TYPE of `encap bpf in|out|xmit` (where: LWT_BPF_IN...). */
void route_put_lwt_bpf(struct nlmsghdr *nlh, int where, int prog_fd);

/*
 * The whole add: open nl (zeroed by the caller), remove a stale route of
 * ours (or refuse when its owner runs), then add r with the encapsulation
 * put() appends (RTA_ENCAP, RTA_ENCAP_TYPE) to a request that already
 * carries protocol RTPROT_CATALOG, dst, table, oif and gateway. Returns
 * an exit code, 0 when the route is in place; the error is already
 * reported, as the kernel's own extack text when it gave one, and as exit
 * 77 naming `feature` (e.g. "CONFIG_LWTUNNEL_BPF") when the kernel lacks
 * support. The caller calls nl_close(nl) at the end in any case.
 */
typedef void (*route_put_fn)(struct nlmsghdr *nlh, void *ctx);
int route_install(struct nl *nl, const struct route *r, int prog_nest,
		  route_put_fn put, void *ctx, const char *feature);
/* Delete our route at exit; an exit code (0 also when it is already gone). */
int route_remove(struct nl *nl, const struct route *r, const char *feature);

#endif
