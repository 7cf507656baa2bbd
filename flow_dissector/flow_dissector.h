/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef FLOW_DISSECTOR_H
#define FLOW_DISSECTOR_H

/* IP protocol number of OSPF (RFC 2328, and RFC 5340 for OSPFv3). */
#define IPPROTO_OSPF 89

enum fd_stat {
	FD_IPV4,	/* dissected by us ... */
	FD_IPV6,
	FD_TCP,
	FD_UDP,
	FD_OSPF,
	FD_FRAG,	/* ... of which fragments (first or later) */
	FD_CONTINUE,	/* handed to the kernel's own dissector */
	FD_DROP,	/* truncated or malformed: BPF_DROP */
	FD_NSTATS,
};

/* OSPF router and area IDs are 32 bits; the ports they go into, 16. */
#define OSPF_FOLD(id) ((__u16)((id) >> 16) ^ (__u16)(id))

#endif
