#!/usr/bin/env bash
# ICMPv6 echo requests behind 7, 8, 30 and 65 destination-options headers,
# with the kernel as the oracle: alone it takes in every one (Icmp6InEchos
# counts them); under xdp_drop none reaches it, the 65 ones as long-chain
# (past the 64 headers the program follows it cannot tell ping from the
# rest, and fails closed), while UDP behind the same chains still arrives.
# --block decides by source address alone, whatever the chain.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/ext6.sh"

lab_up pair
ext6_lab a 2001:db8:1::1 b 2001:db8:1::2 5300
echos() { in_ns b nstat -az Icmp6InEchos | awk '$1 == "Icmp6InEchos" {print $2}'; }
stat_of() { bg_out "$1" | grep '^total ' | grep -oE "$2 [0-9]+" | tail -1 | cut -d' ' -f2; }
# echos_after N BEFORE: wait until the kernel has counted N more requests.
echos_after() { [ "$(echos)" -ge $(($2 + $1)) ]; }

before=$(echos)
for n in $EXT6_LENGTHS; do ext6_send kernel echo $n; done
check "no program: the kernel takes in echo requests behind 7, 8, 30 and 65 headers" \
	wait_for 3 echos_after 4 "$before"

bg_start drop --ns b ./xdp/xdp_drop eth0
wait_output drop 'Ctrl-C to stop' || fail "loader started" "$(bg_out drop)"
before=$(echos)
for n in $EXT6_LENGTHS; do
	ext6_send xdp echo $n
	ext6_send xdp 5300 $n
done
for n in 7 8 30; do
	check "xdp_drop: udp behind $n headers arrives" ext6_arrived xdp-$n 5300
done
sleep 1
check_eq "xdp_drop: no echo request behind a chain reaches the kernel" "$before" "$(echos)"
bg_stop drop
info "$(bg_out drop | grep '^total ')"
check_eq "xdp_drop: 3 icmpv6 echoes dropped (7, 8, 30 headers)" 3 "$(stat_of drop icmpv6-echo)"
check_eq "xdp_drop: long-chain counts the 2 of 65 headers (echo and udp)" 2 "$(stat_of drop long-chain)"
check "xdp_drop: udp behind 65 headers does not arrive (fail closed)" ext6_gone xdp-65 5300

# --block decides by the source, which the IPv6 header names whatever follows.
bg_start blk --ns b ./xdp/xdp_drop --block 203.0.113.0/24 eth0
wait_output blk 'Ctrl-C to stop' || fail "loader started" "$(bg_out blk)"
before=$(echos)
ext6_send blk echo 65
check "--block elsewhere: 65 headers from an unblocked source reach the kernel" \
	wait_for 3 echos_after 1 "$before"
bg_stop blk

done_testing
