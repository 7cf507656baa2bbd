/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * XDP attach through a BPF link, so SIGKILL leaves nothing behind, and the
 * target of an XDP example: IFACE plus --mode and --force.
 *
 *	static const struct argp argp = { options, parse, "IFACE", doc,
 *					  xdp_loader_children };
 *	common_init(&argp, argc, argv);	// xdp_target holds the interface
 *	xdp_attach(prog, xdp_target.ifindex, xdp_target.ifname,
 *		   xdp_target.mode, xdp_target.force, &link_fd, &mode_name);
 */
#ifndef CATALOG_XDP_H
#define CATALOG_XDP_H

#include <argp.h>
#include <stdbool.h>
#include <bpf/libbpf.h>

enum xdp_mode { XDP_MODE_AUTO, XDP_MODE_SKB, XDP_MODE_NATIVE };
int parse_xdp_mode(const char *arg);	/* "skb" | "native"; exit 2 otherwise */

/*
 * Attach prog to ifindex. Refuses with a sentence when a program is
 * already there, unless force, which replaces a netlink-attached one (a
 * program held by another process's link cannot be replaced).
 * On success *link_fd is the link (close it to detach) and *mode_name
 * says which mode the kernel chose. Returns an exit code.
 */
int xdp_attach(struct bpf_program *prog, int ifindex, const char *ifname,
	       enum xdp_mode mode, bool force, int *link_fd,
	       const char **mode_name);

/*
 * A loader sets .children = xdp_loader_children (the target, then
 * common_argp); after common_init, xdp_target holds the resolved interface.
 */
struct xdp_target {
	const char *ifname;
	int ifindex;
	enum xdp_mode mode;
	bool force;
};
extern struct xdp_target xdp_target;
extern const struct argp_child xdp_loader_children[];

#endif
