/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LWT_SEG6_ENCAP_H
#define LWT_SEG6_ENCAP_H

#include "seg6.h"

/* The segment list, in the order the SRH stores it: [0] is the last. */
struct lwt_seg6_encap_segs {
	__u32 nsegs;
	__u32 pad;
	__u8 segs[SEG6_MAX_SEGS][16];
};

enum lwt_seg6_encap_stat {
	LWT_SEG6_ENCAP_STAT_PUSHED,	/* SRH pushed, packet re-routed */
	LWT_SEG6_ENCAP_STAT_FAILED,	/* the helper refused: dropped */
	LWT_SEG6_ENCAP_STAT_SKIPPED,	/* not IPv6: passed on unchanged */
	LWT_SEG6_ENCAP_NSTATS,
};

struct lwt_seg6_encap_count {
	__u64 packets;
	__u64 bytes;
};

#endif
