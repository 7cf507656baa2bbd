#!/usr/bin/env bash
# sk_msg: both ends of a loopback connection in the loader's cgroup, inside
# lab host a. Proves the bypass (tcpdump on lo sees handshakes and closes,
# no data segment), byte-exact delivery (sha256, and the redirected byte
# count equals the bytes sent), IPv6, that other ports are untouched, the
# drop port, that closed sockets leave the sockhash, and that nothing is
# left attached after SIGINT, SIGTERM or SIGKILL.
. "$(dirname "$0")/../lib/lib.sh"

SKMSG=sk_msg/sk_msg
SEND_ONCE=.output/tests/sk_msg/send_once
LATE_READER=.output/tests/sk_msg/late_reader
[ -x "$SKMSG" ] && [ -x "$SEND_ONCE" ] && [ -x "$LATE_READER" ] || skip_all "build first: make test-bins"
for t in iperf3 nc socat tcpdump ss sha256sum bpftool setpriv iptables; do
	command -v "$t" >/dev/null || skip_all "$t not installed (scripts/setup.sh installs it)"
done
CG2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
[ -n "$CG2" ] || skip_all "no cgroup v2 mounted"

lab_up pair
NS=$LAB-a

# --- bad input.
out=$("$SKMSG" --port 70000 -- true 2>&1); rc=$?
check_eq "port out of range exits 2" 2 "$rc"
check_match "port out of range says so" '^sk_msg: port: 70000 is out of range' "$out"
out=$("$SKMSG" 2>&1); rc=$?
check_eq "no target exits 2" 2 "$rc"
check_match "no target says so" '^sk_msg: give --cgroup PATH or -- COMMAND' "$out"
out=$("$SKMSG" --cgroup /nonexistent 2>&1); rc=$?
check_eq "a cgroup that is not there exits 2" 2 "$rc"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	--bounding-set=-all "$SKMSG" -- true 2>&1); rc=$?
check_eq "non-root exits 1" 1 "$rc"
check_match "non-root says so" '^sk_msg: needs root' "$out"

# The loader runs here (it needs the cgroup2 mount that `ip netns exec`
# hides); COMMAND runs in the lab host, on its loopback.
run_in_cgroup() {
	local name=$1
	shift
	"$SKMSG" "$@" -- ip netns exec "$NS" bash "$TMP/$name.sh" >"$TMP/$name.out" 2>&1
}
wait_listen='for i in $(seq 100); do ss -ltn | grep -q ":$1 " && break; sleep 0.1; done'
total() { grep '^total ' "$TMP/$1.out"; }
field() { sed -n "s/.*$2 \([0-9]*\).*/\1/p" <<<"$1"; }

# --- iperf3 on port 10000 (redirected) and nc on 10001 (not), under tcpdump.
bg_start td --ns a tcpdump -U -ni lo -w "$TMP/lo.pcap" 'tcp port 10000 or tcp port 10001'
wait_output td 'listening on' || fail "tcpdump starts" "$(bg_out td)"
head -c 200000 /dev/urandom >"$TMP/in200k"
cat >"$TMP/iperf.sh" <<EOF
listen() { $wait_listen; }
iperf3 -s -1 -p 10000 >/dev/null & listen 10000
iperf3 -c 127.0.0.1 -p 10000 -t 2 -J >"$TMP/iperf.json" || exit 1
wait
nc -l 127.0.0.1 10001 >"$TMP/out10001" </dev/null & listen 10001
nc -N 127.0.0.1 10001 <"$TMP/in200k"
wait
EOF
check "iperf3 in the cgroup completes" run_in_cgroup iperf
sleep 0.2	# let tcpdump write the closes it has seen
bg_stop td
final=$(total iperf)
info "$final"
got=$(awk '/"sum_received"/ {f = 1} f && /"bytes"/ {gsub(",", "", $2); print $2; exit}' "$TMP/iperf.json")
check_range "iperf3 moved data" 1 999999999999 "${got:-0}"
redirected=$(sed -n 's/.*redirected [0-9]* msgs \([0-9]*\) B.*/\1/p' <<<"$final")
via_tcp=$(sed -n 's/.*via TCP ([^)]*) [0-9]* msgs \([0-9]*\) B.*/\1/p' <<<"$final")
# iperf3 sends its cookie as soon as connect() returns, which can be before
# the server's socket is in the map (seen on 6.1 under QEMU): that
# connection then stays on TCP and its bytes are counted "via TCP".
check_range "every byte iperf3 received was redirected or counted via TCP" "${got:-1}" \
	999999999999 "$((${redirected:-0} + ${via_tcp:-0}))"
check_eq "both ends of both iperf3 connections were added" 4 "$(field "$final" 'sockets added')"
pkts() { tcpdump -nr "$TMP/lo.pcap" "$@" 2>/dev/null | wc -l; }
payload() { tcpdump -q -nr "$TMP/lo.pcap" "$@" 2>/dev/null | awk '{n += $NF} END {print n + 0}'; }
syn=$(pkts 'tcp port 10000 and tcp[tcpflags] & tcp-syn != 0')
data=$(payload 'tcp port 10000')
fin=$(pkts 'tcp port 10000 and tcp[tcpflags] & tcp-fin != 0')
info "port 10000 on lo: $syn SYN, $fin FIN, $data B of data"
check_eq "tcpdump sees both handshakes on port 10000" 4 "$syn"
check_eq "tcpdump sees both closes on port 10000" 4 "$fin"
check_eq "the only data on lo for port 10000 is what was counted via TCP (bypass)" \
	"${via_tcp:-x}" "$data"
data=$(pkts 'tcp port 10001 and (ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2)) > 0')
check_range "port 10001, outside the set, goes through TCP as usual" 1 100000 "$data"
check_eq "port 10001 data arrived" "$(sha256sum <"$TMP/in200k")" "$(sha256sum <"$TMP/out10001")"

# --- 50 MB over IPv4 and 1 MB over IPv6: byte-exact, each byte redirected
# once. The clients wait 0.2 s before sending, so that the server's socket is
# in the map by then (the race is the next test's).
head -c 50000000 /dev/urandom >"$TMP/in50m"
head -c 1000000 /dev/urandom >"$TMP/in1m"
cat >"$TMP/bulk.sh" <<EOF
listen() { $wait_listen; }
nc -l 127.0.0.1 10000 >"$TMP/out50m" </dev/null & listen 10000
(sleep 0.2; cat "$TMP/in50m") | nc -N 127.0.0.1 10000 || exit 1
wait
nc -6 -l ::1 10000 >"$TMP/out1m" </dev/null & listen 10000
(sleep 0.2; cat "$TMP/in1m") | nc -6 -N ::1 10000 || exit 1
wait
EOF
check "nc transfers in the cgroup complete" run_in_cgroup bulk
final=$(total bulk)
info "$final"
check_eq "50 MB arrive intact (sha256)" "$(sha256sum <"$TMP/in50m")" "$(sha256sum <"$TMP/out50m")"
check_eq "1 MB over IPv6 arrives intact (sha256)" "$(sha256sum <"$TMP/in1m")" "$(sha256sum <"$TMP/out1m")"
check_match "every byte was redirected, none passed to TCP" \
	'redirected [0-9]+ msgs 51000000 B  dropped 0  via TCP \(peer not in map\) 0 msgs 0 B ' "$final"

# --- the race: the client sends before the server's socket is in the map.
# Dropping the handshake's last ACK in the lab host makes it happen every
# time: the first message completes the handshake by TCP, and the later ones
# must follow it by TCP, or the reader (which waits 0.5 s before its first
# read) would get them before it.
msg() { printf 'message %s of three.\n' "$1"; }
cat >"$TMP/race.sh" <<EOF
listen() { $wait_listen; }
iptables -A INPUT -i lo -p tcp --dport 10000 -m length --length 40:52 \\
	--tcp-flags SYN,ACK,FIN,RST,PSH ACK -j DROP || exit 1
$ROOT/$LATE_READER 10000 500 >"$TMP/race.got" & listen 10000
(printf '$(msg 1)\\n'; sleep 0.1; printf '$(msg 2)\\n'; sleep 0.1; printf '$(msg 3)\\n') |
	nc -N 127.0.0.1 10000 || exit 1
wait
iptables -F INPUT
EOF
check "a connection whose handshake ACK is lost runs" run_in_cgroup race
final=$(total race)
info "$final"
check_eq "its three messages arrive in order" "$(msg 1; msg 2; msg 3)" "$(cat "$TMP/race.got")"
check_match "all three went via TCP, none redirected" \
	'redirected 0 msgs 0 B  dropped 0  via TCP \([^)]*\) 3 msgs 60 B ' "$final"

# --- a peer outside the cgroup: the client's messages are counted "via
# TCP" (its socket is in the map, the server's is not) and arrive intact.
bg_start outsrv --ns a nc -l 127.0.0.1 10003
wait_listen a 10003 || fail "nc listens on 10003"
echo "nc -N 127.0.0.1 10003 <$TMP/in200k" >"$TMP/outside.sh"
check "client in the cgroup, server outside" run_in_cgroup outside --port 10003
wait_pid "$(bg_pid outsrv)" 5
final=$(total outside)
info "$final"
check_eq "the server outside got the 200 kB intact" "$(sha256sum <"$TMP/in200k")" \
	"$(sha256sum <"$TMP/outsrv.out")"
check_match "all 200 kB counted via TCP, none redirected" \
	'redirected 0 msgs 0 B  dropped 0  via TCP \(peer not in map\) [0-9]+ msgs 200000 B  \| sockets added 1,' "$final"

# --- --drop-port on the default port alone: no redirect port left.
out=$("$SKMSG" --drop-port 10000 -d 1 -- true 2>&1); rc=$?
check_eq "--drop-port 10000 alone is accepted" 0 "$rc"
check_match "... and 10000 is a drop port only" 'ports 10000 \(drop\);' "$out"

# --- drop port: the sender's send() fails and nothing arrives.
cat >"$TMP/drop.sh" <<EOF
listen() { $wait_listen; }
nc -l 127.0.0.1 10002 >"$TMP/out10002" </dev/null & listen 10002
$ROOT/$SEND_ONCE 127.0.0.1 10002 >"$TMP/send.out"
echo \$? >"$TMP/send.rc"
wait
EOF
check "drop-port run completes" run_in_cgroup drop --drop-port 10002
info "send_once: $(cat "$TMP/send.out")"
check_eq "send on a drop port fails for the sender" 3 "$(cat "$TMP/send.rc")"
check_match "... with EACCES" '^send: Permission denied' "$(cat "$TMP/send.out")"
check_eq "nothing arrives on the drop port" 0 "$(wc -c <"$TMP/out10002")"
check_match "the loader counted the drop" 'dropped 1 ' "$(total drop)"

# --- 100 short connections: every socket leaves the sockhash on close.
cat >"$TMP/short.sh" <<EOF
listen() { $wait_listen; }
socat TCP-LISTEN:10000,fork,reuseaddr,backlog=128 PIPE & listen 10000
ok=0
for i in \$(seq 100); do
	[ "\$(echo "hello \$i" | nc -N 127.0.0.1 10000)" = "hello \$i" ] && ok=\$((ok + 1))
done
echo \$ok >"$TMP/short.ok"
kill %1; wait
# Until the last server child has closed its socket.
for i in \$(seq 50); do [ -z "\$(ss -Htn state established '( sport = :10000 )')" ] && break; sleep 0.1; done
EOF
check "100 short connections run" run_in_cgroup short
final=$(total short)
info "$final"
check_eq "100 short connections echoed" 100 "$(cat "$TMP/short.ok")"
check_eq "200 sockets went through the sockhash" 200 "$(field "$final" 'sockets added')"
check_match "no stale entry is left in the sockhash" 'in map 0$' "$final"

# --- signals, on a cgroup the test owns: nothing stays attached.
CG=$CG2/$LAB-skmsg
mkdir "$CG" && on_cleanup rmdir "$CG"
attached() { bpftool cgroup show "$CG" 2>/dev/null | grep -c sockmap_add; }
for sig in INT TERM; do
	bg_start msg "$SKMSG" --cgroup "$CG"
	wait_output msg '^sk_msg: sockops' || fail "loader starts ($sig)" "$(bg_out msg)"
	check_eq "sockops attached to the cgroup ($sig)" 1 "$(attached)"
	bg_stop msg "$sig"
	check_eq "SIG$sig ends the loader with 0" 0 "$BG_RC"
	check_eq "SIG$sig leaves the cgroup bare" 0 "$(attached)"
done
ours() { bpftool prog show | awk '/^[0-9]+:.* name (sockmap_add|msg_redirect) / {print $1}' | sort; }
ours >"$TMP/progs-before"
bg_start msg "$SKMSG" --cgroup "$CG"
wait_output msg '^sk_msg: sockops' || fail "loader starts (KILL)" "$(bg_out msg)"
progs=$(comm -13 "$TMP/progs-before" <(ours) | tr -d ':')
check_eq "the loader loaded its two programs" 2 "$(wc -w <<<"$progs")"
kill -KILL "$(bg_pid msg)"
wait_pid "$(bg_pid msg)" 5
gone() { [ "$(attached)" = 0 ] &&
	for p in $progs; do ! bpftool prog show id "$p" >/dev/null 2>&1 || return 1; done; }
check "after SIGKILL the cgroup link and both programs are gone" wait_for 5 gone

done_testing
