// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Local TCP without the TCP/IP stack. The sockops program puts every
 * established socket of a chosen port into a sockhash, keyed by its
 * 4-tuple; the sk_msg program, run on each sendmsg() of those sockets,
 * looks up the socket at the other end of the connection and puts the
 * message straight into its receive queue. No segment, no loopback, no
 * ACK: tcpdump on lo sees the handshake and the close, nothing between.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "net.bpf.h"
#include "sk_msg.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, SK_MSG_MAX_SOCKS);
	__type(key, struct sk_msg_key);
	__type(value, __u64);
} socks SEC(".maps");

/*
 * Connections that have sent a message by TCP, keyed by the sender's own
 * key: they stay on TCP. A client can send before the server's socket is
 * in the map (the handshake's last ACK not processed yet); that message
 * waits in the server's TCP receive queue, and a later one redirected into
 * the socket's BPF queue would be read before it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SK_MSG_MAX_SOCKS);
	__type(key, struct sk_msg_key);
	__type(value, __u8);
} by_tcp SEC(".maps");

/* Port -> enum sk_msg_action, filled by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SK_MSG_MAX_PORTS);
	__type(key, __u16);
	__type(value, __u8);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SK_MSG_NSTATS);
	__type(key, __u32);
	__type(value, struct sk_msg_count);
} stats SEC(".maps");

static __always_inline void count(__u32 what, __u32 len)
{
	struct sk_msg_count *c = bpf_map_lookup_elem(&stats, &what);

	if (c) {
		c->msgs++;
		c->bytes += len;
	}
}

/* Drop wins when one end of the connection is a drop port. */
static __always_inline __u8 port_action(__u16 lport, __u16 rport)
{
	__u8 *l = bpf_map_lookup_elem(&ports, &lport);
	__u8 *r = bpf_map_lookup_elem(&ports, &rport);

	return (l ? *l : 0) | (r ? *r : 0);
}

/*
 * remote_port is in network order; since 5.x the kernel hands it over in
 * the upper 16 bits of the u32, older kernels in the lower 16.
 */
static __always_inline __u16 remote_port(__u32 rp)
{
	return rp >> 16 ? bpf_ntohl(rp) : bpf_ntohs(rp);
}

static __always_inline void v4_mapped(__u32 *a, __u32 ip4)
{
	a[0] = 0;
	a[1] = 0;
	a[2] = bpf_htonl(0xffff);
	a[3] = ip4;
}

SEC("sockops")
int sockmap_add(struct bpf_sock_ops *skops)
{
	struct sk_msg_key key = {};

	if (skops->op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB &&
	    skops->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		return 1;
	key.lport = skops->local_port;
	key.rport = remote_port(skops->remote_port);
	if (!port_action(key.lport, key.rport))
		return 1;
	if (skops->family == AF_INET) {
		v4_mapped(key.laddr, skops->local_ip4);
		v4_mapped(key.raddr, skops->remote_ip4);
	} else if (skops->family == AF_INET6) {
		CTX_IP6_COPY(key.laddr, skops->local_ip6);
		CTX_IP6_COPY(key.raddr, skops->remote_ip6);
	} else {
		return 1;
	}
	/* A closed connection's 4-tuple may come back: start it afresh. */
	bpf_map_delete_elem(&by_tcp, &key);
	/* The kernel removes the socket from the map itself when it closes. */
	if (!bpf_sock_hash_update(skops, &socks, &key, BPF_NOEXIST))
		count(SK_MSG_STAT_ADDED, 0);
	return 1;
}

SEC("sk_msg")
int msg_redirect(struct sk_msg_md *msg)
{
	struct sk_msg_key self = {}, peer = {};
	__u16 lport = msg->local_port, rport = remote_port(msg->remote_port);

	if (port_action(lport, rport) & SK_MSG_ACTION_DROP) {
		count(SK_MSG_STAT_DROPPED, msg->size);
		return SK_DROP;	/* sendmsg() fails with EACCES */
	}
	self.lport = lport;
	self.rport = rport;
	if (msg->family == AF_INET) {
		v4_mapped(self.laddr, msg->local_ip4);
		v4_mapped(self.raddr, msg->remote_ip4);
	} else {
		CTX_IP6_COPY(self.laddr, msg->local_ip6);
		CTX_IP6_COPY(self.raddr, msg->remote_ip6);
	}
	if (bpf_map_lookup_elem(&by_tcp, &self))
		goto tcp;
	/* The peer's key is ours seen from the other end. */
	__builtin_memcpy(peer.laddr, self.raddr, sizeof(peer.laddr));
	__builtin_memcpy(peer.raddr, self.laddr, sizeof(peer.raddr));
	peer.lport = rport;
	peer.rport = lport;
	/*
	 * BPF_F_INGRESS: into the peer's receive queue, as if TCP had
	 * delivered it. No peer in the map (the other end is on another
	 * host, or its socket is not there yet): the helper says SK_DROP,
	 * and we let TCP carry this message and every later one.
	 */
	if (bpf_msg_redirect_hash(msg, &socks, &peer, BPF_F_INGRESS) == SK_PASS) {
		count(SK_MSG_STAT_REDIRECTED, msg->size);
		return SK_PASS;
	}
	bpf_map_update_elem(&by_tcp, &self, &(__u8){ 1 }, BPF_ANY);
tcp:
	count(SK_MSG_STAT_NO_PEER, msg->size);
	return SK_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
