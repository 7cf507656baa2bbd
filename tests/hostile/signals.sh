#!/usr/bin/env bash
# The signal matrix: every long-running loader, started against a real
# target in a lab (one typical invocation each, the table below), stopped
# with SIGINT, SIGTERM, SIGHUP and SIGKILL, CYCLES times each (default 3).
# INT, TERM and HUP: exit 0 after a final stats line. KILL: the next
# start must clean up (or the guard/keeper already did) and run. After
# each cycle nothing of the loader is left: its programs and links (by
# id, as bpftool saw them held by its pid), our routes (proto 235),
# qdiscs, XDP, its cgroups, pinned objects. Rows of one group run one
# after the other (they share a hook), groups run six at a time.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/loaders.bash"
CYCLES=${CYCLES:-3}
# SIG_ONLY=REGEX: only the rows that match (while working on one loader).
CG2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)

lab_up pair
in_ns a sysctl -qw net.ipv4.conf.all.forwarding=1

row() {
	local L=$2 host=$1 P w sig c n0 e0 ids rc why
	shift 2
	P=$(basename "$L")
	w=$TMP/$P.$RANDOM
	# Rows of other groups run in the other lab host at the same time.
	local TRACE_HOSTS=$host
	[ "$host" = - ] && TRACE_HOSTS=" "
	B=$(loader_bin "$L")
	# One short normal run: -d 1, exit 0, banner and final line, no stderr
	# beyond start-up notices (under make test-asan: no sanitizer report).
	set -- "$B" -d 1 "$@"
	[ "$host" = - ] || set -- ip netns exec "$LAB-$host" "$@"
	"$@" >"$w.out" 2>"$w.err" </dev/null && rc=0 || rc=$?
	shift 3
	[ "$host" = - ] || shift 4
	if why=$(missing_feature "$rc" "$w.err"); then
		skip "$L $*: the signal matrix" "$why"
		return
	fi
	if [ "$rc" = 0 ] && [ "$(wc -l <"$w.out")" -ge 2 ] && ! grep -qiE 'sanitizer|runtime error' "$w.err"; then
		pass "$L $*: -d 1 runs and stops (exit 0)"
	else
		fail "$L $*: -d 1 runs and stops (exit 0)" "exit $rc: $(head -c 300 "$w.err")"
	fi
	# Every loader's last line at exit is its stats line, beginning "total ".
	check_match "$L $*: -d 1: the last line is the total" '^total ' "$(tail -n 1 "$w.out")"
	for sig in INT TERM HUP KILL; do
		for c in $(seq "$CYCLES"); do
			why=
			if ! start "$w" "$host" "$B" "$@"; then
				fail "$L $*: SIG$sig #$c: starts" "$STALL$(head -c 300 "$w.err")"
				kill -KILL "$PID" 2>/dev/null; wait_pid "$PID" 5
				continue
			fi
			ids=$IDS
			n0=$(wc -l <"$w.out")
			e0=$(wc -c <"$w.err")	# start-up warnings (a fallback) are fine
			if [ $sig = HUP ] && [[ " $HUP_RELOADS " == *" $L "* ]]; then
				# Reload, not stop: still running after it, then TERM.
				kill -HUP "$PID"; sleep 0.5
				kill -0 "$PID" 2>/dev/null || why="SIGHUP stopped it (documented as reload)"
				kill -TERM "$PID"
				e0=$(wc -c <"$w.err")	# its "SIGHUP ignored" notice
			else
				kill -$sig "$PID"
			fi
			# 10 s was too short with the load at 20 on 2 CPUs (sk_msg's
			# SIGTERM exit, cgroup removal included, ran out of it once).
			wait_pid "$PID" 30
			rc=$WAIT_RC
			if [ $sig = KILL ]; then
				[ "$rc" = 137 ] || why="exit $rc after SIGKILL"
				# The next start cleans up what the dead one left.
				if ! start "$w" "$host" "$B" "$@"; then
					why="${why:+$why; }no start after SIGKILL: $STALL$(head -c 300 "$w.err")"
				fi
				ids+=$'\n'$IDS
				kill -TERM "$PID"; wait_pid "$PID" 30
				[ "$WAIT_RC" = 0 ] || why="${why:+$why; }the start after SIGKILL: exit $WAIT_RC"
			else
				[ "$rc" = 0 ] || why="exit $rc"
				[ "$(wc -l <"$w.out")" -gt "$n0" ] && [[ $(tail -n 1 "$w.out") == "total "* ]] ||
					why="${why:+$why; }no final stats line (total ...)"
				[ "$(wc -c <"$w.err")" = "$e0" ] ||
					why="${why:+$why; }stderr: $(tail -c +$((e0 + 1)) "$w.err" | head -c 200)"
			fi
			left=$(clean "$P" "$ids") || why="${why:+$why; }left behind: $(tr '\n' ' ' <<<"$left")"
			if [ -n "$why" ]; then fail "$L $*: SIG$sig #$c" "$why"
			else pass "$L $*: SIG$sig #$c"; fi
		done
	done
}

group() {
	local g=$1 line
	grep -E "^$g .*${SIG_ONLY:-}" <<<"$RUN_TABLE" | while read -r _ host line; do
		row "$host" $line
	done
}

for L in $(loaders_built); do
	[[ " $ONE_SHOT " == *" $L "* ]] && continue
	awk -v l="$L" '$3 == l {f = 1} END {exit !f}' <<<"$RUN_TABLE" ||
		fail "$L: a row in the signal table" "add one to tests/hostile/signals.sh"
done

# Six groups at a time, a batch after the other; each batch's lines as
# soon as it ends (a run stopped by the runner's timeout keeps them).
pids=() batch=()
flush() {
	local g
	[ ${#pids[@]} = 0 ] && return
	wait "${pids[@]}"
	for g in "${batch[@]}"; do
		cat "$TMP/group.$g"
		T_FAILS=$((T_FAILS + $(grep -c '^FAIL ' "$TMP/group.$g")))
	done
	pids=() batch=()
}
for g in $(awk 'NF {print $1}' <<<"$RUN_TABLE" | uniq); do
	group "$g" >"$TMP/group.$g" 2>&1 &
	pids+=($!) batch+=("$g")
	[ ${#pids[@]} = 6 ] && flush
done
flush
info "$(cat "$TMP"/group.* | grep -c '^PASS') of $(cat "$TMP"/group.* | grep -cE '^(PASS|FAIL)') cycles clean"
done_testing
