#!/usr/bin/env bash
# The concurrency matrix: every long-running loader started twice on the
# same target (the RUN_TABLE of loaders.bash; the cgroup examples on one
# shared cgroup). The second is refused with one sentence, or, where
# the kernel stacks programs (listed in STACKS), runs beside the first.
# Either way the first is unharmed: still running, its programs and
# links still there after the second has gone, and it stops cleanly.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/loaders.bash"
CG2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)

# Stacking the kernel supports: several tcx programs, several cgroup
# links (BPF_F_ALLOW_MULTI), legacy cls_bpf filters at other priorities,
# two AF_PACKET sockets each with its filter.
STACKS="sched_cls/sched_cls sched_cls/tc_icmp_server sched_cls/tc_tailcall sched_act/sched_act bench/tools/hookdrop socket_filter/socket_filter
cgroup_sock/cgroup_sock cgroup_sock_addr/cgroup_sock_addr cgroup_sockopt/cgroup_sockopt
sock_ops/sock_ops sk_msg/sk_msg"

# all_there IDS: every "prog N" / "link N" still exists.
all_there() {
	local k i
	[ -n "$1" ] || { echo "no ids"; return 1; }
	while read -r k i; do
		bpftool "$k" show id "$i" 2>/dev/null | grep -q "^$i:" || { echo "$k $i gone"; return 1; }
	done <<<"$1"
}

lab_up pair
in_ns a sysctl -qw net.ipv4.conf.all.forwarding=1
SHARED=$CG2/$LAB-shared
mkdir "$SHARED" && on_cleanup rmdir "$SHARED"

while read -r _ host L args; do
	[ -n "$L" ] || continue
	[ "$args" = "-- sleep 60" ] && args="--cgroup $SHARED"
	P=$(basename "$L")
	B=$(loader_bin "$L")
	w=$TMP/$P.$RANDOM
	name="$L $args"
	name=${name//$SHARED/CGROUP}
	# shellcheck disable=SC2086
	if ! start "$w.1" "$host" "$B" $args; then
		if why=$(missing_feature "$START_RC" "$w.1.err"); then
			skip "$name: two at once" "$why"
			continue
		fi
		fail "$name: first starts" "$(head -c 300 "$w.1.err")"
		kill -KILL "$PID" 2>/dev/null; wait_pid "$PID" 5
		continue
	fi
	pid1=$PID ids1=$IDS
	set -- "$B" -d 2 $args
	[ "$host" = - ] || set -- ip netns exec "$LAB-$host" "$@"
	"$@" >"$w.2.out" 2>"$w.2.err" </dev/null && rc=0 || rc=$?
	if [[ $'\n'"${STACKS//[ ]/$'\n'}"$'\n' == *$'\n'"$L"$'\n'* ]]; then
		check_eq "$name: the second stacks, runs 2 s and stops (exit 0)" 0 "$rc"
	elif [ "$rc" = 0 ]; then
		fail "$name: the second is refused" "it ran: $(head -c 200 "$w.2.out")"
	else
		lines=$(grep -c . "$w.2.err")
		check_match "$name: the second is refused with one sentence (exit $rc)" \
			"^$P: .+" "$(head -n 1 "$w.2.err")"
		[ "$lines" -le 2 ] || fail "$name: one sentence" "$lines lines: $(head -c 300 "$w.2.err")"
	fi
	check "$name: the first still runs" kill -0 "$pid1"
	check "$name: the first's programs and links are still there" all_there "$ids1"
	kill -INT "$pid1"; wait_pid "$pid1" 10
	check_eq "$name: the first stops cleanly" 0 "$WAIT_RC"
	check "$name: nothing left behind" clean "$P" "$ids1"
done <<<"$RUN_TABLE"
done_testing
