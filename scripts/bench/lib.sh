# Sourced by every benchmark script: namespaces, cleanup, counters, stats.
# Where things go: results go to $OUT (BENCH_OUT, default .output/bench), one
# CSV per section; every namespace is named h9b<pid>-<role> and deleted on
# every exit path; nothing is attached to an interface of the root namespace.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${BENCH_OUT:-$ROOT/.output/bench}
ROUNDS=${BENCH_ROUNDS:-5}
PFX=h9b$$
SECTION=${SECTION:-$(basename "$0" .sh)}
mkdir -p "$OUT"

B_NS=()
B_PIDS=()

say() { printf 'bench/%s: %s\n' "$SECTION" "$*" >&2; }
die() { say "$*"; exit 1; }

# Wait for PID, which was sent SIGINT. A server that keeps running gets
# SIGTERM after 3 s: HAProxy leaves SIGINT as ignored, and a background
# job of a script starts with SIGINT ignored.
b_reap() {
	local i st
	for i in $(seq 30); do
		# Gone, or a zombie (bash reaps its children only in wait).
		st=$(cat "/proc/$1/stat" 2>/dev/null) || break
		[[ $st == *") Z "* ]] && break
		sleep 0.1
	done
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

b_cleanup() {
	local p n
	# Finish the cleanup even if a signal comes now (a stopping child
	# can pass one on to its process group).
	trap '' INT TERM
	for p in "${B_PIDS[@]}"; do
		kill -INT "$p" 2>/dev/null || true
	done
	for p in "${B_PIDS[@]}"; do
		b_reap "$p"
	done
	B_PIDS=()
	# Deleting a namespace removes its veths, links, qdiscs and rules.
	for n in "${B_NS[@]}"; do
		ip netns del "$n" 2>/dev/null || true
	done
	B_NS=()
}
trap b_cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || die "needs root (network namespaces, BPF)"
for t in jq bpftool ethtool taskset; do
	command -v "$t" >/dev/null || die "needs $t (Debian: apt-get install ${t/taskset/util-linux})"
done

b_ns() {
	ip netns add "$1"
	B_NS+=("$1")
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
}

# The pair every packet benchmark uses: generator NS_G (DEV_G, 192.0.2.1)
# <-> receiver NS_R (DEV_R, 192.0.2.2). IPv6 is off so nothing but the
# benchmark's own packets reaches the counters. The device names carry our
# pid: the receiver's NAPI thread is napi/DEV_R-ID, found by that name.
b_pair() {
	NS_G=$PFX-g NS_R=$PFX-r DEV_G=tx$$ DEV_R=rx$$
	b_ns "$NS_G"
	b_ns "$NS_R"
	ip -n "$NS_G" link add "$DEV_G" type veth peer name "$DEV_R" netns "$NS_R"
	ip -n "$NS_G" addr add 192.0.2.1/24 dev "$DEV_G"
	ip -n "$NS_R" addr add 192.0.2.2/24 dev "$DEV_R"
	ip -n "$NS_G" link set "$DEV_G" up
	ip -n "$NS_R" link set "$DEV_R" up
	MAC_G=$(ip -n "$NS_G" -j link show "$DEV_G" | jq -r '.[0].address')
	MAC_R=$(ip -n "$NS_R" -j link show "$DEV_R" | jq -r '.[0].address')
	# Static neighbours: no ARP traffic in the counters.
	ip -n "$NS_G" neigh add 192.0.2.2 lladdr "$MAC_R" dev "$DEV_G" nud permanent
	ip -n "$NS_R" neigh add 192.0.2.1 lladdr "$MAC_G" dev "$DEV_R" nud permanent
}

# NAPI on the receiving veth, which redirected frames need, without an
# XDP program (GRO on); threaded, so the receiver's work runs in its own
# thread, which b_pin_napi puts on the last CPU while the generator runs
# on CPU 0: the receiver has one core to itself.
b_napi() {
	ip netns exec "$NS_R" ethtool -K "$DEV_R" gro on >/dev/null
	ip netns exec "$NS_R" sh -c "echo 1 > /sys/class/net/$DEV_R/threaded"
	b_pin_napi
}

# Again after each attach: adding or removing XDP may restart the thread.
b_pin_napi() {
	local pid
	for pid in $(pgrep "^napi/$DEV_R-" || true); do
		taskset -p -c "$(( $(nproc) - 1 ))" "$pid" >/dev/null
	done
}

# pktgen from the generator side, pinned to CPU 0, to the receiver's MAC.
b_gen() {
	ip netns exec "$NS_G" taskset -c 0 "$ROOT/bench/pktgen/pktgen" --dst-mac "$MAC_R" "$@" "$DEV_G"
}

# Start a command in NS in the background, wait for its first line of
# output (the loader's "attached" banner), remember it for cleanup.
# Sets BG_PID; the output goes to FILE.
b_start() {
	local file=$1 ns=$2 i
	shift 2
	: >"$file"	# not the last run's output, before the child opens it
	ip netns exec "$ns" "$@" >>"$file" 2>&1 &
	BG_PID=$!
	B_PIDS+=("$BG_PID")
	for i in $(seq 100); do
		[ -s "$file" ] && return 0
		kill -0 "$BG_PID" 2>/dev/null || break
		sleep 0.05
	done
	die "$* did not start: $(head -c 300 "$file")"
}

# The same for a server that prints nothing when ready: wait until
# something listens on TCP PORT in NS. Sets BG_PID.
b_start_listen() {
	local file=$1 ns=$2 port=$3 i
	shift 3
	: >"$file"
	ip netns exec "$ns" "$@" >>"$file" 2>&1 &
	BG_PID=$!
	B_PIDS+=("$BG_PID")
	for i in $(seq 100); do
		ip netns exec "$ns" ss -Hltn "sport = :$port" | grep -q . && return 0
		kill -0 "$BG_PID" 2>/dev/null || break
		sleep 0.05
	done
	die "$1 did not listen on port $port: $(head -c 300 "$file")"
}

# nginx as a backend, with a config of its own in DIR (master in the
# foreground, one worker, every request answered "b1" from memory, keep-
# alive without a request limit): b_nginx DIR NS ADDR PORT. Sets BG_PID;
# b_stop (SIGINT, a fast shutdown) stops master and worker.
b_nginx() {
	local dir=$1 ns=$2 addr=$3 port=$4
	mkdir -p "$dir"
	cat >"$dir/nginx.conf" <<-EOF
	daemon off;
	master_process on;
	worker_processes 1;
	pid $dir/nginx.pid;
	error_log $dir/error.log;
	events { worker_connections 4096; }
	http {
		access_log off;
		client_body_temp_path $dir;
		proxy_temp_path $dir;
		fastcgi_temp_path $dir;
		uwsgi_temp_path $dir;
		scgi_temp_path $dir;
		keepalive_requests 10000000;
		keepalive_timeout 300s;
		server {
			listen $addr:$port backlog=4096;
			location / { default_type text/plain; return 200 "b1\n"; }
		}
	}
	EOF
	b_start_listen "$dir/out.log" "$ns" "$port" nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf"
}

# HAProxy in TCP mode with a config of its own: b_haproxy FILE NS
# LISTEN_ADDR:PORT=BACKEND_ADDR:PORT... One thread (like the one-process
# proxies it is compared with), its own splice(2) relaying where the build
# has it (option splice-auto). Foreground (-db); stopped by PID. Sets BG_PID.
b_haproxy() {
	local cfg=$1 ns=$2 m n=0 first=
	shift 2
	{
		echo "global"
		echo "	nbthread 1"
		echo "	maxconn 4000"
		echo "defaults"
		echo "	mode tcp"
		echo "	timeout connect 5s"
		echo "	timeout client 300s"
		echo "	timeout server 300s"
		[[ $(haproxy -vv 2>/dev/null) != *+LINUX_SPLICE* ]] || echo "	option splice-auto"
		for m in "$@"; do
			echo "listen p$((n += 1))"
			echo "	bind ${m%%=*}"
			echo "	server s1 ${m#*=}"
			first=${first:-${m%%=*}}
		done
	} >"$cfg"
	b_start_listen "${cfg%.cfg}.log" "$ns" "${first##*:}" haproxy -db -f "$cfg"
}

b_forget() {
	local p keep=()
	for p in "${B_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	B_PIDS=("${keep[@]}")
}

b_stop() {
	kill -INT "$1" 2>/dev/null || true
	b_reap "$1"
	b_forget "$1"
}

# Sum of a per-CPU map over CPUs: field .packets, or the plain value, of
# slot KEY, or of every slot.
b_map_sum() {
	bpftool -j map dump id "$1" | jq --arg k "${2:-}" '[.[].formatted |
		select($k == "" or .key == ($k | tonumber)) | .values[].value |
		if type == "object" then .packets else . end] | add // 0'
}

# The map named NAME of the program PROG_ID.
b_prog_map() {
	local m
	for m in $(bpftool -j prog show id "$1" | jq '.map_ids[]'); do
		bpftool -j map show id "$m" | jq -r --arg n "$2" 'select(.name == $n) | .id'
	done | head -n1
}

# XDP program id on DEV in NS (waits up to 5 s for one to be attached).
b_xdp_prog() {
	local i id
	for i in $(seq 50); do
		id=$(ip -n "$1" -j link show "$2" | jq '.[0].xdp.prog.id // empty')
		[ -n "$id" ] && { echo "$id"; return; }
		sleep 0.1
	done
	die "no XDP program on $2"
}

# Read a counter with COUNTER_CMD (a function name) and timestamp it with
# the middle of the read: prints "COUNT SECONDS".
b_sample() {
	local t0 t1 c
	t0=$EPOCHREALTIME
	c=$("$@")
	t1=$EPOCHREALTIME
	echo "$c $(echo "$t0 $t1" | awk '{printf "%.6f", ($1 + $2) / 2}')"
}

# Receiver rate while the generator runs: warm up, then two samples WIN s
# apart. Prints packets per second.
b_rx_rate() {
	local win=$1 a b
	shift
	sleep 1
	a=$(b_sample "$@")
	sleep "$win"
	b=$(b_sample "$@")
	echo "$a $b" | awk '{printf "%.0f", ($3 - $1) / ($4 - $2)}'
}

# One round of a packet comparison: v_VARIANT_up (which sets COUNT, the
# receiver's counter command), pktgen with ARGS for WIN + 2 s, the
# receiver's rate over WIN s, v_VARIANT_down; appends
# "VARIANT,ROUND,rx_pps,offered_pps" to $OUT/$SECTION.csv.
b_rate_round() {
	local v=$1 round=$2 gen rate offered log=$OUT/$SECTION-gen.log
	shift 2
	"v_${v}_up"
	b_pin_napi
	b_gen "$@" -d $((WIN + 2)) >"$log" 2>&1 &
	gen=$!
	B_PIDS+=("$gen")
	rate=$(b_rx_rate "$WIN" $COUNT)
	wait "$gen" || die "pktgen failed: $(tail -n1 "$log")"
	b_forget "$gen"
	offered=$(awk '/^total sent/ {printf "%.0f", $3 / $5}' "$log")
	"v_${v}_down"
	echo "$v,$round,$rate,$offered" >>"$OUT/$SECTION.csv"
	say "round $round $v: $rate per second counted by the receiver (offered $offered)"
}

# median of the numbers on stdin
b_median() {
	sort -g | awk '{v[NR] = $1} END {if (!NR) exit; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# The binaries of the catalog that exist: DIR/NAME with DIR/NAME.bpf.c
# (the bench's own tools live a level deeper, in bench/DIR/).
b_examples() {
	local f
	for f in "$ROOT"/*/*.bpf.c; do
		f=${f%.bpf.c}
		[ -x "$f" ] && echo "${f#"$ROOT"/}"
	done
}
