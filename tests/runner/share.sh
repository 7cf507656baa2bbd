#!/usr/bin/env bash
# tests/run.sh itself: two runners that share one list (TEST_CLAIM_DIR, as
# the guests of make vmtest do) run every test exactly once between them,
# the one with TEST_ORDER=reverse from the end, and their summary lines
# add up to the list.
. "$(dirname "$0")/../lib/lib.sh"
# This test may itself run in a guest of make vmtest, under a shared list.
unset TEST_CLAIM_DIR TEST_ORDER

tree=$TMP/tree
mkdir -p "$tree/tests" "$TMP/claims"
cp tests/run.sh "$tree/tests/"
names="a/one a/two b/three b/four c/five c/six"
for n in $names; do
	mkdir -p "$tree/tests/${n%/*}"
	cat >"$tree/tests/$n.sh" <<T
#!/bin/sh
echo "\$\$ $n" >>"\$SHARE_RECORD"
sleep 0.3
echo "PASS $n: ran"
T
	chmod +x "$tree/tests/$n.sh"
done
export SHARE_RECORD=$TMP/record
: >"$SHARE_RECORD"

TEST_CLAIM_DIR=$TMP/claims "$tree/tests/run.sh" >"$TMP/fwd" 2>&1 & f=$!
TEST_CLAIM_DIR=$TMP/claims TEST_ORDER=reverse "$tree/tests/run.sh" >"$TMP/rev" 2>&1 & r=$!
wait $f && frc=0 || frc=$?
wait $r && rrc=0 || rrc=$?
sed 's/^/#   fwd: /' "$TMP/fwd"
sed 's/^/#   rev: /' "$TMP/rev"
check_eq "the forward runner exits 0" 0 "$frc"
check_eq "the reverse runner exits 0" 0 "$rrc"
check_eq "every test ran exactly once" "$(tr ' ' '\n' <<<"$names" | sort)" \
	"$(awk '{print $2}' "$SHARE_RECORD" | sort)"
check_match "the reverse runner began with the last test" '^PASS c/six' \
	"$(grep -m1 '^PASS' "$TMP/rev")"
check_match "the forward runner began with the first test" '^PASS a/one' \
	"$(grep -m1 '^PASS' "$TMP/fwd")"
sum=$(cat "$TMP/fwd" "$TMP/rev" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' |
	awk '{p += $1; f += $2; s += $3} END {print p, f, s}')
check_eq "the summary lines add up to the list" "6 0 0" "$sum"

# Without a claims directory a runner takes every test, as before.
: >"$SHARE_RECORD"
check "alone, a runner runs the whole list" "$tree/tests/run.sh" b/
check_eq "and only what its pattern selects" "b/four b/three" \
	"$(awk '{print $2}' "$SHARE_RECORD" | sort | paste -sd' ')"

done_testing
