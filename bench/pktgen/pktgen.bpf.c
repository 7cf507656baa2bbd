// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The transmit half of pktgen. BPF_PROG_TEST_RUN in live-frames mode runs
 * this program once per frame; each frame it redirects really leaves
 * through out_ifindex, as if a NIC had received it and XDP forwarded it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define HDR_WORDS 7	/* 56 bytes: Ethernet, IPv4 and TCP headers fit */

const volatile __u32 out_ifindex;
const volatile __u64 hdr[HDR_WORDS];

SEC("xdp")
int pktgen_xmit(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;

	/*
	 * The frame's page comes back to the test run's pool after the
	 * receiver is done with it, and the kernel copies the packet into a
	 * page only once. A receiver that edits frames in place (XDP_TX
	 * echo, a load balancer) would make us send its output next time
	 * round: write the headers back before every send.
	 */
	if (data + sizeof(hdr) > (void *)(long)ctx->data_end)
		return XDP_ABORTED;
	for (int i = 0; i < HDR_WORDS; i++)
		((__u64 *)data)[i] = hdr[i];	/* volatile: read at run time */
	return bpf_redirect(out_ifindex, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
