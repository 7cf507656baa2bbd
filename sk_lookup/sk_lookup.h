/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SK_LOOKUP_H
#define SK_LOOKUP_H

/* Slots of the SOCKMAP: the one socket per protocol that gets the ports. */
enum sk_lookup_slot {
	SK_LOOKUP_SLOT_TCP,
	SK_LOOKUP_SLOT_UDP,
	SK_LOOKUP_NSLOTS,
};

enum sk_lookup_stat {
	SK_LOOKUP_STAT_STEERED_TCP,	/* lookups answered with the TCP socket */
	SK_LOOKUP_STAT_STEERED_UDP,	/* ... with the UDP socket */
	SK_LOOKUP_STAT_NOT_IN_SET,	/* port not steered: the kernel's own lookup */
	SK_LOOKUP_STAT_NO_SOCKET,	/* steered port, but no socket for the protocol */
	SK_LOOKUP_STAT_ASSIGN_FAILED,	/* bpf_sk_assign refused (an IPv6-only socket for IPv4) */
	SK_LOOKUP_NSTATS,
};

/* Ports the program steers (host byte order). */
#define SK_LOOKUP_MAX_PORTS 8192

#endif
