#!/usr/bin/env bash
# flow_dissector end to end: router r forwards OSPF from h1 to h2 over two
# equal-cost links with the L4 multipath hash (fib_multipath_hash_policy=1).
# The kernel's dissector sees no ports in OSPF, so 64 packets that differ
# only in their router ID all take one link; with our dissector attached to
# r's namespace the router ID is in the hashed ports and both links carry
# some. (All 64 distinct IDs on one link: chance 2^-63.)
. "$(dirname "$0")/../lib/lib.sh"
BIN=./flow_dissector/flow_dissector
SEND=.output/tests/flow_dissector/ospf_send

expect "--netns of a missing file is a usage error" 2 "no such file" $BIN --netns /nonexistent
expect "--netns of a file that is no namespace is a usage error" 2 \
	"not a network namespace" $BIN --netns /etc/hostname
expect "--netns of a mount namespace is a usage error" 2 "not a network namespace" \
	$BIN --netns /proc/self/ns/mnt
expect "an extra argument is a usage error" 2 "unexpected argument" $BIN eth0
expect "-d abc is a usage error" 2 "not a number" $BIN -d abc
expect "non-root is refused" 1 "needs root" setpriv --reuid=65534 --regid=65534 \
	--clear-groups --inh-caps=-all --bounding-set=-all $BIN -d 1

lab_up ecmp
NSR=/run/netns/$LAB-r
in_ns r sysctl -qw net.ipv4.fib_multipath_hash_policy=1 net.ipv6.fib_multipath_hash_policy=1
in_ns h2 nft -f - <<'EOF'
table inet fd {
	counter via_eth0 { }
	counter via_eth1 { }
	chain pre {
		type filter hook prerouting priority 0;
		iifname "eth0" meta l4proto 89 counter name via_eth0
		iifname "eth1" meta l4proto 89 counter name via_eth1
	}
}
EOF
cnt() { in_ns h2 nft list counter inet fd "via_$1" | awk '/packets/ {print $2}'; }
fd_links() { bpftool link list | grep -c "netns_ino $(stat -L -c %i "$NSR")" || true; }

# send DST: 64 OSPF packets from h1; sets A and B to what each link got.
send() {
	local a0 b0
	a0=$(cnt eth0) b0=$(cnt eth1)
	in_ns h1 $SEND "$1" 64 >/dev/null || fail "ospf_send $1"
	wait_for 5 test $(($(cnt eth0) + $(cnt eth1) - a0 - b0)) -ge 64
	A=$(($(cnt eth0) - a0)) B=$(($(cnt eth1) - b0))
	info "$1: link eth2->eth0 $A, link eth3->eth1 $B"
}
min() { echo $(($1 < $2 ? $1 : $2)); }

send 203.0.113.1
check_eq "kernel dissector: all 64 arrive" 64 $((A + B))
check_eq "kernel dissector: all 64 OSPF packets take one link" 0 "$(min $A $B)"

bg_start fd --ns h1 $BIN --netns "$NSR"
wait_output fd "Ctrl-C to stop" || fail "loader started" "$(bg_out fd)"
info "$(bg_out fd | head -1)"
check_eq "one netns link in r" 1 "$(fd_links)"
send 203.0.113.1
check_eq "bpf dissector: all 64 arrive" 64 $((A + B))
check_range "bpf dissector: the 64 router IDs spread over both links" 1 63 "$(min $A $B)"
send 2001:db8:ff::1
check_eq "bpf dissector, ipv6: all 64 OSPFv3 packets arrive" 64 $((A + B))
check_range "bpf dissector, ipv6: spread over both links" 1 63 "$(min $A $B)"
check "ping through r still works (ICMP goes to the kernel's dissector)" \
	in_ns h1 ping -c 2 -W 2 203.0.113.1
expect "a second dissector in the same namespace is refused" 1 \
	"already attached to .*stop its owner" in_ns r $BIN -d 1

bg_stop fd INT
check_eq "SIGINT: exit status 0" 0 "$BG_RC"
out=$(bg_out fd)
check_match "final stats: 128 OSPF packets dissected, ICMP handed to the kernel" \
	"total dissected: ipv4 [0-9]+ ipv6 [0-9]+ \| tcp 0 udp 0 ospf 128 \| fragments 0 \| to kernel [1-9]" \
	"$out"
check_eq "after SIGINT no netns link is left" 0 "$(fd_links)"
send 203.0.113.1
check_eq "after SIGINT the kernel's dissector is back: one link" 0 "$(min $A $B)"

bg_start fd2 $BIN --netns "$NSR"
wait_output fd2 "Ctrl-C to stop" || fail "loader started again" "$(bg_out fd2)"
bg_stop fd2 KILL
check_eq "after SIGKILL no netns link is left" 0 "$(fd_links)"
expect "after SIGKILL a new dissector attaches" 0 "total dissected" $BIN --netns "$NSR" -d 1

bg_start fd3 $BIN --netns "$NSR"
wait_output fd3 "Ctrl-C to stop" || fail "loader started a third time" "$(bg_out fd3)"
bg_stop fd3 TERM
check_eq "SIGTERM: exit status 0" 0 "$BG_RC"
check_eq "after SIGTERM no netns link is left" 0 "$(fd_links)"

done_testing
