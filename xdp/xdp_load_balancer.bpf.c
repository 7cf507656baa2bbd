// SPDX-License-Identifier: GPL-2.0
/*
 * A one-arm TCP load balancer in XDP, with full NAT. A client's packet to
 * VIP:port leaves again as LB:nport -> backend:port; the backend's answer
 * comes back to the LB and leaves as VIP:port -> client. The client sees
 * only the VIP, the backend only the LB. The backend is picked by a hash
 * of the connection and remembered in a connection table, so a change of
 * the backend set moves no established connection. MAC addresses come
 * from the kernel's FIB and neighbour tables (bpf_fib_lookup); for a
 * client the kernel has no entry for, the one its packets came from.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "cursor.bpf.h"
#include "csum.bpf.h"
#include "xdp_load_balancer.h"

/* Set by the loader before load; all in network byte order. */
const volatile __be32 vip;
const volatile __be16 vport;
const volatile __be32 lb_addr;		/* our source address towards backends */

/* The backend set: slots [0, nr_backends) of `backends` are live. */
__u32 nr_backends;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDP_LOAD_BALANCER_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, __be32);
} backends SEC(".maps");

/* Backends currently in the set (a removed one still drains its connections). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDP_LOAD_BALANCER_MAX_BACKENDS);
	__type(key, __be32);
	__type(value, __u8);
} members SEC(".maps");

/* Every backend ever in the set, with its counters. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4 * XDP_LOAD_BALANCER_MAX_BACKENDS);
	__type(key, __be32);
	__type(value, struct xdp_load_balancer_count);
} backend_stats SEC(".maps");

/* Client -> its connection: backend, LB port, the ISN of its SYN ... */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDP_LOAD_BALANCER_MAX_CONNS);
	__type(key, struct xdp_load_balancer_client);
	__type(value, struct xdp_load_balancer_conn);
} conns SEC(".maps");

/* ... and back: what a backend's reply to LB:port belongs to. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDP_LOAD_BALANCER_MAX_CONNS);
	__type(key, struct xdp_load_balancer_nat);
	__type(value, struct xdp_load_balancer_return);
} nat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_LOAD_BALANCER_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline int count(__u32 what, int verdict)
{
	__u64 *n = bpf_map_lookup_elem(&stats, &what);

	if (n)
		(*n)++;
	return verdict;
}

static __always_inline void count_backend(__be32 addr, __u32 bytes, bool new_conn)
{
	struct xdp_load_balancer_count *c = bpf_map_lookup_elem(&backend_stats, &addr);

	if (!c)
		return;
	c->packets++;
	c->bytes += bytes;
	c->conns += new_conn;
}

/*
 * A new connection: hash it onto the live set, then find an LB port
 * towards that backend that no other client holds (first choice: the
 * client's own port). Returns -1, or the xdp_load_balancer_stat that says why not.
 */
static __always_inline int assign(struct xdp_load_balancer_client *cl, const __u8 *mac, __be32 isn,
				  struct xdp_load_balancer_conn *conn)
{
	struct xdp_load_balancer_nat *out = &conn->nat;
	__u32 h = xdp_load_balancer_hash(cl->addr, cl->port, vip, vport);
	struct xdp_load_balancer_return ret = { .client = *cl };
	__u32 n = nr_backends, slot;
	struct xdp_load_balancer_return *owner;
	__be32 *addr;
	__u32 i;

	if (n == 0 || n > XDP_LOAD_BALANCER_MAX_BACKENDS)
		return XDP_LOAD_BALANCER_STAT_NO_BACKEND;
	slot = h % n;
	addr = bpf_map_lookup_elem(&backends, &slot);
	if (!addr)
		return XDP_LOAD_BALANCER_STAT_NO_BACKEND;
	out->backend = *addr;
	out->pad = 0;
	__builtin_memcpy(ret.mac, mac, ETH_ALEN);
	for (i = 0; i < XDP_LOAD_BALANCER_NAT_TRIES; i++) {
		out->port = i == 0 ? cl->port :
			bpf_htons(XDP_LOAD_BALANCER_NAT_PORT_MIN +
				  (h + i * 7919) % XDP_LOAD_BALANCER_NAT_PORTS);
		owner = bpf_map_lookup_elem(&nat, out);
		if (owner && owner->client.addr == cl->addr && owner->client.port == cl->port) {
			__builtin_memcpy(owner->mac, mac, ETH_ALEN);
			break;
		}
		if (owner)
			continue;
		if (!bpf_map_update_elem(&nat, out, &ret, BPF_NOEXIST))
			break;
	}
	if (i == XDP_LOAD_BALANCER_NAT_TRIES)
		return XDP_LOAD_BALANCER_STAT_NO_PORT;
	conn->isn = isn;
	bpf_map_update_elem(&conns, cl, conn, BPF_ANY);
	return -1;
}

/* A connection is over: free its LB port towards the backend, if still its own. */
static __always_inline void release(const struct xdp_load_balancer_client *cl,
				    const struct xdp_load_balancer_nat *old)
{
	struct xdp_load_balancer_nat key = *old;
	struct xdp_load_balancer_return *owner = bpf_map_lookup_elem(&nat, &key);

	if (owner && owner->client.addr == cl->addr && owner->client.port == cl->port)
		bpf_map_delete_elem(&nat, &key);
}

/*
 * Rewrite both addresses and one port, fixing the IPv4 checksum and the
 * TCP one (whose pseudo-header holds the addresses) incrementally.
 */
static __always_inline void rewrite(struct iphdr *iph, struct tcphdr *th,
				    __be32 saddr, __be32 daddr, __be16 *port, __be16 new_port)
{
	csum_replace4(&iph->check, iph->saddr, saddr);
	csum_replace4(&iph->check, iph->daddr, daddr);
	csum_replace4(&th->check, iph->saddr, saddr);
	csum_replace4(&th->check, iph->daddr, daddr);
	csum_replace2(&th->check, *port, new_port);
	iph->saddr = saddr;
	iph->daddr = daddr;
	*port = new_port;
}

/*
 * Where does a packet from saddr to daddr go next? Fills in the MACs and
 * returns XDP_TX (back out of the interface it came in on), a redirect,
 * or a drop with its reason counted. `learned` is a MAC to fall back on
 * when the kernel has no neighbour entry (NULL: none).
 */
static __always_inline int forward(struct xdp_md *ctx, struct ethhdr *eth, struct iphdr *iph,
				   __be32 saddr, __be32 daddr, const __u8 *learned)
{
	struct bpf_fib_lookup fib = {
		.family = AF_INET,
		.l4_protocol = IPPROTO_TCP,
		.tot_len = bpf_ntohs(iph->tot_len),
		.ifindex = ctx->ingress_ifindex,
		.ipv4_src = saddr,
		.ipv4_dst = daddr,
	};

	switch (bpf_fib_lookup(ctx, &fib, sizeof(fib), 0)) {
	case BPF_FIB_LKUP_RET_SUCCESS:
		break;
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		if (!learned || fib.ifindex != ctx->ingress_ifindex)
			return count(XDP_LOAD_BALANCER_STAT_NO_NEIGH, XDP_DROP);
		/* The packet came to our MAC on this interface: send it from there. */
		__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
		__builtin_memcpy(eth->h_dest, learned, ETH_ALEN);
		return count(XDP_LOAD_BALANCER_STAT_LEARNED_MAC, XDP_TX);
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
		return count(XDP_LOAD_BALANCER_STAT_TOO_BIG, XDP_DROP);
	default:
		return count(XDP_LOAD_BALANCER_STAT_NO_ROUTE, XDP_DROP);
	}
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	if (fib.ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	return bpf_redirect(fib.ifindex, 0);
}

/* Client -> VIP:vport becomes LB:nport -> backend:vport. */
static int to_backend(struct xdp_md *ctx, struct ethhdr *eth, struct iphdr *iph,
		      struct tcphdr *th)
{
	struct xdp_load_balancer_client cl = { .addr = iph->saddr, .port = th->source };
	bool syn = th->syn && !th->ack, is_new = false;
	struct xdp_load_balancer_conn *conn, fresh;
	int verdict, err;

	conn = bpf_map_lookup_elem(&conns, &cl);
	/*
	 * A SYN with the ISN of the entry is a retransmit: it keeps its
	 * backend while that is in the set. Any other SYN is a new
	 * connection from a reused client port: the old entry is over, and
	 * the new connection is scheduled like any other, so a backend added
	 * since gets its share.
	 */
	if (conn && syn && (conn->isn != th->seq ||
			    !bpf_map_lookup_elem(&members, &conn->nat.backend))) {
		release(&cl, &conn->nat);
		conn = NULL;
	}
	if (!conn) {
		err = assign(&cl, eth->h_source, th->seq, &fresh);
		if (err == XDP_LOAD_BALANCER_STAT_NO_BACKEND)
			return count(XDP_LOAD_BALANCER_STAT_NO_BACKEND, XDP_PASS);
		if (err >= 0)
			return count(err, XDP_DROP);
		conn = &fresh;
		/* Not a connection of ours when no SYN started it (e.g. table full). */
		is_new = syn;
	}
	verdict = forward(ctx, eth, iph, lb_addr, conn->nat.backend, NULL);
	if (verdict == XDP_DROP)
		return verdict;
	rewrite(iph, th, lb_addr, conn->nat.backend, &th->source, conn->nat.port);
	count_backend(conn->nat.backend, ctx->data_end - ctx->data, is_new);
	return count(XDP_LOAD_BALANCER_STAT_TO_BACKEND, verdict);
}

/* Backend:vport -> LB:nport becomes VIP:vport -> client. */
static int to_client(struct xdp_md *ctx, struct ethhdr *eth, struct iphdr *iph,
		     struct tcphdr *th)
{
	struct xdp_load_balancer_nat key = { .backend = iph->saddr, .port = th->dest };
	struct xdp_load_balancer_return *ret = bpf_map_lookup_elem(&nat, &key);
	int verdict;

	if (!ret)			/* a connection of the LB host itself */
		return count(XDP_LOAD_BALANCER_STAT_PASS, XDP_PASS);
	verdict = forward(ctx, eth, iph, vip, ret->client.addr, ret->mac);
	if (verdict == XDP_DROP)
		return verdict;
	count_backend(iph->saddr, ctx->data_end - ctx->data, false);
	rewrite(iph, th, vip, ret->client.addr, &th->dest, ret->client.port);
	return count(XDP_LOAD_BALANCER_STAT_TO_CLIENT, verdict);
}

SEC("xdp")
int xdp_load_balancer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth;
	struct iphdr *iph;
	struct tcphdr *th;
	struct cursor c;
	__u64 ip_len;

	cursor_init_xdp(&c, ctx);
	/* Untagged IPv4 only: a VLAN tag would change the way out. */
	if (parse_eth(&c, &eth) != ETH_P_IP || cursor_offset(&c, data) != ETH_HLEN)
		return count(XDP_LOAD_BALANCER_STAT_PASS, XDP_PASS);
	if (parse_ipv4(&c, &iph) != IPPROTO_TCP || ipv4_is_fragment(iph))
		return count(XDP_LOAD_BALANCER_STAT_PASS, XDP_PASS);
	/*
	 * Shorter than its IP length: corrupt, the kernel drops it. Older
	 * verifiers (Linux 6.1 and 6.12 among them) forget a register's
	 * bounds at a byte swap and then refuse the pointer sum. The compiler
	 * knows that a swapped u16 fits in 16 bits and would drop a plain
	 * bound check; barrier_var() keeps it, for the verifier to learn from.
	 */
	ip_len = bpf_ntohs(iph->tot_len);
	barrier_var(ip_len);
	if (ip_len > 0xffff || (void *)iph + ip_len > c.end)
		return count(XDP_LOAD_BALANCER_STAT_PASS, XDP_PASS);
	th = parse_tcp(&c);
	if (!th)
		return count(XDP_LOAD_BALANCER_STAT_PASS, XDP_PASS);

	if (iph->daddr == vip && th->dest == vport)
		return to_backend(ctx, eth, iph, th);
	if (iph->daddr == lb_addr && th->source == vport)
		return to_client(ctx, eth, iph, th);
	return count(XDP_LOAD_BALANCER_STAT_PASS, XDP_PASS);
}

/* bpf_fib_lookup is a GPL-only helper. */
char LICENSE[] SEC("license") = "GPL";
