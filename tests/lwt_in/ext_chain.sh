#!/usr/bin/env bash
# IPv6 UDP behind 7, 8, 30 and 65 destination-options headers through r,
# with the kernel as the oracle: alone it forwards and delivers every one;
# lwt_in on r's route to h2 drops the protocol it names behind a chain it
# follows (64 headers), lets other protocols through, and drops a longer
# chain whenever a protocol is to be dropped (long-chain).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/ext6.sh"

BIN=./lwt_in/lwt_in
[ -x "$BIN" ] || skip_all "$BIN not built (make lwt_in)"
H2=2001:db8:2::1
lab_up router
ext6_lab h1 2001:db8:1::1 h2 $H2 5300
send() { ext6_send "$1" 5300 "$2"; }
arrived() { ext6_arrived "$1" 5300; }
gone() { ext6_gone "$1" 5300; }
stat_of() { bg_out "$1" | grep '^total ' | grep -oE "$2 [0-9]+" | tail -1 | cut -d' ' -f2; }

ext6_oracle 5300

bg_start udp --ns r $BIN --route $H2/128 --dev eth2 --drop-proto udp
wait_output udp 'counting on route' || fail "loader started" "$(bg_out udp)"
for n in 7 8 30 65; do send udp $n; done
sleep 1
for n in 7 8 30 65; do
	check "--drop-proto udp: $n headers do not arrive" gone udp-$n
done
bg_stop udp
info "$(bg_out udp | grep '^total ')"
check_eq "--drop-proto udp: long-chain counts the one of 65 headers" 1 "$(stat_of udp long-chain)"
check_eq "--drop-proto udp: 4 dropped" 4 "$(stat_of udp dropped)"

bg_start tcp --ns r $BIN --route $H2/128 --dev eth2 --drop-proto tcp
wait_output tcp 'counting on route' || fail "loader started" "$(bg_out tcp)"
for n in 7 8 30 65; do send tcp $n; done
for n in 7 8 30; do
	check "--drop-proto tcp: $n headers of udp arrive" arrived tcp-$n
done
sleep 1
check "--drop-proto tcp: 65 headers do not arrive (fail closed)" gone tcp-65
bg_stop tcp
check_eq "--drop-proto tcp: the 3 followed chains counted as udp" 3 "$(stat_of tcp udp)"

bg_start none --ns r $BIN --route $H2/128 --dev eth2
wait_output none 'counting on route' || fail "loader started" "$(bg_out none)"
send none 65
check "no protocol to drop: 65 headers still arrive" arrived none-65
bg_stop none
check_eq "no protocol to drop: counted as long-chain" 1 "$(stat_of none long-chain)"
check_eq "no protocol to drop: nothing dropped" 0 "$(stat_of none dropped)"
done_testing
