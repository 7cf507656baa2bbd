#!/usr/bin/env bash
# The generator's own check: 5,000,000 64-byte UDP frames from pktgen into
# a veth pair whose peer runs xdp_drop --all-ip; the receiver's counter
# must match what pktgen says it sent. Here the receiver's NAPI runs where
# the generator runs (no threaded NAPI): one core does both halves.
#
# Writes $OUT/gen.csv: round,sent,received,seconds,mpps
. "$(dirname "$0")/lib.sh"
COUNT=${BENCH_GEN_COUNT:-5000000}

[ -x "$ROOT/bench/pktgen/pktgen" ] || die "bench/pktgen/pktgen not built (make)"
[ -x "$ROOT/xdp/xdp_drop" ] || { say "xdp/xdp_drop not built: skipped"; exit 0; }

b_pair
echo "round,sent,received,seconds,mpps" >"$OUT/gen.csv"
for round in $(seq "$ROUNDS"); do
	b_start "$OUT/gen-rx.log" "$NS_R" "$ROOT/xdp/xdp_drop" --all-ip "$DEV_R"
	map=$(b_prog_map "$(b_xdp_prog "$NS_R" "$DEV_R")" stats)
	before=$(b_map_sum "$map")
	b_gen -n "$COUNT" >"$OUT/gen-gen.log" 2>&1 || die "pktgen failed: $(tail -n1 "$OUT/gen-gen.log")"
	sleep 0.2
	after=$(b_map_sum "$map")
	b_stop "$BG_PID"
	awk -v r="$round" -v rx=$((after - before)) '/^total sent/ {
		printf "%d,%d,%d,%s,%.2f\n", r, $3, rx, $5, $3 / $5 / 1e6}' \
		"$OUT/gen-gen.log" >>"$OUT/gen.csv"
	say "round $round: $(tail -n1 "$OUT/gen.csv")"
done
