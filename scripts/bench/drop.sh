#!/usr/bin/env bash
# Dropping: the same UDP flood (64-byte frames, pktgen) into the same veth,
# dropped by xdp_drop, a tc (tcx) classifier, a netfilter BPF program, an
# iptables raw-table rule, an nftables ingress rule; and, for scale, no
# filter at all (the stack discards the datagrams: no socket on the port).
# The rate is what the receiver counted itself over a window while the
# generator ran; frames the receiver could not take are lost, not counted.
#
# Writes $OUT/drop.csv: variant,round,rx_pps,offered_pps
. "$(dirname "$0")/lib.sh"
WIN=${BENCH_WINDOW:-2}

[ -x "$ROOT/pktgen/pktgen" ] || die "pktgen/pktgen not built (make)"

RX_LOG=$OUT/drop-rx.log

hook_map() { sed -n 's/.*map id \([0-9]*\).*/\1/p' "$RX_LOG"; }

v_xdp_up() {
	b_start "$RX_LOG" "$NS_R" "$ROOT/xdp/xdp_drop" --all-ip "$DEV_R"
	RX_PID=$BG_PID
	COUNT="b_map_sum $(b_prog_map "$(b_xdp_prog "$NS_R" "$DEV_R")" stats)"
}
v_tc_up() {
	b_start "$RX_LOG" "$NS_R" "$ROOT/benchtools/hookdrop" tc "$DEV_R"
	RX_PID=$BG_PID
	COUNT="b_map_sum $(hook_map)"
}
v_netfilter_up() {
	b_start "$RX_LOG" "$NS_R" "$ROOT/benchtools/hookdrop" netfilter
	RX_PID=$BG_PID
	COUNT="b_map_sum $(hook_map)"
}
v_xdp_down() { b_stop "$RX_PID"; }
v_tc_down() { b_stop "$RX_PID"; }
v_netfilter_down() { b_stop "$RX_PID"; }

ipt_count() {
	ip netns exec "$NS_R" iptables -t raw -nvxL PREROUTING | awk '$3 == "DROP" {print $1}'
}
v_iptables_up() {
	ip netns exec "$NS_R" iptables -t raw -A PREROUTING -i "$DEV_R" -j DROP
	COUNT=ipt_count
}
v_iptables_down() { ip netns exec "$NS_R" iptables -t raw -F PREROUTING; }

nft_count() {
	ip netns exec "$NS_R" nft -j list table netdev h9bench |
		jq '[.nftables[] | .rule? // empty | .expr[] | .counter? // empty | .packets] | add'
}
v_nftables_up() {
	ip netns exec "$NS_R" nft -f - <<-EOF2
	table netdev h9bench {
		chain ingress {
			type filter hook ingress device "$DEV_R" priority 0;
			meta protocol ip counter drop
		}
	}
	EOF2
	COUNT=nft_count
}
v_nftables_down() { ip netns exec "$NS_R" nft delete table netdev h9bench; }

# No filter: the stack takes each datagram up to UDP and finds no socket.
noports() {
	ip netns exec "$NS_R" awk '/^Udp:/ && n++ {print $3}' /proc/net/snmp
}
v_stack_up() { COUNT=noports; }
v_stack_down() { :; }

VARIANTS=()
[ -x "$ROOT/xdp/xdp_drop" ] && VARIANTS+=(xdp)
[ -x "$ROOT/benchtools/hookdrop" ] && VARIANTS+=(tc netfilter)
command -v iptables >/dev/null && VARIANTS+=(iptables)
command -v nft >/dev/null && VARIANTS+=(nftables)
VARIANTS+=(stack)

b_pair
b_napi
echo "variant,round,rx_pps,offered_pps" >"$OUT/drop.csv"
for round in $(seq "$ROUNDS"); do
	for v in "${VARIANTS[@]}"; do
		b_rate_round "$v" "$round"
	done
done
