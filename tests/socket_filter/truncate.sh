#!/usr/bin/env bash
# socket_filter_truncate: a UDP datagram is read as its first BYTES bytes;
# over TCP the cut bytes come back by retransmission and the data arrives
# whole, BYTES at a time.
. "$(dirname "$0")/../lib/lib.sh"

lab_up pair

bg_start udp --ns b ./socket_filter/socket_filter_truncate
wait_output udp 'UDP echo server on port 5201' || fail "udp server started" "$(bg_out udp)"
check_eq "udp: the client gets back 'hello'" hello \
	"$(echo 'hello world' | in_ns a socat -t 2 - UDP:192.0.2.2:5201)"
check_eq "udp over ipv6: the client gets back 'hello'" hello \
	"$(echo 'hello world' | in_ns a socat -t 2 - UDP6:[2001:db8:1::2]:5201)"
bg_stop udp
check_eq "udp: SIGINT exits 0" 0 "$BG_RC"
out=$(bg_out udp)
check_match "udp: the server read exactly 5 bytes" '^192\.0\.2\.1:[0-9]+: 5 bytes "hello"$' "$(grep '^192' <<<"$out")"
check_match "udp: both datagrams trimmed" 'total packets seen 2, trimmed 2' "$out"

bg_start udp3 --ns b ./socket_filter/socket_filter_truncate -n 3 -p 9000
wait_output udp3 'port 9000' || fail "udp -n 3 server started" "$(bg_out udp3)"
check_eq "udp -n 3: the client gets back 'hel'" hel \
	"$(echo 'hello world' | in_ns a socat -t 2 - UDP:192.0.2.2:9000)"
check_eq "udp -n 3: a 2-byte datagram is left whole" "ok" \
	"$(printf 'ok' | in_ns a socat -t 2 - UDP:192.0.2.2:9000)"
bg_stop udp3

bg_start tcp --ns b ./socket_filter/socket_filter_truncate --tcp
wait_output tcp 'TCP echo server' || fail "tcp server started" "$(bg_out tcp)"
msg='hello world, once more'
got=$(printf '%s\n' "$msg" | in_ns a nc -N -w 15 192.0.2.2 5201)
check_eq "tcp: the echo is the whole message" "$msg" "$got"
bg_stop tcp
out=$(bg_out tcp)
grep bytes <<<"$out" | sed "s/^/# /"
reads=$(grep -c ' bytes "' <<<"$out")
check_range "tcp: the data came in several pieces" 3 100 "$reads"
check_match "tcp: the first read is at most 2 x 5 bytes" ': ([1-9]|10) bytes "hello' "$(grep -m1 ' bytes "' <<<"$out")"
check "tcp: the server read every byte" test "$(grep -oE '[0-9]+ bytes "' <<<"$out" | awk '{s += $1} END {print s}')" = $(( ${#msg} + 1 ))
trimmed=$(sed -nE 's/^total .*trimmed ([0-9]+)$/\1/p' <<<"$out")
check_range "tcp: segments were trimmed" 2 100 "$trimmed"

bg_start k --ns b ./socket_filter/socket_filter_truncate --tcp -p 5202
wait_output k 'TCP echo server'
check "the program is loaded while it runs" bash -c "bpftool prog show name socket_filter_truncate | grep -q socket_filter"
bg_stop k KILL
check "SIGKILL leaves no program behind" wait_for 3 bash -c "! bpftool prog show name socket_filter_truncate | grep -q ."

run() { out=$("$@" 2>&1); rc=$?; }
run in_ns b setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
	./socket_filter/socket_filter_truncate
check_eq "not root exits 1" 1 "$rc"
check_match "not root: the contract's sentence" '^socket_filter_truncate: needs root' "$out"
run in_ns b ./socket_filter/socket_filter_truncate -n 0
check_eq "-n 0 exits 2" 2 "$rc"
run in_ns b ./socket_filter/socket_filter_truncate -p 70000
check_eq "-p 70000 exits 2" 2 "$rc"
check_match "-p 70000: one sentence" '^socket_filter_truncate: port: 70000 is out of range' "$out"
bg_start busy --ns b socat -u UDP6-RECV:5201 OPEN:/dev/null
wait_for 3 in_ns b ss -Hlun 'sport = 5201'
run in_ns b ./socket_filter/socket_filter_truncate -d 1
check_eq "a busy port exits 1" 1 "$rc"
check_match "a busy port: one sentence" '^socket_filter_truncate: port 5201 is already in use' "$out"
done_testing
