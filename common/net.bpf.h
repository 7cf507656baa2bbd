/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Constants that vmlinux.h lacks (they are #defines in the kernel, and BTF
 * only carries types and enums). Defined once here for every example, with
 * one helper for the IPv6 addresses of socket contexts.
 */
#ifndef CATALOG_NET_BPF_H
#define CATALOG_NET_BPF_H

#define ETH_ALEN	6
#define ETH_HLEN	14
#define ETH_P_IP	0x0800
#define ETH_P_ARP	0x0806
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88A8
#define ETH_P_IPV6	0x86DD

#define IP_MF		0x2000
#define IP_OFFSET	0x1FFF

#define ICMP_ECHOREPLY	0
#define ICMP_ECHO	8
#define ICMPV6_ECHO_REQUEST	128
#define ICMPV6_ECHO_REPLY	129
#define NDISC_ROUTER_SOLICITATION	133

#define NEXTHDR_HOP	0
#define NEXTHDR_ROUTING	43
#define NEXTHDR_FRAGMENT	44
#define NEXTHDR_ICMP	58
#define NEXTHDR_DEST	60

#define TC_ACT_UNSPEC	(-1)
#define TC_ACT_OK	0
#define TC_ACT_SHOT	2

#define TCP_FLAG_FIN	0x01
#define TCP_FLAG_SYN	0x02
#define TCP_FLAG_RST	0x04

#define AF_INET		2
#define AF_INET6	10

#define SOL_SOCKET	1
#define SO_SNDBUF	7
#define SO_RCVBUF	8

#define NF_DROP		0
#define NF_ACCEPT	1

/*
 * Copy an IPv6 address out of a socket context (bpf_sock_ops' local_ip6,
 * sk_msg_md's remote_ip6, ...): the verifier takes these fields as u32
 * loads only (__builtin_memcpy may load 8 bytes). A macro, with src[i]
 * as written, so that each load stays at a constant offset from the
 * context pointer: through a function, or as (src)[i], clang computes the
 * field's address into another register first.
 */
#define CTX_IP6_COPY(dst, src)		\
	do {				\
		dst[0] = src[0];		\
		dst[1] = src[1];		\
		dst[2] = src[2];		\
		dst[3] = src[3];		\
	} while (0)

#endif
