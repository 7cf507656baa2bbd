/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SK_LOOKUP_H
#define SK_LOOKUP_H

/* Slots of the SOCKMAP: the one socket per protocol that gets the ports. */
enum sk_lookup_slot {
	SLOT_TCP,
	SLOT_UDP,
	SLOT_MAX,
};

enum sk_lookup_stat {
	STAT_STEERED_TCP,	/* lookups answered with the TCP socket */
	STAT_STEERED_UDP,	/* ... with the UDP socket */
	STAT_NOT_IN_SET,	/* port not steered: the kernel's own lookup */
	STAT_NO_SOCKET,		/* steered port, but no socket for the protocol */
	STAT_ASSIGN_FAILED,	/* bpf_sk_assign refused (e.g. an IPv6-only socket for IPv4) */
	STAT_MAX,
};

/* Ports the program steers (host byte order). */
#define SK_LOOKUP_MAX_PORTS 8192

#endif
