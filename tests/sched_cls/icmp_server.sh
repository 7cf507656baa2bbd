#!/usr/bin/env bash
# tc_icmp_server answers ping in place of the kernel, from tc ingress:
# every ping answered, the responder's kernel counted no echo, checksums
# valid on the wire; on the default attach path (tcx where the kernel has
# it), on the legacy one (clsact + cls_bpf) and on lo.
. "$(dirname "$0")/../lib/lib.sh"

# Without --legacy-tc the loader takes tcx where the running kernel has it
# (Linux 6.6: its BTF names BPF_TCX_INGRESS), else clsact + cls_bpf.
if grep -qa BPF_TCX_INGRESS /sys/kernel/btf/vmlinux; then
	DEFAULT_BANNER='via tcx link'
else
	DEFAULT_BANNER='cls_bpf direct-action filter .*legacy tc because this kernel has no tcx'
fi

lab_up pair

echo_counters() {
	echo "$(nstat_get "$1" IcmpInEchos) $(nstat_get "$1" IcmpOutEchoReps)" \
	     "$(nstat_get "$1" Icmp6InEchos) $(nstat_get "$1" Icmp6OutEchoReplies)"
}

# ping_check NAME HOST ADDR [SIZE]: 10 pings, all answered, no bad checksums.
ping_check() {
	local out
	out=$(in_ns "$2" ping -c 10 -i 0.05 -W 2 -s "${4:-56}" "$3" 2>&1)
	printf '%s\n' "$out" | sed 's/^/#   /' | tail -3
	check_match "$1: 10 of 10 answered" ' 10 received' "$out"
	check_eq "$1: no BAD CHECKSUM" 0 "$(grep -c 'BAD CHECKSUM' <<<"$out")"
}

for path in default legacy; do
	opt=; [ $path = legacy ] && opt=--legacy-tc
	bg_start cap --ns b tcpdump -n -U -i eth0 -w "$TMP/$path.pcap" icmp or icmp6
	wait_output cap 'listening on' || fail "$path: tcpdump started"
	bg_start srv --ns a ./sched_cls/tc_icmp_server $opt eth0
	wait_output srv 'answering ping' || fail "$path: loader started" "$(bg_out srv)"
	check_match "$path: banner names the path" \
		"$([ $path = default ] && echo "$DEFAULT_BANNER" || echo 'cls_bpf direct-action filter .*--legacy-tc')" \
		"$(bg_out srv)"
	before=$(echo_counters a)
	ping_check "$path ipv4" b 192.0.2.1
	ping_check "$path ipv6" b 2001:db8:1::1
	ping_check "$path ipv4 1400 bytes" b 192.0.2.1 1400
	check_eq "$path: responder kernel saw no echo (InEchos OutEchoReps In6 Out6)" \
		"$before" "$(echo_counters a)"
	bg_stop srv
	check_eq "$path: SIGINT exits 0" 0 "$BG_RC"
	check_match "$path: the program counted 20 + 10 replies" \
		'total replies: ipv4 20  ipv6 10  \| passed to kernel [0-9]+  redirect errors 0' "$(bg_out srv)"
	sleep 0.3
	bg_stop cap
	dump=$(tcpdump -n -vv -r "$TMP/$path.pcap" 2>/dev/null)
	info "$path: tcpdump: $(grep -c "echo request" <<<"$dump") requests, replies by size: $(grep -oE "echo reply.*length [0-9]+" <<<"$dump" | grep -oE "length [0-9]+" | sort | uniq -c | tr -s " \n" " ")"
	# A packet socket may lose a frame on a busy machine: ping's own
	# count above is exact; here what matters is what the replies look like.
	check_range "$path: tcpdump saw the echo replies" 20 30 "$(grep -cE 'ICMP echo reply|ICMP6, echo reply' <<<"$dump")"
	check_eq "$path: tcpdump -vv flags no checksum" 0 "$(grep -ciE 'bad|wrong|incorrect' <<<"$dump")"
	check_match "$path: tcpdump verified ICMPv6 sums" 'icmp6 sum ok.*echo reply' "$dump"
	check_match "$path: replies carry TTL 64" 'ttl 64, .*proto ICMP' "$dump"
done

# Once the program is gone the kernel answers again.
before=$(nstat_get a IcmpInEchos)
check "kernel answers after exit" in_ns b ping -c 2 -i 0.1 -W 2 192.0.2.1
check_eq "kernel counted those echoes" $((before + 2)) "$(nstat_get a IcmpInEchos)"

# What the kernel has rules for goes to it: a fragmented ping and a
# broadcast ping are answered by the kernel, not the program.
bg_start srv --ns a ./sched_cls/tc_icmp_server eth0
wait_output srv 'answering ping' || fail "loader started" "$(bg_out srv)"
before=$(nstat_get a IcmpInEchos)
check "fragmented ping answered" in_ns b ping -c 2 -i 0.1 -W 2 -s 3000 192.0.2.1
in_ns a sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
in_ns b ping -b -c 2 -i 0.1 -W 2 192.0.2.255 >/dev/null 2>&1
check_eq "the kernel answered the 2 fragmented and 2 broadcast pings" \
	$((before + 4)) "$(nstat_get a IcmpInEchos)"
bg_stop srv
check_match "the program answered none of them" 'total replies: ipv4 0  ipv6 0' "$(bg_out srv)"

# lo inside host a: loopback sources are fine there.
bg_start lo --ns a ./sched_cls/tc_icmp_server lo
wait_output lo 'answering ping' || fail "lo: loader started" "$(bg_out lo)"
before=$(echo_counters a)
ping_check "lo ipv4" a 127.0.0.1
ping_check "lo ipv6" a ::1
check_eq "lo: kernel saw no echo" "$before" "$(echo_counters a)"
bg_stop lo TERM
check_eq "lo: SIGTERM exits 0" 0 "$BG_RC"
check_match "lo: the program counted 10 + 10 replies" 'total replies: ipv4 10  ipv6 10' "$(bg_out lo)"

# SIGKILL: the tcx link dies with the process.
bg_start k --ns a ./sched_cls/tc_icmp_server eth0
wait_output k 'answering ping'
check "attached while running" bash -c "ip netns exec $LAB-a bpftool net show dev eth0 | grep -q tc_icmp_server"
bg_stop k KILL
check "SIGKILL leaves nothing on eth0" wait_for 3 \
	bash -c "! ip netns exec $LAB-a bpftool net show dev eth0 | grep -q tc_icmp_server"

expect "--egress refused" 2 'ingress' ./sched_cls/tc_icmp_server --egress lo
expect "unknown interface" 2 'no such interface: hc0nope' ./sched_cls/tc_icmp_server hc0nope
check_match "help has EXAMPLES" 'EXAMPLES' "$(./sched_cls/tc_icmp_server --help)"
done_testing
