#!/usr/bin/env bash
# Named network-namespace labs for tests and demos. Nothing here touches an
# interface of the root namespace: veth pairs are created directly inside
# the lab's namespaces.
#
#   lab.sh up NAME pair|router     build a topology (rolls back on failure)
#   lab.sh down NAME               remove one lab
#   lab.sh down --all              remove every lab this script built
#   lab.sh exec NAME HOST CMD...   run CMD in host HOST of lab NAME
#   lab.sh napi NAME HOST IFACE    attach a native XDP pass program to IFACE so
#                                  it receives XDP_TX/redirected frames (veth)
#   lab.sh status                  list labs, hosts and addresses
#
# Topologies (documentation address ranges only):
#
#   pair:    NAME-a eth0 192.0.2.1/24 2001:db8:1::1/64
#              <-> NAME-b eth0 192.0.2.2/24 2001:db8:1::2/64
#
#   router:  NAME-h1 eth0 192.0.2.1/24 2001:db8:1::1/64   (default via r)
#              <-> NAME-r eth1 192.0.2.254 2001:db8:1::fe
#                  NAME-r eth2 198.51.100.254 2001:db8:2::fe (forwarding on)
#              <-> NAME-h2 eth0 198.51.100.1/24 2001:db8:2::1/64 (default via r)
set -euo pipefail

STATE_DIR=/run/ebpf-catalog-lab
PROG=lab.sh

die() { printf '%s: %s\n' "$PROG" "$1" >&2; exit "${2:-1}"; }
usage() {
	sed -n '2,14s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

ns() { printf '%s-%s' "$1" "$2"; }

# Run in a namespace of the lab being built, recording nothing.
nsx() { local n=$1; shift; ip netns exec "$n" "$@"; }

add_host() {
	local lab=$1 host=$2 n
	n=$(ns "$lab" "$host")
	ip netns add "$n"
	echo "$n" >>"$STATE_DIR/$lab"
	ip -n "$n" link set lo up
	# Quiet links: no router solicitations or DAD noise in the counters.
	nsx "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.router_solicitations=0
}

# link LAB HOST1 IF1 HOST2 IF2: a veth pair between two lab hosts.
link() {
	local a b
	a=$(ns "$1" "$2") b=$(ns "$1" "$4")
	ip -n "$a" link add "$3" type veth peer name "$5" netns "$b"
	ip -n "$a" link set "$3" up
	ip -n "$b" link set "$5" up
}

addr() {
	local n
	n=$(ns "$1" "$2")
	ip -n "$n" addr add "$4" dev "$3"
	ip -n "$n" -6 addr add "$5" dev "$3" nodad
}

selfcheck() {
	local lab=$1 from=$2 to4=$3 to6=$4 n
	n=$(ns "$lab" "$from")
	# The first ping resolves the neighbour; allow it a moment.
	nsx "$n" ping -q -c1 -W2 "$to4" >/dev/null || die "self-check: $from cannot reach $to4"
	nsx "$n" ping -q -c1 -W2 "$to6" >/dev/null || die "self-check: $from cannot reach $to6"
}

build_pair() {
	local lab=$1
	add_host "$lab" a
	add_host "$lab" b
	link "$lab" a eth0 b eth0
	addr "$lab" a eth0 192.0.2.1/24 2001:db8:1::1/64
	addr "$lab" b eth0 192.0.2.2/24 2001:db8:1::2/64
	selfcheck "$lab" a 192.0.2.2 2001:db8:1::2
}

build_router() {
	local lab=$1 r
	add_host "$lab" h1
	add_host "$lab" r
	add_host "$lab" h2
	r=$(ns "$lab" r)
	link "$lab" h1 eth0 r eth1
	link "$lab" r eth2 h2 eth0
	addr "$lab" h1 eth0 192.0.2.1/24 2001:db8:1::1/64
	addr "$lab" r eth1 192.0.2.254/24 2001:db8:1::fe/64
	addr "$lab" r eth2 198.51.100.254/24 2001:db8:2::fe/64
	addr "$lab" h2 eth0 198.51.100.1/24 2001:db8:2::1/64
	nsx "$r" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ip -n "$(ns "$lab" h1)" route add default via 192.0.2.254
	ip -n "$(ns "$lab" h1)" -6 route add default via 2001:db8:1::fe
	ip -n "$(ns "$lab" h2)" route add default via 198.51.100.254
	ip -n "$(ns "$lab" h2)" -6 route add default via 2001:db8:2::fe
	selfcheck "$lab" h1 198.51.100.1 2001:db8:2::1
}

# More topologies: scripts/lab.d/TOPO.sh defines build_TOPO LAB, using
# add_host, link, addr and selfcheck; the header of that file documents it.
for f in "$(dirname "$0")"/lab.d/*.sh; do
	[ -e "$f" ] && . "$f"
done

lab_down() {
	local lab=$1 n
	[ -f "$STATE_DIR/$lab" ] || return 0
	while read -r n; do
		# Servers a topology started there would outlive the namespace.
		ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null || true
		ip netns del "$n" 2>/dev/null || true
	done <"$STATE_DIR/$lab"
	rm -f "$STATE_DIR/$lab"
	rm -rf "$STATE_DIR/$lab.d"	# a topology's files (lab.d/lb.sh)
}

cmd_up() {
	local lab=${1:-} topo=${2:-}
	[ -n "$lab" ] && [ -n "$topo" ] || usage
	[[ $lab =~ ^[A-Za-z0-9_.]{1,24}$ ]] || die "lab name must be 1-24 letters, digits, '_' or '.': $lab" 2
	[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
	declare -F "build_$topo" >/dev/null ||
		die "unknown topology: $topo ($(declare -F | sed -n 's/^declare -f build_//p' | tr '\n' ' '))" 2
	mkdir -p "$STATE_DIR"
	[ -e "$STATE_DIR/$lab" ] && die "lab $lab already exists (lab.sh down $lab)"
	: >"$STATE_DIR/$lab"
	echo "$topo" >"$STATE_DIR/$lab.topo"
	# Roll back a half-built lab whatever step fails.
	BUILDING=$lab
	trap 'lab_down "$BUILDING"; rm -f "$STATE_DIR/$BUILDING.topo"' EXIT
	"build_$topo" "$lab"
	trap - EXIT
}

cmd_down() {
	local lab=${1:-} f
	[ -n "$lab" ] || usage
	if [ "$lab" = --all ]; then
		for f in "$STATE_DIR"/*.topo; do
			[ -e "$f" ] || continue
			f=${f##*/}
			lab_down "${f%.topo}"
			rm -f "$STATE_DIR/$f"
		done
		return
	fi
	lab_down "$lab"
	rm -f "$STATE_DIR/$lab.topo"
}

cmd_exec() {
	local lab=${1:-} host=${2:-}
	[ $# -ge 3 ] || usage
	shift 2
	ip netns exec "$(ns "$lab" "$host")" "$@"
}

cmd_napi() {
	local obj
	[ $# = 3 ] || usage
	obj=$(cd "$(dirname "$0")/.." && pwd)/.output/tests/lib/xdp_pass.bpf.o
	[ -r "$obj" ] || die "$obj missing: run 'make test-bins'"
	# Netlink-attached: it goes away with the lab's namespace.
	ip -n "$(ns "$1" "$2")" link set dev "$3" xdpdrv obj "$obj" sec xdp
}

cmd_status() {
	local f lab n
	for f in "$STATE_DIR"/*.topo; do
		[ -e "$f" ] || { echo "no labs"; return; }
		lab=${f##*/}
		lab=${lab%.topo}
		echo "lab $lab ($(cat "$f"))"
		while read -r n; do
			printf '  %s:' "$n"
			ip -n "$n" -brief addr show 2>/dev/null | awk '$1 != "lo" {printf " %s %s", $1, $3}'
			echo
		done <"$STATE_DIR/$lab"
	done
}

case "${1:-}" in
up) shift; cmd_up "$@" ;;
down) shift; cmd_down "$@" ;;
exec) shift; cmd_exec "$@" ;;
napi) shift; cmd_napi "$@" ;;
status) shift; cmd_status ;;
*) usage ;;
esac
