#!/usr/bin/env bash
# The matrices' start() (loaders.bash) must wait for the banner of the
# run it started, not take what the previous run of the same row left in
# the output file for it: the signal matrix reuses one file per row, and
# the background job only truncates it once it runs. A stand-in that
# prints its banner after 15 s, over a file that holds an earlier run's
# banner and final line: start() returns once the new banner is there.
# (It used to return at once on the old text, give the holds check its
# 10 s and report "no banner": the start stalls the signal matrix saw.)
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/loaders.bash"

cat >"$TMP/late" <<'EOS'
#!/bin/sh
sleep 15
echo "late: started, run 2"
exec sleep 900
EOS
chmod +x "$TMP/late"
printf 'late: started, run 1\ntotal: 0\n' >"$TMP/w.out"
t0=$(date +%s)
start "$TMP/w" - "$TMP/late" && rc=0 || rc=$?
t=$(($(date +%s) - t0))
info "start() returned $rc after $t s: ${STALL:-}"
check_eq "start() of a run whose banner comes 15 s late succeeds" 0 "$rc"
check_match "it returned on this run's banner" 'run 2' "$(cat "$TMP/w.out")"
check_range "it waited for it (s)" 15 300 "$t"
kill "$PID" 2>/dev/null
wait "$PID" 2>/dev/null
done_testing
