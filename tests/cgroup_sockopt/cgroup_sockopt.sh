#!/usr/bin/env bash
# cgroup_sockopt: refused options give EPERM inside the cgroup and work
# outside; SO_SNDBUF/SO_RCVBUF above the ceiling read back as the ceiling
# set by hand; everything else (other options, an unknown level, buffers
# longer than a page) behaves exactly as without the program.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/cgroup.sh"

BIN=./cgroup_sockopt/cgroup_sockopt
PROBE=(python3 tests/cgroup_sockopt/optprobe.py)
[ -x "$BIN" ] || { fail "binary built (make cgroup_sockopt)"; exit 1; }

lab_up pair
NS=$LAB-a
MAX=65536

# inside OPTIONS... -- OPS...: optprobe in a fresh cgroup under the loader.
inside() {
	local opts=()
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	OUT=$($BIN "${opts[@]}" -- ip netns exec "$NS" "${PROBE[@]}" "$@" 2>&1) && RC=0 || RC=$?
	printf '%s\n' "$OUT" | sed 's/^/#   /'
}
outside() { OUT=$(in_ns a "${PROBE[@]}" "$@" 2>&1); printf '%s\n' "$OUT" | sed 's/^/#   /'; }
line() { grep -E "^$1 " <<<"$OUT" | head -1; }

# --- refused: SO_DEBUG and IP_TOS by default; reading them still works
OPS=(set:SOL_SOCKET:SO_DEBUG:1 get:SOL_SOCKET:SO_DEBUG set:IPPROTO_IP:IP_TOS:16 get:IPPROTO_IP:IP_TOS)
outside "${OPS[@]}"
check_eq "outside: SO_DEBUG set" "set:SOL_SOCKET:SO_DEBUG:1 ok" "$(line set:SOL_SOCKET:SO_DEBUG:1)"
check_eq "outside: SO_DEBUG reads 1" "get:SOL_SOCKET:SO_DEBUG ok 1 len=4" "$(line get:SOL_SOCKET:SO_DEBUG)"
check_eq "outside: IP_TOS set" "set:IPPROTO_IP:IP_TOS:16 ok" "$(line set:IPPROTO_IP:IP_TOS:16)"
inside -- "${OPS[@]}"
check_eq "inside: SO_DEBUG EPERM" "set:SOL_SOCKET:SO_DEBUG:1 EPERM" "$(line set:SOL_SOCKET:SO_DEBUG:1)"
check_eq "inside: SO_DEBUG still reads (0)" "get:SOL_SOCKET:SO_DEBUG ok 0 len=4" "$(line get:SOL_SOCKET:SO_DEBUG)"
check_eq "inside: IP_TOS EPERM" "set:IPPROTO_IP:IP_TOS:16 EPERM" "$(line set:IPPROTO_IP:IP_TOS:16)"
check_eq "inside: IP_TOS unchanged (0)" "get:IPPROTO_IP:IP_TOS ok 0 len=4" "$(line get:IPPROTO_IP:IP_TOS)"
check_match "report names the refused options" 'refused ip_tos: 1.*refused so_debug: 1' "$(tr '\n' ' ' <<<"$OUT")"

inside --deny tcp_nodelay,1:9 -- set:IPPROTO_TCP:TCP_NODELAY:1 set:SOL_SOCKET:SO_KEEPALIVE:1 set:SOL_SOCKET:SO_DEBUG:1
check_eq "--deny by name: TCP_NODELAY EPERM" "set:IPPROTO_TCP:TCP_NODELAY:1 EPERM" "$(line set:IPPROTO_TCP:TCP_NODELAY:1)"
check_eq "--deny LEVEL:OPT: SO_KEEPALIVE EPERM" "set:SOL_SOCKET:SO_KEEPALIVE:1 EPERM" "$(line set:SOL_SOCKET:SO_KEEPALIVE:1)"
check_eq "--deny replaces the default: SO_DEBUG ok" "set:SOL_SOCKET:SO_DEBUG:1 ok" "$(line set:SOL_SOCKET:SO_DEBUG:1)"

# --- clamped: what the kernel reports for the ceiling set by hand (2x)
outside set:SOL_SOCKET:SO_SNDBUF:$MAX get:SOL_SOCKET:SO_SNDBUF
want_snd=$(line get:SOL_SOCKET:SO_SNDBUF | awk '{print $3}')
outside set:SOL_SOCKET:SO_RCVBUF:$MAX get:SOL_SOCKET:SO_RCVBUF
want_rcv=$(line get:SOL_SOCKET:SO_RCVBUF | awk '{print $3}')
check_eq "kernel doubles a hand-set SO_SNDBUF" $((2 * MAX)) "$want_snd"
outside set:SOL_SOCKET:SO_SNDBUF:1048576 get:SOL_SOCKET:SO_SNDBUF
big_snd=$(line get:SOL_SOCKET:SO_SNDBUF | awk '{print $3}')
check_range "outside: 1 MiB SO_SNDBUF is above the ceiling" $((2 * MAX + 1)) 999999999 "$big_snd"

OPS=(set:SOL_SOCKET:SO_SNDBUF:1048576 get:SOL_SOCKET:SO_SNDBUF
     set:SOL_SOCKET:SO_RCVBUF:1048576 get:SOL_SOCKET:SO_RCVBUF
     set:SOL_SOCKET:SO_SNDBUF:-1 get:SOL_SOCKET:SO_SNDBUF
     set:SOL_SOCKET:SO_SNDBUF:4096 get:SOL_SOCKET:SO_SNDBUF)
inside --max-sndbuf $MAX --max-rcvbuf $MAX -- "${OPS[@]}"
# the value read right after OP (the loader's stats lines left out)
get_after() { grep -E '^(set|get):' <<<"$OUT" | grep -A1 -E "^$1 ok" | sed -n 2p | awk '{print $3}'; }
check_eq "inside: SO_SNDBUF 1 MiB reads as the ceiling" "$want_snd" "$(get_after set:SOL_SOCKET:SO_SNDBUF:1048576)"
check_eq "inside: SO_RCVBUF 1 MiB reads as the ceiling" "$want_rcv" "$(get_after set:SOL_SOCKET:SO_RCVBUF:1048576)"
check_eq "inside: SO_SNDBUF -1 (huge unsigned) clamped" "$want_snd" "$(get_after set:SOL_SOCKET:SO_SNDBUF:-1)"
check_eq "inside: SO_SNDBUF below the ceiling untouched" 8192 "$(get_after set:SOL_SOCKET:SO_SNDBUF:4096)"
check_match "report counts the clamps" 'clamped so_rcvbuf: 1.*clamped so_sndbuf: 2' "$(tr '\n' ' ' <<<"$OUT")"

# --- untouched: the same answers inside and outside, byte for byte
OPS=(set:SOL_SOCKET:SO_KEEPALIVE:1 get:SOL_SOCKET:SO_KEEPALIVE
     set:IPPROTO_TCP:TCP_NODELAY:1 get:IPPROTO_TCP:TCP_NODELAY
     set:IPPROTO_TCP:TCP_MAXSEG:1000 get:IPPROTO_TCP:TCP_MAXSEG
     set:9999:1:1 get:9999:1 set:SOL_SOCKET:9999:1
     set:SOL_SOCKET:SO_KEEPALIVE:0:8192 get:SOL_SOCKET:SO_KEEPALIVE:8192
     set:9999:1:1:8192 get:9999:1:8192
     get:IPPROTO_TCP:TCP_INFO:8192 get:IPPROTO_TCP:TCP_CONGESTION:8192
     set:SOL_SOCKET:SO_SNDBUF:1048576:8192 get:SOL_SOCKET:SO_SNDBUF)
outside "${OPS[@]}"
want=$OUT
inside --deny none -- "${OPS[@]}"
# Only optprobe's lines: on a slow machine the loader's per-second stats
# lines fall between them.
check_eq "inside without a ceiling: every answer as outside" "$want" "$(grep -E '^(set|get):' <<<"$OUT")"
check_match "an unknown level keeps its errno" '^set:9999:1:1 ENOPROTOOPT' "$want"
check_match "a page-plus buffer is the caller's" '^set:SOL_SOCKET:SO_KEEPALIVE:0:8192 ok' "$want"

# A buffer longer than a page: the ceiling still applies (we trim optlen).
inside --max-sndbuf $MAX -- set:SOL_SOCKET:SO_SNDBUF:1048576:8192 get:SOL_SOCKET:SO_SNDBUF:8192
check_eq "inside: 8 KiB optval clamped too" "$want_snd" "$(get_after set:SOL_SOCKET:SO_SNDBUF:1048576:8192)"

# --- a real program: iperf3-like bulk TCP is unaffected apart from the ceiling
bg_start srv --ns a nc -l 127.0.0.1 7100
wait_listen a 7100
check "inside: nc sends 1 MB" $BIN --max-sndbuf $MAX -- ip netns exec "$NS" \
	sh -c 'head -c 1000000 /dev/zero | nc -N 127.0.0.1 7100'
wait_pid "$(bg_pid srv)" 5
check_eq "server got 1000000 bytes" 1000000 "$(bg_out srv | wc -c)"

# --- --cgroup PATH, SIGINT and SIGKILL leave nothing
cg_new app
for sig in INT KILL; do
	bg_start cg $BIN --cgroup "$CG"
	wait_output cg 'attached to' || fail "SIG$sig: banner" "$(bg_out cg)"
	OUT=$(in_cg "$CG" a "${PROBE[@]}" set:SOL_SOCKET:SO_DEBUG:1)
	check_eq "SIG$sig: refused while attached" "set:SOL_SOCKET:SO_DEBUG:1 EPERM" "$OUT"
	check_eq "SIG$sig: 2 programs on the cgroup" 2 "$(cg_progs "$CG")"
	bg_stop cg $sig
	[ $sig = INT ] && check_eq "SIGINT: exit 0" 0 "$BG_RC"
	[ $sig = INT ] && check_match "SIGINT: final report" 'total setsockopt refused 1' "$(bg_out cg)"
	wait_for 3 test "$(cg_progs "$CG")" = 0
	check_eq "SIG$sig: nothing left on the cgroup" 0 "$(cg_progs "$CG")"
	OUT=$(in_cg "$CG" a "${PROBE[@]}" set:SOL_SOCKET:SO_DEBUG:1)
	check_eq "SIG$sig: allowed again" "set:SOL_SOCKET:SO_DEBUG:1 ok" "$OUT"
done

# --- bad input
run() { OUT=$("$@" 2>&1) && RC=0 || RC=$?; printf '%s\n' "$OUT" | sed 's/^/#   /'; }
run $BIN --deny so_bogus -- true
check_eq "unknown option name: exit 2" 2 "$RC"
check_match "unknown option name: sentence" '^cgroup_sockopt: --deny: unknown socket option: so_bogus' "$OUT"
run $BIN --deny 1:x -- true
check_eq "bad LEVEL:OPT: exit 2" 2 "$RC"
run $BIN --max-sndbuf 0 -- true
check_eq "--max-sndbuf 0: exit 2" 2 "$RC"
check_match "--max-sndbuf 0: sentence" 'out of range' "$OUT"
run $BIN --cgroup "$CG/cgroup.procs"
check_eq "a file, not a cgroup: exit 2" 2 "$RC"
run $BIN -- false
check_eq "failing COMMAND: its status" 1 "$RC"
run "${NOBODY[@]}" $BIN --cgroup "$CG"
check_eq "non-root: exit 1" 1 "$RC"
check_match "non-root: sentence" 'cgroup_sockopt: needs root' "$OUT"
check_eq "no cgroup_sockopt cgroups left" "" "$(ls -d "$CG2"/cgroup_sockopt-* 2>/dev/null)"

done_testing
