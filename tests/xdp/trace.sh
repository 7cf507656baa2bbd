#!/usr/bin/env bash
# xdp_drop --trace: a line per packet that names its verdict, addresses,
# ports or ICMP type; every packet is either shown or counted as not
# shown; a flood prints at most the rate a second and says how many
# packets it did not show.
. "$(dirname "$0")/../lib/lib.sh"

# trace_total OUT: "SHOWN MISSED" from the final "trace: ..." line.
trace_total() {
	sed -nE 's/^trace: ([0-9]+) packets shown, ([0-9]+) not shown .*/\1 \2/p' <<<"$1" | tail -n 1
}
# xdp_total OUT: every packet xdp_drop counted (dropped and passed).
xdp_total() {
	sed -nE 's/^total dropped: icmp-echo ([0-9]+)  icmpv6-echo ([0-9]+)  other-ip ([0-9]+)  \| passed ([0-9]+)$/\1 \2 \3 \4/p' <<<"$1" |
		awk '{print $1 + $2 + $3 + $4}'
}

lab_up pair
bg_start nc --ns a nc -l -k 192.0.2.1 8080
wait_for 3 in_ns a ss -Hltn 'sport = 8080' || true
in_ns b ip neigh flush dev eth0
in_ns b ip -6 neigh flush dev eth0

bg_start drop --ns a ./xdp/xdp_drop --trace eth0
wait_output drop 'dropping' || fail "loader started" "$(bg_out drop)"
check_fails "ipv4 ping is dropped" in_ns b ping -c 3 -i 0.2 -W 1 192.0.2.1
check_fails "ipv6 ping is dropped" in_ns b ping -c 3 -i 0.2 -W 1 2001:db8:1::1
check "tcp connects" in_ns b bash -c 'echo hello | nc -N -w 3 192.0.2.1 8080'
bg_stop drop
check_eq "SIGINT exits 0" 0 "$BG_RC"
out=$(bg_out drop)
printf '%s\n' "$out" | sed 's/^/#   /'

check_eq "3 lines: drop icmp 192.0.2.2 > 192.0.2.1 echo-request len 98" 3 \
	"$(grep -cx 'trace: drop icmp 192\.0\.2\.2 > 192\.0\.2\.1 echo-request len 98' <<<"$out")"
check_eq "3 lines: drop icmpv6 2001:db8:1::2 > 2001:db8:1::1 echo-request len 118" 3 \
	"$(grep -cx 'trace: drop icmpv6 2001:db8:1::2 > 2001:db8:1::1 echo-request len 118' <<<"$out")"
check_match "ARP passes: who-has 192.0.2.1 tell 192.0.2.2" \
	'trace: pass arp who-has 192\.0\.2\.1 tell 192\.0\.2\.2 len [0-9]+' "$out"
check_match "neighbour discovery passes" \
	'trace: pass icmpv6 [0-9a-f:]+ > [0-9a-f:]+ neighbour-(solicitation|advertisement) len [0-9]+' "$out"
check_match "the SYN to 8080 passes, with its ports" \
	'trace: pass tcp 192\.0\.2\.2:[0-9]+ > 192\.0\.2\.1:8080 len 74' "$out"
check_fails "no verdict other than drop and pass" grep -Eq '^trace: (aborted|tx|redirect|verdict)' <<<"$out"
read -r shown missed <<<"$(trace_total "$out")"
check_eq "the summary counts every line shown" "$(grep -cE '^trace: (drop|pass) ' <<<"$out")" "${shown:-none}"
check_eq "a few pings: nothing left out" 0 "${missed:-none}"
check_eq "shown + not shown = the packets xdp_drop counted" "$(xdp_total "$out")" "$((shown + missed))"

# A flood, with at most 5 lines a second.
bg_start flood --ns a ./xdp/xdp_drop --trace-rate 5 eth0
wait_output flood 'dropping' || fail "loader with --trace-rate started" "$(bg_out flood)"
t0=$(date +%s)
# 20000 UDP datagrams as fast as python sends them (ping without replies paces itself).
in_ns b python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(20000):
	s.sendto(b"flood", ("192.0.2.1", 9))'

sleep 1.2	# one stats tick after the flood
bg_stop flood
t1=$(date +%s)
check_eq "--trace-rate: SIGINT exits 0" 0 "$BG_RC"
out=$(bg_out flood)
printf '%s\n' "$out" | grep -v '^trace: pass udp' | sed 's/^/#   /'
read -r shown missed <<<"$(trace_total "$out")"
lines=$(grep -cE '^trace: (drop|pass) ' <<<"$out")
info "flood: $lines lines in $((t1 - t0)) s, summary: shown $shown, not shown $missed"
check_eq "flood: the summary counts every line shown" "$lines" "${shown:-none}"
check_range "flood: at most 5 lines a second ($lines in $((t1 - t0)) s)" 1 $((5 * (t1 - t0 + 1))) "$lines"
check_range "flood: the rest was not shown, and counted" $((20000 - 5 * (t1 - t0 + 1))) 100000 "${missed:-0}"
check_match "flood: a stats tick says how many were not shown" \
	'^trace: [0-9]+ more packets not shown \(at most 5 lines a second\)$' "$out"
check_eq "flood: shown + not shown = the packets xdp_drop counted" "$(xdp_total "$out")" "$((shown + missed))"

# Off (the default): not one trace line.
bg_start quiet --ns a ./xdp/xdp_drop eth0
wait_output quiet 'dropping'
in_ns b ping -c 2 -i 0.2 -W 1 192.0.2.1 >/dev/null 2>&1 || true
bg_stop quiet
check_fails "without --trace: no trace line" grep -q '^trace' <<<"$(bg_out quiet)"
done_testing
