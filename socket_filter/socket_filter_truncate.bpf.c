// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Trim what a socket receives to `keep` bytes of payload per packet.
 *
 * On a UDP or TCP socket the filter runs when the stack is about to queue
 * the packet, with skb->data at the transport header; the return value is
 * the length the stack keeps, which it never lets fall below the header
 * (sk_filter_trim_cap). UDP: the datagram is read short, the rest is gone.
 * TCP: the segment is acknowledged only up to the cut, so the sender
 * sends the rest again later, and it is cut again: the data still arrives
 * whole, `keep` bytes per retransmission.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "net.bpf.h"
#include "socket_filter_truncate.h"

const volatile __u32 keep = 5;		/* payload bytes to keep */
const volatile bool tcp;		/* a TCP socket (else UDP) */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct socket_filter_truncate_count);
} stats SEC(".maps");

SEC("socket")
int socket_filter_truncate(struct __sk_buff *skb)
{
	struct socket_filter_truncate_count *st = bpf_map_lookup_elem(&stats, &(__u32){ 0 });
	__u32 hlen = 8;			/* UDP header */
	__u8 th[14];			/* TCP header up to the flags */

	if (st)
		st->seen++;
	if (tcp) {
		if (bpf_skb_load_bytes(skb, 0, th, sizeof(th)))
			return skb->len;
		hlen = (th[12] >> 4) * 4;
		/*
		 * A FIN sits after the last byte of data: cutting the data
		 * of a segment that carries one would move the FIN forward
		 * and the receiver would take the cut bytes for the end of
		 * the stream. SYN and RST are left alone likewise.
		 */
		if (th[13] & (TCP_FLAG_FIN | TCP_FLAG_SYN | TCP_FLAG_RST))
			return skb->len;
	}
	if (skb->len <= hlen + keep)
		return skb->len;
	if (st)
		st->trimmed++;
	return hlen + keep;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
