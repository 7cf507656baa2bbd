#!/usr/bin/env bash
# sk_msg with a real server: redis-server and its clients (redis-cli,
# redis-benchmark) in the loader's cgroup, on lab host a's loopback, port
# 6379 redirected socket to socket. Every random binary value (NUL bytes,
# newlines, up to 256 KiB) written with SET reads back equal with GET, and
# the loader counted the traffic: nothing dropped, at least half of it
# redirected, the rest by TCP (a client that sends before the server's
# socket is in the map stays on TCP: sk_msg/README.md, "Once by TCP, always
# by TCP"; redis-cli sends at once, and a slow 6.1 guest lost that race).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/servers.sh"

SKMSG=sk_msg/sk_msg
[ -x "$SKMSG" ] || skip_all "build first: make sk_msg"
need redis-server redis-cli redis-benchmark
CG2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
[ -n "$CG2" ] || skip_all "no cgroup v2 mounted"

lab_up pair
N=20
for i in $(seq $N); do
	head -c $(( (RANDOM * 8 + i) % 262144 + 1 )) /dev/urandom >"$TMP/val$i"
done
# Everything below runs in the cgroup: the server too, stopped by its pid.
cat >"$TMP/redis.sh" <<EOF
cd "$TMP"
redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --dir "$TMP" \
	--protected-mode no --daemonize no >redis-server.log 2>&1 &
srv=\$!
for i in \$(seq 100); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.1; done
for i in \$(seq $N); do
	redis-cli -x SET k\$i <val\$i >/dev/null
	redis-cli --raw GET k\$i | head -c -1 >back\$i
done
redis-benchmark -q -n 2000 -c 4 -t set,get -d 512 >bench.out 2>&1
echo \$? >bench.rc
kill \$srv; wait \$srv
EOF
bg_start msg "$SKMSG" --port 6379 -- ip netns exec "$LAB-a" bash "$TMP/redis.sh"
wait_pid "$(bg_pid msg)" 18
check_eq "the loader and redis run to the end (exit 0)" 0 "$WAIT_RC"
ok=0
for i in $(seq $N); do cmp -s "$TMP/val$i" "$TMP/back$i" && ok=$((ok + 1)); done
check_eq "$N random binary values read back equal" $N $ok
check_eq "redis-benchmark succeeds" 0 "$(cat "$TMP/bench.rc" 2>/dev/null)"
info "$(tr '\r' '\n' <"$TMP/bench.out" | grep -E 'requests per second' | tail -2)"
final=$(grep '^total' "$TMP/msg.out")
info "$final"
bytes=$(sed -n 's/^total redirected [0-9]* msgs \([0-9]*\) B.*/\1/p' <<<"$final")
bytcp=$(sed -n 's/.*via TCP (peer not in map) [0-9]* msgs \([0-9]*\) B.*/\1/p' <<<"$final")
sum=$(cat "$TMP"/val* | wc -c)
# Each value crosses twice (SET, GET), plus the protocol and the benchmark.
check_range "the loader saw every value twice, redirected or by TCP" $((2 * sum)) 999999999999 \
	$((${bytes:-0} + ${bytcp:-0}))
check_range "at least half of it was redirected" "$sum" 999999999999 "${bytes:-0}"
check_match "nothing was dropped" '  dropped 0  ' "$final"
check_match "every socket left the map" 'in map 0$' "$final"

done_testing
