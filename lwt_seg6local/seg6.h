/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Types shared by lwt_seg6local and lwt_seg6_encap and their loaders. */
#ifndef LWT_SEG6_H
#define LWT_SEG6_H

#define SEG6_MAX_SEGS 8

/* The fixed part of a Segment Routing Header (RFC 8754), 8 bytes. */
struct srh_fixed {
	__u8 nexthdr;
	__u8 hdrlen;		/* in 8-byte units, not counting the first 8 */
	__u8 type;		/* 4 */
	__u8 segments_left;
	__u8 last_entry;	/* index of the last segment in the list */
	__u8 flags;
	__be16 tag;
};

struct seg6_count {
	__u64 packets;
	__u64 bytes;
};

/* End.BPF verdicts. */
enum {
	END_BPF_OK,		/* checked, tagged, handed to End/End.X/End.T */
	END_BPF_BAD,		/* SRH refused by the program: dropped */
	END_BPF_NSTATS,
};

/* What End.BPF does after its checks (the kernel's behaviour it asks for). */
enum {
	END_BPF_ACTION_END,
	END_BPF_ACTION_END_X,
	END_BPF_ACTION_END_T,
};

/* lwt_seg6_encap's segment list, in the order the SRH stores it: [0] is the last. */
struct seg6_segs {
	__u32 nsegs;
	__u32 pad;
	__u8 segs[SEG6_MAX_SEGS][16];
};

/* lwt_seg6_encap's counters. */
enum {
	ENCAP_PUSHED,		/* SRH pushed, packet re-routed */
	ENCAP_FAILED,		/* the helper refused: dropped */
	ENCAP_SKIPPED,		/* not IPv6: passed on unchanged */
	ENCAP_NSTATS,
};

#endif
