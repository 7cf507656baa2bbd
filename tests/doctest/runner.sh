#!/usr/bin/env bash
# The doc-test runner itself: a recipe that holds passes, and a broken
# one (wrong output, failing command, a block after a failure) fails,
# whatever it left running is killed, and a PID carries across blocks.
. "$(dirname "$0")/../lib/lib.sh"

doc=$TMP/README.md
cat >"$doc" <<'MD'
# A README

<!-- doctest -->
```sh
sleep 300 &
PID=$!
echo "started worker"
echo "replies: ipv4 10, ipv6 12"
```
<!-- doctest-output numbers-vary -->
```
replies: ipv4 3, ipv6 4
```

<!-- doctest -->
```sh
sudo kill $PID
echo "stopped $PID"
```

<!-- doctest -->
```sh
echo "counted 5 packets"
```
<!-- doctest-output -->
```
counted 6 packets
```

<!-- doctest -->
```sh
false
echo never
```

<!-- doctest -->
```sh
echo after
```

<!-- doctest -->
Some prose instead of a block.
MD

out=$(scripts/doctest.py "$doc" 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out" | sed 's/^/#   /'
check_eq "a broken recipe makes the run fail" 1 "$rc"
check_match "numbers may vary where the README says so" 'PASS doctest: .*README.md:3$' "$out"
check_match "a PID saved in one block is there in the next" 'PASS doctest: .*README.md:15$' "$out"
check_match "fixed numbers must match" 'FAIL doctest: .*README.md:21 \(expected line not printed: .counted 6 packets.' "$out"
check_match "a failing command fails its block" 'FAIL doctest: .*README.md:30 \(a command failed' "$out"
check_match "the next block is not run" 'FAIL doctest: .*README.md:36 \(not reached' "$out"
check_match "a marker without a block is an error" 'FAIL doctest: .*README.md:41 \(marker not followed' "$out"
check_eq "no 'never' output" 0 "$(grep -c '^never' <<<"$out")"

# A background job of a recipe that no block stops is killed at the end.
cat >"$doc" <<'MD'
<!-- doctest -->
```sh
DOCTEST_PROBE=1 sleep 301 &
echo "left running"
```
MD
check "a passing recipe passes" scripts/doctest.py "$doc"
check_eq "what a recipe left running is killed" "" "$(pgrep -f '^sleep 301$' || true)"

# Recipes run in a network namespace of their own.
cat >"$doc" <<'MD'
<!-- doctest -->
```sh
ip -o link show | wc -l
```
<!-- doctest-output -->
```
1
```
MD
check "recipes see only their own lo" scripts/doctest.py "$doc"
# `...` in an expected line stands for any text; the rest must match.
cat >"$doc" <<'MD'
<!-- doctest -->
```sh
echo "sleep-4711 [001] d.s3. 12.5: bpf_trace_printk: hello from xdp"
```
<!-- doctest-output -->
```
... bpf_trace_printk: hello from ...
```
MD
check "... stands for any text" scripts/doctest.py "$doc"
sed -i 's/hello from \.\.\./hallo from .../' "$doc"
check_fails "... does not hide the words around it" scripts/doctest.py "$doc"

# Expected output that prose separates from its recipe is an error, not
# a block that silently goes unchecked.
cat >"$doc" <<'MD'
<!-- doctest -->
```sh
echo "counted 5 packets"
```

Then you see:

<!-- doctest-output -->
```
counted 6 packets
```
MD
out=$(scripts/doctest.py "$doc" 2>&1) && rc=0 || rc=$?
check_eq "an output block apart from its recipe fails the run" 1 "$rc"
check_match "and says why" 'README.md:8 \(doctest-output not right after a doctest recipe' "$out"

done_testing
