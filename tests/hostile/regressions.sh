#!/usr/bin/env bash
# One check per defect of the hostile-input review, each failing on the
# code before its fix: stale routes with other arguments, SIGHUP on the
# route loaders, overlapping legacy tc runs, a second UDP echo server,
# decimal durations, --cgroup with COMMAND, COMMAND's exit status, and
# the Makefile's flags.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/loaders.bash"
CG2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
LWT=$(loader_bin lwt_in/lwt_in)
CLS=$(loader_bin sched_cls/sched_cls)
TRUNC=$(loader_bin socket_filter/socket_filter_truncate)

lab_up pair
in_ns a ip link add hh9 type veth peer name hh9p
in_ns a ip link set hh9 up; in_ns a ip link set hh9p up
in_ns a ip addr add 203.0.113.1/24 dev hh9
our_routes() { in_ns a ip route show proto 235; }

# --- a stale route is removed whatever device or gateway the new run names
for second in "--dev hh9" "--dev eth0 --via 192.0.2.2" "--dev hh9 --via 203.0.113.2"; do
	bg_start dead --ns a "$LWT" --route 198.51.100.77/32 --dev eth0 -i 3600
	wait_output dead 'counting on route' || fail "first lwt_in starts"
	bg_stop dead KILL
	check_match "SIGKILL leaves the route ($second)" 'encap bpf in lwt_in:' "$(our_routes)"
	out=$(in_ns a "$LWT" --route 198.51.100.77/32 $second -d 1 2>&1); rc=$?
	check_eq "next start with $second: exit 0" 0 "$rc"
	check_match "next start with $second: says it removed the stale route" \
		'removing the stale route 198\.51\.100\.77/32' "$out"
	check_eq "next start with $second: no route left" "" "$(our_routes)"
	in_ns a ip route del 198.51.100.77/32 proto 235 2>/dev/null
done

# --- SIGHUP stops the route loaders like SIGTERM
for row in "lwt_in/lwt_in --route 198.51.100.77/32 --dev eth0" \
	   "lwt_seg6local/lwt_seg6_encap --route 2001:db8:77::/64 --dev eth0 --segs 2001:db8:1::2" \
	   "lwt_seg6local/lwt_seg6local --sid 2001:db8:1::77 --dev eth0"; do
	set -- $row
	bg_start hup --ns a "$(loader_bin "$1")" -i 3600 "${@:2}"
	wait_for 10 test -n "$(our_routes; in_ns a ip -6 route show proto 235)" || wait_output hup . 5
	sleep 0.3
	n0=$(bg_out hup | wc -l)
	bg_stop hup HUP
	check_eq "$1: SIGHUP: exit 0" 0 "$BG_RC"
	check_range "$1: SIGHUP: final stats line" $((n0 + 1)) 1000 "$(bg_out hup | wc -l)"
	check_eq "$1: SIGHUP: route removed" "" "$(our_routes; in_ns a ip -6 route show proto 235)"
done

# --- two overlapping legacy tc runs: the last one removes the qdisc
for order in first second; do
	bg_start c1 --ns a "$CLS" --legacy-tc eth0 -i 3600
	wait_output c1 'counting on' || fail "first sched_cls --legacy-tc starts"
	bg_start c2 --ns a "$CLS" --legacy-tc eth0 -i 3600
	wait_output c2 'counting on' || fail "second sched_cls --legacy-tc starts"
	if [ $order = first ]; then a=c1 b=c2; else a=c2 b=c1; fi
	bg_stop $a TERM
	check_eq "legacy tc, $a stops first: exit 0" 0 "$BG_RC"
	check_match "legacy tc, $a stops first: the qdisc stays for $b" clsact "$(in_ns a tc qdisc show dev eth0)"
	[ $a = c1 ] && check_match "legacy tc: the creator counts 1 other filter" \
		'in place: 1 other filter\(s\) use it' "$(bg_out c1)"
	check_eq "legacy tc, $a stops first: one filter left ($b's)" 1 \
		"$(in_ns a tc filter show dev eth0 ingress | grep -c 'handle')"
	bg_stop $b TERM
	check_eq "legacy tc, $b stops last: exit 0" 0 "$BG_RC"
	check_eq "legacy tc, $b stops last: the qdisc is gone" "" \
		"$(in_ns a tc qdisc show dev eth0 | grep clsact)"
done

# --- a second UDP echo server on the same port is refused, the first unharmed
bg_start t1 --ns a "$TRUNC" -p 7090 -n 5 -i 3600
wait_output t1 'echo server on port 7090' || fail "first socket_filter_truncate starts"
out=$(in_ns a "$TRUNC" -p 7090 -d 1 2>&1); rc=$?
check_eq "second server on UDP 7090: exit 1" 1 "$rc"
check_match "second server on UDP 7090: one sentence" '^socket_filter_truncate: port 7090 is already in use$' "$out"
reply=$(in_ns a bash -c 'exec 3<>/dev/udp/127.0.0.1/7090; printf "hello world" >&3; timeout 2 head -c 5 <&3')
check_eq "the first still echoes (trimmed to 5 bytes)" hello "$reply"
bg_stop t1

# --- numbers are decimal: -d 010 runs ten seconds, not eight. Counted in
# stats lines (one a second: 9 before the final one, 7 in eight seconds),
# not in wall time, which a loaded machine stretches.
n=$(in_ns a "$(loader_bin flow_dissector/flow_dissector)" -d 010 -i 1 2>&1 | grep -c '^dissected:')
check_range "flow_dissector -d 010 -i 1: 9 or 10 stats lines ($n)" 9 10 "$n"

# --- --cgroup PATH -- COMMAND: COMMAND runs inside PATH; its status is ours
CG=$CG2/$LAB-cg
mkdir "$CG" && on_cleanup rmdir "$CG"
out=$("$(loader_bin cgroup_sock/cgroup_sock)" --cgroup "$CG" -- cat /proc/self/cgroup 2>&1); rc=$?
check_eq "--cgroup PATH -- COMMAND: exit 0" 0 "$rc"
check_match "--cgroup PATH -- COMMAND: COMMAND ran in PATH" "^0::/$LAB-cg\$" "$out"
"$(loader_bin cgroup_sock/cgroup_sock)" -- sh -c 'exit 3' >/dev/null 2>&1; rc=$?
check_eq "COMMAND's exit status (3) is the loader's" 3 "$rc"
"$(loader_bin cgroup_sock/cgroup_sock)" -- sh -c 'kill -TERM $$' >/dev/null 2>&1; rc=$?
check_eq "COMMAND killed by SIGTERM: 128 + 15" 143 "$rc"

# --- the Makefile: a CFLAGS of one's own keeps the required flags; LDFLAGS used
n=$(make -n -B CFLAGS='-O1 -fsanitize=address' LDFLAGS=-Wl,--hh-marker socket_filter/socket_filter 2>/dev/null)
check_match "make CFLAGS=...: -Werror -std=gnu11 -D_GNU_SOURCE kept" \
	'-O1 -fsanitize=address .*-Werror -std=gnu11 -D_GNU_SOURCE' "$(grep -- ' -c socket_filter/socket_filter.c' <<<"$n")"
check_match "make LDFLAGS=...: on the link line" '-Wl,--hh-marker' "$(grep -- '-o socket_filter/socket_filter$' <<<"$n")"
done_testing
