/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Attaching a program to the tc hook of an interface, for sched_cls and
 * sched_act:
 *
 *   - tcx (Linux 6.6): a BPF link, bpf_program__attach_tcx(). Nothing to
 *     clean up; the link goes away with the process, even after SIGKILL.
 *   - legacy: the clsact qdisc plus a direct-action cls_bpf filter, through
 *     bpf_tc_hook_create()/bpf_tc_attach(). The loader removes its filter on
 *     exit, and the qdisc only if it created it and no other filter uses
 *     it. A guard process (guard.h) does the same if the loader is killed.
 *
 *	struct tc_hook h = { ... from tc_target ... };
 *	tc_hook_prepare(&h, prog);	// before load: picks the path
 *	skel__load(skel);
 *	tc_hook_attach(&h, prog);	// after load
 *	...
 *	tc_hook_detach(&h);
 */
#ifndef CATALOG_TC_H
#define CATALOG_TC_H

#include <argp.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <bpf/libbpf.h>
#include "guard.h"

enum tc_path {
	TC_PATH_TCX,		/* BPF link (6.6+) */
	TC_PATH_LEGACY,		/* clsact qdisc + cls_bpf direct-action filter */
};

struct tc_hook {
	/* Input. */
	int ifindex;
	const char *ifname;
	bool egress;
	bool force_legacy;	/* --legacy-tc */
	/* State. */
	enum tc_path path;
	const char *why_legacy;	/* why the legacy path was taken */
	struct bpf_link *link;	/* tcx */
	__u32 handle, priority;	/* legacy: our cls_bpf filter */
	bool attached;
	bool created_qdisc;	/* legacy: the clsact qdisc is ours */
	bool uses_qdisc;	/* legacy: a clsact qdisc (ours or not) holds our filter */
	struct guard guard;	/* legacy: removes the filter if we are killed */
};

/*
 * The target of a tc example: IFACE, --ingress (default) / --egress and
 * --legacy-tc. A loader sets .children = tc_loader_children (this, then
 * common_argp); after common_init, tc_target holds the resolved interface.
 */
extern struct tc_hook tc_target;
extern const struct argp_child tc_loader_children[];

/* "ingress" or "egress". */
const char *tc_dir_name(const struct tc_hook *h);

/*
 * Before load: pick the path (tcx unless force_legacy or the kernel lacks
 * it) and make prog a SCHED_CLS program with the matching expected attach
 * type. A SEC("action") program run this way becomes a classifier.
 */
void tc_hook_prepare(struct tc_hook *h, struct bpf_program *prog);

/* After load: attach. Returns an exit code; prints the reason on failure. */
int tc_hook_attach(struct tc_hook *h, struct bpf_program *prog);

/* Remove exactly what tc_hook_attach created. Safe to call twice. */
void tc_hook_detach(struct tc_hook *h);

/* One phrase for the banner: "tcx link", "clsact + cls_bpf filter ...". */
const char *tc_hook_describe(const struct tc_hook *h, char *buf, size_t len);

/*
 * The clsact qdisc over rtnetlink (libmnl), for the act_bpf path:
 * tc_clsact_create() makes one on ifindex (0, or -EEXIST when the
 * interface has one already). tc_clsact_put() is what every user of a
 * clsact qdisc calls when it is done: it removes the qdisc when no filter
 * is left on it and a loader of this catalog created it (created, or the
 * creator's marker under /run/ebpf-catalog), so the last user of a shared
 * qdisc removes it, and a qdisc someone else made stays.
 */
int tc_clsact_create(int ifindex);
void tc_clsact_put(int ifindex, const char *ifname, bool created);

#endif
