/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rtnetlink through libmnl, for what libbpf has no attach API for (LWT
 * routes, act_bpf actions): build the request with mnl_attr_put*, then
 * nl_request() sends it, waits for the ACK, and turns the kernel's answer
 * (including its extended-ack message) into -errno plus a sentence.
 */
#ifndef CATALOG_NL_H
#define CATALOG_NL_H

#include <libmnl/libmnl.h>

struct nl {
	struct mnl_socket *sock;
	unsigned int seq;
	unsigned int portid;
	char err[256];		/* the kernel's extack text of the last failure, or "" */
};

int nl_open(struct nl *nl);	/* NETLINK_ROUTE, extended ACKs on; -errno */
void nl_close(struct nl *nl);

/* Start a request in buf (MNL_SOCKET_BUFFER_SIZE bytes) with flags | NLM_F_REQUEST | NLM_F_ACK. */
struct nlmsghdr *nl_msg(struct nl *nl, void *buf, int type, int flags);

/* Send and wait for the ACK: 0, or -errno with nl->err set when the kernel said why. */
int nl_request(struct nl *nl, struct nlmsghdr *nlh);

/*
 * Send a dump request and call cb for every answer message (data is
 * passed through). 0 or -errno.
 */
int nl_dump(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

#endif
