#!/usr/bin/env bash
# IPv6 UDP behind 7, 8, 30 and 65 destination-options headers, with the
# kernel as the oracle: alone it delivers every one; netfilter at input
# drops those to its port behind a chain it follows (64 headers), lets
# those to other ports through, and drops a longer chain (long-chain):
# it always has a port to drop.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/ext6.sh"

BIN=./netfilter/netfilter
[ -x "$BIN" ] || skip_all "$BIN not built (make netfilter)"
grep -qa BPF_PROG_TYPE_NETFILTER /sys/kernel/btf/vmlinux ||
	skip_all "no BPF_PROG_TYPE_NETFILTER in this kernel (Linux 6.4)"
lab_up pair
ext6_lab a 2001:db8:1::1 b 2001:db8:1::2 5300 5301

ext6_oracle 5300

bg_start nf --ns b $BIN --hook input --ipv6 --drop-port 5300
wait_output nf 'udp/5300' || fail "loader started" "$(bg_out nf)"
ext6_port_policy drop-port 5300 5301
bg_stop nf
line=$(bg_out nf | grep '^total ')
info "$line"
check_match "the two of 65 headers counted as long-chain" 'long-chain 2 ' "$line"
check_match "the three followed to 5300 dropped by port" 'udp/5300 3( |$)' "$line"
done_testing
