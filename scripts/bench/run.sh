#!/usr/bin/env bash
# `make bench`: every section whose examples are built, then the report.
# Raw results go to $BENCH_OUT (.output/bench); the report, the CSVs and
# the chart to bench/results/. A section that fails is reported and the
# others still run; the exit status says whether any failed.
#
#   scripts/bench/run.sh [SECTION...]   default: all, in this order
#   BENCH_ONLY="drop lb" make bench      the same through make
#
# Environment: BENCH_ROUNDS (5), BENCH_WINDOW (2 s per rate sample),
# BENCH_ONLY (sections, as the arguments), BENCH_OUT, BENCH_RESULTS
# (bench/results). A run of a few sections or rounds is a check of the
# scripts: write its results elsewhere (BENCH_RESULTS=/tmp/x) so that
# bench/results keeps describing one whole run.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export BENCH_OUT=${BENCH_OUT:-$ROOT/.output/bench}
RESULTS=${BENCH_RESULTS:-$ROOT/bench/results}
SECTIONS=("$@")
[ ${#SECTIONS[@]} -gt 0 ] || read -ra SECTIONS <<<"${BENCH_ONLY:-}"
[ ${#SECTIONS[@]} -gt 0 ] ||
	SECTIONS=(gen cost drop drop1 echo forward lb sk_msg sk_skb startup build)

[ "$(id -u)" = 0 ] || { echo "bench: needs root (namespaces, BPF)" >&2; exit 1; }
rm -rf "$BENCH_OUT"
mkdir -p "$BENCH_OUT" "$RESULTS"
# The results describe one run: nothing of an earlier one stays.
rm -f "$RESULTS"/*.csv "$RESULTS"/*.txt "$RESULTS"/results.md "$RESULTS"/results.json \
	"$RESULTS"/chart.png

failed=()
start=$EPOCHREALTIME
for s in "${SECTIONS[@]}"; do
	if [ ! -x "$HERE/$s.sh" ]; then
		echo "bench: $s: no scripts/bench/$s.sh yet, skipped" >&2
		continue
	fi
	t0=$EPOCHREALTIME
	echo "bench: $s ..." >&2
	if SECTION=$s "$HERE/$s.sh"; then
		awk -v s="$s" -v a="$t0" -v b="$EPOCHREALTIME" \
			'BEGIN {printf "bench: %s done in %.0f s\n", s, b - a}' >&2
	else
		echo "bench: $s FAILED (exit $?)" >&2
		failed+=("$s")
	fi
done

# Anything of ours still there is a bug of this script: say so.
if ip netns list | grep -q '^h9b'; then
	echo "bench: namespaces left behind: $(ip netns list | grep '^h9b' | tr '\n' ' ')" >&2
	failed+=(cleanup)
fi

python3 "$HERE/report.py" "$BENCH_OUT" "$RESULTS" "${failed[@]/#/--failed=}"
# A whole run into bench/results with no failed section also refreshes
# the figures of the top README (the blocks between <!-- bench:KEY -->
# markers), so that they all come from one run.
if [ $# = 0 ] && [ -z "${BENCH_ONLY:-}" ] && [ "$RESULTS" = "$ROOT/bench/results" ] &&
	[ ${#failed[@]} = 0 ]; then
	python3 "$HERE/readme.py" "$RESULTS/results.md" "$ROOT/README.md"
fi
awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN {printf "bench: all done in %.0f s\n", b - a}' >&2
[ ${#failed[@]} = 0 ]
