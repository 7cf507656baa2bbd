/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SK_REUSEPORT_H
#define SK_REUSEPORT_H

#define SK_REUSEPORT_MAX_WORKERS	32
#define SK_REUSEPORT_MAX_ADDRS	8
/* A group is one address and one protocol; its workers are slots base..base+N-1. */
#define SK_REUSEPORT_MAX_SLOTS	(SK_REUSEPORT_MAX_ADDRS * 2 * SK_REUSEPORT_MAX_WORKERS)

enum sk_reuseport_policy {
	SK_REUSEPORT_POLICY_HASH,	/* the kernel's hash of the 4-tuple */
	SK_REUSEPORT_POLICY_KEY,	/* UDP: a number starting the payload; TCP: source port */
	SK_REUSEPORT_POLICY_CPU,	/* the CPU that received the packet */
};

/* Which reuseport group: the address the workers bound, and the protocol. */
struct sk_reuseport_group_key {
	__u32 protocol;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u32 addr[4];		/* IPv6, IPv4 as ::ffff:a.b.c.d, :: for any */
};

enum sk_reuseport_stat {
	SK_REUSEPORT_STAT_MIGRATED,		/* a pending connection of a closed worker moved */
	SK_REUSEPORT_STAT_MIGRATE_REFUSED,	/* ... or was refused (--no-migrate): reset */
	SK_REUSEPORT_STAT_NO_GROUP,		/* a group we do not know: the kernel's choice */
	SK_REUSEPORT_STAT_NO_WORKER,		/* every worker of the group is gone */
	SK_REUSEPORT_NSTATS,
};

#endif
