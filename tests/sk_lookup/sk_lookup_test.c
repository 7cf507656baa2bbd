// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * BPF_PROG_TEST_RUN unit tests of sk_lookup/sk_lookup.bpf.c: a crafted
 * struct bpf_sk_lookup goes in; the cookie of the socket the program
 * assigned (0: none, the kernel's own lookup goes on) comes out.
 */
#include <sched.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include "testlib.h"
#include "common.h"
#include "serve.h"
#include "sk_lookup/sk_lookup.h"
#include "sk_lookup/sk_lookup.skel.h"

static struct sk_lookup_bpf *skel;

static uint64_t cookie_of(int fd)
{
	uint64_t c = 0;
	socklen_t len = sizeof(c);

	getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len);
	return c;
}

static int put(int slot, int fd)
{
	__u32 key = slot;
	__u64 val = fd;

	if (fd < 0)
		return bpf_map__delete_elem(skel->maps.socks, &key, sizeof(key), 0);
	return bpf_map__update_elem(skel->maps.socks, &key, sizeof(key), &val, sizeof(val), 0);
}

/* One lookup: family 4 or 6, proto TCP/UDP, to local port dport. */
static void lookup_case(const char *name, int family, int proto, int dport, uint64_t want)
{
	struct bpf_sk_lookup ctx = {
		.family = family == 4 ? AF_INET : AF_INET6,
		.protocol = proto,
		.remote_port = htons(40000),
		.local_port = dport,
	};
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .ctx_out = &ctx, .ctx_size_out = sizeof(ctx));
	int err;

	if (family == 4) {
		inet_pton(AF_INET, "192.0.2.1", &ctx.remote_ip4);
		inet_pton(AF_INET, "192.0.2.2", &ctx.local_ip4);
	} else {
		inet_pton(AF_INET6, "2001:db8:1::1", ctx.remote_ip6);
		inet_pton(AF_INET6, "2001:db8:1::2", ctx.local_ip6);
	}
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.steer_ports), &o);
	t_check(!err && o.retval == SK_PASS && ctx.cookie == want, name,
		"err %d verdict %u, assigned socket cookie %llu (want %llu)", err ? -errno : 0,
		o.retval, (unsigned long long)ctx.cookie, (unsigned long long)want);
}

int main(void)
{
	uint64_t got[SK_LOOKUP_NSTATS] = {}, want[SK_LOOKUP_NSTATS] = {};
	int tcp, udp, tcp6only, one = 1;
	__u16 port = 8000;
	__u8 yes = 1;

	t_init();
	/* The sockets below live in a namespace of our own, gone when we exit. */
	if (unshare(CLONE_NEWNET)) {
		printf("FAIL unshare(CLONE_NEWNET) (%s)\n", strerror(errno));
		return 1;
	}
	skel = sk_lookup_bpf__open_and_load();
	if (!skel) {
		printf("FAIL load sk_lookup (%s)\n", strerror(errno));
		return 1;
	}
	/* Port 0: the kernel picks free ports; the program never looks at them. */
	tcp = srv_socket(SOCK_STREAM, NULL, 0, false);
	udp = srv_socket(SOCK_DGRAM, NULL, 0, false);
	tcp6only = socket(AF_INET6, SOCK_STREAM, 0);
	setsockopt(tcp6only, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (tcp < 0 || udp < 0 || tcp6only < 0 ||
	    bind(tcp6only, (struct sockaddr *)&(struct sockaddr_in6){ .sin6_family = AF_INET6 },
		 sizeof(struct sockaddr_in6)) || listen(tcp6only, 1)) {
		printf("FAIL sockets for the SOCKMAP (%s)\n", strerror(errno));
		return 1;
	}
	bpf_map__update_elem(skel->maps.ports, &port, sizeof(port), &yes, sizeof(yes), 0);
	if (put(SK_LOOKUP_SLOT_TCP, tcp) || put(SK_LOOKUP_SLOT_UDP, udp)) {
		printf("FAIL SOCKMAP update (%s)\n", strerror(errno));
		return 1;
	}

	lookup_case("tcp/ipv4 to a steered port gets the TCP socket", 4, IPPROTO_TCP, 8000,
		    cookie_of(tcp));
	lookup_case("tcp/ipv6 to a steered port gets the TCP socket", 6, IPPROTO_TCP, 8000,
		    cookie_of(tcp));
	lookup_case("udp/ipv4 to a steered port gets the UDP socket", 4, IPPROTO_UDP, 8000,
		    cookie_of(udp));
	lookup_case("udp/ipv6 to a steered port gets the UDP socket", 6, IPPROTO_UDP, 8000,
		    cookie_of(udp));
	want[SK_LOOKUP_STAT_STEERED_TCP] = 2;
	want[SK_LOOKUP_STAT_STEERED_UDP] = 2;
	lookup_case("tcp to a port outside the set: no socket assigned", 4, IPPROTO_TCP, 8001, 0);
	lookup_case("udp to port 7999 (outside): no socket assigned", 6, IPPROTO_UDP, 7999, 0);
	want[SK_LOOKUP_STAT_NOT_IN_SET] = 2;
	put(SK_LOOKUP_SLOT_UDP, -1);
	lookup_case("udp with no UDP socket in the map: no socket assigned", 4, IPPROTO_UDP,
		    8000, 0);
	want[SK_LOOKUP_STAT_NO_SOCKET] = 1;
	put(SK_LOOKUP_SLOT_TCP, tcp6only);
	lookup_case("ipv4 with an IPv6-only socket: assign refused, lookup goes on", 4,
		    IPPROTO_TCP, 8000, 0);
	want[SK_LOOKUP_STAT_ASSIGN_FAILED] = 1;
	lookup_case("ipv6 with the IPv6-only socket gets it", 6, IPPROTO_TCP, 8000,
		    cookie_of(tcp6only));
	want[SK_LOOKUP_STAT_STEERED_TCP]++;

	for (__u32 i = 0; i < SK_LOOKUP_NSTATS; i++)
		percpu_sum(bpf_map__fd(skel->maps.stats), &i, &got[i], 1);
	t_check(!memcmp(got, want, sizeof(got)), "counters match the lookups",
		"tcp %llu udp %llu not-in-set %llu no-socket %llu assign-failed %llu",
		(unsigned long long)got[0], (unsigned long long)got[1],
		(unsigned long long)got[2], (unsigned long long)got[3],
		(unsigned long long)got[4]);

	close(tcp);
	close(udp);
	close(tcp6only);
	sk_lookup_bpf__destroy(skel);
	return t_exit();
}
