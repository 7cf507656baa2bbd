#!/usr/bin/env bash
# Forwarding: a UDP flood (64-byte frames, pktgen) from h1 through a router
# to h2, forwarded by the router's kernel (IPv4 forwarding, the FIB) or by
# xdp/xdp_redirect (XDP, redirect through a DEVMAP) on the same router.
# The router's receiving veth has threaded NAPI on the last CPU, the
# generator CPU 0, as in the drop section. The rate is what h2 counted:
# an xdp_drop --all-ip sink on its veth (which also gives that veth the
# NAPI redirected frames need).
#
#   h1 A 192.0.2.1/24 -- I 192.0.2.254 router O 198.51.100.254 -- B 198.51.100.1/24 h2
#
# Writes $OUT/forward.csv: variant,round,rx_pps,offered_pps
. "$(dirname "$0")/lib.sh"
WIN=${BENCH_WINDOW:-2}
XR=$ROOT/xdp/xdp_redirect

[ -x "$ROOT/bench/pktgen/pktgen" ] || die "bench/pktgen/pktgen not built (make)"
[ -x "$ROOT/xdp/xdp_drop" ] || { say "xdp/xdp_drop (h2's counter) not built: skipped"; exit 0; }

NS_G=$PFX-h1 NS_R=$PFX-r NS_H2=$PFX-h2
DEV_G=fa$$ DEV_R=fi$$ DEV_O=fo$$ DEV_B=fb$$
b_ns "$NS_G"
b_ns "$NS_R"
b_ns "$NS_H2"
ip -n "$NS_G" link add "$DEV_G" type veth peer name "$DEV_R" netns "$NS_R"
ip -n "$NS_R" link add "$DEV_O" type veth peer name "$DEV_B" netns "$NS_H2"
ip -n "$NS_G" addr add 192.0.2.1/24 dev "$DEV_G"
ip -n "$NS_R" addr add 192.0.2.254/24 dev "$DEV_R"
ip -n "$NS_R" addr add 198.51.100.254/24 dev "$DEV_O"
ip -n "$NS_H2" addr add 198.51.100.1/24 dev "$DEV_B"
for l in "$NS_G $DEV_G" "$NS_R $DEV_R" "$NS_R $DEV_O" "$NS_H2 $DEV_B"; do
	ip -n ${l% *} link set ${l#* } up
done
ip -n "$NS_H2" route add default via 198.51.100.254
ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1
mac() { ip -n "$1" -j link show "$2" | jq -r '.[0].address'; }
MAC_R=$(mac "$NS_R" "$DEV_R")
# Static neighbours on the way out: no ARP in the counters, and the
# FIB lookup of an XDP forwarder finds the next hop resolved.
ip -n "$NS_R" neigh add 198.51.100.1 lladdr "$(mac "$NS_H2" "$DEV_B")" dev "$DEV_O" nud permanent
ip -n "$NS_H2" neigh add 198.51.100.254 lladdr "$(mac "$NS_R" "$DEV_O")" dev "$DEV_B" nud permanent
ip -n "$NS_R" neigh add 192.0.2.1 lladdr "$(mac "$NS_G" "$DEV_G")" dev "$DEV_R" nud permanent
b_napi

b_start "$OUT/forward-sink.log" "$NS_H2" "$ROOT/xdp/xdp_drop" --all-ip "$DEV_B"
# Slot 2: XDP_DROP_STAT_ALL_IP, every IPv4 datagram that reached h2.
COUNT="b_map_sum $(b_prog_map "$(b_xdp_prog "$NS_H2" "$DEV_B")" stats) 2"

v_kernel_up() { :; }
v_kernel_down() { :; }
v_xdp_up() {
	# In: the router's veth toward h1; out: the one toward h2.
	b_start "$OUT/forward-xdp.log" "$NS_R" "$XR" "$DEV_R" "$DEV_O"
	XR_PID=$BG_PID
}
v_xdp_down() { b_stop "$XR_PID"; }

VARIANTS=(kernel)
if [ -x "$XR" ]; then
	VARIANTS=(xdp kernel)
else
	say "xdp/xdp_redirect not built: only the kernel's forwarding is measured"
fi

echo "variant,round,rx_pps,offered_pps" >"$OUT/forward.csv"
for round in $(seq "$ROUNDS"); do
	for v in "${VARIANTS[@]}"; do
		b_rate_round "$v" "$round" --dst 198.51.100.1
	done
done
