#!/usr/bin/env bash
# sk_msg: loopback TCP between two processes of one cgroup, with the
# sockmap redirect (sk_msg/sk_msg attached) and without (plain loopback).
# Request/response time over one connection (64 B and 4 KiB, rr) and bulk
# throughput (iperf3, what the receiver counted), and a real server:
# redis-server (its own config, no persistence) under redis-benchmark -t
# set,get (8 connections, requests/s). The servers stay up for the whole
# run; in every round the two variants alternate, and the loader is
# attached only for its own.
#
# Writes $OUT/sk_msg.csv: metric,variant,round,value,unit; prints a
# Markdown table of medians and ratios to plain loopback.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sockredir.sh"
WIN=${BENCH_WINDOW:-2}
SKMSG=$ROOT/sk_msg/sk_msg
[ -x "$SKMSG" ] || { say "sk_msg/sk_msg not built: skipped"; exit 0; }
CG2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
[ -n "$CG2" ] || die "no cgroup v2 mounted"

NS=$PFX-m
CG=$CG2/$PFX-skmsg
b_ns "$NS"
mkdir "$CG"
trap 'b_cleanup; rmdir "$CG" 2>/dev/null || true' EXIT
# Join the cgroup, then enter the namespace: every socket is the cgroup's.
RUN=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG" ip netns exec "$NS")

r_server "$RR" -s 10000
r_server iperf3 -s -p 10001
r_listen "$NS" 10000
r_listen "$NS" 10001
REDIS=
if command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null; then
	REDIS=6379
	mkdir -p "$OUT/sk_msg-redis"
	cat >"$OUT/sk_msg-redis/redis.conf" <<-EOF
	bind 127.0.0.1
	port $REDIS
	protected-mode no
	daemonize no
	save ""
	appendonly no
	dir $OUT/sk_msg-redis
	logfile $OUT/sk_msg-redis/redis.log
	EOF
	r_server redis-server "$OUT/sk_msg-redis/redis.conf"
	r_listen "$NS" $REDIS
else
	say "redis-server or redis-benchmark not installed (Debian: redis-server, redis-tools): no redis rows"
fi

# r_redis: requests/s of SET and GET, "SET GET".
r_redis() {
	"${RUN[@]}" redis-benchmark -h 127.0.0.1 -p $REDIS -c 8 -n "${BENCH_REDIS_N:-200000}" \
		-t set,get --csv | awk -F'"' '$2 == "SET" {s = $4} $2 == "GET" {g = $4}
		END {print s, g}'
}

CSV=$OUT/sk_msg.csv
echo "metric,variant,round,value,unit" >"$CSV"
for round in $(seq "$ROUNDS"); do
	for v in plain redirect; do
		if [ $v = redirect ]; then
			# Outside the namespace: `ip netns exec` hides the cgroup2 mount.
			"$SKMSG" --port 10000 --port 10001 ${REDIS:+--port $REDIS} --cgroup "$CG" >"$OUT/sk_msg-loader.log" 2>&1 &
			LOADER=$!
			B_PIDS+=("$LOADER")
			for i in $(seq 100); do
				grep -q '^sk_msg: sockops' "$OUT/sk_msg-loader.log" && break
				kill -0 "$LOADER" 2>/dev/null || die "sk_msg: $(cat "$OUT/sk_msg-loader.log")"
				sleep 0.05
			done
		fi
		rr64=$(r_rr 127.0.0.1 10000 64)
		rr4k=$(r_rr 127.0.0.1 10000 4096)
		bulk=$(r_bulk 127.0.0.1 10001)
		set= get=
		[ -z "$REDIS" ] || read -r set get <<<"$(r_redis)"
		if [ $v = redirect ]; then
			b_stop "$LOADER"
			# A redirect run that redirected nothing measured nothing.
			grep -Eq '^total redirected [1-9]' "$OUT/sk_msg-loader.log" ||
				die "the loader redirected nothing: $(tail -n1 "$OUT/sk_msg-loader.log")"
		fi
		{
			echo "rr 64 B,$v,$round,$rr64,us"
			echo "rr 4 KiB,$v,$round,$rr4k,us"
			echo "bulk,$v,$round,$bulk,Gbit/s"
			[ -z "$REDIS" ] || echo "redis SET,$v,$round,$set,requests/s"
			[ -z "$REDIS" ] || echo "redis GET,$v,$round,$get,requests/s"
		} >>"$CSV"
		say "round $round $v: rr64 ${rr64} us, rr4k ${rr4k} us, bulk ${bulk} Gbit/s${REDIS:+, redis SET $set GET $get requests/s}"
	done
done
r_table "$CSV"
