/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SK_MSG_H
#define SK_MSG_H

#define SK_MSG_MAX_SOCKS	65536
#define SK_MSG_MAX_PORTS	64

/*
 * A socket's key in the sockhash: its own view of the connection.
 * Addresses are IPv6, IPv4 ones written as ::ffff:a.b.c.d, so an IPv4
 * client and a dual-stack server that sees it as mapped IPv6 agree.
 * Ports in host order.
 */
struct sk_msg_key {
	__u32 laddr[4];
	__u32 raddr[4];
	__u16 lport;
	__u16 rport;
};

/* What the port map says about a port. */
enum sk_msg_action {
	SK_MSG_ACTION_REDIRECT = 1,
	SK_MSG_ACTION_DROP = 2,
};

enum sk_msg_stat {
	SK_MSG_STAT_REDIRECTED,	/* messages put straight into the peer's receive queue */
	SK_MSG_STAT_DROPPED,	/* messages refused on a drop port */
	SK_MSG_STAT_NO_PEER,	/* messages whose peer is not in the sockhash: sent by TCP */
	SK_MSG_STAT_ADDED,	/* sockets the sockops program put in the map */
	SK_MSG_NSTATS,
};

struct sk_msg_count {
	__u64 msgs;
	__u64 bytes;
};

#endif
