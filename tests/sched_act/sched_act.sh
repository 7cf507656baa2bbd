#!/usr/bin/env bash
# sched_act drops a share of ICMP: through act_bpf where the kernel has it,
# else as a direct-action classifier; the act_bpf request reaches the
# kernel either way.
. "$(dirname "$0")/../lib/lib.sh"

lab_up pair
B=$LAB-b
clean() {
	! tc -n "$B" qdisc show dev eth0 | grep -q clsact &&
	! ip netns exec "$B" bpftool net show dev eth0 | grep -q sched_act
}
received() { sed -nE 's/.* ([0-9]+) received.*/\1/p' <<<"$1"; }
dropped() { sed -nE 's/^total .*dropped ([0-9]+)$/\1/p' <<<"$1"; }

# ICMPv6 messages host a has sent: its MLD reports, which come for a
# second or two after the lab's addresses, are ICMP to the program too.
icmp6_out_a() { in_ns a awk '$1 == "Icmp6OutMsgs" {print $2}' /proc/net/snmp6; }

# 200 pings through the running loader NAME, started when a had sent V6_0
# ICMPv6 messages: loss 2..14 %, and every lost ping is one the program
# dropped; its other drops (7 % of them) can only be a's ICMPv6.
ping_200() {
	local tag=$1 name=$2 out lost extra
	out=$(in_ns a ping -q -c 200 -i 0.01 -W 1 192.0.2.2 2>&1)
	lost=$((200 - $(received "$out")))
	info "$tag: $lost of 200 pings lost"
	check_range "$tag: 200 pings lose 2%..14%" 4 28 "$lost"
	bg_stop "$name"
	check_eq "$tag: SIGINT exits 0" 0 "$BG_RC"
	extra=$(($(icmp6_out_a) - V6_0))
	[ "$extra" = 0 ] || info "$tag: a sent $extra ICMPv6 messages meanwhile"
	check_range "$tag: the pings lost are the packets the program dropped (and a's ICMPv6)" \
		"$lost" $((lost + extra)) "$(dropped "$(bg_out "$name")")"
	check "$tag: nothing left after exit" wait_for 3 clean
}

# The act_bpf path, up to the kernel's answer.
out=$(in_ns b ./sched_act/sched_act -v --no-fallback -d 1 eth0 2>&1); rc=$?
printf '%s\n' "$out" | grep -v '^|' | sed 's/^/# /'
check_match "act_bpf path: the u32 + act_bpf request was built and sent" 'RTM_NEWTFILTER \(u32 \+ act_bpf\), [0-9]+ bytes' "$out"
check_match "act_bpf path: the kernel answered it" 'the kernel answered: ' "$out"
check "act_bpf path: nothing left after the kernel's answer" clean
if [ "$rc" = 77 ]; then
	# Refused at the action kind: the filter and its selector were accepted.
	check_match "act_bpf path: the kernel refused at the action module" 'answered: .*Failed to load TC action module' "$out"
	check_eq "act_bpf path: --no-fallback prints one line" 1 "$(grep -c '^sched_act: this kernel has no act_bpf' <<<"$out")"
	check_match "act_bpf path: the line names CONFIG_NET_ACT_BPF" 'no act_bpf tc action \(CONFIG_NET_ACT_BPF' "$out"
	skip "act_bpf path: 200 pings through the action" "this kernel has no act_bpf, CONFIG_NET_ACT_BPF is not set; $(grep -o "it said: [^)]*" <<<"$out")"
else
	check_eq "act_bpf path: the kernel took it" 0 "$rc"
	V6_0=$(icmp6_out_a)
	bg_start act --ns b ./sched_act/sched_act --no-fallback eth0
	wait_output act 'via act_bpf action' || fail "act_bpf path: loader started" "$(bg_out act)"
	ping_200 "act_bpf path" act
fi

# The fallback: the same program as a classifier, tcx and legacy.
for opt in "" --legacy-tc; do
	tag="fallback${opt:+ $opt}"
	V6_0=$(icmp6_out_a)
	bg_start "fb$opt" --ns b ./sched_act/sched_act $opt eth0
	wait_output "fb$opt" 'dropping 7% of ICMP' || fail "$tag: loader started" "$(bg_out "fb$opt")"
	out=$(bg_out "fb$opt")
	if [ "$rc" = 77 ]; then
		check_match "$tag: says in one line why it falls back" '^sched_act: this kernel has no act_bpf .*: running the program as a direct-action classifier instead$' "$out"
		check_match "$tag: the banner names the path" "direct-action classifier \\($([ -z "$opt" ] && echo 'tcx link' || echo 'new clsact')" "$out"
	fi
	ping_200 "$tag" "fb$opt"
done

check_eq "ping6 is unaffected after all this" 0 "$(in_ns a ping -q -c 3 -i 0.1 -W 1 2001:db8:1::2 >/dev/null 2>&1; echo $?)"
bg_start k --ns b ./sched_act/sched_act --percent 100 eth0
wait_output k 'dropping 100%'
check_fails "--percent 100: ping fails" in_ns a ping -c 3 -i 0.1 -W 1 192.0.2.2
check_fails "--percent 100: ping6 fails" in_ns a ping -c 2 -i 0.1 -W 1 2001:db8:1::2
# Forget the neighbour: resolving it again needs ND through the program.
in_ns a ip -6 neigh flush dev eth0
in_ns a ping -c 1 -W 1 2001:db8:1::2 >/dev/null 2>&1
check "--percent 100: neighbour discovery still passes" \
	bash -c "ip -n $LAB-a -6 neigh show 2001:db8:1::2 | grep -Eq 'REACHABLE|STALE|DELAY|PROBE'"
bg_stop k KILL
check "nothing left after SIGKILL" wait_for 3 clean

run() { out=$("$@" 2>&1); rc=$?; }
run in_ns b ./sched_act/sched_act --percent 101 eth0
check_eq "--percent 101 exits 2" 2 "$rc"
check_match "--percent 101: one sentence" '^sched_act: percent: 101 is out of range' "$out"
run in_ns b ./sched_act/sched_act eth9
check_eq "unknown interface exits 2" 2 "$rc"
check_match "unknown interface: one sentence" '^sched_act: no such interface: eth9' "$out"
run in_ns b setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
	./sched_act/sched_act eth0
check_eq "not root exits 1" 1 "$rc"
check_match "not root: the contract's sentence" '^sched_act: needs root' "$out"
done_testing
