#!/usr/bin/env bash
# sched_cls counts exactly the packets that crossed the hook, per protocol,
# on both attach paths (tcx and clsact + cls_bpf) and both directions.
. "$(dirname "$0")/../lib/lib.sh"

# The path the loader takes without --legacy-tc: tcx where the running
# kernel has it (Linux 6.6), else clsact + cls_bpf. The kernel's own BTF
# names the tcx attach types when it has them.
if grep -qa BPF_TCX_INGRESS /sys/kernel/btf/vmlinux; then
	DEFAULT=tcx
	DEFAULT_BANNER='via tcx link'
else
	DEFAULT=no-tcx
	DEFAULT_BANNER='cls_bpf direct-action filter .*legacy tc because this kernel has no tcx, which came in Linux 6.6'
fi
info "default attach path here: $DEFAULT"

lab_up pair
# A quiet link: permanent neighbours, so no ARP or ND joins the counts.
mac_a=$(in_ns a cat /sys/class/net/eth0/address)
mac_b=$(in_ns b cat /sys/class/net/eth0/address)
in_ns a ip neigh replace 192.0.2.2 lladdr "$mac_b" dev eth0 nud permanent
in_ns a ip -6 neigh replace 2001:db8:1::2 lladdr "$mac_b" dev eth0 nud permanent
in_ns b ip neigh replace 192.0.2.1 lladdr "$mac_a" dev eth0 nud permanent
in_ns b ip -6 neigh replace 2001:db8:1::1 lladdr "$mac_a" dev eth0 nud permanent
bg_start srv --ns b socat -u TCP6-LISTEN:8080,fork,reuseaddr OPEN:/dev/null
wait_for 3 in_ns b ss -Hltn 'sport = 8080' || fail "tcp server listens"

# count OUT PROTO: "packets bytes" of PROTO in the loader's final line.
count() {
	grep '^total ' <<<"$1" | grep -oE "(^| )$2 [0-9]+ \([0-9]+ B\)" |
		sed -E 's/.* ([0-9]+) \(([0-9]+) B\)/\1 \2/'
}
tcp_out() { echo $(( $(nstat_get "$1" TcpOutSegs) + $(nstat_get "$1" TcpRetransSegs) )); }

# traffic: from a, 5 pings (98-byte frames), 3 UDP datagrams of 2 bytes
# (44-byte frames), a TCP exchange over IPv4 and one over IPv6. Sets
# TCP_A and TCP_B: TCP segments each host sent meanwhile; ICMP_B: ICMP
# messages b sent (echo replies, and the port unreachables its rate limit
# let through).
traffic() {
	local a0 b0 i0
	a0=$(tcp_out a) b0=$(tcp_out b) i0=$(nstat_get b IcmpOutMsgs)
	in_ns a ping -q -c 5 -i 0.05 192.0.2.2 >/dev/null
	for i in 1 2 3; do in_ns a bash -c 'echo x >/dev/udp/192.0.2.2/9999'; done
	in_ns a bash -c 'echo hello | nc -N -w 3 192.0.2.2 8080'
	in_ns a bash -c 'echo hello | nc -N -w 3 2001:db8:1::2 8080'
	sleep 0.5	# the last ACKs and FINs
	TCP_A=$(( $(tcp_out a) - a0 )) TCP_B=$(( $(tcp_out b) - b0 ))
	ICMP_B=$(( $(nstat_get b IcmpOutMsgs) - i0 ))
}

for path in "$DEFAULT" --legacy-tc; do
	opt=; [ "$path" = --legacy-tc ] && opt=--legacy-tc
	# Ingress of b: what a sent.
	bg_start "in-$path" --ns b ./sched_cls/sched_cls $opt eth0
	wait_output "in-$path" 'counting on' || fail "$path: loader started" "$(bg_out "in-$path")"
	check_match "$path: banner names the path" \
		"$([ -z "$opt" ] && echo "$DEFAULT_BANNER" || echo 'cls_bpf direct-action filter .*legacy tc because --legacy-tc')" \
		"$(bg_out "in-$path")"
	traffic
	bg_stop "in-$path"
	check_eq "$path: SIGINT exits 0" 0 "$BG_RC"
	out=$(bg_out "in-$path")
	info "$(grep '^total ' <<<"$out")"
	check_eq "$path ingress: icmp = 5 pings, 98 B each" "5 490" "$(count "$out" icmp)"
	check_eq "$path ingress: udp = 3 datagrams, 44 B each" "3 132" "$(count "$out" udp)"
	check_eq "$path ingress: tcp = segments a sent (TcpOutSegs)" "$TCP_A" "$(count "$out" tcp | cut -d' ' -f1)"
	check_range "$path ingress: tcp exchange happened" 8 1000 "$TCP_A"
	check_eq "$path ingress: no arp on a quiet link" "0 0" "$(count "$out" arp)"
	check_match "$path ingress: nothing dropped" 'dropped 0$' "$(grep '^total ' <<<"$out")"

	# Egress of b: what b sent.
	bg_start "eg-$path" --ns b ./sched_cls/sched_cls $opt --egress eth0
	wait_output "eg-$path" 'counting on eth0 egress' || fail "$path: egress loader started" "$(bg_out "eg-$path")"
	traffic
	bg_stop "eg-$path"
	out=$(bg_out "eg-$path")
	info "$(grep '^total ' <<<"$out")"
	check_eq "$path egress: icmp = messages b sent (IcmpOutMsgs)" "$ICMP_B" "$(count "$out" icmp | cut -d' ' -f1)"
	check_range "$path egress: the 5 echo replies are among them" 5 8 "$ICMP_B"
	check_eq "$path egress: tcp = segments b sent" "$TCP_B" "$(count "$out" tcp | cut -d' ' -f1)"
	check_eq "$path egress: no udp left b" "0 0" "$(count "$out" udp)"
	check "$path: nothing left on eth0 (tc, bpftool net)" \
		bash -c "! tc -n $LAB-b qdisc show dev eth0 | grep -q clsact && ! ip netns exec $LAB-b bpftool net show dev eth0 | grep -q sched_cls"
done
done_testing
