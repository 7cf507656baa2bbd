#!/usr/bin/env bash
# Build time: `make -j2` from clean, in a copy of the tree (the working
# tree's build stays as it is), ROUNDS times.
#
# Writes $OUT/build.csv: round,seconds,examples (make help's count of
# example loaders; the bench tools are built too but not counted)
. "$(dirname "$0")/lib.sh"

COPY=$(mktemp -d /tmp/h9b$$-tree.XXXXXX)
trap 'rm -rf "$COPY"; b_cleanup' EXIT
tar -C "$ROOT" --exclude=./.output --exclude=./.git -cf - . | tar -C "$COPY" -xf -
n=$(make -C "$COPY" -s help | sed -n 's/.*every example (\([0-9]*\) found).*/\1/p')
echo "round,seconds,examples" >"$OUT/build.csv"
for round in $(seq "$ROUNDS"); do
	make -C "$COPY" -s clean >/dev/null
	t0=$EPOCHREALTIME
	make -C "$COPY" -s -j2 all >"$OUT/build.log" 2>&1 ||
		die "make -j2 failed: $(tail -n3 "$OUT/build.log")"
	t1=$EPOCHREALTIME
	awk -v r="$round" -v a="$t0" -v b="$t1" -v n="$n" \
		'BEGIN {printf "%d,%.1f,%s\n", r, b - a, n}' >>"$OUT/build.csv"
	say "round $round: $(tail -n1 "$OUT/build.csv")"
done
