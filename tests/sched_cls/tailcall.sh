#!/usr/bin/env bash
# tc_tailcall on real traffic: each stage counted exactly the packets that
# reached it, on a quiet link (permanent neighbours, nothing else sent).
. "$(dirname "$0")/../lib/lib.sh"

lab_up pair
mac_a=$(in_ns a cat /sys/class/net/eth0/address)
mac_b=$(in_ns b cat /sys/class/net/eth0/address)
in_ns a ip neigh replace 192.0.2.2 lladdr "$mac_b" dev eth0 nud permanent
in_ns a ip -6 neigh replace 2001:db8:1::2 lladdr "$mac_b" dev eth0 nud permanent
in_ns b ip neigh replace 192.0.2.1 lladdr "$mac_a" dev eth0 nud permanent
in_ns b ip -6 neigh replace 2001:db8:1::1 lladdr "$mac_a" dev eth0 nud permanent

bg_start tc --ns b ./sched_cls/tc_tailcall eth0
wait_output tc 'parsing on' || fail "loader started" "$(bg_out tc)"
check_match "banner" 'parsing on eth0 ingress .* 5 stages in the PROG_ARRAY' "$(bg_out tc)"
in_ns a ping -q -c 5 -i 0.05 192.0.2.2 >/dev/null
in_ns a ping -q -c 4 -i 0.05 2001:db8:1::2 >/dev/null
for i in 1 2 3; do in_ns a bash -c 'echo x >/dev/udp/192.0.2.2/9999'; done
tcp0=$(nstat_get a TcpOutSegs)
in_ns a nc -z -w 2 192.0.2.2 8080 || true	# a SYN, answered by a RST
tcp=$(( $(nstat_get a TcpOutSegs) - tcp0 ))
sleep 0.3
bg_stop tc
check_eq "SIGINT exits 0" 0 "$BG_RC"
line=$(grep '^total ' <<<"$(bg_out tc)")
info "$line"
get() { grep -oE "(^|  )$1 [0-9]+" <<<"${line#total }" | grep -oE '[0-9]+$'; }
check_eq "ipv4 stage ran for 5 pings + 3 datagrams + $tcp TCP segments" $((8 + tcp)) "$(get ipv4)"
# IPv6 may add MLD or ND messages of its own: all ICMPv6.
check_range "ipv6 stage ran for the 4 pings (and any MLD/ND)" 4 20 "$(get ipv6)"
check_eq "icmp stage ran for the 5 pings and every ICMPv6 packet" $((5 + $(get ipv6))) "$(get icmp)"
check_eq "udp stage ran for 3 datagrams" 3 "$(get udp)"
check_eq "tcp stage ran for the $tcp TCP segments" "$tcp" "$(get tcp)"
check_eq "entry = ipv4 + ipv6 + other" "$(get eth)" $(( $(get ipv4) + $(get ipv6) + $(get other) ))
check_eq "no missed tail call" 0 "$(get missed-tail-calls)"
check_fails "nothing left on eth0" bash -c "ip netns exec $LAB-b bpftool net show dev eth0 | grep -q tc_tailcall"
done_testing
