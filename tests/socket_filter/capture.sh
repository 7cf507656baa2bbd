#!/usr/bin/env bash
# socket_filter keeps exactly what `tcpdump 'ip and tcp'` captures on the
# same interface in the same window: same count, same packets.
. "$(dirname "$0")/../lib/lib.sh"

lab_up pair
bg_start srv --ns b socat -u TCP6-LISTEN:8080,fork,reuseaddr OPEN:/dev/null
wait_for 3 in_ns b ss -Hltn 'sport = 8080' || fail "tcp server listens"

bg_start sf --ns a ./socket_filter/socket_filter eth0
bg_start td --ns a tcpdump -i eth0 -nn -t -l -U 'ip and tcp'
wait_output sf 'capturing' || fail "socket_filter started" "$(bg_out sf)"
wait_output td 'listening on' || fail "tcpdump started" "$(bg_out td)"

# Traffic of every kind, both directions: only IPv4 TCP may be kept.
in_ns a ping -q -c 3 -i 0.1 192.0.2.2 >/dev/null
in_ns a ping -q -c 2 -i 0.1 2001:db8:1::2 >/dev/null
for i in 1 2 3; do in_ns a bash -c 'echo x >/dev/udp/192.0.2.2/9999'; done
in_ns a bash -c 'echo hello | nc -N -w 3 192.0.2.2 8080'
in_ns a bash -c 'echo hello | nc -N -w 3 2001:db8:1::2 8080'
in_ns b python3 tests/socket_filter/tcpfrag.py 192.0.2.2 192.0.2.1
in_ns a bash -c 'echo again | nc -N -w 3 192.0.2.2 8080'
sleep 1
bg_stop td
bg_stop sf
check_eq "socket_filter: SIGINT exits 0" 0 "$BG_RC"

# Both as "SRC > DST FLAGS" (a fragment: "SRC > DST frag").
ours=$(bg_out sf | grep -E '^(in |out) ' | sed -E \
	-e 's/^(in |out) //' \
	-e 's/^([0-9.]+) > ([0-9.]+): fragment.*/\1 > \2 frag/' \
	-e 's/^([0-9.]+):([0-9]+) > ([0-9.]+):([0-9]+): Flags \[([^]]*)\].*/\1.\2 > \3.\4 \5/')
theirs=$(bg_out td | grep '^IP ' | sed -E \
	-e 's/^IP ([0-9.]+) > ([0-9.]+): (tcp|ip-proto-6).*/\1 > \2 frag/' \
	-e 's/^IP ([0-9.]+) > ([0-9.]+): Flags \[([^]]*)\].*/\1 > \2 \3/')
{ echo socket_filter:; echo "$ours"; } | sed "s/^/# /"
{ echo tcpdump:; echo "$theirs"; } | sed "s/^/# /"
n=$(grep -c . <<<"$theirs")
check_range "tcpdump saw two IPv4 connections and the fragment" 15 200 "$n"
check_eq "same number of packets as tcpdump" "$n" "$(grep -c . <<<"$ours")"
check_eq "same packets, in the same order" "$theirs" "$ours"
check_match "the later TCP fragment is kept" '192.0.2.2 > 192.0.2.1 frag' "$ours"
check_match "the kept count is the number of lines" "total seen [0-9]+, kept $n\$" "$(bg_out sf)"
seen=$(bg_out sf | sed -nE 's/^total seen ([0-9]+),.*/\1/p')
# 3+3 pings, 2+2 ping6 (+ ND), 3 UDP, the IPv6 connection: all seen, not kept.
check_range "ping, ping6, UDP and IPv6 TCP were seen and dropped" $((n + 20)) 100000 "$seen"

bg_start c --ns a ./socket_filter/socket_filter -c 4 eth0
wait_output c 'capturing'
in_ns a bash -c 'echo hello | nc -N -w 3 192.0.2.2 8080'
wait_pid "$(bg_pid c)" 5
check_eq "-c 4 exits 0 by itself" 0 "$WAIT_RC"
check_eq "-c 4 prints 4 packets" 4 "$(bg_out c | grep -cE '^(in |out) ')"

# The filter belongs to the socket: even SIGKILL leaves no program.
bg_start k --ns a ./socket_filter/socket_filter eth0
wait_output k 'capturing'
check "the program is loaded while it runs" bash -c "bpftool prog show name socket_filter | grep -q socket_filter"
bg_stop k KILL
check "SIGKILL leaves no program behind" wait_for 3 bash -c "! bpftool prog show name socket_filter | grep -q ."

run() { out=$("$@" 2>&1); rc=$?; }
run in_ns a ./socket_filter/socket_filter eth9
check_eq "unknown interface exits 2" 2 "$rc"
check_match "unknown interface: one sentence" '^socket_filter: no such interface: eth9' "$out"
run in_ns a ./socket_filter/socket_filter -c 0 eth0
check_eq "-c 0 exits 2" 2 "$rc"
run in_ns a setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
	./socket_filter/socket_filter eth0
check_eq "not root exits 1" 1 "$rc"
check_match "not root: the contract's sentence" '^socket_filter: needs root' "$out"
done_testing
