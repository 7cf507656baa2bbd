#!/usr/bin/env bash
# The test runner behind `make test` (run `make test-bins` first).
#
#   tests/run.sh [PATTERN...]  PATTERN selects tests by name: xdp, xdp/icmp ...
#                              (several: the tests any of them selects)
#
# Tests: tests/DIR/NAME.sh (scenario, shell) and .output/tests/DIR/NAME_test
# (unit, C, built from tests/DIR/NAME_test.c). A test prints "PASS x",
# "FAIL x (why)" and "SKIP x (why)" lines; one that prints none is judged
# by its exit status (0 pass, 77 skip, else fail). After every test the
# runner checks that it left no namespace, BPF program or link, root
# qdisc, route, XDP attachment, cgroup or clsact marker behind, and fails
# it otherwise.
#
# Several runners may share one list (make vmtest boots a guest per host
# CPU): with TEST_CLAIM_DIR set, a runner takes a test only if it is the
# first to create DIR/NAME; TEST_ORDER=reverse walks the list from its end,
# so two runners meet in the middle and neither is left with a long tail.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PATTERNS=("$@")
PATTERN=${*:-}
LOGDIR=.output/test-logs
TIMEOUT=${TEST_TIMEOUT:-300}
RUN_ID=c$(printf '%04x' $((RANDOM % 65536)))
mkdir -p "$LOGDIR"

[ "$(id -u)" = 0 ] || { echo "tests need root: sudo make test" >&2; exit 1; }
[ -d /sys/fs/bpf ] && ! mountpoint -q /sys/fs/bpf && mount -t bpf bpf /sys/fs/bpf 2>/dev/null

npass=0 nfail=0 nskip=0

CG2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)

# One awk for all of it: under emulation (make vmtest) every process
# started costs about a second, and this runs twice per test.
snapshot() {
	{
		echo @netns; ip netns list
		echo @link; bpftool link list
		echo @prog; bpftool prog list
		echo @qdisc; tc qdisc show
		echo @route4; ip route show table all
		echo @route6; ip -6 route show table all
		echo @xdp; ip -o link show
		[ -n "$CG2" ] && echo @cgroup && find "$CG2" -maxdepth 3 -type d
		# The legacy tc path's markers of the qdiscs it created (common/tc.c),
		# of namespaces still alive: a dead namespace's marker is swept by
		# the next legacy start (a qdisc left to another filter keeps it).
		echo @netns-ino; stat -L -c %i /run/netns/* /proc/[0-9]*/ns/net | sort -u
		echo @marker; ls /run/ebpf-catalog
		echo @pin; find /sys/fs/bpf -mindepth 1 -maxdepth 3
	} 2>/dev/null | awk '
		/^@/ { s = substr($0, 2); next }
		s == "netns" { print "netns " $1 }
		s == "link" && /^[0-9]+:/ { split($0, f, ":"); print "link " f[1] ":" f[2] }
		s == "prog" && /^[0-9]+:/ { print "prog " $1 " " $2 " " $4 }
		s == "qdisc" && !/qdisc noqueue|qdisc mq |qdisc fq_codel|qdisc pfifo_fast/ { print "qdisc " $0 }
		s == "route4" && !/^(local|broadcast|multicast) / { print "route4 " $0 }
		s == "route6" && !/^(local|multicast|anycast) / { print "route6 " $0 }
		s == "xdp" && / xdp/ { print "xdp " $2 }
		s == "cgroup" { print "cgroup " $0 }
		s == "netns-ino" { live[$1] = 1 }
		s == "marker" { split($0, f, "-"); if (f[2] in live) print "clsact-marker " $0 }
		s == "pin" && !/\/(maps|progs)\.debug$/ { print "pin " $0 }'
}

# What appeared since BEFORE and is still there; programs and links are
# freed after an RCU grace period, so give them a moment.
leaks() {
	local before=$1 i left
	for i in $(seq 1 30); do
		left=$(comm -13 "$before" <(snapshot | sort))
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	printf '%s\n' "$left"
}

# Whatever a test started and did not stop carries its TEST_PREFIX.
kill_leftovers() {
	local p pids=()
	local v
	# Read by bash itself: a grep per process took 25 s under emulation.
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" = $$ ] && continue
		while IFS= read -r -d '' v; do
			[ "$v" = "TEST_PREFIX=$1" ] && { pids+=("${p#/proc/}"); break; }
		done 2>/dev/null <"$p/environ"
	done
	[ ${#pids[@]} = 0 ] && return
	echo "# runner: killing processes the test left running: ${pids[*]}"
	kill -KILL "${pids[@]}" 2>/dev/null
	sleep 0.2
}

run_one() {
	local name=$1 cmd=$2 log="$LOGDIR/${1//\//_}.log" before rc lines left prefix t0
	before=$(mktemp)
	snapshot | sort >"$before"
	prefix="$RUN_ID$((++seq))"
	t0=$(date +%s)
	TEST_PREFIX=$prefix T_NAME="$name" timeout -k 5 "$TIMEOUT" "$cmd" >"$log" 2>&1 </dev/null
	rc=$?
	# Per-test time, for choosing subsets (e.g. a CI run under QEMU).
	echo "# runner: $name took $(( $(date +%s) - t0 ))s" >>"$log"
	kill_leftovers "$prefix" >>"$log"
	[ "$rc" = 124 ] && echo "FAIL timed out after ${TIMEOUT}s" >>"$log"

	lines=$(grep -E '^(PASS|FAIL|SKIP) ' "$log")
	if [ -z "$lines" ]; then
		case $rc in
		0) lines="PASS $name" ;;
		77) lines="SKIP $name (exit 77)" ;;
		*) lines="FAIL $name (exit $rc)" ;;
		esac
	elif [ "$rc" != 0 ] && [ "$rc" != 77 ] && ! grep -q '^FAIL ' <<<"$lines"; then
		lines+=$'\n'"FAIL $name (exit $rc after its checks)"
	fi
	left=$(leaks "$before")
	rm -f "$before"
	if [ -n "$left" ]; then
		lines+=$'\n'"FAIL $name: left behind: $(tr '\n' ';' <<<"$left")"
	fi

	while read -r verdict rest; do
		case $verdict in
		PASS) npass=$((npass + 1)) ;;
		FAIL) nfail=$((nfail + 1)) ;;
		SKIP) nskip=$((nskip + 1)) ;;
		esac
		# Name each line after its test unless it already is.
		case $rest in
		"$name"*) echo "$verdict $rest" ;;
		*) echo "$verdict $name: $rest" ;;
		esac
	done <<<"$lines"
	if grep -q '^FAIL ' <<<"$lines"; then
		echo "---- $log (last 25 lines)"
		tail -n 25 "$log" | sed 's/^/    /'
		echo "----"
	fi
}

seq=0
tests=()
for f in .output/tests/*/*_test tests/*/*.sh; do
	[ -e "$f" ] || continue
	case $f in tests/lib/*) continue ;; esac
	name=${f#.output/}
	name=${name#tests/}
	name=${name%.sh}
	if [ ${#PATTERNS[@]} -gt 0 ]; then
		hit=0
		for p in "${PATTERNS[@]}"; do
			[[ $name == $p* || $name == *$p* ]] && hit=1
		done
		[ $hit = 1 ] || continue
	fi
	tests+=("$name=$f")
done

if [ ${#tests[@]} = 0 ]; then
	echo "no test matches '${PATTERN}'"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi

if [ "${TEST_ORDER:-}" = reverse ]; then
	for ((i = 0, j = ${#tests[@]} - 1; i < j; i++, j--)); do
		t=${tests[i]}; tests[i]=${tests[j]}; tests[j]=$t
	done
fi

start=$(date +%s)
for t in "${tests[@]}"; do
	if [ -n "${TEST_CLAIM_DIR:-}" ]; then
		# mkdir is atomic, also on the host's disk through 9p.
		n=${t%%=*}
		mkdir "$TEST_CLAIM_DIR/${n//\//:}" 2>/dev/null || continue
	fi
	run_one "${t%%=*}" "$ROOT/${t#*=}"
done
# Labs of this run that a killed test could not remove.
for f in /run/ebpf-catalog-lab/"$RUN_ID"*.topo; do
	[ -e "$f" ] || continue
	f=${f##*/}
	scripts/lab.sh down "${f%.topo}" >/dev/null 2>&1
done
echo "# $(( $(date +%s) - start ))s, logs in $LOGDIR/"
echo "$npass passed, $nfail failed, $nskip skipped"
[ "$nfail" = 0 ]
