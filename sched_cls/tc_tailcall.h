/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef TC_TAILCALL_H
#define TC_TAILCALL_H

/* Slots of the PROG_ARRAY: the stages a packet can be handed to. */
enum tc_tailcall_stage {
	TC_TAILCALL_STAGE_IPV4,
	TC_TAILCALL_STAGE_IPV6,
	TC_TAILCALL_STAGE_TCP,
	TC_TAILCALL_STAGE_UDP,
	TC_TAILCALL_STAGE_ICMP,	/* ICMP and ICMPv6 */
	TC_TAILCALL_NSTAGES,
};

/* Counters: one per program that ran, then how a chain ended early. */
enum tc_tailcall_stat {
	TC_TAILCALL_STAT_ETH,		/* the entry program (every packet) */
	TC_TAILCALL_STAT_IPV4,
	TC_TAILCALL_STAT_IPV6,
	TC_TAILCALL_STAT_TCP,
	TC_TAILCALL_STAT_UDP,
	TC_TAILCALL_STAT_ICMP,
	TC_TAILCALL_STAT_OTHER,		/* no stage for it: ARP, other EtherTypes or protocols */
	TC_TAILCALL_STAT_MALFORMED,	/* a stage found its header cut short or invalid */
	TC_TAILCALL_STAT_MISSED,	/* bpf_tail_call() fell through: the slot was empty */
	TC_TAILCALL_NSTATS,
};

/* skb->cb[] words the stages hand each other (cb survives a tail call). */
#define TC_TAILCALL_CB_L3_OFF	0	/* where the IP header starts */
#define TC_TAILCALL_CB_L4_OFF	1	/* where the TCP/UDP/ICMP header starts */

#endif
