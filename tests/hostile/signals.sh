#!/usr/bin/env bash
# The signal matrix: every long-running loader, started against a real
# target in a lab (one typical invocation each, the table below), stopped
# with SIGINT, SIGTERM, SIGHUP and SIGKILL, CYCLES times each (default 3).
# INT, TERM and HUP: exit 0 after a final stats line. KILL: the next
# start must clean up (or the guard/keeper already did) and run. After
# each cycle nothing of the loader is left: its programs and links (by
# id, as bpftool saw them held by its pid), our routes (proto 235),
# qdiscs, XDP, its cgroups, pinned objects. Rows of one group run one
# after the other (they share a hook), groups run four at a time.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/loaders.bash"
CYCLES=${CYCLES:-3}
# SIG_ONLY=REGEX: only the rows that match (while working on one loader).
CG2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)

# GROUP HOST LOADER ARGS...   HOST: lab host, or - for the root namespace
# (cgroup examples: cgroup v2 is hidden inside ip netns exec).
SIG_TABLE='
xdp a  xdp/xdp_drop eth0
xdp a  xdp/xdp_icmp_server eth0
xdp a  xdp/xdp_load_balancer eth0 --vip 192.0.2.1 --backend 192.0.2.2
tc  a  sched_cls/sched_cls eth0
tc  a  sched_cls/sched_cls --legacy-tc eth0
tc  a  sched_act/sched_act eth0
tc  a  sched_act/sched_act --legacy-tc eth0
tc  a  benchtools/hookdrop tc eth0
sf  b  socket_filter/socket_filter eth0
sft a  socket_filter/socket_filter_truncate -p 7080
lwt a  lwt_in/lwt_in --route 198.51.100.77/32 --dev eth0
lwt a  lwt_seg6local/lwt_seg6_encap --route 2001:db8:77::/64 --dev eth0 --segs 2001:db8:1::2
lwt a  lwt_seg6local/lwt_seg6local --sid 2001:db8:1::77 --dev eth0
nf  a  netfilter/netfilter -P 7081
fd  a  flow_dissector/flow_dissector
skl b  sk_lookup/sk_lookup --steer 7077
skr a  sk_reuseport/sk_reuseport --addr 192.0.2.1 -p 7082
sks a  sk_skb/sk_skb --backend 192.0.2.2:7078 --listen 7079
cg1 -  cgroup_sock/cgroup_sock -- sleep 60
cg2 -  cgroup_sock_addr/cgroup_sock_addr -- sleep 60
cg3 -  cgroup_sockopt/cgroup_sockopt -- sleep 60
cg4 -  sock_ops/sock_ops -- sleep 60
cg5 -  sk_msg/sk_msg -- sleep 60
'
# One-shot tools (they stop by themselves): no row.
ONE_SHOT="benchtools/pktcost pktgen/pktgen"
# A documented meaning of SIGHUP other than "stop".
HUP_RELOADS="xdp/xdp_load_balancer"

lab_up pair
in_ns a sysctl -qw net.ipv4.conf.all.forwarding=1

# held PID: the ids of the programs and links PID holds ("prog 12",
# "link 3"), from its descriptors' fdinfo (bpftool's pid listing needs
# BPF iterators, which this kernel may lack).
held() {
	cat /proc/"$1"/fdinfo/* 2>/dev/null |
		awk '/^link_id:/ {print "link " $2} /^prog_id:/ {print "prog " $2}' | sort -u
}

holds() { [ -n "$(held "$1")" ]; }

# gone IDS...: none of these programs or links exists any more.
gone() {
	local kind id
	while read -r kind id; do
		[ -n "$id" ] || continue
		bpftool "$kind" show id "$id" >/dev/null 2>&1 && { echo "$kind $id"; return 1; }
	done <<<"$1"
	return 0
}

# traces P: what a loader named P may leave in the lab or the root namespace.
traces() {
	local h
	for h in a b; do
		in_ns $h ip route show proto 235
		in_ns $h ip -6 route show proto 235
		in_ns $h tc qdisc show | grep -e clsact -e ingress
		in_ns $h ip -o link show | grep -o ' xdp[a-z]* '
	done
	[ -n "$CG2" ] && find "$CG2" -maxdepth 1 -name "$1-*"
	find /sys/fs/bpf -maxdepth 2 -name "*$1*" 2>/dev/null
}
clean() {
	local i
	for i in $(seq 50); do
		[ -z "$(traces "$1")$(gone "$2" || echo x)" ] && return 0
		sleep 0.1
	done
	traces "$1"
	gone "$2"
	return 1
}

# start W HOST BIN ARGS...: run it (-i 3600: the banner, then only the
# final stats line); PID and IDS set; 1 when no banner came.
start() {
	local w=$1 host=$2
	shift 2
	set -- "$1" -i 3600 "${@:2}"
	[ "$host" = - ] || set -- ip netns exec "$LAB-$host" "$@"
	"$@" >"$w.out" 2>"$w.err" </dev/null &
	PID=$!
	wait_for 10 test -s "$w.out" && wait_for 5 holds "$PID"
	IDS=$(held "$PID")
	kill -0 "$PID" 2>/dev/null && [ -s "$w.out" ]
}

row() {
	local L=$2 host=$1 P w sig c n0 e0 ids rc why
	shift 2
	P=$(basename "$L")
	w=$TMP/$P.$RANDOM
	B=$(loader_bin "$L")
	for sig in INT TERM HUP KILL; do
		for c in $(seq "$CYCLES"); do
			why=
			if ! start "$w" "$host" "$B" "$@"; then
				fail "$L $*: SIG$sig #$c: starts" "$(head -c 300 "$w.err")"
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
			wait_pid "$PID" 10
			rc=$WAIT_RC
			if [ $sig = KILL ]; then
				[ "$rc" = 137 ] || why="exit $rc after SIGKILL"
				# The next start cleans up what the dead one left.
				if ! start "$w" "$host" "$B" "$@"; then
					why="${why:+$why; }no start after SIGKILL: $(head -c 300 "$w.err")"
				fi
				ids+=$'\n'$IDS
				kill -TERM "$PID"; wait_pid "$PID" 10
				[ "$WAIT_RC" = 0 ] || why="${why:+$why; }the start after SIGKILL: exit $WAIT_RC"
			else
				[ "$rc" = 0 ] || why="exit $rc"
				[ "$(wc -l <"$w.out")" -gt "$n0" ] || why="${why:+$why; }no final stats line"
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
	grep -E "^$g .*${SIG_ONLY:-}" <<<"$SIG_TABLE" | while read -r _ host line; do
		row "$host" $line
	done
}

for L in $(loaders_built); do
	[[ " $ONE_SHOT " == *" $L "* ]] && continue
	awk -v l="$L" '$3 == l {f = 1} END {exit !f}' <<<"$SIG_TABLE" ||
		fail "$L: a row in the signal table" "add one to tests/hostile/signals.sh"
done

pids=()
for g in $(awk 'NF {print $1}' <<<"$SIG_TABLE" | uniq); do
	group "$g" >"$TMP/group.$g" 2>&1 &
	pids+=($!)
	while [ "$(jobs -rp | wc -l)" -ge 4 ]; do sleep 0.2; done
done
wait "${pids[@]}"
for g in $(awk 'NF {print $1}' <<<"$SIG_TABLE" | uniq); do
	cat "$TMP/group.$g"
	T_FAILS=$((T_FAILS + $(grep -c '^FAIL ' "$TMP/group.$g")))
done
info "$(cat "$TMP"/group.* | grep -c '^PASS') of $(cat "$TMP"/group.* | grep -cE '^(PASS|FAIL)') cycles clean"
done_testing
