# Shared helpers for scenario tests. Source it first:
#
#   . "$(dirname "$0")/../lib/lib.sh"
#   lab_up pair                       # hosts $LAB-a and $LAB-b
#   bg_start srv --ns a ./xdp/xdp_icmp_server eth0
#   check "ping answered" in_ns b ping -c3 192.0.2.1
#   done_testing
#
# Each check prints "PASS name" or "FAIL name (reason)" for the runner.
# Whatever the test started (background processes, the lab, registered
# cleanups) is torn down on every exit path.

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# The runner gives each test a unique prefix; alone, make one up.
LAB=${TEST_PREFIX:-t$$}
TMP=$(mktemp -d "/tmp/${LAB}.XXXXXX")
T_FAILS=0
T_BG_PIDS=()
T_CLEANUPS=()
T_LAB_UP=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+ ($2)}"; T_FAILS=$((T_FAILS + 1)); }
skip() { echo "SKIP $1${2:+ ($2)}"; }
# skip_all REASON: the whole test cannot run here (exit 77).
skip_all() { echo "SKIP ${T_NAME:-$(basename "$0" .sh)} ($1)"; exit 77; }
info() { echo "# $*"; }

# check NAME CMD...: PASS when CMD succeeds; its output goes to the log.
check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
	if [ "$rc" = 0 ]; then pass "$name"; else fail "$name" "exit $rc: $*"; fi
	return 0
}

# check_fails NAME CMD...: PASS when CMD fails.
check_fails() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
	if [ "$rc" != 0 ]; then pass "$name"; else fail "$name" "succeeded: $*"; fi
	return 0
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}

# check_range NAME MIN MAX VALUE (integers)
check_range() {
	if [ "$4" -ge "$2" ] && [ "$4" -le "$3" ]; then pass "$1"
	else fail "$1" "$4 not in $2..$3"; fi
}

# check_match NAME REGEX TEXT
check_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then pass "$1"
	else fail "$1" "no match for /$2/ in: $(printf '%s' "$3" | head -c 300)"; fi
}

# expect NAME CODE REGEX CMD...: CMD exits with CODE and prints a message
# matching REGEX (bad-input tests: the sentence and the exit status).
expect() {
	local name=$1 code=$2 re=$3 out rc
	shift 3
	out=$("$@" 2>&1) && rc=0 || rc=$?
	printf '%s\n' "$out" | sed 's/^/#   /' | head -5
	check_eq "$name: exit $code" "$code" "$rc"
	check_match "$name: says so" "$re" "$out"
}

on_cleanup() { T_CLEANUPS+=("$*"); }

lab_up() {
	scripts/lab.sh up "$LAB" "$1" || { fail "lab $1 up"; exit 1; }
	T_LAB_UP=1
}

# in_ns HOST CMD...: run CMD in host HOST of this test's lab.
in_ns() { local h=$1; shift; ip netns exec "$LAB-$h" "$@"; }

# bg_start NAME [--ns HOST] CMD...: run CMD (a program, not a shell
# function: the pid must be CMD's own, for signals) in the background,
# in lab host HOST if given. Output in $TMP/NAME.out, pid in BG_PID.
bg_start() {
	local name=$1
	shift
	if [ "${1:-}" = --ns ]; then
		set -- ip netns exec "$LAB-$2" "${@:3}"
	fi
	# Empty it now: the background job opens it later, and wait_output
	# must not match what an earlier run under the same name printed.
	: >"$TMP/$name.out"
	"$@" >>"$TMP/$name.out" 2>&1 &
	BG_PID=$!
	echo "$BG_PID" >"$TMP/$name.pid"
	T_BG_PIDS+=("$BG_PID")
}

bg_pid() { cat "$TMP/$1.pid"; }
bg_out() { cat "$TMP/$1.out"; }

# bg_stop NAME [SIGNAL]: signal (default INT) and wait; sets BG_RC.
bg_stop() {
	local pid
	pid=$(bg_pid "$1")
	kill -"${2:-INT}" "$pid" 2>/dev/null || true
	wait_pid "$pid" 10
	BG_RC=$WAIT_RC
}

# wait_pid PID SECONDS: wait for a child to exit; WAIT_RC is its status,
# or 124 (and it is killed) when it outlives the timeout.
wait_pid() {
	local pid=$1 i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		WAIT_RC=124
		return
	fi
	wait "$pid" 2>/dev/null && WAIT_RC=0 || WAIT_RC=$?
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	local t=$1 i
	shift
	for ((i = 0; i < t * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# wait_output NAME REGEX [SECONDS]: wait for a background output line
# (30 s by default: loading BPF objects is slow on a loaded or emulated
# machine; the wait ends as soon as the line is there).
wait_output() { wait_for "${3:-30}" grep -Eq -- "$2" "$TMP/$1.out"; }

# wait_listen HOST PORT [u] [SECONDS]: wait until lab host HOST listens on
# PORT (TCP, or UDP with "u"). ss exits 0 even when nothing matches: a
# bare `wait_for 5 ss ...` would not wait at all.
wait_listen() {
	wait_for "${4:-20}" sh -c "ip netns exec '$LAB-$1' ss -Hln${3:-t} 'sport = :$2' | grep -q ."
}

# nstat_get HOST COUNTER: an absolute SNMP counter of a lab host.
nstat_get() { in_ns "$1" nstat -asz "$2" 2>/dev/null | awk -v c="$2" '$1 == c {print $2}' | grep . || echo 0; }

t_cleanup() {
	local pid c
	for pid in "${T_BG_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${T_BG_PIDS[@]}"; do
		wait_pid "$pid" 5
	done
	for ((c = ${#T_CLEANUPS[@]} - 1; c >= 0; c--)); do
		eval "${T_CLEANUPS[c]}" || true
	done
	[ "$T_LAB_UP" = 1 ] && scripts/lab.sh down "$LAB"
	rm -rf "$TMP"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

done_testing() {
	[ "$T_FAILS" = 0 ] && exit 0
	exit 1
}
