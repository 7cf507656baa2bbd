# Sourced by sk_msg.sh and sk_skb.sh (after lib.sh): the measurements
# both socket-redirect benchmarks make, and their Markdown table.

RR=$ROOT/.output/tests/sk_msg/rr
command -v iperf3 >/dev/null || die "iperf3 not installed (scripts/setup.sh)"
# make bench builds the examples, not the test helpers: build ours.
[ -x "$RR" ] || make -C "$ROOT" --no-print-directory -s .output/tests/sk_msg/rr >&2 ||
	die "cannot build .output/tests/sk_msg/rr"

# r_server COMMAND...: a server for the whole benchmark, stopped on exit.
r_server() {
	"${RUN[@]}" "$@" >/dev/null 2>&1 &
	B_PIDS+=("$!")
}

# Wait until something listens on TCP PORT in namespace NS.
r_listen() {
	local i
	for i in $(seq 100); do
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.05
	done
	die "nothing listens on port $2 in $1"
}

# Clients and servers run as "${RUN[@]}" COMMAND: in the benchmark's
# namespace, and in its cgroup where the example needs one.
# r_rr HOST PORT SIZE: mean request/response time in µs over one connection.
r_rr() {
	"${RUN[@]}" "$RR" "$1" "$2" "$3" "$WIN" | awk '$1 == "mean_us" {print $2}'
}

# r_bulk HOST PORT: what the iperf3 receiver counted, in Gbit/s.
r_bulk() {
	"${RUN[@]}" iperf3 -c "$1" -p "$2" -t "$WIN" -J |
		awk '/"sum_received"/ {f = 1} f && /"bits_per_second"/ {
			gsub(",", "", $2); printf "%.2f", $2 / 1e9; exit }'
}

# r_table CSV: per metric, the median of each variant over the rounds and
# its ratio to the first variant, as Markdown.
r_table() {
	python3 - "$1" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print('| metric | variant | median | unit | ratio to %s | rounds |' % rows[0]['variant'])
print('|---|---|---|---|---|---|')
for m in dict.fromkeys(r['metric'] for r in rows):
    rs = [r for r in rows if r['metric'] == m]
    base = None
    for v in dict.fromkeys(r['variant'] for r in rs):
        vals = [float(r['value']) for r in rs if r['variant'] == v]
        med = statistics.median(vals)
        base = med if base is None else base
        print('| %s | %s | %.2f | %s | %.2f | %d |' % (m, v, med, rs[0]['unit'], med / base, len(vals)))
PY
}
