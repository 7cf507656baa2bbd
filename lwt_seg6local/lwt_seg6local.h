/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LWT_SEG6LOCAL_H
#define LWT_SEG6LOCAL_H

#include "seg6.h"

/* End.BPF verdicts. */
enum lwt_seg6local_stat {
	LWT_SEG6LOCAL_STAT_OK,	/* checked, tagged, handed to End/End.X/End.T */
	LWT_SEG6LOCAL_STAT_BAD,	/* SRH refused by the program: dropped */
	LWT_SEG6LOCAL_NSTATS,
};

struct lwt_seg6local_count {
	__u64 packets;
	__u64 bytes;
};

/* What End.BPF does after its checks (the kernel's behaviour it asks for). */
enum lwt_seg6local_action {
	LWT_SEG6LOCAL_ACTION_END,
	LWT_SEG6LOCAL_ACTION_END_X,
	LWT_SEG6LOCAL_ACTION_END_T,
};

#endif
