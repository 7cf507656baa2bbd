// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * xdp_hello: the same object that `bpftool prog load` or `ip link set ...
 * xdp obj` load without a loader, loaded here through its skeleton.
 */
#include <stdio.h>
#include <unistd.h>
#include "common.h"
#include "xdp.h"
#include "xdp_hello.skel.h"

#define TRACE_PIPE "/sys/kernel/tracing/trace_pipe"

static const char doc[] =
"Attach an XDP program to IFACE that writes one line per packet to the\n"
"kernel's trace buffer with bpf_printk() and passes the packet on. Read\n"
"the lines from " TRACE_PIPE "; if it is missing,\n"
"mount tracefs first (mount -t tracefs nodev /sys/kernel/tracing). Under\n"
"`ip netns exec` that path is not the host's: read it from outside.\n"
"\n"
"EXAMPLES:\n"
"  xdp_hello lo        # then: ping -c 3 127.0.0.1 and\n"
"                      #       grep xdp_hello: " TRACE_PIPE "\n"
"  xdp_hello -d 10 --mode skb veth0\n";

static const struct argp argp = {
	.args_doc = "IFACE",
	.doc = doc,
	.children = xdp_loader_children,
};

static void print_stats(void *ctx, bool final)
{
	struct xdp_hello_bpf *skel = ctx;
	__u32 key = 0;
	uint64_t n = 0;

	percpu_sum(bpf_map__fd(skel->maps.packets), &key, &n, 1);
	printf("%spackets greeted: %llu\n", final ? "total " : "", (unsigned long long)n);
}

int main(int argc, char **argv)
{
	struct xdp_hello_bpf *skel;
	const char *mode;
	int link_fd = -1, err;

	common_init(&argp, argc, argv);
	require_root();

	skel = xdp_hello_bpf__open_and_load();
	if (!skel)
		return fail_step(errno, "loading the BPF program");
	err = xdp_attach(skel->progs.xdp_hello, xdp_target.ifindex, xdp_target.ifname,
			 xdp_target.mode, xdp_target.force, &link_fd, &mode);
	if (err)
		goto out;

	printf("xdp_hello: greeting every packet on %s (ifindex %d, %s mode); read them in %s; Ctrl-C to stop\n",
	       xdp_target.ifname, xdp_target.ifindex, mode, TRACE_PIPE);
	err = run_loop(print_stats, NULL, skel, 0);
out:
	if (link_fd >= 0)
		close(link_fd);
	xdp_hello_bpf__destroy(skel);
	return err;
}
