# Topology `lb`: a client, a one-arm load balancer and two HTTP backends on
# one L2 segment (a bridge in its own namespace). Two subnets share the
# segment, so the client can reach the backends only through the LB:
#
#   NAME-client eth0 192.0.2.1/24
#   NAME-lb     eth0 192.0.2.254/24, VIP 192.0.2.80/32, 198.51.100.254/24
#                    (IPv4 forwarding on: bpf_fib_lookup needs it)
#   NAME-b1     eth0 198.51.100.11/24   python3 http.server on :8080
#   NAME-b2     eth0 198.51.100.12/24   python3 http.server on :8080
#   NAME-sw     br0 with ports p-client p-lb p-b1 p-b2
#
# Each backend serves $STATE_DIR/NAME.d/www/bN: index.html says "bN", and
# big.bin is the same 20 MiB of random bytes on both (its sha256 in
# $STATE_DIR/NAME.d/big.sha256). p-lb runs an XDP pass program (lab.sh
# napi), so frames the LB sends back with XDP_TX are received: veth
# needs NAPI on the peer. The hosts send with TX checksum offload off:
# veth would otherwise hand XDP packets whose TCP checksum holds only the
# pseudo-header part, which no real wire carries (the backends then
# count TcpInCsumErrors). Needs `make test-bins` (for lab.sh napi).
#
# Topology `lb3`: the same segment with three backends and no servers, for
# tests that run their own (nginx with its own config in each backend):
#
#   NAME-b1/b2/b3 eth0 198.51.100.11/24, .12/24, .13/24

LB_BACKENDS="b1:198.51.100.11 b2:198.51.100.12"

lb_link() {
	local lab=$1 host=$2
	link "$lab" "$host" eth0 sw "p-$host"
	ip -n "$(ns "$lab" sw)" link set "p-$host" master br0
}

# lb_segment LAB BACKEND...: switch, client, LB and backend hosts, addressed.
lb_segment() {
	local lab=$1 h
	shift
	add_host "$lab" sw
	ip -n "$(ns "$lab" sw)" link add br0 type bridge
	ip -n "$(ns "$lab" sw)" link set br0 up
	for h in client lb "$@"; do
		add_host "$lab" "$h"
		lb_link "$lab" "$h"
	done
	# XDP_TX on the LB's veth needs NAPI on its peer (GRO on is not enough here).
	cmd_napi "$lab" sw p-lb

	ip -n "$(ns "$lab" client)" addr add 192.0.2.1/24 dev eth0
	ip -n "$(ns "$lab" lb)" addr add 192.0.2.254/24 dev eth0
	ip -n "$(ns "$lab" lb)" addr add 192.0.2.80/32 dev eth0
	ip -n "$(ns "$lab" lb)" addr add 198.51.100.254/24 dev eth0
	nsx "$(ns "$lab" lb)" sysctl -qw net.ipv4.ip_forward=1
	nsx "$(ns "$lab" client)" ethtool -K eth0 tx off >/dev/null
	for h in "$@"; do
		ip -n "$(ns "$lab" "$h")" addr add "198.51.100.1${h#b}/24" dev eth0
		nsx "$(ns "$lab" "$h")" ethtool -K eth0 tx off >/dev/null
	done
}

build_lb3() {
	local lab=$1 h
	lb_segment "$lab" b1 b2 b3
	selfcheck_v4 "$lab" client 192.0.2.80
	for h in 11 12 13; do
		selfcheck_v4 "$lab" lb "198.51.100.$h"
	done
}

build_lb() {
	local lab=$1 dir="$STATE_DIR/$1.d" h a b i
	lb_segment "$lab" b1 b2

	mkdir -p "$dir/www"
	head -c 20M /dev/urandom >"$dir/big.bin"
	sha256sum <"$dir/big.bin" | cut -d' ' -f1 >"$dir/big.sha256"
	for b in $LB_BACKENDS; do
		h=${b%%:*} a=${b#*:}
		mkdir -p "$dir/www/$h"
		echo "$h" >"$dir/www/$h/index.html"
		ln "$dir/big.bin" "$dir/www/$h/big.bin"
		# Detached from this script; lab down kills what runs in the lab.
		setsid ip netns exec "$(ns "$lab" "$h")" /usr/bin/python3 -m http.server \
			-p HTTP/1.1 -b "$a" -d "$dir/www/$h" 8080 </dev/null >/dev/null 2>&1 &
	done
	for b in $LB_BACKENDS; do
		h=${b%%:*}
		for i in $(seq 50); do
			nsx "$(ns "$lab" "$h")" ss -Hltn 'sport = :8080' | grep -q . && break
			sleep 0.1
		done
		nsx "$(ns "$lab" "$h")" ss -Hltn 'sport = :8080' | grep -q . ||
			die "self-check: no HTTP server on $h:8080"
	done
	selfcheck_v4 "$lab" client 192.0.2.80
	selfcheck_v4 "$lab" lb 198.51.100.11
	selfcheck_v4 "$lab" lb 198.51.100.12
}

selfcheck_v4() {
	nsx "$(ns "$1" "$2")" ping -q -c1 -W2 "$3" >/dev/null || die "self-check: $2 cannot reach $3"
}
