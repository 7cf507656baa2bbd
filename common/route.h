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
 * "ADDR/LEN" or a bare ADDR (a host route). want_family 0 takes either;
 * AF_INET6 refuses IPv4 ("not an IPv6 address: ..."). Exits 2 on bad input.
 */
void route_parse_prefix(struct route *r, const char *arg, const char *what,
			int want_family);
/* --via GW: an address of the prefix's family. Exits 2 on bad input. */
void route_parse_via(struct route *r, const char *arg);
/* --route PREFIX --dev DEV [--via GW] in one go. Exits 2 on bad input. */
void route_parse_target(struct route *r, const char *prefix, const char *dev,
			const char *via, int want_family);
/* Parse an address of family into buf; false when it is not one. */
bool route_parse_addr(int family, const char *arg, void *buf);

/* The program name our routes carry: "<prog_name>:<pid>". */
const char *route_owner_name(void);

/*
 * Start RTM_NEWROUTE (flags NLM_F_CREATE | NLM_F_EXCL) or RTM_DELROUTE for
 * r in buf, with protocol RTPROT_CATALOG, dst, table, oif and gateway. The
 * caller adds its RTA_ENCAP / RTA_ENCAP_TYPE and sends it with nl_request.
 */
struct nlmsghdr *route_msg(struct nl *nl, void *buf, int type, const struct route *r);

/*
 * Find our route to r's prefix in r's table (a dump); fn, if given, gets
 * its RTA_ENCAP. 1 found, 0 not, or -errno.
 */
typedef void (*route_encap_fn)(const struct nlattr *encap, void *data);
int route_find(struct nl *nl, const struct route *r, route_encap_fn fn, void *data);
/* The attribute of type `type` inside nest, or NULL. */
const struct nlattr *route_nested(const struct nlattr *nest, int type);

/*
 * Look for a route of ours to r's prefix in r's table. When its owner
 * (the "LOADER:PID" program name in the nested attribute prog_nest of
 * RTA_ENCAP) is gone, delete it and say so; when the owner still runs,
 * return -EBUSY with its name in owner. 0 when nothing (or only a stale
 * route) was there.
 */
int route_clean_stale(struct nl *nl, const struct route *r, int prog_nest, char *owner,
		      size_t owner_len);

/* Delete our route r; 0 or -errno (nl->err may say why). */
int route_del(struct nl *nl, const struct route *r);

/* RTA_ENCAP + RTA_ENCAP_TYPE of `encap bpf in|out|xmit` (where: LWT_BPF_IN...). */
void route_put_lwt_bpf(struct nlmsghdr *nlh, int where, int prog_fd);

/*
 * The whole add: open nl (zeroed by the caller), remove a stale route of
 * ours (or refuse when its owner runs), then add r with the encapsulation
 * put() appends. Returns an exit code, 0 when the route is in place; the
 * error is already reported. nl_close(nl) at the end in any case.
 */
typedef void (*route_put_fn)(struct nlmsghdr *nlh, void *ctx);
int route_install(struct nl *nl, const struct route *r, int prog_nest,
		  route_put_fn put, void *ctx, const char *feature);
/* Delete our route at exit; an exit code (0 also when it is already gone). */
int route_remove(struct nl *nl, const struct route *r, const char *feature);

/*
 * Report a failed route add/delete as one sentence and return the exit
 * code: the kernel's own extack text when it gave one; exit 77 naming
 * feature (e.g. "CONFIG_LWTUNNEL_BPF") when the kernel lacks support.
 */
int route_fail(struct nl *nl, int err, const char *what, const struct route *r,
	       const char *feature);

#endif
