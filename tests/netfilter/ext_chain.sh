#!/usr/bin/env bash
# IPv6 UDP behind 7, 8, 30 and 65 destination-options headers, with the
# kernel as the oracle: alone it delivers every one; netfilter at input
# drops those to its port behind a chain it follows (64 headers), lets
# those to other ports through, and drops a longer chain (long-chain):
# it always has a port to drop.
. "$(dirname "$0")/../lib/lib.sh"

BIN=./netfilter/netfilter
[ -x "$BIN" ] || skip_all "$BIN not built (make netfilter)"
grep -qa BPF_PROG_TYPE_NETFILTER /sys/kernel/btf/vmlinux ||
	skip_all "no BPF_PROG_TYPE_NETFILTER in this kernel (Linux 6.4)"
SEND=tests/lib/ext6_send.py
A=2001:db8:1::1
B=2001:db8:1::2
lab_up pair
for p in 5300 5301; do
	bg_start rx$p --ns b socat -u UDP6-RECV:$p OPEN:"$TMP/got$p",creat,append
	wait_listen b $p u || fail "udp receiver on port $p"
done

send() { in_ns a "$SEND" "$A" "$B" "$2" "$3" "$1-$3"; }
arrived() { wait_for 3 grep -qx "$1" "$TMP/got$2"; }
gone() { ! grep -qx "$1" "$TMP/got$2"; }

for n in 7 8 30 65; do
	send kernel 5300 $n
	check "no program: the kernel delivers $n headers to 5300" arrived kernel-$n 5300
done

bg_start nf --ns b $BIN --hook input --ipv6 --drop-port 5300
wait_output nf 'udp/5300' || fail "loader started" "$(bg_out nf)"
for n in 7 8 30 65; do
	send nf 5300 $n
	send nf 5301 $n
done
for n in 7 8 30; do
	check "--drop-port 5300: $n headers to 5301 arrive" arrived nf-$n 5301
done
sleep 1
for n in 7 8 30 65; do
	check "--drop-port 5300: $n headers to 5300 do not arrive" gone nf-$n 5300
done
check "--drop-port 5300: 65 headers to 5301 do not arrive either (fail closed)" gone nf-65 5301
bg_stop nf
line=$(bg_out nf | grep '^total ')
info "$line"
check_match "the two of 65 headers counted as long-chain" 'long-chain 2 ' "$line"
check_match "the three followed to 5300 dropped by port" 'udp/5300 3( |$)' "$line"
done_testing
