#!/usr/bin/env bash
# cgroup_sock: ICMP sockets refused inside the cgroup (ping, raw and
# datagram), allowed outside; TCP/UDP unaffected; --mark/--priority seen by
# getsockopt; binds counted; nothing left after signals, SIGKILL or a
# failing COMMAND; bad input gives the sentences of the loader contract (CONTRIBUTING.md) and codes.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/cgroup.sh"

BIN=./cgroup_sock/cgroup_sock
PROBE=.output/tests/cgroup_sock/sockprobe
[ -x "$BIN" ] && [ -x "$PROBE" ] || { fail "binaries built (make cgroup_sock test-bins)"; exit 1; }

lab_up pair
NS=$LAB-a
# ping uses an ICMP datagram socket when its group may (nobody here),
# otherwise a raw one (root here).
in_ns a sysctl -qw net.ipv4.ping_group_range="65534 65534"
# A copy of ping without file capabilities: as nobody it can only use
# SOCK_DGRAM (and the kernel refuses to exec the original without caps).
cp "$(command -v ping)" "$TMP/ping"
chmod 755 "$TMP" "$TMP/ping"
PING=$TMP/ping
# sockprobe keeps root's capabilities (raw sockets) and gets nobody's group
# (ping sockets).
PROBE=(setpriv --regid=65534 --clear-groups "${PROBE[@]}")

# run NAME CMD...: OUT and RC of CMD, output logged.
run() {
	OUT=$("$@" 2>&1) && RC=0 || RC=$?
	printf '%s\n' "$OUT" | sed 's/^/#   /'
}

# --- outside the cgroup everything works
check "outside: root ping (raw socket)" in_ns a ping -c1 -W2 127.0.0.1
check "outside: root ping -6 (raw socket)" in_ns a ping -6 -c1 -W2 ::1
check "outside: nobody ping (datagram socket)" in_ns a "${NOBODY[@]}" "$PING" -c1 -W2 127.0.0.1
check "outside: nobody ping -6 (datagram socket)" in_ns a "${NOBODY[@]}" "$PING" -6 -c1 -W2 ::1
check "outside: every kind of socket" in_ns a "${PROBE[@]}" raw4 raw6 ping4 ping6 tcp4 tcp6 udp4 udp6

# --- -- COMMAND: the same inside a fresh child cgroup
run $BIN -- ip netns exec "$NS" ping -c1 -W2 127.0.0.1
check_match "inside: root ping used SOCK_RAW" 'socktype: SOCK_RAW' "$OUT"
check_match "inside: root ping: Operation not permitted" 'socket: Operation not permitted' "$OUT"
check_eq "inside: loader exits with ping's status" 2 "$RC"
check_match "inside: refused raw socket counted" 'ipv4 raw icmp: refused 1' "$OUT"

run $BIN -- ip netns exec "$NS" "${NOBODY[@]}" "$PING" -c1 -W2 127.0.0.1
check_match "inside: nobody ping used SOCK_DGRAM" 'socktype: SOCK_DGRAM' "$OUT"
check_match "inside: nobody ping: Operation not permitted" 'socket: Operation not permitted' "$OUT"
check_match "inside: refused ping socket counted" 'ipv4 dgram icmp: refused 1' "$OUT"

run $BIN --allow-ping-sockets -- ip netns exec "$NS" "${NOBODY[@]}" "$PING" -c1 -W2 127.0.0.1
check_eq "--allow-ping-sockets: nobody ping works" 0 "$RC"
check_match "--allow-ping-sockets: one reply" '1 received' "$OUT"
run $BIN --allow-ping-sockets -- ip netns exec "$NS" "${PROBE[@]}" raw4 raw6 ping4 ping6
check_match "--allow-ping-sockets: raw still refused" 'raw4 EPERM.*raw6 EPERM' "$(tr '\n' ' ' <<<"$OUT")"
check_match "--allow-ping-sockets: ping sockets allowed" 'ping4 ok.*ping6 ok' "$(tr '\n' ' ' <<<"$OUT")"

run $BIN --mark 7 --priority 3 -- ip netns exec "$NS" "${PROBE[@]}" -p 7001 raw4 raw6 ping4 ping6 tcp4 tcp6 udp4 udp6
flat=$(tr '\n' ' ' <<<"$OUT")
check_match "inside: raw4 raw6 ping4 ping6 EPERM" 'raw4 EPERM .*raw6 EPERM .*ping4 EPERM .*ping6 EPERM ' "$flat"
check_match "inside: TCP and UDP carry data, marked" \
	'tcp4 ok mark=7 priority=3 tcp6 ok mark=7 priority=3 udp4 ok mark=7 priority=3 udp6 ok mark=7 priority=3' "$flat"
check_match "inside: binds counted per port" \
	'bind ipv4 tcp port 7001: 1 +bind ipv4 udp port 7001: 1 +bind ipv6 tcp port 7001: 1 +bind ipv6 udp port 7001: 1' "$flat"
check_match "inside: totals" 'total sockets allowed 8  refused 4  \| binds 4' "$OUT"
run in_ns a "${PROBE[@]}" tcp4 udp6
check_match "outside: no mark" 'tcp4 ok mark=0 priority=0 udp6 ok mark=0 priority=0' "$(tr '\n' ' ' <<<"$OUT")"

# A real client: nc inside the cgroup talks to a server outside it.
bg_start srv --ns a nc -l 127.0.0.1 7002
wait_listen a 7002
check "inside: nc TCP client works" $BIN -- ip netns exec "$NS" sh -c 'echo hello-from-cgroup | nc -N 127.0.0.1 7002'
wait_pid "$(bg_pid srv)" 5
check_eq "server got the client's line" hello-from-cgroup "$(bg_out srv)"

# --- --cgroup PATH: an existing cgroup, detached by SIGINT, SIGTERM, SIGKILL
cg_new app
for sig in INT TERM KILL; do
	bg_start cg $BIN --mark 9 --cgroup "$CG"
	wait_output cg 'attached to' || fail "SIG$sig: banner" "$(bg_out cg)"
	run in_cg "$CG" a "${PROBE[@]}" raw4 tcp4
	check_match "SIG$sig: raw refused while attached" 'raw4 EPERM' "$OUT"
	check_eq "SIG$sig: 3 programs on the cgroup" 3 "$(cg_progs "$CG")"
	bg_stop cg $sig
	if [ $sig = KILL ]; then
		check_eq "SIGKILL: killed" 137 "$BG_RC"
	else
		check_eq "SIG$sig: exit 0" 0 "$BG_RC"
		check_match "SIG$sig: final stats" 'ipv4 raw icmp: refused 1' "$(bg_out cg)"
	fi
	wait_for 3 test "$(cg_progs "$CG")" = 0
	check_eq "SIG$sig: nothing left on the cgroup" 0 "$(cg_progs "$CG")"
	check "SIG$sig: raw allowed again" in_cg "$CG" a "${PROBE[@]}" raw4
	check_eq "SIG$sig: cgroup kept (not ours)" yes "$([ -d "$CG" ] && echo yes)"
done

# --- -- COMMAND killed with SIGKILL: the keeper removes cgroup and COMMAND
bg_start cmd $BIN -- sleep 300
wait_output cmd 'attached to' || fail "COMMAND SIGKILL: banner" "$(bg_out cmd)"
cgpath=$(sed -n 's/.* attached to \([^,;]*\).*/\1/p' "$TMP/cmd.out")
check "COMMAND: its cgroup exists" test -d "$cgpath"
wait_for 5 grep -q . "$cgpath/cgroup.procs"
sleeper=$(cat "$cgpath/cgroup.procs" 2>/dev/null)
check_match "COMMAND: sleep runs in it" '^[0-9]+$' "$sleeper"
bg_stop cmd KILL
check "COMMAND SIGKILL: cgroup removed" wait_for 5 test ! -e "$cgpath"
# Gone, or a zombie nobody reaps (pid 1 may not): not running either way.
running() { local s; s=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ]; }
check_fails "COMMAND SIGKILL: COMMAND killed too" running "${sleeper:-999999999}"

# --- -- COMMAND stopped with SIGTERM: COMMAND and its cgroup go too
bg_start cmd2 $BIN -- sleep 300
wait_output cmd2 'attached to' || fail "COMMAND SIGTERM: banner" "$(bg_out cmd2)"
cgpath=$(sed -n 's/.* attached to \([^,;]*\).*/\1/p' "$TMP/cmd2.out")
wait_for 5 grep -q . "$cgpath/cgroup.procs"
sleeper=$(cat "$cgpath/cgroup.procs" 2>/dev/null)
check_match "COMMAND SIGTERM: sleep runs in it" '^[0-9]+$' "$sleeper"
bg_stop cmd2 TERM
check_eq "COMMAND SIGTERM: loader exits 0" 0 "$BG_RC"
check_fails "COMMAND SIGTERM: cgroup removed" test -e "$cgpath"
check_fails "COMMAND SIGTERM: COMMAND stopped" running "${sleeper:-999999999}"

# --- -d: stops by itself, with the final report
run $BIN -d 1 --cgroup "$CG"
check_eq "-d 1: exit 0" 0 "$RC"
check_match "-d 1: final report" '^total sockets allowed' "$OUT"

# --- a failing COMMAND
run $BIN -- false
check_eq "failing COMMAND: its status" 1 "$RC"
run $BIN -- /nonexistent/cmd
check_eq "missing COMMAND: usage error, exit 2" 2 "$RC"
check_match "missing COMMAND: sentence" '^cgroup_sock: COMMAND not found or not executable: /nonexistent/cmd' "$OUT"
check_eq "no cgroup_sock cgroups left" "" "$(ls -d "$CG2"/cgroup_sock-* 2>/dev/null)"

# --- bad input
run $BIN --cgroup /tmp
check_eq "not cgroup v2: exit 2" 2 "$RC"
check_match "not cgroup v2: sentence" '^cgroup_sock: not a cgroup v2 directory: /tmp' "$OUT"
run $BIN
check_eq "no target: exit 2" 2 "$RC"
check_match "no target: sentence" 'give --cgroup PATH or -- COMMAND' "$OUT"
run $BIN --mark x --cgroup "$CG"
check_eq "bad --mark: exit 2" 2 "$RC"
check_match "bad --mark: sentence" 'mark: not a number: x' "$OUT"
run $BIN --bogus --cgroup "$CG"
check_eq "unknown option: exit 2" 2 "$RC"
run $BIN ping 127.0.0.1
check_eq "COMMAND without --: exit 2" 2 "$RC"
run "${NOBODY[@]}" $BIN --cgroup "$CG"
check_eq "non-root: exit 1" 1 "$RC"
check_match "non-root: sentence" 'cgroup_sock: needs root' "$OUT"
run $BIN --help
check_match "--help has EXAMPLES" 'EXAMPLES:' "$OUT"

done_testing
