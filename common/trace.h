/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --trace: one line per packet that says which verdict it got.
 *
 *	trace: drop icmp 192.0.2.2 > 192.0.2.1 echo-request len 98
 *	trace: pass tcp [2001:db8:1::2]:40000 > [2001:db8:1::1]:8080 len 94
 *
 * The BPF side (trace.bpf.h) writes a struct trace_pkt per packet into a
 * BPF ring buffer, at most trace_rate a second, and counts the packets it
 * did not show; this side (trace.c) reads the ring buffer, prints the
 * lines, and says how many packets were not shown.
 *
 * A loader adds trace_argp to its argp children and then:
 *
 *	prog = trace_pick(skel->obj, skel->progs.prog, skel->progs.prog_trace);
 *	skel->rodata->trace_rate = trace_opts.rate;
 *	skel__load(skel);
 *	trace_start(skel->obj);			// after load
 *	... attach prog ...
 *	run_loop(print_stats, trace_wait, ctx, 0);	// print_stats calls trace_report()
 *	trace_stop();
 *
 * This header is read by both sides: the event layout first, then the
 * user-space functions.
 */
#ifndef CATALOG_TRACE_H
#define CATALOG_TRACE_H

#ifndef __bpf__
#include <argp.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#endif

#define TRACE_DEFAULT_RATE	20	/* lines a second */
#define TRACE_MAX_RATE		100000

/* How to name the verdict: the return codes of XDP and of tc differ. */
enum trace_hook {
	TRACE_HOOK_XDP,
	TRACE_HOOK_TC,
};

enum trace_flag {
	TRACE_F_SHORT = 1,	/* a header is cut short or invalid */
	TRACE_F_FRAG = 2,	/* a later fragment: no L4 header in it */
};

struct trace_pkt {
	__u32 len;		/* bytes the program saw (the whole frame) */
	__s32 verdict;		/* the program's return code */
	__u16 eth_proto;	/* EtherType (behind VLAN tags), host order; 0: cut short */
	__u16 sport, dport;	/* TCP/UDP, host order */
	__u8 hook;		/* enum trace_hook */
	__u8 family;		/* 4 or 6 when the IP header was read, else 0 */
	__u8 proto;		/* L4 protocol (IPv4/IPv6) */
	__u8 type, code;	/* ICMP/ICMPv6 type and code; ARP: opcode in type */
	__u8 flags;		/* enum trace_flag */
	__u8 mac[6];		/* ARP: the sender's hardware address */
	__u8 saddr[16];		/* IPv4 (and ARP): the first 4 bytes */
	__u8 daddr[16];
};

/* Slots of the trace_counts map (per-CPU __u64). */
enum trace_count {
	TRACE_SHOWN,		/* events written to the ring buffer */
	TRACE_MISSED,		/* over the rate, or the ring buffer was full */
	TRACE_NCOUNTS,
};

#ifndef __bpf__
struct bpf_object;

/* --trace, --trace-rate N: an argp child; the values land in trace_opts. */
struct trace_opts {
	bool on;
	unsigned int rate;	/* lines a second */
};
extern struct trace_opts trace_opts;
extern const struct argp trace_argp;

/*
 * Before load: the program to attach, `traced` with --trace, else `plain`.
 * The other one is not loaded, and without --trace neither are the
 * trace maps.
 */
struct bpf_program *trace_pick(struct bpf_object *obj, struct bpf_program *plain,
			       struct bpf_program *traced);

/*
 * After load: open the object's ring buffer (map "trace_rb"). Does
 * nothing when tracing is off. Returns an exit code.
 */
int trace_start(struct bpf_object *obj);

/* A wait_fn for run_loop(): reads trace events, or just sleeps when off. */
int trace_wait(void *ctx, int timeout_ms);

/*
 * For the stats tick: "trace: N more packets not shown" when the rate
 * limit hid some since the last call; with final, first read what is
 * left in the ring buffer, then one summary line.
 */
void trace_report(bool final);

void trace_stop(void);

/* The line of one event, without "trace: " and the newline. */
void trace_format(const struct trace_pkt *e, char *buf, size_t len);

#endif /* !__bpf__ */
#endif
