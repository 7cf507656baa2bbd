# srv6: an IPv6 chain of four hosts for Segment Routing (lwt_seg6local).
#
#   NAME-h1 eth0 2001:db8:1::1/64                       (default via r1)
#     <-> NAME-r1 eth1 2001:db8:1::fe/64
#         NAME-r1 eth2 2001:db8:12::1/64                (forwarding on)
#           <-> NAME-r2 eth1 2001:db8:12::2/64
#               NAME-r2 eth2 2001:db8:2::fe/64          (forwarding on)
#                 <-> NAME-h2 eth0 2001:db8:2::1/64     (default via r2)
#
# SIDs: 2001:db8:f2::/64 belongs to r2 (r1 routes it via r2; a test puts
# an End.BPF SID there), 2001:db8:f3::/64 to h2 (r2 routes it via h2),
# where 2001:db8:f3::6 is the kernel's End.DT6 on the local table:
# decapsulate and deliver the inner packet to h2 itself (End.DX6 cannot:
# its next-hop lookup refuses local destinations). Plain routes carry
# everything else, so h1 reaches h2 without SRv6 too. Segment routing is
# enabled on every link (seg6_enabled), which only matters for SRH
# processing in transit.
build_srv6() {
	local lab=$1 h1 r1 r2 h2 n
	for n in h1 r1 r2 h2; do
		add_host "$lab" "$n"
	done
	h1=$(ns "$lab" h1) r1=$(ns "$lab" r1) r2=$(ns "$lab" r2) h2=$(ns "$lab" h2)
	link "$lab" h1 eth0 r1 eth1
	link "$lab" r1 eth2 r2 eth1
	link "$lab" r2 eth2 h2 eth0
	ip -n "$h1" -6 addr add 2001:db8:1::1/64 dev eth0 nodad
	ip -n "$r1" -6 addr add 2001:db8:1::fe/64 dev eth1 nodad
	ip -n "$r1" -6 addr add 2001:db8:12::1/64 dev eth2 nodad
	ip -n "$r2" -6 addr add 2001:db8:12::2/64 dev eth1 nodad
	ip -n "$r2" -6 addr add 2001:db8:2::fe/64 dev eth2 nodad
	ip -n "$h2" -6 addr add 2001:db8:2::1/64 dev eth0 nodad
	for n in "$h1" "$r1" "$r2" "$h2"; do
		nsx "$n" sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.conf.all.seg6_enabled=1 \
			net.ipv6.conf.default.seg6_enabled=1
	done
	for n in "$r1" "$r2" "$h2"; do
		nsx "$n" sh -c 'for f in /proc/sys/net/ipv6/conf/eth*/seg6_enabled; do echo 1 >"$f"; done'
	done
	nsx "$h1" sysctl -qw net.ipv6.conf.all.forwarding=0
	ip -n "$h1" -6 route add default via 2001:db8:1::fe
	ip -n "$r1" -6 route add 2001:db8:2::/64 via 2001:db8:12::2
	ip -n "$r1" -6 route add 2001:db8:f2::/64 via 2001:db8:12::2
	ip -n "$r1" -6 route add 2001:db8:f3::/64 via 2001:db8:12::2
	ip -n "$r2" -6 route add 2001:db8:1::/64 via 2001:db8:12::1
	ip -n "$r2" -6 route add 2001:db8:f3::/64 via 2001:db8:2::1
	ip -n "$h2" -6 route add default via 2001:db8:2::fe
	ip -n "$h2" -6 route add 2001:db8:f3::6/128 encap seg6local action End.DT6 table 255 dev eth0
	nsx "$h1" ping -q -c1 -W2 2001:db8:2::1 >/dev/null || die "self-check: h1 cannot reach 2001:db8:2::1"
}
