#!/usr/bin/env bash
# XDP runs before tc: with xdp_drop and sched_cls on the same interface,
# the pings XDP dropped never reach tc (sched_cls counts no ICMP); with the
# policies swapped (XDP passes, tc drops), both counters move.
. "$(dirname "$0")/../lib/lib.sh"

lab_up pair
# A quiet link: permanent neighbours, so only our pings cross it.
mac_a=$(in_ns a cat /sys/class/net/eth0/address)
mac_b=$(in_ns b cat /sys/class/net/eth0/address)
in_ns a ip neigh replace 192.0.2.2 lladdr "$mac_b" dev eth0 nud permanent
in_ns b ip neigh replace 192.0.2.1 lladdr "$mac_a" dev eth0 nud permanent

# XDP is attached inside tc's lifetime (tc first, XDP stopped first), so
# whatever XDP passed, tc was there to see.
start_xdp() {
	bg_start xdp --ns b ./xdp/xdp_drop "$@" eth0
	wait_output xdp 'dropping' || fail "xdp_drop started" "$(bg_out xdp)"
}
start_tc() {
	bg_start cls --ns b ./sched_cls/sched_cls "$@" eth0
	wait_output cls 'counting on' || fail "sched_cls started" "$(bg_out cls)"
}
# tc_icmp PACKETS DROPPED: sched_cls's final icmp line and dropped count.
tc_icmp() { grep '^total ' <<<"$(bg_out cls)" | grep -oE 'icmp [0-9]+ \([0-9]+ B\)|dropped [0-9]+' | tr '\n' ' '; }

# 1. XDP drops ping, tc counts: tc never sees them.
start_tc
start_xdp
check_fails "ping gets no answer" in_ns a ping -c 5 -i 0.1 -W 1 192.0.2.2
bg_stop xdp
bg_stop cls
info "xdp_drop: $(grep '^total' <<<"$(bg_out xdp)")"
info "sched_cls: $(grep '^total' <<<"$(bg_out cls)")"
check_match "xdp_drop dropped the 5 echo requests" '^total dropped: icmp-echo 5 ' "$(grep '^total' <<<"$(bg_out xdp)")"
check_eq "sched_cls saw none of them" "icmp 0 (0 B) dropped 0 " "$(tc_icmp)"

# 2. Swapped: XDP passes (its blocklist names no one here), tc drops ping.
start_tc --drop-proto icmp
start_xdp --block 203.0.113.0/24
check_fails "ping gets no answer" in_ns a ping -c 5 -i 0.1 -W 1 192.0.2.2
bg_stop xdp
bg_stop cls
info "xdp_drop: $(grep '^total' <<<"$(bg_out xdp)")"
info "sched_cls: $(grep '^total' <<<"$(bg_out cls)")"
passed=$(grep '^total' <<<"$(bg_out xdp)" | grep -oE 'passed [0-9]+$' | grep -oE '[0-9]+')
seen=$(grep '^total ' <<<"$(bg_out cls)" | grep -oE '[a-z0-9-]+ [0-9]+ \(' | awk '{n += $2} END {print n + 0}')
check_range "xdp_drop passed the 5 echo requests (and any MLD)" 5 20 "${passed:-0}"
check_range "tc saw every packet XDP passed ($passed; tc saw $seen)" "${passed:-0}" 1000 "$seen"
check_eq "sched_cls saw and dropped all 5 (98-byte frames)" "icmp 5 (490 B) dropped 5 " "$(tc_icmp)"
check "both gone: ping answered again" in_ns a ping -c 2 -i 0.1 -W 2 192.0.2.2
done_testing
