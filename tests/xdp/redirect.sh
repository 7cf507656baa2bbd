#!/usr/bin/env bash
# xdp_redirect routes between the router's two ports through a DEVMAP:
# pings and TCP cross, the router's kernel forwards nothing itself
# (IpForwDatagrams, Ip6OutForwDatagrams +0), TTLs are decremented, the
# program counted exactly what crossed; TTL 1 is left to the kernel.
. "$(dirname "$0")/../lib/lib.sh"

lab_up router
# Redirected frames reach a veth peer only through its NAPI (lab.sh napi).
scripts/lab.sh napi "$LAB" h1 eth0
scripts/lab.sh napi "$LAB" h2 eth0
# An XDP frame has no "checksum partial" state: send complete checksums.
in_ns h1 ethtool -K eth0 tx off >/dev/null
in_ns h2 ethtool -K eth0 tx off >/dev/null
# Neighbours resolved: bpf_fib_lookup leaves unresolved ones to the kernel.
for a in 192.0.2.1 198.51.100.1 2001:db8:1::1 2001:db8:2::1; do
	in_ns r ping -c 1 -W 2 $a >/dev/null
done

forwarded() { echo "$(nstat_get r IpForwDatagrams) $(nstat_get r Ip6OutForwDatagrams)"; }
pings() {
	local out
	out=$(in_ns h1 ping -c 10 -i 0.05 -W 2 "$2" 2>&1)
	check_match "$1: 10 of 10 answered" ' 10 received' "$out"
	check_match "$1: one hop decremented the TTL" 'ttl=63' "$out"
}

for mode in native skb; do
	before=$(forwarded)
	bg_start fwd --ns r ./xdp/xdp_redirect --mode $mode eth1 eth2
	wait_output fwd 'forwarding between' || fail "$mode: loader started" "$(bg_out fwd)"
	check_match "$mode: banner" "eth1 \(ifindex [0-9]+, .*$mode.*\) and eth2" "$(bg_out fwd)"
	pings "$mode ipv4" 198.51.100.1
	pings "$mode ipv6" 2001:db8:2::1
	check_eq "$mode: the router's kernel forwarded nothing" "$before" "$(forwarded)"
	bg_stop fwd
	check_eq "$mode: SIGINT exits 0" 0 "$BG_RC"
	# 10 IPv4 (98-byte frames) and 10 IPv6 (118-byte frames) each way.
	check_match "$mode: counted 20 each way, 2160 bytes" \
		'^total eth1 -> eth2 20 \(2160 B\)  eth2 -> eth1 20 \(2160 B\)' \
		"$(grep '^total' <<<"$(bg_out fwd)")"
done

# TCP across, and TTL 1 left to the kernel (which answers time exceeded).
bg_start srv --ns h2 iperf3 -s -1 -B 198.51.100.1
wait_listen h2 5201 || fail "iperf3 server listens"
before=$(forwarded)
bg_start fwd --ns r ./xdp/xdp_redirect eth1 eth2
wait_output fwd 'forwarding between' || fail "loader started" "$(bg_out fwd)"
out=$(in_ns h1 iperf3 -c 198.51.100.1 -t 2 -f m 2>&1)
info "$(grep -E 'sender|receiver' <<<"$out")"
check_match "iperf3 through the XDP router completes" 'receiver' "$out"
check_eq "no bad TCP checksum on h2" 0 "$(nstat_get h2 TcpInCsumErrors)"
check_eq "the router's kernel forwarded no TCP segment" "$before" "$(forwarded)"
out=$(in_ns h1 ping -c 1 -t 1 -W 2 198.51.100.1 2>&1)
check_match "TTL 1: the kernel answers time exceeded" 'Time to live exceeded' "$out"
bg_stop fwd
line=$(grep '^total' <<<"$(bg_out fwd)")
info "$line"
check_match "counted the TCP segments" '^total eth1 -> eth2 [0-9]{3,} ' "$line"
check_fails "nothing left on eth1" bash -c "ip -n $LAB-r link show eth1 | grep -q prog/xdp"
check_fails "nothing left on eth2" bash -c "ip -n $LAB-r link show eth2 | grep -q prog/xdp"

expect "one interface" 2 'two interfaces' ./xdp/xdp_redirect lo
expect "same interface twice" 2 'same interface' ./xdp/xdp_redirect lo lo
done_testing
