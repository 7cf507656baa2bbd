#!/usr/bin/env bash
# xdp_drop --trace: a line per packet that names its verdict, addresses,
# ports or ICMP type; every packet is either shown or counted as not
# shown; a flood prints at most the rate a second and says how many
# packets it did not show.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/trace.sh"

# xdp_total OUT: every packet xdp_drop counted (dropped and passed).
xdp_total() {
	sed -nE 's/^total dropped: icmp-echo ([0-9]+)  icmpv6-echo ([0-9]+)  other-ip ([0-9]+)  long-chain 0  \| passed ([0-9]+)$/\1 \2 \3 \4/p' <<<"$1" |
		awk '{print $1 + $2 + $3 + $4}'
}

lab_up pair
bg_start nc --ns a nc -l -k 192.0.2.1 8080
wait_listen a 8080 || true
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
trace_flood xdp_drop 'dropping' xdp_total ./xdp/xdp_drop --trace-rate 5 eth0

# Off (the default): not one trace line.
bg_start quiet --ns a ./xdp/xdp_drop eth0
wait_output quiet 'dropping'
in_ns b ping -c 2 -i 0.2 -W 1 192.0.2.1 >/dev/null 2>&1 || true
bg_stop quiet
check_fails "without --trace: no trace line" grep -q '^trace' <<<"$(bg_out quiet)"
done_testing
