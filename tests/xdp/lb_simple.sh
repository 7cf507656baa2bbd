#!/usr/bin/env bash
# xdp_lb_simple in the lb lab: curl through the VIP works, each connection
# lands on the backend the 4-tuple hash names, a keep-alive connection
# stays on one backend, a 20 MiB download arrives intact, and no host
# counts a bad TCP checksum.
. "$(dirname "$0")/../lib/lib.sh"

lab_up lb
VIP=192.0.2.80 CLIENT=192.0.2.1
csum_errors() {
	local h n=0
	for h in client b1 b2; do n=$((n + $(nstat_get $h TcpInCsumErrors))); done
	echo $n
}
# pick PORT: the backend (b1 or b2) xdp_lb_simple.h's xdp_lb_simple_pick gives a
# connection from CLIENT:PORT to VIP:8080.
ip2int() { local IFS=.; set -- $1; echo $(( $1 << 24 | $2 << 16 | $3 << 8 | $4 )); }
pick() {
	local h=$(( $(ip2int $CLIENT) ^ $(ip2int $VIP) ^ ($1 << 16 | 8080) ))
	echo b$(( (((h * 0x9e3779b1) & 0xffffffff) >> 31) + 1 ))
}

errors0=$(csum_errors)
bg_start lb --ns lb ./xdp/xdp_lb_simple --vip $VIP --client $CLIENT \
	--backend 198.51.100.11 --backend 198.51.100.12 eth0
wait_output lb 'balancing' || fail "loader started" "$(bg_out lb)"
check_match "banner" 'balancing 192.0.2.80:8080 on eth0 .* over 2 backends from 198.51.100.254' "$(bg_out lb)"

# 40 connections from fixed client ports: each answered by the predicted backend.
base=$((41000 + RANDOM % 20000))
ok=0 right=0 n1=0
for ((p = base; p < base + 40; p++)); do
	got=$(in_ns client curl -s -m 5 --local-port $p http://$VIP:8080/)
	[ -n "$got" ] && ok=$((ok + 1))
	[ "$got" = "$(pick $p)" ] && right=$((right + 1))
	[ "$got" = b1 ] && n1=$((n1 + 1))
done
check_eq "40 of 40 curls answered" 40 "$ok"
check_eq "40 of 40 on the backend the 4-tuple hash names" 40 "$right"
check_range "both backends used (b1 got $n1 of 40)" 5 35 "$n1"

out=$(in_ns client curl -s -m 10 http://$VIP:8080/ http://$VIP:8080/ http://$VIP:8080/ http://$VIP:8080/)
check_match "4 requests on one keep-alive connection, one backend" '^(b1b1b1b1|b2b2b2b2)$' "$(tr -d '\n' <<<"$out")"

sum=$(in_ns client curl -s -m 60 http://$VIP:8080/big.bin | sha256sum | cut -d' ' -f1)
check_eq "20 MiB download intact (sha256)" "$(cat /run/ebpf-catalog-lab/$LAB.d/big.sha256)" "$sum"
check_eq "no TcpInCsumErrors on client, b1, b2" "$errors0" "$(csum_errors)"

bg_stop lb
check_eq "SIGINT exits 0" 0 "$BG_RC"
line=$(grep '^total' <<<"$(bg_out lb)")
info "$line"
check_match "counted both directions" \
	'^total to 198.51.100.11 [1-9][0-9]*  to 198.51.100.12 [1-9][0-9]*  to client [1-9][0-9]{4,}' "$line"
check_fails "nothing left on eth0" bash -c "ip -n $LAB-lb link show eth0 | grep -q prog/xdp"
check_fails "after exit the VIP has no port 8080" in_ns client curl -s -m 3 http://$VIP:8080/

expect "one backend" 2 'two --backend' ./xdp/xdp_lb_simple --vip $VIP --client $CLIENT -b 198.51.100.11 lo
expect "bad address" 2 'not an IPv4 address: 192.0.2.300' ./xdp/xdp_lb_simple --vip 192.0.2.300 --client $CLIENT -b 198.51.100.11 -b 198.51.100.12 lo
expect "unknown interface" 2 'no such interface' ./xdp/xdp_lb_simple --vip $VIP --client $CLIENT -b 198.51.100.11 -b 198.51.100.12 hc0nope
done_testing
