#!/usr/bin/env bash
# sock_ops: TCP connections made in the cgroup get the SO_SNDBUF/SO_RCVBUF
# the kernel gives for those values set by hand, others are untouched; the
# event stream of one loopback connection shows both handshakes and every
# close state in order; iperf3 runs unaffected; nothing left after signals.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/cgroup.sh"

BIN=./sock_ops/sock_ops
PROBE=(python3 tests/sock_ops/tcpprobe.py)
[ -x "$BIN" ] || { fail "binary built (make sock_ops)"; exit 1; }
command -v iperf3 >/dev/null || skip_all "iperf3 not installed (scripts/setup.sh installs it)"

lab_up pair
NS=$LAB-a
SND=65536 RCV=32768

run() { OUT=$("$@" 2>&1) && RC=0 || RC=$?; printf '%s\n' "$OUT" | sed 's/^/#   /'; }
bufs() { grep -E "^$1 sndbuf" <<<"$OUT" | sed 's/^[a-z]* //'; }

# --- the reference: what the kernel makes of these values set by hand
run in_ns a "${PROBE[@]}" --set $SND $RCV 9000
want=$(bufs client)
check_eq "by hand: the kernel doubles both" "sndbuf $((2 * SND)) rcvbuf $((2 * RCV))" "$want"
check_eq "by hand: server end the same" "$want" "$(bufs server)"
run in_ns a "${PROBE[@]}" 9001
check_fails "untouched sockets have other sizes" test "$(bufs client)" = "$want"
untouched=$(bufs client)

# --- inside: bpf_setsockopt at connect / passive-established
run $BIN --sndbuf $SND --rcvbuf $RCV -- ip netns exec "$NS" "${PROBE[@]}" 9002
check_eq "inside: client (set at connect) as by hand" "$want" "$(bufs client)"
check_eq "inside: server (set at passive-established) as by hand" "$want" "$(bufs server)"
check_match "inside: both sockets counted" 'connections active 1 passive 1  \| buffers set 2 \(refused 0\)' "$OUT"
run $BIN --sndbuf $SND --rcvbuf $RCV -- ip netns exec "$NS" "${PROBE[@]}" -6 9003
check_eq "inside, IPv6: client as by hand" "$want" "$(bufs client)"

# --- the event stream of one loopback connection
run $BIN --events -- ip netns exec "$NS" "${PROBE[@]}" 9004
cport=$(sed -n 's/^active-established *127.0.0.1:\([0-9]*\) -> 127.0.0.1:9004$/\1/p' <<<"$OUT")
check_match "active-established for the client" '^[0-9]+$' "$cport"
# in_order FILE-TEXT REGEX...: each REGEX matches a line after the previous one.
in_order() {
	local text=$1 n=0 m
	shift
	for re in "$@"; do
		m=$(tail -n +$((n + 1)) <<<"$text" | grep -n -m1 -E -- "$re" | cut -d: -f1)
		[ -n "$m" ] || { echo "not found after line $n: $re"; return 1; }
		n=$((n + m))
	done
}
C="127.0.0.1:$cport -> 127.0.0.1:9004"
S="127.0.0.1:9004 -> 127.0.0.1:$cport"
check "client events in order" in_order "$OUT" \
	"^state +$C +SYN_SENT -> ESTABLISHED" "^active-established +$C\$" \
	"^state +$C +ESTABLISHED -> FIN_WAIT1" "^state +$C +FIN_WAIT1 -> FIN_WAIT2" \
	"^state +$C +FIN_WAIT2 -> CLOSE\$"
check "server events in order" in_order "$OUT" \
	"^passive-established +127.0.0.1:9004 <- 127.0.0.1:$cport\$" \
	"^state +$S +ESTABLISHED -> CLOSE_WAIT" "^state +$S +CLOSE_WAIT -> LAST_ACK" \
	"^state +$S +LAST_ACK -> CLOSE\$"
check "the client connected before the server saw it established" in_order "$OUT" \
	"^active-established +$C" "^passive-established +127.0.0.1:9004"
check_match "RTT samples reported" "^rtt +($C|$S) +sample [0-9]+ us, srtt [0-9]+ us" "$OUT"
check_match "counters agree: 8 state changes, none lost" 'active 1 passive 1 .*state changes 8 .*events lost 0' "$OUT"

# --- iperf3 through the lab, client in the cgroup with the buffers set
bg_start iperf --ns b iperf3 -s -1 -B 192.0.2.2
wait_listen b 5201 || fail "iperf3 server up"
run $BIN --sndbuf $SND --rcvbuf $SND -- ip netns exec "$NS" iperf3 -c 192.0.2.2 -n 20M -J
check_eq "iperf3 exits 0" 0 "$RC"
sums=$(sed -n '/^{/,/^}/p' <<<"$OUT" | python3 -c 'import json,sys; e = json.load(sys.stdin)["end"]; print(e["sum_sent"]["bytes"], e["sum_received"]["bytes"])' 2>/dev/null)
# The receiver's total is taken when the sender stops: a little may be in flight.
check_range "iperf3 sent its 20 MiB" 20971520 22020096 "$(cut -d' ' -f1 <<<"${sums:-0 0}")"
check_range "iperf3's server received at least 19 MiB" 19922944 22020096 "$(cut -d' ' -f2 <<<"${sums:-0 0}")"
check_match "iperf3's connections got the buffers" 'connections active [2-9][0-9]* passive 0  \| buffers set [2-9]' "$OUT"

# --- retransmissions: the server's ACKs vanish (a blackhole route back)
bg_start sink --ns b python3 -c '
import socket, time
l = socket.create_server(("192.0.2.2", 9100))
c, _ = l.accept()
time.sleep(30)'
wait_listen b 9100 || fail "sink up"
: >"$TMP/cut"
bg_start rtx $BIN --events -- ip netns exec "$NS" python3 -c '
import os, socket, sys, time
s = socket.create_connection(("192.0.2.2", 9100))
s.sendall(b"a" * 1000)
sys.stdout.write("connected\n"); sys.stdout.flush()
while os.path.getsize(sys.argv[1]) == 0:
    time.sleep(0.05)
s.sendall(b"b" * 1000)
time.sleep(1.5)' "$TMP/cut"
wait_output rtx '^connected' || fail "retransmit client connected" "$(bg_out rtx)"
ip -n "$LAB-b" route add blackhole 192.0.2.1/32
echo go >"$TMP/cut"
wait_pid "$(bg_pid rtx)" 15
ip -n "$LAB-b" route del blackhole 192.0.2.1/32
OUT=$(bg_out rtx)
printf '%s\n' "$OUT" | grep -v '^rtt' | sed 's/^/#   /'
check_eq "retransmit client exits 0" 0 "$WAIT_RC"
check_match "retransmit events for the cut connection" \
	'^retransmit +192.0.2.1:[0-9]+ -> 192.0.2.2:9100  seq [0-9]+, 1 segment\(s\)' "$OUT"
check_match "retransmits counted" 'total connections active 1 passive 0 .* retransmits [1-9]' "$OUT"
ours=$(sed -n 's/^total .* retransmits \([0-9]*\) .*/\1/p' <<<"$OUT")
check_range "no more than the kernel's own TcpRetransSegs" "${ours:-1}" 999999 "$(nstat_get a TcpRetransSegs)"

# --- --cgroup PATH: other processes untouched; SIGINT, SIGKILL detach
cg_new app
for sig in INT KILL; do
	bg_start so $BIN --sndbuf $SND --rcvbuf $RCV --cgroup "$CG"
	wait_output so 'attached to' || fail "SIG$sig: banner" "$(bg_out so)"
	OUT=$(in_cg "$CG" a "${PROBE[@]}" 9010)
	check_eq "SIG$sig: in the cgroup: set" "$want" "$(bufs client)"
	OUT=$(in_ns a "${PROBE[@]}" 9011)
	check_eq "SIG$sig: outside it: untouched" "$untouched" "$(bufs client)"
	bg_stop so $sig
	[ $sig = INT ] && check_eq "SIGINT: exit 0" 0 "$BG_RC"
	[ $sig = INT ] && check_match "SIGINT: final stats" 'total connections active 1 passive 1' "$(bg_out so)"
	wait_for 3 test "$(cg_progs "$CG")" = 0
	check_eq "SIG$sig: nothing left on the cgroup" 0 "$(cg_progs "$CG")"
	OUT=$(in_cg "$CG" a "${PROBE[@]}" 9012)
	check_eq "SIG$sig: afterwards untouched" "$untouched" "$(bufs client)"
done

# --- bad input
run $BIN --sndbuf 0 -- true
check_eq "--sndbuf 0: exit 2" 2 "$RC"
run $BIN --rcvbuf lots -- true
check_eq "--rcvbuf lots: exit 2" 2 "$RC"
check_match "--rcvbuf lots: sentence" '^sock_ops: --rcvbuf: not a number: lots' "$OUT"
run $BIN --events
check_eq "no target: exit 2" 2 "$RC"
run "${NOBODY[@]}" $BIN --events --cgroup "$CG"
check_eq "non-root: exit 1" 1 "$RC"
run $BIN -- sh -c 'exit 5'
check_eq "COMMAND's exit status" 5 "$RC"
check_eq "no sock_ops cgroups left" "" "$(ls -d "$CG2"/sock_ops-* 2>/dev/null)"

done_testing
