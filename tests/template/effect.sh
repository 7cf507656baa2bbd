#!/usr/bin/env bash
# make new, then the exported binaries at work: the standalone copies of
# xdp_drop, sched_cls and cgroup_sock, built outside the checkout, drop,
# count and refuse in a lab exactly as the originals do.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/cgroup.sh"

OUT=$(mktemp -d "/tmp/$LAB-effect.XXXXXX")
on_cleanup rm -rf "$OUT"
for a in xdp/xdp_drop sched_cls/sched_cls cgroup_sock/cgroup_sock; do
	n=my_${a##*/}
	scripts/new.sh "$n" "$a" "$OUT/$n" >"$OUT/$n.log" 2>&1 ||
		{ fail "$a: make new" "$(tail -2 "$OUT/$n.log")"; exit 1; }
done
printf '%s\n' my_xdp_drop my_sched_cls my_cgroup_sock |
	xargs -P "$(nproc)" -I{} make -s -C "$OUT/{}" >"$OUT/build.log" 2>&1 ||
	{ fail "exports build" "$(grep -m3 error "$OUT/build.log")"; exit 1; }
DROP=$OUT/my_xdp_drop/my_xdp_drop
CLS=$OUT/my_sched_cls/my_sched_cls
SOCK=$OUT/my_cgroup_sock/my_cgroup_sock

lab_up pair
check "ping works before" in_ns b ping -c1 -W2 192.0.2.1

# xdp_drop: pings dropped while it runs, counted, back after it exits.
bg_start drop --ns a "$DROP" eth0
wait_output drop 'my_xdp_drop: dropping' || fail "my_xdp_drop started" "$(bg_out drop)"
check_fails "my_xdp_drop: ipv4 ping dropped" in_ns b ping -c 3 -i 0.1 -W 1 192.0.2.1
check_fails "my_xdp_drop: ipv6 ping dropped" in_ns b ping -c 3 -i 0.1 -W 1 2001:db8:1::1
bg_stop drop
check_eq "my_xdp_drop: SIGINT exits 0" 0 "$BG_RC"
check_match "my_xdp_drop: drops counted" 'total dropped: icmp-echo [1-9][0-9]*  icmpv6-echo [1-9]' "$(bg_out drop)"
check "my_xdp_drop: ping works after exit" in_ns b ping -c1 -W2 192.0.2.1

# sched_cls: 5 pings counted at a's ingress, 98 bytes each; then dropped.
mac_a=$(in_ns a cat /sys/class/net/eth0/address)
in_ns b ip neigh replace 192.0.2.1 lladdr "$mac_a" dev eth0 nud permanent
bg_start cls --ns a "$CLS" eth0
wait_output cls 'my_sched_cls: counting on' || fail "my_sched_cls started" "$(bg_out cls)"
check "my_sched_cls: pings pass" in_ns b ping -q -c 5 -i 0.05 -W 2 192.0.2.1
bg_stop cls
check_eq "my_sched_cls: SIGINT exits 0" 0 "$BG_RC"
check_match "my_sched_cls: 5 pings counted, 98 B each" '^total .*icmp 5 \(490 B\)' "$(bg_out cls)"
bg_start cls2 --ns a "$CLS" --drop-proto icmp eth0
wait_output cls2 'my_sched_cls: counting on' || fail "my_sched_cls --drop-proto started" "$(bg_out cls2)"
check_fails "my_sched_cls --drop-proto icmp: pings dropped" in_ns b ping -c 3 -i 0.1 -W 1 192.0.2.1
bg_stop cls2
check_match "my_sched_cls --drop-proto icmp: drops counted" '^total .*dropped [1-9]' "$(bg_out cls2)"

# cgroup_sock: ICMP sockets refused inside its cgroup, allowed outside.
out=$("$SOCK" -- ip netns exec "$LAB-a" ping -c1 -W2 127.0.0.1 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out" | sed 's/^/#   /'
check_match "my_cgroup_sock: ping refused in the cgroup" 'socket: Operation not permitted' "$out"
check_match "my_cgroup_sock: refusal counted" 'ipv4 raw icmp: refused 1' "$out"
check_eq "my_cgroup_sock: exits with ping's status" 2 "$rc"
check "my_cgroup_sock: ping works outside" in_ns a ping -c1 -W2 127.0.0.1
done_testing
