/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef TC_TAILCALL_H
#define TC_TAILCALL_H

/* Slots of the PROG_ARRAY: the stages a packet can be handed to. */
enum tail_stage {
	STAGE_IPV4,
	STAGE_IPV6,
	STAGE_TCP,
	STAGE_UDP,
	STAGE_ICMP,		/* ICMP and ICMPv6 */
	NR_STAGES,
};

/* Counters: one per program that ran, then how a chain ended early. */
enum tail_stat {
	TS_ETH,			/* the entry program (every packet) */
	TS_IPV4,
	TS_IPV6,
	TS_TCP,
	TS_UDP,
	TS_ICMP,
	TS_OTHER,		/* no stage for it: ARP, other EtherTypes or protocols */
	TS_MALFORMED,		/* a stage found its header cut short or invalid */
	TS_MISSED,		/* bpf_tail_call() fell through: the slot was empty */
	TS_NSTATS,
};

/* skb->cb[] words the stages hand each other (cb survives a tail call). */
#define CB_L3_OFF	0	/* where the IP header starts */
#define CB_L4_OFF	1	/* where the TCP/UDP/ICMP header starts */

#endif
