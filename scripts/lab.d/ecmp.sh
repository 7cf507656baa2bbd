# ecmp: a router with two equal-cost paths to one destination.
#
#   NAME-h1 eth0 192.0.2.1/24 2001:db8:1::1/64        (default via r)
#     <-> NAME-r eth1 192.0.2.254 2001:db8:1::fe      (forwarding on)
#         NAME-r eth2 198.51.100.1/26 2001:db8:2::1/64
#           <-> NAME-h2 eth0 198.51.100.2/26 2001:db8:2::2/64
#         NAME-r eth3 198.51.100.65/26 2001:db8:3::1/64
#           <-> NAME-h2 eth1 198.51.100.66/26 2001:db8:3::2/64
#   NAME-h2 lo 203.0.113.1/32 2001:db8:ff::1/128, the destination; r routes
#   203.0.113.0/24 and 2001:db8:ff::/64 over both links (multipath, equal
#   weights); h2 answers via eth0. Hash policy left at the default (0):
#   a test sets net.ipv4.fib_multipath_hash_policy in NAME-r itself.
build_ecmp() {
	local lab=$1 r h1 h2
	add_host "$lab" h1
	add_host "$lab" r
	add_host "$lab" h2
	r=$(ns "$lab" r) h1=$(ns "$lab" h1) h2=$(ns "$lab" h2)
	link "$lab" h1 eth0 r eth1
	link "$lab" r eth2 h2 eth0
	link "$lab" r eth3 h2 eth1
	addr "$lab" h1 eth0 192.0.2.1/24 2001:db8:1::1/64
	addr "$lab" r eth1 192.0.2.254/24 2001:db8:1::fe/64
	addr "$lab" r eth2 198.51.100.1/26 2001:db8:2::1/64
	addr "$lab" r eth3 198.51.100.65/26 2001:db8:3::1/64
	addr "$lab" h2 eth0 198.51.100.2/26 2001:db8:2::2/64
	addr "$lab" h2 eth1 198.51.100.66/26 2001:db8:3::2/64
	ip -n "$h2" addr add 203.0.113.1/32 dev lo
	ip -n "$h2" -6 addr add 2001:db8:ff::1/128 dev lo
	nsx "$r" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	# h2 receives on both links but answers through eth0 only.
	nsx "$h2" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.eth0.rp_filter=0 net.ipv4.conf.eth1.rp_filter=0
	ip -n "$h1" route add default via 192.0.2.254
	ip -n "$h1" -6 route add default via 2001:db8:1::fe
	ip -n "$r" route add 203.0.113.0/24 \
		nexthop via 198.51.100.2 dev eth2 nexthop via 198.51.100.66 dev eth3
	ip -n "$r" -6 route add 2001:db8:ff::/64 \
		nexthop via 2001:db8:2::2 dev eth2 nexthop via 2001:db8:3::2 dev eth3
	ip -n "$h2" route add default via 198.51.100.1
	ip -n "$h2" -6 route add default via 2001:db8:2::1
	selfcheck "$lab" h1 203.0.113.1 2001:db8:ff::1
}
