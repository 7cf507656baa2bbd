/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SK_REUSEPORT_H
#define SK_REUSEPORT_H

#define RP_MAX_WORKERS	32
#define RP_MAX_ADDRS	8
/* A group is one address and one protocol; its workers are slots base..base+N-1. */
#define RP_MAX_SLOTS	(RP_MAX_ADDRS * 2 * RP_MAX_WORKERS)

enum rp_policy {
	RP_POLICY_HASH,		/* the kernel's hash of the 4-tuple */
	RP_POLICY_KEY,		/* UDP: a number at the start of the payload; TCP: source port */
	RP_POLICY_CPU,		/* the CPU that received the packet */
};

/* Which reuseport group: the address the workers bound, and the protocol. */
struct rp_group_key {
	__u32 protocol;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u32 addr[4];		/* IPv6, IPv4 as ::ffff:a.b.c.d, :: for any */
};

enum rp_event {
	RP_MIGRATED,		/* a pending connection of a closed worker moved */
	RP_MIGRATE_REFUSED,	/* ... or was refused (--no-migrate): reset */
	RP_NO_GROUP,		/* socket of a group we do not know: kernel's choice */
	RP_NO_WORKER,		/* every worker of the group is gone */
	RP_NEVENTS,
};

#endif
