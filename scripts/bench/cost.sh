#!/usr/bin/env bash
# Per-packet cost of every packet program that is built: bench/tools/pktcost
# (BPF_PROG_TEST_RUN, 1,000,000 repetitions, beside an empty program of the
# same type), ROUNDS times; the report takes the median of each row.
# xdp-filter's deny-all program (xdp-tools), where installed, is measured
# beside them: the drop section compares it with xdp_drop.
#
# Writes $OUT/cost.csv: round, then pktcost's columns.
. "$(dirname "$0")/lib.sh"

[ -x "$ROOT/bench/tools/pktcost" ] || die "bench/tools/pktcost not built (make)"
cd "$ROOT"
XF=$(ls /usr/lib/*/bpf/xdpfilt_dny_all.o /usr/lib/bpf/xdpfilt_dny_all.o \
	/usr/lib64/bpf/xdpfilt_dny_all.o 2>/dev/null | head -n1 || true)
for round in $(seq "$ROUNDS"); do
	bench/tools/pktcost -r "${BENCH_REPEAT:-1000000}" >"$OUT/cost-$round.csv"
	[ -z "$XF" ] || bench/tools/pktcost -r "${BENCH_REPEAT:-1000000}" "$XF" |
		tail -n +2 >>"$OUT/cost-$round.csv"
done
{
	echo "round,$(head -n1 "$OUT/cost-1.csv")"
	for round in $(seq "$ROUNDS"); do
		tail -n +2 "$OUT/cost-$round.csv" | sed "s/^/$round,/"
		rm -f "$OUT/cost-$round.csv"
	done
} >"$OUT/cost.csv"
say "$(($(wc -l <"$OUT/cost.csv") - 1)) rows"
