/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SK_MSG_H
#define SK_MSG_H

#define SKMSG_MAX_SOCKS	65536
#define SKMSG_MAX_PORTS	64

/*
 * A socket's key in the sockhash: its own view of the connection.
 * Addresses are IPv6, IPv4 ones written as ::ffff:a.b.c.d, so an IPv4
 * client and a dual-stack server that sees it as mapped IPv6 agree.
 * Ports in host order.
 */
struct skmsg_key {
	__u32 laddr[4];
	__u32 raddr[4];
	__u16 lport;
	__u16 rport;
};

/* What the port map says about a port. */
enum skmsg_action {
	SKMSG_REDIRECT = 1,
	SKMSG_DROP = 2,
};

enum skmsg_stat {
	SKMSG_REDIRECTED,	/* messages put straight into the peer's receive queue */
	SKMSG_DROPPED,		/* messages refused on a drop port */
	SKMSG_NO_PEER,		/* messages whose peer is not in the sockhash: sent by TCP */
	SKMSG_ADDED,		/* sockets the sockops program put in the map */
	SKMSG_NSTATS,
};

struct skmsg_count {
	__u64 msgs;
	__u64 bytes;
};

#endif
