// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A native XDP program that passes everything. Attached to the receiving
 * end of a lab veth it turns on that device's NAPI, without which frames
 * sent to it by XDP_TX or XDP_REDIRECT on its peer are silently lost.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
