// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The tcpdump filter `ip and tcp` as an eBPF socket filter. tcpdump -d
 * shows what libpcap compiles it to for Ethernet:
 *
 *	ldh [12]; jeq #0x800; ldb [23]; jeq #0x6; ret #262144; ret #0
 *
 * EtherType IPv4 and IP protocol 6, nothing else: a later fragment of a
 * TCP packet matches too, and so does an IPv4 header too short to be
 * valid, exactly as in tcpdump. A socket filter returns how many bytes of
 * the packet the socket gets: 0 drops it, skb->len keeps all of it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "net.bpf.h"
#include "socket_filter.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct socket_filter_count);
} stats SEC(".maps");

SEC("socket")
int socket_filter(struct __sk_buff *skb)
{
	struct socket_filter_count *st = bpf_map_lookup_elem(&stats, &(__u32){ 0 });
	__u8 hdr[24];		/* Ethernet header + IPv4 header up to the protocol */

	if (st)
		st->seen++;
	/*
	 * Socket filters have no direct packet access. Load relative to
	 * the MAC header: on an AF_PACKET socket skb->data is there too,
	 * but BPF_PROG_TEST_RUN hands a socket filter the packet from the
	 * network header on, and this way both see the same bytes. A packet
	 * shorter than 24 bytes fails the load and is dropped, like a
	 * classic BPF load out of bounds.
	 */
	if (bpf_skb_load_bytes_relative(skb, 0, hdr, sizeof(hdr), BPF_HDR_START_MAC))
		return 0;
	if (hdr[12] != (ETH_P_IP >> 8) || hdr[13] != (ETH_P_IP & 0xff) ||
	    hdr[14 + 9] != IPPROTO_TCP)
		return 0;
	if (st)
		st->kept++;
	return skb->len;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
