#!/usr/bin/env bash
# sk_skb: a proxy on host a (port 5201) in front of an echo server on a's
# loopback (127.0.0.1:5202); clients on host b. Proves that spliced bytes
# arrive intact both ways while the proxy process moves none of them, that
# 100 concurrent pairs work and leave the sockmap empty, that a backend that
# is down costs only its own client, and that nothing outlives the proxy.
. "$(dirname "$0")/../lib/lib.sh"

PROXY=sk_skb/sk_skb
CLIENTS=.output/tests/sk_skb/echo_clients
[ -x "$PROXY" ] && [ -x "$CLIENTS" ] || skip_all "build first: make sk_skb .output/tests/sk_skb/echo_clients"
for t in socat nc sha256sum bpftool setpriv; do
	command -v "$t" >/dev/null || skip_all "$t not installed (scripts/setup.sh installs it)"
done

lab_up pair

# --- bad input: the sentences of the loader contract (CONTRIBUTING.md) and exit codes.
out=$(in_ns a "$PROXY" --listen 70000 2>&1); rc=$?
check_eq "port out of range exits 2" 2 "$rc"
check_match "port out of range says so" '^sk_skb: listen port: 70000 is out of range' "$out"
out=$(in_ns a "$PROXY" --backend nosuch.invalid:5202 2>&1); rc=$?
check_eq "unresolvable backend exits 2" 2 "$rc"
check_match "unresolvable backend says so" '^sk_skb: backend does not resolve: nosuch.invalid' "$out"
# A backend on the proxy's own port and address: refused before it can
# loop (it used to open 1,024 connections to itself).
expect "backend is the proxy itself" 2 "^sk_skb: backend 127.0.0.1:5202 is this proxy's own port 5202" \
	in_ns a "$PROXY" --listen 5202 --backend 127.0.0.1:5202 -d 2
expect "backend is the proxy itself (IPv6, lab address)" 2 "is this proxy's own port 5202" \
	in_ns a "$PROXY" --listen 5202 --backend "[2001:db8:1::1]:5202" -d 2
out=$(in_ns a setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	--bounding-set=-all "$PROXY" 2>&1); rc=$?
check_eq "non-root exits 1" 1 "$rc"
check_match "non-root says so" '^sk_skb: needs root' "$out"

# socat's default backlog (5) and half-close timeout (0.5 s) are too small
# for 100 simultaneous clients and a 50 MB echo.
bg_start echo --ns a socat -t 30 TCP-LISTEN:5202,fork,reuseaddr,backlog=256 PIPE
bg_start proxy --ns a "$PROXY"
wait_output proxy 'spliced in the kernel' || { fail "proxy starts" "$(bg_out proxy)"; done_testing; }
map=$(sed -n 's/.*sockmap id \([0-9]*\).*/\1/p' "$TMP/proxy.out")
wait_for 5 in_ns b nc -z 192.0.2.1 5201
map_entries() { bpftool map dump id "$map" | sed -n 's/^Found \([0-9]*\) element.*/\1/p'; }

# --- 50 MB through the splice, echoed back: both directions byte-exact.
head -c 50000000 /dev/urandom >"$TMP/in"
# echo_through PORT IN OUT: send IN through the proxy, keep what comes back.
echo_through() { in_ns b timeout 60 nc -N 192.0.2.1 "$1" <"$2" >"$3"; }
check "50 MB echoed through the proxy" echo_through 5201 "$TMP/in" "$TMP/out"
info "echoed $(wc -c <"$TMP/out") of $(wc -c <"$TMP/in") bytes; first difference: $(cmp "$TMP/in" "$TMP/out" 2>&1)"
check_eq "50 MB arrive intact both ways (sha256)" \
	"$(sha256sum <"$TMP/in")" "$(sha256sum <"$TMP/out")"

# --- 100 concurrent connections, all spliced at once, then all closed.
rm -f "$TMP/release"
bg_start clients --ns b "$CLIENTS" 192.0.2.1 5201 100 4096 "$TMP/release"
if wait_output clients '^holding' 30; then
	check_eq "100 concurrent pairs are in the sockmap" 200 "$(map_entries)"
else
	fail "100 concurrent connections echo" "$(bg_out clients)"
fi
touch "$TMP/release"
wait_pid "$(bg_pid clients)" 30
check_eq "100 concurrent connections complete" 0 "$WAIT_RC"
info "$(bg_out clients)"
wait_for 5 test "$(map_entries)" = 0
check_eq "closed connections leave the sockmap" 0 "$(map_entries)"

# --- IPv6 client.
check "IPv6 client echoed" in_ns b "$CLIENTS" 2001:db8:1::1 5201 1 100000

bg_stop proxy
check_eq "SIGINT ends the proxy with 0" 0 "$BG_RC"
final=$(grep '^total ' "$TMP/proxy.out")
info "$(grep -v '^connections' "$TMP/proxy.out")"
check_match "no byte went through user space" 'through user space 0 B' "$final"
check_match "no byte lost" 'lost 0 B' "$final"
spliced=$(sed -n 's/.*spliced in kernel \([0-9]*\) B.*/\1/p' <<<"$final")
# 2 x 50 MB + 2 x 100 x 4096 + 2 x 100000, each byte once.
check_eq "the kernel spliced every byte, once" 101019200 "$spliced"

# --- backend down: a clean close for that client, the others go on.
stream_progs() { bpftool prog show | awk '/^[0-9]+:.* name proxy_(parser|verdict) / {print $1}' | sort; }
stream_progs >"$TMP/progs-before"
bg_start proxy2 --ns a "$PROXY" --listen 5301 --backend 127.0.0.1:5302
wait_output proxy2 'spliced in the kernel'
out=$(echo hello | in_ns b timeout 10 nc -N 192.0.2.1 5301 2>&1); rc=$?
check_eq "backend down: client sees a clean close" "0:" "$rc:$out"
bg_start echo2 --ns a socat -t 30 TCP-LISTEN:5302,fork,reuseaddr PIPE
wait_for 5 in_ns a nc -z 127.0.0.1 5302
out=$(echo hello | in_ns b timeout 10 nc -N 192.0.2.1 5301 2>&1)
check_eq "the proxy keeps serving once the backend is up" hello "$out"

# --- SIGKILL: the attachments die with the map, the map with the process.
map=$(sed -n 's/.*sockmap id \([0-9]*\).*/\1/p' "$TMP/proxy2.out")
progs=$(comm -13 "$TMP/progs-before" <(stream_progs))
check_eq "the proxy loaded its two stream programs" 2 "$(wc -w <<<"$progs")"
kill -KILL "$(bg_pid proxy2)"
wait_pid "$(bg_pid proxy2)" 5
gone() { ! bpftool map show id "$map" >/dev/null 2>&1 &&
	for p in $progs; do ! bpftool prog show id "$p" >/dev/null 2>&1 || return 1; done; }
check "after SIGKILL the sockmap and its programs are gone" wait_for 5 gone
check_match "the down backend was reported" 'backend 127.0.0.1:5302: connection refused' "$(bg_out proxy2)"

# --- the same proxy in user space, for comparison: every byte is read.
bg_start proxy3 --ns a "$PROXY" --no-splice --listen 5401
wait_output proxy3 'user space'
head -c 5000000 "$TMP/in" >"$TMP/in5"
echo_through 5401 "$TMP/in5" "$TMP/out5"
check_eq "--no-splice: 5 MB intact" "$(sha256sum <"$TMP/in5")" "$(sha256sum <"$TMP/out5")"
bg_stop proxy3 TERM
check_eq "SIGTERM ends the proxy with 0" 0 "$BG_RC"
check_match "--no-splice: every byte went through user space" \
	'spliced in kernel 0 B  through user space 10000000 B' "$(grep '^total' "$TMP/proxy3.out")"

done_testing
