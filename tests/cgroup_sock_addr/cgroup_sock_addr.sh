#!/usr/bin/env bash
# cgroup_sock_addr: inside the cgroup IPv6, UDP and raw are refused (each
# switchable) while IPv4 TCP works, outside everything works; a connect or
# a datagram to a VIP reaches a local backend and the client still sees
# the VIP (getpeername, recvfrom); nothing is left after signals.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/cgroup.sh"

BIN=./cgroup_sock_addr/cgroup_sock_addr
PROBE=(python3 tests/cgroup_sock_addr/addrprobe.py)
[ -x "$BIN" ] || { fail "binary built (make cgroup_sock_addr)"; exit 1; }

lab_up pair
NS=$LAB-a
# Host b: a dual-stack web server and a UDP echo service.
bg_start web --ns b python3 -m http.server --bind :: 8080
bg_start echo --ns b python3 tests/cgroup_sock_addr/udpecho.py :: 9000
# Host a: the backends of the virtual services, on loopback only.
bg_start local --ns a python3 -m http.server --bind 127.0.0.1 8080
bg_start dns --ns a python3 tests/cgroup_sock_addr/udpecho.py 127.0.0.1 5353
wait_listen b 8080 || fail "web server up"
wait_listen b 9000 u || fail "echo server up"
wait_listen a 8080 || fail "local server up"
wait_listen a 5353 u || fail "local DNS-style server up"

# run CMD...: OUT and RC, output logged.
run() { OUT=$("$@" 2>&1) && RC=0 || RC=$?; printf '%s\n' "$OUT" | sed 's/^/#   /'; }
CURL=(curl -sS -m 5 -o /dev/null -w '%{http_code} %{remote_ip}:%{remote_port}\n')
inside() {
	local opts=()
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	run $BIN "${opts[@]}" -- ip netns exec "$NS" "$@"
}
# udp_hello RUNNER...: "hello" to the echo service with nc -u through
# RUNNER (run in_ns a, or inside OPTIONS --), until it comes back, at most
# three times: on a slow (emulated) machine the echo may take longer than
# nc's wait.
udp_hello() {
	local i
	for i in 1 2 3; do
		"$@" sh -c 'echo hello | nc -v -u -w3 192.0.2.2 9000'
		grep -q 'hello$' <<<"$OUT" && return
		info "no echo yet (try $i)"
	done
}

# --- outside the cgroup all of it works
run in_ns a "${CURL[@]}" "http://[2001:db8:1::2]:8080/"
check_match "outside: curl -6" '^200 2001:db8:1::2:8080' "$OUT"
run in_ns a "${CURL[@]}" http://192.0.2.2:8080/
check_match "outside: curl -4" '^200 192.0.2.2:8080' "$OUT"
udp_hello run in_ns a
# (nc -v -u first probes the port with a few "X")
check_match "outside: nc -u gets its echo" 'hello$' "$OUT"
run in_ns a "${PROBE[@]}" bind6 raw4
check_eq "outside: bind6 and raw send" "bind6 ok raw4 ok" "$(tr '\n' ' ' <<<"$OUT" | sed 's/ $//')"

# --- inside, default policy: ipv6, udp, raw refused; IPv4 TCP allowed
inside -- "${CURL[@]}" -v "http://[2001:db8:1::2]:8080/"
check_match "inside: curl -6: Operation not permitted" 'connect fail for 2001:db8:1::2: Operation not permitted' "$OUT"
check_match "inside: curl -6 never connected" '^000 ' "$(grep -E '^[0-9]{3} ' <<<"$OUT")"
check_match "inside: connect6 refused it" 'connect6 +seen [1-9][0-9]* +refused [1-9]' "$OUT"
inside -- sh -c 'echo hello | nc -v -u -w1 192.0.2.2 9000'
check_match "inside: nc -u: Operation not permitted" 'Operation not permitted' "$OUT"
check_match "inside: connect4 refused the UDP socket" 'connect4 +seen 1 +refused 1' "$OUT"
inside -- "${CURL[@]}" http://192.0.2.2:8080/
check_match "inside: IPv4 TCP works" '^200 192.0.2.2:8080' "$OUT"
inside -- "${PROBE[@]}" bind6 raw4 udp:192.0.2.2:9000
check_match "inside: bind6 EPERM" '^bind6 EPERM' "$OUT"
check_match "inside: raw socket EPERM" '^raw4 EPERM' "$OUT"
check_match "inside: UDP sendto EPERM" '^udp:192.0.2.2:9000 EPERM' "$OUT"
check_match "inside: sendmsg4 refused it" 'sendmsg4 +seen 1 +refused 1' "$OUT"

# --- each class switchable
inside --deny udp -- "${CURL[@]}" "http://[2001:db8:1::2]:8080/"
check_match "--deny udp: curl -6 works" '^200 2001:db8:1::2:8080' "$OUT"
inside --deny udp -- "${PROBE[@]}" bind6 raw4 udp:192.0.2.2:9000
check_match "--deny udp: bind6 and raw allowed" 'bind6 ok.*raw4 ok' "$(tr '\n' ' ' <<<"$OUT")"
check_match "--deny udp: UDP still refused" '^udp:192.0.2.2:9000 EPERM' "$OUT"
udp_hello inside --deny none --
check_match "--deny none: nc -u gets its echo" 'hello$' "$OUT"
inside --deny ipv6,raw -- "${PROBE[@]}" "udp:[2001:db8:1::2]:9000" udp:192.0.2.2:9000
check_match "--deny ipv6,raw: UDP over IPv6 refused" '^udp:\[2001:db8:1::2\]:9000 EPERM' "$OUT"
check_match "--deny ipv6,raw: UDP over IPv4 works" '^udp:192.0.2.2:9000 ok query from' "$OUT"

# --- socket-level load balancing: VIPs that no route knows
SVC=(--deny ipv6 --redirect 198.51.100.80:80=127.0.0.1:8080 --redirect 198.51.100.53:53=127.0.0.1:5353)
run in_ns a "${CURL[@]}" http://198.51.100.80/
check_match "outside: the VIP is unreachable" '^000 ' "$(grep -E '^[0-9]{3} ' <<<"$OUT")"
before=$(grep -c '"GET / ' "$TMP/local.out")
inside "${SVC[@]}" -- "${CURL[@]}" http://198.51.100.80/
check_match "inside: curl the VIP: 200, peer shown as the VIP" '^200 198.51.100.80:80$' "$OUT"
check_eq "the loopback backend served it" $((before + 1)) "$(grep -c '"GET / ' "$TMP/local.out")"
check_match "the backend saw a loopback client" '^127.0.0.1 - - .*"GET / ' "$(tail -1 "$TMP/local.out")"
inside "${SVC[@]}" -- "${PROBE[@]}" tcp:198.51.100.80:80 udp:198.51.100.53:53
check_eq "inside: getpeername shows the VIP" "tcp:198.51.100.80:80 ok peer 198.51.100.80:80" "$(grep '^tcp:' <<<"$OUT")"
check_eq "inside: DNS-style answer from the VIP" "udp:198.51.100.53:53 ok query from 198.51.100.53:53" "$(grep '^udp:' <<<"$OUT")"
check_match "connect4, sendmsg4, recvmsg4, getpeername4 rewrote" \
	'connect4 +seen 1 .*rewritten 1 .*sendmsg4 +seen 1 .*rewritten 1 .*recvmsg4 .*rewritten 1 .*getpeername4 .*rewritten [1-9]' \
	"$(tr '\n' ' ' <<<"$OUT")"
# Without the recvmsg4/getpeername4 half, the client would see the backend:
run in_ns a "${PROBE[@]}" udp:127.0.0.1:5353
check_eq "(the backend answers as itself when asked directly)" "udp:127.0.0.1:5353 ok query from 127.0.0.1:5353" "$OUT"

# --- --cgroup PATH: SIGINT, SIGTERM and SIGKILL leave nothing
cg_new app
for sig in INT TERM KILL; do
	bg_start cg $BIN --cgroup "$CG"
	wait_output cg 'attached to' || fail "SIG$sig: banner" "$(bg_out cg)"
	check_eq "SIG$sig: 9 programs on the cgroup" 9 "$(cg_progs "$CG")"
	OUT=$(in_cg "$CG" a "${PROBE[@]}" bind6)
	check_eq "SIG$sig: bind6 refused while attached" "bind6 EPERM" "$OUT"
	bg_stop cg $sig
	[ $sig != KILL ] && check_eq "SIG$sig: exit 0" 0 "$BG_RC"
	[ $sig != KILL ] && check_match "SIG$sig: final stats" 'bind6 +seen 1 +refused 1' "$(bg_out cg)"
	wait_for 3 test "$(cg_progs "$CG")" = 0
	check_eq "SIG$sig: nothing left on the cgroup" 0 "$(cg_progs "$CG")"
	OUT=$(in_cg "$CG" a "${PROBE[@]}" bind6)
	check_eq "SIG$sig: bind6 allowed again" "bind6 ok" "$OUT"
done

# --- bad input
run $BIN --deny ipx -- true
check_eq "--deny ipx: exit 2" 2 "$RC"
check_match "--deny ipx: sentence" '^cgroup_sock_addr: --deny: unknown class: ipx' "$OUT"
run $BIN --redirect 198.51.100.80:80 -- true
check_eq "--redirect without =: exit 2" 2 "$RC"
run $BIN --redirect '[2001:db8::1]:80=127.0.0.1:80' -- true
check_eq "--redirect IPv6: exit 2" 2 "$RC"
check_match "--redirect IPv6: sentence" 'not an IPv4 address' "$OUT"
run $BIN --redirect 198.51.100.80:99999=127.0.0.1:80 -- true
check_eq "--redirect bad port: exit 2" 2 "$RC"
run $BIN --cgroup /proc
check_eq "--cgroup /proc: exit 2" 2 "$RC"
run "${NOBODY[@]}" $BIN --cgroup "$CG"
check_eq "non-root: exit 1" 1 "$RC"
check_match "non-root: sentence" 'cgroup_sock_addr: needs root' "$OUT"
run $BIN -- sh -c 'exit 3'
check_eq "COMMAND's exit status" 3 "$RC"
check_eq "no cgroup_sock_addr cgroups left" "" "$(ls -d "$CG2"/cgroup_sock_addr-* 2>/dev/null)"

done_testing
