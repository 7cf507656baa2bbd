// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The transmit half of pktgen. BPF_PROG_TEST_RUN in live-frames mode runs
 * this program once per frame; each frame it redirects really leaves
 * through out_ifindex, as if a NIC had received it and XDP forwarded it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

const volatile __u32 out_ifindex;

SEC("xdp")
int pktgen_xmit(struct xdp_md *ctx)
{
	return bpf_redirect(out_ifindex, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
