#!/usr/bin/env bash
# xdp_drop stops ping (v4 and v6) but not TCP, ARP or neighbour discovery.
. "$(dirname "$0")/../lib/lib.sh"

lab_up pair
bg_start nc --ns a nc -l -k 192.0.2.1 8080
wait_listen a 8080 || fail "nc listens on 8080"

check "ping works before" in_ns b ping -c1 -W2 192.0.2.1

for opt in "" --all-ip; do
	tag=${opt:-default}
	bg_start drop --ns a ./xdp/xdp_drop $opt eth0
	wait_output drop 'dropping' || fail "$tag: loader started" "$(bg_out drop)"
	check_fails "$tag: ipv4 ping fails" in_ns b ping -c 3 -i 0.1 -W 1 192.0.2.1
	check_fails "$tag: ipv6 ping fails" in_ns b ping -c 3 -i 0.1 -W 1 2001:db8:1::1
	# Forget the neighbours: resolving them again needs ARP and ND to pass.
	in_ns b ip neigh flush dev eth0
	in_ns b ip -6 neigh flush dev eth0
	if [ -z "$opt" ]; then
		check "$tag: tcp still connects (ARP resolves)" \
			in_ns b bash -c 'echo hello | nc -N -w 3 192.0.2.1 8080'
	else
		check_fails "$tag: tcp is dropped too" \
			in_ns b bash -c 'echo hello | nc -N -w 2 192.0.2.1 8080'
	fi
	check "$tag: ARP resolved through XDP" \
		bash -c "ip -n $LAB-b neigh show 192.0.2.1 | grep -Eq 'REACHABLE|STALE|DELAY|PROBE'"
	# ND: ping6 itself fails, but its neighbour solicitation is answered.
	in_ns b ping -c1 -W1 2001:db8:1::1 >/dev/null 2>&1
	check "$tag: IPv6 neighbour discovery passes" \
		bash -c "ip -n $LAB-b -6 neigh show 2001:db8:1::1 | grep -Eq 'REACHABLE|STALE|DELAY|PROBE'"
	bg_stop drop
	check_eq "$tag: SIGINT exits 0" 0 "$BG_RC"
	out=$(bg_out drop)
	check_match "$tag: drops were counted" 'total dropped: icmp-echo [1-9][0-9]*  icmpv6-echo [1-9]' "$out"
	check "$tag: ping works after exit" in_ns b ping -c1 -W2 192.0.2.1
	check "$tag: ping6 works after exit" in_ns b ping -c1 -W2 2001:db8:1::1
done

bg_start k --ns a ./xdp/xdp_drop eth0
wait_output k 'dropping'
bg_stop k KILL
check "SIGKILL leaves no XDP program" wait_for 3 \
	bash -c "! ip -n $LAB-a link show eth0 | grep -q xdp"
check "ping works after SIGKILL" in_ns b ping -c1 -W2 192.0.2.1
done_testing
