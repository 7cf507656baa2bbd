#!/usr/bin/env bash
# lwt_in on the router lab: the program sits on r's route to h2 and counts
# what h1 sends there; --drop-proto drops one protocol; the route goes away
# on every exit, and a route left by SIGKILL is removed at the next start.
. "$(dirname "$0")/../lib/lib.sh"

BIN=./lwt_in/lwt_in
[ -x "$BIN" ] || skip_all "$BIN not built (make lwt_in)"
lab_up router

# total_of NAME PROTO: the packets of PROTO in the loader's final line
# ("total packets: icmp 20 (1680 B)  udp 10 (...)  | malformed 0  long-chain 0  dropped 0").
total_of() {
	bg_out "$1" | sed -nE "s/^total packets:(.* )? $2 ([0-9]+) .*/\\2/p" | grep . || echo 0
}

our_route() { in_ns r ip "$@" route show proto 235; }

# tcp_hello PORT: one TCP connection h1 -> h2 carrying "hello".
tcp_hello() {
	bg_start srv_$1 --ns h2 nc -l "$1"
	wait_for 5 sh -c "ip netns exec $LAB-h2 ss -Hltn 'sport = :$1' | grep -q ." || return 1
	echo hello | in_ns h1 nc -N -w 3 198.51.100.1 "$1" || return 1
	wait_pid "$(bg_pid srv_$1)" 5
	[ "$(bg_out srv_$1)" = hello ]
}

# --- bad input and privileges
out=$(in_ns r $BIN --route 198.51.100.300/32 --dev eth2 2>&1); rc=$?
check_eq "not a prefix: exit 2" 2 "$rc"
check_match "not a prefix: one sentence" '^lwt_in: route: not a prefix: 198\.51\.100\.300/32$' "$(head -1 <<<"$out")"
out=$(in_ns r $BIN --route 198.51.100.1/24 --dev eth2 2>&1); rc=$?
check_eq "host bits beyond the prefix: exit 2" 2 "$rc"
out=$(in_ns r $BIN --route 198.51.100.1/32 --dev eth9 2>&1); rc=$?
check_eq "unknown device: exit 2" 2 "$rc"
check_match "unknown device: one sentence" '^lwt_in: no such interface: eth9$' "$(head -1 <<<"$out")"
out=$(in_ns r $BIN --route 198.51.100.1/32 --dev eth2 --drop-proto nosuch 2>&1); rc=$?
check_eq "unknown protocol: exit 2" 2 "$rc"
out=$(in_ns r setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	--bounding-set=-all $BIN --route 198.51.100.1/32 --dev eth2 2>&1); rc=$?
check_eq "non-root: exit 1" 1 "$rc"
check_match "non-root: one sentence" '^lwt_in: needs root \(or CAP_BPF and CAP_NET_ADMIN\)$' "$out"
check_eq "no route left by the refused starts" "" "$(our_route)"

# --- counting: 20 pings, 10 datagrams, one TCP connection
bg_start lwt --ns r $BIN --route 198.51.100.1/32 --dev eth2
check "loader starts" wait_output lwt 'counting on route 198\.51\.100\.1/32 dev eth2'
check_match "route installed with encap bpf in" 'encap bpf in lwt_in:[0-9]+ dev eth2' "$(our_route)"
expect "a second loader for the same route" 1 \
	'^lwt_in: route 198\.51\.100\.1/32 is already in use by the running loader lwt_in:[0-9]+' \
	in_ns r $BIN --route 198.51.100.1/32 --dev eth2 -d 1
check_match "the first loader's route is untouched" 'encap bpf in lwt_in:' "$(our_route)"
bg_start cap --ns r tcpdump -i eth1 -Q in -n -U --immediate-mode -w "$TMP/tcp.pcap" 'tcp and dst host 198.51.100.1'
check "tcpdump listening" wait_output cap 'listening on'
check "20 pings h1 -> h2" in_ns h1 ping -q -c 20 -i 0.02 -W 2 198.51.100.1
in_ns h1 bash -c 'for i in $(seq 10); do echo datagram-$i >/dev/udp/198.51.100.1/9; done'
check "one TCP connection h1 -> h2" tcp_hello 8080
sleep 0.3
bg_stop cap
info "$(bg_out cap)"
tcp_seen=$(tcpdump -r "$TMP/tcp.pcap" -n 2>/dev/null | wc -l)
bg_stop lwt
check_eq "loader exits 0 on SIGINT" 0 "$BG_RC"
info "$(bg_out lwt | grep '^total ')"
check_eq "icmp count is exactly 20" 20 "$(total_of lwt icmp)"
check_eq "udp count is exactly 10" 10 "$(total_of lwt udp)"
check_range "tcpdump saw the TCP segments" 3 1000 "$tcp_seen"
check_eq "tcp count equals the segments tcpdump saw" "$tcp_seen" "$(total_of lwt tcp)"
check_eq "route removed on exit" "" "$(our_route)"
check "h1 still reaches h2 through the lab's own route" in_ns h1 ping -q -c 2 -i 0.2 -W 2 198.51.100.1

# --- --drop-proto icmp: ping fails, TCP works
bg_start drop --ns r $BIN --route 198.51.100.1/32 --dev eth2 --drop-proto icmp
check "drop loader starts" wait_output drop 'dropping icmp'
check_fails "ping fails while icmp is dropped" in_ns h1 ping -q -c 3 -i 0.2 -W 1 198.51.100.1
check "TCP still works while icmp is dropped" tcp_hello 8081
bg_stop drop TERM
check_eq "loader exits 0 on SIGTERM" 0 "$BG_RC"
check_match "the 3 pings were counted as dropped icmp" \
	'^total packets: icmp 3 \([0-9]+ B\).*  \| malformed 0  long-chain 0  dropped 3$' "$(bg_out drop | grep '^total ')"
check_eq "route removed after SIGTERM" "" "$(our_route)"
check "ping works again after exit" in_ns h1 ping -q -c 2 -i 0.2 -W 2 198.51.100.1

# --- IPv6 route
bg_start lwt6 --ns r $BIN --route 2001:db8:2::1/128 --dev eth2
check "ipv6 loader starts" wait_output lwt6 'counting on route 2001:db8:2::1/128'
check "5 ipv6 pings h1 -> h2" in_ns h1 ping -6 -q -c 5 -i 0.02 -W 2 2001:db8:2::1
bg_stop lwt6
check_eq "icmpv6 count is exactly 5" 5 "$(total_of lwt6 icmpv6)"
check_eq "ipv6 route removed on exit" "" "$(our_route -6)"

# --- SIGKILL leaves the route; the next start removes it
bg_start killed --ns r $BIN --route 198.51.100.1/32 --dev eth2
check "loader to be killed starts" wait_output killed 'counting on route'
bg_stop killed KILL
check_match "SIGKILL leaves the route behind" 'encap bpf in lwt_in:' "$(our_route)"
out=$(in_ns r $BIN --route 198.51.100.1/32 --dev eth2 -d 1 2>&1); rc=$?
check_eq "next start succeeds" 0 "$rc"
check_match "next start names the stale route it removed" \
	'lwt_in: removing the stale route 198\.51\.100\.1/32 \(program "lwt_in:[0-9]+"\)' "$out"
check_eq "no route left after the next run" "" "$(our_route)"

# --- a route that is not ours is refused, not replaced
in_ns r ip route add 198.51.100.1/32 dev eth2
on_cleanup "ip -n $LAB-r route del 198.51.100.1/32 2>/dev/null"
out=$(in_ns r $BIN --route 198.51.100.1/32 --dev eth2 -d 1 2>&1); rc=$?
check_eq "existing foreign route: exit 1" 1 "$rc"
check_match "existing foreign route: one sentence" \
	'^lwt_in: adding the route: a route to 198\.51\.100\.1/32 that is not ours already exists in table main' "$out"
check_match "the foreign route is untouched" '^198\.51\.100\.1 dev eth2' "$(in_ns r ip route show 198.51.100.1/32)"

done_testing
