/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Socket-level constants for the cgroup and sockops examples: protocol
 * numbers, option levels and option names are #defines in the kernel, so
 * vmlinux.h does not have them (SOCK_* and most IPPROTO_* are enums, and it
 * does). Values from include/uapi (asm-generic).
 */
#ifndef CATALOG_SOCK_BPF_H
#define CATALOG_SOCK_BPF_H

#include "net.bpf.h"

#define IPPROTO_ICMPV6	58

/* Option levels. */
#define SOL_IP		0
#define SOL_TCP		6
#define SOL_IPV6	41

/* SOL_SOCKET options (asm-generic; SOL_SOCKET, SO_* buffers in net.bpf.h). */
#define SO_DEBUG	1
#define SO_REUSEADDR	2
#define SO_KEEPALIVE	9

/* SOL_IP / SOL_IPV6 options. */
#define IP_TOS		1
#define IP_TTL		2
#define IPV6_TCLASS	67

/* SOL_TCP options. */
#define TCP_NODELAY	1
#define TCP_MAXSEG	2
#define TCP_CONGESTION	13

#endif
