#!/usr/bin/env bash
# IPv6 UDP behind 7, 8, 30 and 65 destination-options headers, with the
# kernel as the oracle: alone it delivers every one; sched_cls with a
# policy stops the ones the policy names and lets the others through, up
# to the 64 headers it follows; past them it drops under any policy
# (long-chain) and, without a policy, only counts.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/ext6.sh"

lab_up pair
ext6_lab a 2001:db8:1::1 b 2001:db8:1::2 5300 5301
stat_of() { bg_out "$1" | grep '^total ' | grep -oE "$2 [0-9]+" | tail -1 | cut -d' ' -f2; }

ext6_oracle 5300

bg_start cls --ns b ./sched_cls/sched_cls --drop-port 5300 eth0
wait_output cls 'dropping port 5300' || fail "loader started" "$(bg_out cls)"
ext6_port_policy drop-port 5300 5301
bg_stop cls
info "$(bg_out cls | grep '^total ')"
check_eq "--drop-port 5300: long-chain counts the two of 65 headers" 2 "$(stat_of cls long-chain)"
check_eq "--drop-port 5300: 5 dropped (3 by port, 2 long chains)" 5 "$(stat_of cls dropped)"

bg_start proto --ns b ./sched_cls/sched_cls --drop-proto udp eth0
wait_output proto 'dropping protocol 17' || fail "loader started" "$(bg_out proto)"
for n in $EXT6_LENGTHS; do ext6_send udp 5301 $n; done
sleep 1
for n in $EXT6_LENGTHS; do
	check "--drop-proto udp: $n headers to 5301 do not arrive" ext6_gone udp-$n 5301
done
bg_stop proto
check_eq "--drop-proto udp: 4 dropped" 4 "$(stat_of proto dropped)"

bg_start tcp --ns b ./sched_cls/sched_cls --drop-proto tcp eth0
wait_output tcp 'dropping protocol 6' || fail "loader started" "$(bg_out tcp)"
for n in $EXT6_LENGTHS; do ext6_send tcp 5301 $n; done
for n in 7 8 30; do
	check "--drop-proto tcp: $n headers of udp arrive" ext6_arrived tcp-$n 5301
done
sleep 1
check "--drop-proto tcp: 65 headers do not arrive (fail closed)" ext6_gone tcp-65 5301
bg_stop tcp

bg_start none --ns b ./sched_cls/sched_cls eth0
wait_output none 'dropping nothing' || fail "loader started" "$(bg_out none)"
ext6_send none 5300 65
check "no policy: 65 headers still arrive" ext6_arrived none-65 5300
bg_stop none
check_eq "no policy: counted as long-chain" 1 "$(stat_of none long-chain)"
check_eq "no policy: nothing dropped" 0 "$(stat_of none dropped)"
done_testing
