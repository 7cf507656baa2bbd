#!/usr/bin/env bash
# sched_cls --drop-port and --drop-proto drop what they name and nothing else.
. "$(dirname "$0")/../lib/lib.sh"

# Without --legacy-tc the loader takes tcx where the running kernel has it
# (its BTF names BPF_TCX_INGRESS: Linux 6.6), else clsact + cls_bpf.
grep -qa BPF_TCX_INGRESS /sys/kernel/btf/vmlinux && DEFAULT=tcx || DEFAULT=no-tcx

lab_up pair
bg_start s80 --ns b socat -u TCP6-LISTEN:8080,fork,reuseaddr OPEN:/dev/null
bg_start s81 --ns b socat -u TCP6-LISTEN:8081,fork,reuseaddr OPEN:/dev/null
wait_for 3 in_ns b ss -Hltn 'sport = 8081' || fail "tcp servers listen"

dropped() { grep '^total ' <<<"$1" | grep -oE 'dropped [0-9]+$' | cut -d' ' -f2; }

for opt in "" --legacy-tc; do
	tag=${opt:-$DEFAULT}
	bg_start port-$tag --ns b ./sched_cls/sched_cls $opt --drop-port 8080 eth0
	wait_output port-$tag 'dropping port 8080' || fail "$tag: loader started" "$(bg_out port-$tag)"
	check_fails "$tag: tcp to port 8080 is blocked" in_ns a nc -z -w 2 192.0.2.2 8080
	check_fails "$tag: ipv6 tcp to port 8080 is blocked" in_ns a nc -z -w 2 2001:db8:1::2 8080
	check "$tag: tcp to port 8081 connects" in_ns a nc -z -w 3 192.0.2.2 8081
	check "$tag: ipv6 tcp to port 8081 connects" in_ns a nc -z -w 3 2001:db8:1::2 8081
	check "$tag: ping passes" in_ns a ping -c 2 -i 0.1 -W 2 192.0.2.2
	bg_stop port-$tag
	out=$(bg_out port-$tag)
	info "$(grep '^total ' <<<"$out")"
	# Each blocked connect sends a SYN and retries it within 2 s.
	check_range "$tag: the blocked SYNs were counted as dropped" 2 20 "$(dropped "$out")"
	check "$tag: port 8080 connects after exit" in_ns a nc -z -w 3 192.0.2.2 8080
done

bg_start icmp --ns b ./sched_cls/sched_cls --drop-proto icmp eth0
wait_output icmp 'dropping protocol 1' || fail "icmp: loader started" "$(bg_out icmp)"
out=$(in_ns a ping -c 10 -i 0.05 -W 1 192.0.2.2 2>&1)
check_match "icmp: all 10 pings lost" ' 0 received' "$out"
check "icmp: tcp still connects" in_ns a nc -z -w 3 192.0.2.2 8081
check "icmp: ping6 still works (icmpv6 is another protocol)" in_ns a ping -c 1 -W 2 2001:db8:1::2
bg_stop icmp
check_eq "icmp: exactly the 10 echo requests dropped" 10 "$(dropped "$(bg_out icmp)")"

bg_start udpdrop --ns b ./sched_cls/sched_cls --drop-proto udp eth0
wait_output udpdrop 'dropping protocol 17' || fail "udp: loader started" "$(bg_out udpdrop)"
bg_start u --ns b socat -u UDP4-RECV:9999 OPEN:"$TMP/udp.got",creat,append
sleep 0.3
for i in 1 2 3 4; do in_ns a bash -c 'echo x >/dev/udp/192.0.2.2/9999'; done
sleep 0.3
check_eq "udp: no datagram reached the receiver" 0 "$(stat -c %s "$TMP/udp.got" 2>/dev/null || echo 0)"
bg_stop udpdrop
check_eq "udp: exactly the 4 datagrams dropped" 4 "$(dropped "$(bg_out udpdrop)")"
for i in 1 2; do in_ns a bash -c 'echo x >/dev/udp/192.0.2.2/9999'; done
check "udp: datagrams arrive after exit" wait_for 3 test -s "$TMP/udp.got"
done_testing
