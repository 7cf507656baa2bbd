#!/usr/bin/env bash
# Dropping: the same UDP flood (64-byte frames, pktgen) into the same veth,
# dropped by xdp_drop, xdp-filter (xdp-tools, policy deny), a tc (tcx)
# classifier, a netfilter BPF program, an iptables raw-table rule, an
# nftables ingress rule; and, for scale, no filter at all (the stack
# discards the datagrams: no socket on the port). The rate is what the
# receiver counted itself over a window while the generator ran; frames
# the receiver could not take are lost, not counted.
#
# DROP_CORES=2 (section drop): the generator on CPU 0, the receiver's
# threaded NAPI on the last CPU. The veth's page-pool return bounds the
# XDP rows there. DROP_CORES=1 (section drop1, scripts/bench/drop1.sh):
# no threaded NAPI, so the receiver's softirq runs on CPU 0 right after
# each of the generator's batches: every row pays the same generator
# cost on the same core, and the rows differ by what their hook costs.
#
# Writes $OUT/$SECTION.csv: variant,round,rx_pps,offered_pps; with two
# cores also $OUT/dropcost.csv: xdp_drop and xdp-filter as attached, ns
# per run of the flood's own frame (BPF_PROG_TEST_RUN through bpftool),
# their xlated instruction count and JIT size.
. "$(dirname "$0")/lib.sh"
WIN=${BENCH_WINDOW:-2}
CORES=${DROP_CORES:-2}

[ -x "$ROOT/bench/pktgen/pktgen" ] || die "bench/pktgen/pktgen not built (make)"

RX_LOG=$OUT/drop-rx.log

hook_map() { sed -n 's/.*map id \([0-9]*\).*/\1/p' "$RX_LOG"; }

v_xdp_up() {
	b_start "$RX_LOG" "$NS_R" "$ROOT/xdp/xdp_drop" --all-ip "$DEV_R"
	RX_PID=$BG_PID
	COUNT="b_map_sum $(b_prog_map "$(b_xdp_prog "$NS_R" "$DEV_R")" stats)"
}
v_tc_up() {
	b_start "$RX_LOG" "$NS_R" "$ROOT/bench/tools/hookdrop" tc "$DEV_R"
	RX_PID=$BG_PID
	COUNT="b_map_sum $(hook_map)"
}
v_netfilter_up() {
	b_start "$RX_LOG" "$NS_R" "$ROOT/bench/tools/hookdrop" netfilter
	RX_PID=$BG_PID
	COUNT="b_map_sum $(hook_map)"
}
v_xdp_down() { b_stop "$RX_PID"; }

# xdp-filter pins its maps in bpffs, which `ip netns exec` hides (it
# remounts /sys): mount one in the same invocation. The mount goes with
# that process; the program stays attached (netlink, no link) until
# removed below. With policy deny and no rules it drops every frame.
v_xdpfilter_up() {
	ip netns exec "$NS_R" sh -c 'mount -t bpf bpf /sys/fs/bpf && xdp-filter load -p deny "$0"' \
		"$DEV_R" >"$OUT/$SECTION-xdpfilter.log" 2>&1 ||
		die "xdp-filter load -p deny failed: $(tail -n1 "$OUT/$SECTION-xdpfilter.log")"
	COUNT="xf_count $(b_prog_map "$(b_xdp_prog "$NS_R" "$DEV_R")" xdp_stats_map)"
}
v_xdpfilter_down() { ip -n "$NS_R" link set "$DEV_R" xdp off; }

# xdp-filter's counters: a per-CPU array by XDP action, each value a
# struct whose first __u64 is the packet count; bpftool cannot format it
# (its BTF is a union), so add up the raw little-endian bytes of slot 1.
xf_count() {
	bpftool -j map dump id "$1" | jq 'def le: reverse | map(ltrimstr("0x") | ascii_downcase
		| explode | reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end)))
		| reduce .[] as $b (0; . * 256 + $b);
		[.[] | select(.key[0] == "0x01") | .values[].value[0:8] | le] | add // 0'
}
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
if command -v xdp-filter >/dev/null; then
	VARIANTS+=(xdpfilter)
else
	say "xdp-filter not installed (Debian: xdp-tools): its row is skipped"
fi
[ -x "$ROOT/bench/tools/hookdrop" ] && VARIANTS+=(tc netfilter)
command -v iptables >/dev/null && VARIANTS+=(iptables)
command -v nft >/dev/null && VARIANTS+=(nftables)
VARIANTS+=(stack)

b_pair
if [ "$CORES" = 1 ]; then
	# NAPI (GRO on: redirected frames need it), not threaded.
	ip netns exec "$NS_R" ethtool -K "$DEV_R" gro on >/dev/null
else
	b_napi
fi
echo "variant,round,rx_pps,offered_pps" >"$OUT/$SECTION.csv"
for round in $(seq "$ROUNDS"); do
	for v in "${VARIANTS[@]}"; do
		b_rate_round "$v" "$round"
	done
done

[ "$CORES" = 2 ] && [ -x "$ROOT/xdp/xdp_drop" ] && command -v xdp-filter >/dev/null || exit 0

# Per run of the program, on the flood's own frame (what pktgen sends:
# 60 bytes without the FCS, 192.0.2.1:9 -> 192.0.2.2:9), each program as
# attached; a few ns of difference is the whole story on a veth.
FRAME=$OUT/drop-frame.bin
python3 - "$FRAME" "$MAC_R" "$MAC_G" <<'PY'
import socket, struct, sys
mac = lambda m: bytes.fromhex(m.replace(':', ''))
udp = struct.pack('!HHHH', 9, 9, 8 + 18, 0) + bytes(18)
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                 socket.inet_aton('192.0.2.1'), socket.inet_aton('192.0.2.2'))
s = sum(struct.unpack('!10H', ip))
s = (s & 0xffff) + (s >> 16)
ip = ip[:10] + struct.pack('!H', ~((s & 0xffff) + (s >> 16)) & 0xffff) + ip[12:]
open(sys.argv[1], 'wb').write(mac(sys.argv[2]) + mac(sys.argv[3]) + b'\x08\x00' + ip + udp)
PY
echo "variant,round,ns,verdict,xlated_insns,jited_bytes" >"$OUT/dropcost.csv"
for round in $(seq "$ROUNDS"); do
	for v in xdp xdpfilter; do
		"v_${v}_up"
		id=$(b_xdp_prog "$NS_R" "$DEV_R")
		run=$(bpftool prog run id "$id" data_in "$FRAME" repeat "${BENCH_REPEAT:-1000000}")
		ns=$(sed -n 's/.*duration (average): \([0-9]*\)ns.*/\1/p' <<<"$run")
		verdict=$(sed -n 's/^Return value: \([0-9]*\).*/\1/p' <<<"$run")
		xl=$(bpftool prog dump xlated id "$id" | grep -cE '^ *[0-9]+:')
		jq -r --arg v "$v" --arg r "$round" --arg ns "$ns" --arg ret "$verdict" --arg xl "$xl" \
			'"\($v),\($r),\($ns),\($ret),\($xl),\(.bytes_jited)"' \
			< <(bpftool -j prog show id "$id") >>"$OUT/dropcost.csv"
		"v_${v}_down"
		say "cost round $round $v: $(tail -n1 "$OUT/dropcost.csv")"
	done
done
