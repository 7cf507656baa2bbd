/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef FLOW_DISSECTOR_H
#define FLOW_DISSECTOR_H

/* IP protocol number of OSPF (RFC 2328, and RFC 5340 for OSPFv3). */
#define FLOW_DISSECTOR_PROTO_OSPF 89

enum flow_dissector_stat {
	FLOW_DISSECTOR_STAT_IPV4,	/* dissected by us ... */
	FLOW_DISSECTOR_STAT_IPV6,
	FLOW_DISSECTOR_STAT_TCP,
	FLOW_DISSECTOR_STAT_UDP,
	FLOW_DISSECTOR_STAT_OSPF,
	FLOW_DISSECTOR_STAT_FRAG,	/* ... of which fragments (first or later) */
	FLOW_DISSECTOR_STAT_CONTINUE,	/* handed to the kernel's own dissector */
	FLOW_DISSECTOR_STAT_DROP,	/* truncated or malformed: BPF_DROP */
	FLOW_DISSECTOR_NSTATS,
};

/* OSPF router and area IDs are 32 bits; the ports they go into, 16. */
#define FLOW_DISSECTOR_OSPF_FOLD(id) ((__u16)((id) >> 16) ^ (__u16)(id))

#endif
