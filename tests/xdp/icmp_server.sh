#!/usr/bin/env bash
# xdp_icmp_server answers ping in place of the kernel: on a veth in native
# mode, on a veth in skb mode, and on lo inside a namespace.
. "$(dirname "$0")/../lib/lib.sh"

lab_up pair
# b receives the XDP_TX replies: its veth needs NAPI (see lab.sh napi).
scripts/lab.sh napi "$LAB" b eth0

echo_counters() {
	echo "$(nstat_get "$1" IcmpInEchos) $(nstat_get "$1" IcmpOutEchoReps)" \
	     "$(nstat_get "$1" Icmp6InEchos) $(nstat_get "$1" Icmp6OutEchoReplies)"
}

# ping_check NAME HOST [PING OPTIONS] ADDR: 10 pings, all answered, no bad checksums.
ping_check() {
	local name=$1 host=$2 out
	shift 2
	out=$(in_ns "$host" ping -c 10 -i 0.05 -W 2 "$@" 2>&1)
	printf '%s\n' "$out" | sed 's/^/#   /' | tail -3
	check_match "$name: 10 of 10 answered" ' 10 received' "$out"
	check_eq "$name: no BAD CHECKSUM" 0 "$(grep -c 'BAD CHECKSUM' <<<"$out")"
}

for mode in native skb; do
	bg_start srv --ns a ./xdp/xdp_icmp_server --mode "$mode" eth0
	wait_output srv 'answering ping' || fail "$mode: loader started" "$(bg_out srv)"
	check_match "$mode: banner names the mode" "eth0 .*$mode" "$(bg_out srv)"
	before=$(echo_counters a)
	ping_check "$mode ipv4" b 192.0.2.1
	ping_check "$mode ipv6" b 2001:db8:1::1
	check_eq "$mode: responder kernel saw no echo (InEchos OutEchoReps In6 Out6)" \
		"$before" "$(echo_counters a)"
	bg_stop srv
	check_eq "$mode: SIGINT exits 0" 0 "$BG_RC"
	check_match "$mode: XDP counted 10 + 10 replies" 'total replies: ipv4 10  ipv6 10' "$(bg_out srv)"
	check_fails "$mode: no XDP program left on eth0" \
		bash -c "ip -n $LAB-a link show eth0 | grep -q xdp"
done

# Once the program is gone the kernel answers again.
before=$(nstat_get a IcmpInEchos)
check "kernel answers after exit" in_ns b ping -c 2 -i 0.1 -W 2 192.0.2.1
check_eq "kernel counted those echoes" $((before + 2)) "$(nstat_get a IcmpInEchos)"

# lo (generic XDP) inside host a.
bg_start lo --ns a ./xdp/xdp_icmp_server lo
wait_output lo 'answering ping' || fail "lo: loader started" "$(bg_out lo)"
check_match "lo: generic mode" 'skb \(generic\)' "$(bg_out lo)"
before=$(echo_counters a)
ping_check "lo ipv4" a 127.0.0.1
ping_check "lo ipv6" a ::1
# lo's MTU allows big requests: the checksum loop covers them (up to 32256 bytes).
ping_check "lo ipv4, 9000 bytes" a -s 9000 127.0.0.1
ping_check "lo ipv6, 32000 bytes" a -s 32000 ::1
check_eq "lo: kernel saw no echo" "$before" "$(echo_counters a)"
# Beyond that the kernel answers.
before=$(nstat_get a IcmpInEchos)
ping_check "lo ipv4, 40000 bytes" a -s 40000 127.0.0.1
check_eq "lo: the kernel answered the 40000-byte requests" $((before + 10)) \
	"$(nstat_get a IcmpInEchos)"
bg_stop lo TERM
check_eq "lo: SIGTERM exits 0" 0 "$BG_RC"
check_match "lo: XDP counted 20 + 20 replies" 'total replies: ipv4 20  ipv6 20' "$(bg_out lo)"

# SIGKILL: the link dies with the process, nothing stays on the interface.
bg_start k --ns a ./xdp/xdp_icmp_server eth0
wait_output k 'answering ping'
check "attached while running" bash -c "ip -n $LAB-a link show eth0 | grep -q xdp"
bg_stop k KILL
check "SIGKILL leaves no XDP program" wait_for 3 \
	bash -c "! ip -n $LAB-a link show eth0 | grep -q xdp"
done_testing
