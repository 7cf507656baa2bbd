/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The Segment Routing Header, as lwt_seg6local and lwt_seg6_encap both use it. */
#ifndef SEG6_H
#define SEG6_H

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

#endif
