/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef XDP_HELLO_H
#define XDP_HELLO_H

/* Every greeting starts with this, so `grep` finds ours in trace_pipe. */
#define XDP_HELLO_MARK "xdp_hello:"

#endif
