// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <linux/if_link.h>
#include "common.h"
#include "xdp.h"

int parse_xdp_mode(const char *arg)
{
	if (!strcmp(arg, "skb") || !strcmp(arg, "generic"))
		return XDP_MODE_SKB;
	if (!strcmp(arg, "native") || !strcmp(arg, "drv"))
		return XDP_MODE_NATIVE;
	usage_error("unknown XDP mode: %s (use skb or native)", quote_arg(arg));
}

static const char *attached_name(__u8 attach_mode)
{
	switch (attach_mode) {
	case XDP_ATTACHED_SKB:
		return "skb (generic)";
	case XDP_ATTACHED_DRV:
		return "native";
	case XDP_ATTACHED_HW:
		return "offload";
	default:
		return "multi";
	}
}

int xdp_attach(struct bpf_program *prog, int ifindex, const char *ifname,
	       enum xdp_mode mode, bool force, int *link_fd,
	       const char **mode_name)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	LIBBPF_OPTS(bpf_link_create_opts, lo);
	__u32 old_flags;
	int fd, err;

	if (mode == XDP_MODE_SKB)
		lo.flags = XDP_FLAGS_SKB_MODE;
	else if (mode == XDP_MODE_NATIVE)
		lo.flags = XDP_FLAGS_DRV_MODE;

	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return fail_step(err, "querying XDP state");
	if (q.attach_mode != XDP_ATTACHED_NONE) {
		if (!force)
			return errmsg("XDP program already attached to %s (use --force to replace)",
				      ifname);
		old_flags = q.attach_mode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE :
			    q.attach_mode == XDP_ATTACHED_DRV ? XDP_FLAGS_DRV_MODE : 0;
		/* Only a netlink attachment can be removed from outside. */
		err = bpf_xdp_detach(ifindex, old_flags, NULL);
		if (err)
			return errmsg("the XDP program on %s belongs to a BPF link of another process: stop that process first",
				      ifname);
	}

	fd = bpf_link_create(bpf_program__fd(prog), ifindex, BPF_XDP, &lo);
	if (fd < 0) {
		err = -errno;
		if (err == -EOPNOTSUPP && mode == XDP_MODE_NATIVE)
			return errmsg("%s has no native XDP support (use --mode skb)", ifname);
		if (err == -EBUSY || err == -EEXIST)
			return errmsg("XDP program already attached to %s (use --force to replace)",
				      ifname);
		if (err == -EINVAL && mode == XDP_MODE_AUTO)
			/* Kernels before 5.9 have no XDP links. */
			return fail_step(-EOPNOTSUPP, "attaching XDP with a BPF link");
		return fail_step(err, "attaching XDP");
	}
	*link_fd = fd;
	*mode_name = "unknown";
	if (!bpf_xdp_query(ifindex, 0, &q))
		*mode_name = attached_name(q.attach_mode);
	return EXIT_OK;
}

struct xdp_target xdp_target;

static const struct argp_option xdp_target_options[] = {
	{ "mode", 'm', "skb|native", 0, "XDP mode (default: native where the driver has it, else skb)", 0 },
	{ "force", 'f', NULL, 0, "Replace an XDP program already attached to IFACE", 0 },
	{},
};

static error_t xdp_target_parse(int key, char *arg, struct argp_state *state)
{
	(void)state;
	switch (key) {
	case 'm':
		xdp_target.mode = parse_xdp_mode(arg);
		break;
	case 'f':
		xdp_target.force = true;
		break;
	case ARGP_KEY_ARG:
		if (xdp_target.ifname)
			usage_error("unexpected argument: %s", quote_arg(arg));
		xdp_target.ifname = arg;
		break;
	case ARGP_KEY_END:
		if (!xdp_target.ifname)
			usage_error("missing interface name (IFACE)");
		xdp_target.ifindex = parse_ifindex(xdp_target.ifname);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp xdp_target_argp = {
	.options = xdp_target_options,
	.parser = xdp_target_parse,
};

const struct argp_child xdp_loader_children[] = {
	{ &xdp_target_argp, 0, NULL, 0 },
	{ &common_argp, 0, "Common options:", 0 },
	{},
};
