#!/usr/bin/env bash
# sched_cls leaves nothing behind (SIGINT, SIGTERM, SIGKILL, both paths),
# keeps a clsact qdisc it did not create, and refuses bad input with the
# sentences of the loader contract (CONTRIBUTING.md).
. "$(dirname "$0")/../lib/lib.sh"

# Without --legacy-tc the loader takes tcx where the running kernel has it
# (its BTF names BPF_TCX_INGRESS: Linux 6.6), else clsact + cls_bpf.
grep -qa BPF_TCX_INGRESS /sys/kernel/btf/vmlinux && DEFAULT=tcx || DEFAULT=no-tcx

lab_up pair
B=$LAB-b
clean() {
	! tc -n "$B" qdisc show dev eth0 | grep -q clsact &&
	! ip netns exec "$B" bpftool net show dev eth0 | grep -q sched_cls
}
ours_gone() { ! ip netns exec "$B" bpftool net show dev eth0 | grep -q sched_cls; }

for opt in "" --legacy-tc; do
	tag=${opt:-$DEFAULT}
	for sig in TERM KILL; do
		bg_start "$tag-$sig" --ns b ./sched_cls/sched_cls $opt eth0
		wait_output "$tag-$sig" 'counting on' || fail "$tag: loader started" "$(bg_out "$tag-$sig")"
		check "$tag: attached (bpftool net)" bash -c "ip netns exec $B bpftool net show dev eth0 | grep -q sched_cls"
		bg_stop "$tag-$sig" $sig
		[ $sig = TERM ] && check_eq "$tag: SIGTERM exits 0" 0 "$BG_RC"
		# After SIGKILL the tcx link dies with the process; the legacy
		# filter and qdisc are removed by the loader's guard process.
		check "$tag: nothing left after SIG$sig" wait_for 3 clean
	done
done

# A clsact qdisc that was there before stays; only our filter goes.
tc -n "$B" qdisc add dev eth0 clsact
bg_start existing --ns b ./sched_cls/sched_cls --legacy-tc eth0
wait_output existing 'existing clsact' || fail "existing qdisc: loader started" "$(bg_out existing)"
bg_stop existing
check "existing qdisc: our filter is gone" ours_gone
check "existing qdisc: the clsact qdisc is still there" bash -c "tc -n $B qdisc show dev eth0 | grep -q clsact"
tc -n "$B" qdisc del dev eth0 clsact

# A filter someone else added to the qdisc we created keeps it alive.
bg_start shared --ns b ./sched_cls/sched_cls --legacy-tc eth0
wait_output shared 'new clsact' || fail "shared qdisc: loader started" "$(bg_out shared)"
tc -n "$B" filter add dev eth0 ingress prio 7 u32 match u32 0 0 action mirred egress mirror dev eth0
bg_stop shared
check "shared qdisc: our filter is gone" ours_gone
check "shared qdisc: the other filter and its qdisc are still there" \
	bash -c "tc -n $B filter show dev eth0 ingress | grep -q 'pref 7 u32'"
check_match "shared qdisc: the loader says why it left the qdisc" 'left the clsact qdisc on eth0 in place' "$(bg_out shared)"
tc -n "$B" qdisc del dev eth0 clsact

# Bad input.
run() { out=$("$@" 2>&1); rc=$?; }
run in_ns b ./sched_cls/sched_cls eth9
check_eq "unknown interface exits 2" 2 "$rc"
check_match "unknown interface: one sentence" '^sched_cls: no such interface: eth9' "$out"
run in_ns b ./sched_cls/sched_cls --drop-port 70000 eth0
check_eq "port out of range exits 2" 2 "$rc"
check_match "port out of range: one sentence" '^sched_cls: drop-port: 70000 is out of range' "$out"
run in_ns b ./sched_cls/sched_cls --drop-proto sctpx eth0
check_eq "unknown protocol exits 2" 2 "$rc"
check_match "unknown protocol: one sentence" '^sched_cls: unknown protocol: sctpx' "$out"
run in_ns b ./sched_cls/sched_cls
check_eq "missing IFACE exits 2" 2 "$rc"
run in_ns b setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
	./sched_cls/sched_cls eth0
check_eq "not root exits 1" 1 "$rc"
check_match "not root: the contract's sentence" '^sched_cls: needs root \(or CAP_BPF and CAP_NET_ADMIN\)' "$out"
run ./sched_cls/sched_cls --help
check_match "--help has an EXAMPLES block" 'EXAMPLES:' "$out"
check "nothing left after the bad input" clean
done_testing
