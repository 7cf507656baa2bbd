#!/usr/bin/env bash
# Load balancing: the same client reaches the same backend (b1 of the
# `lb` lab) through 192.0.2.80 on the LB host, three ways: xdp_load_balancer
# (XDP, full NAT), sk_skb --no-splice (a user-space TCP proxy: read/write)
# and sk_skb (the same proxy spliced by a sockmap verdict). One backend on
# every side, so each does the same work.
#   rps:  wrk, 1 thread, 8 keep-alive connections, httpd.py on b1:8081
#   gbps: iperf3, one TCP stream, as b1's iperf3 server received it
#
# Writes $OUT/lb.csv: variant,round,metric,value
. "$(dirname "$0")/lib.sh"
WIN=${BENCH_WINDOW:-2}
WIN=$((WIN + 1))
LB=$ROOT/xdp/xdp_load_balancer
PROXY=$ROOT/sk_skb/sk_skb

[ -x "$LB" ] || { say "xdp/xdp_load_balancer not built: skipped"; exit 0; }
for t in wrk iperf3; do
	command -v $t >/dev/null || { say "$t not installed: skipped"; exit 0; }
done

LAB=$PFX
lab_cleanup() {
	trap '' INT TERM
	"$ROOT/scripts/lab.sh" down "$LAB" 2>/dev/null || true
	b_cleanup
}
trap lab_cleanup EXIT
# The lab's veth toward the LB needs an XDP pass program (NAPI for XDP_TX).
make -C "$ROOT" -s .output/tests/lib/xdp_pass.bpf.o >/dev/null
"$ROOT/scripts/lab.sh" up "$LAB" lb >/dev/null
NS_C=$LAB-client NS_LB=$LAB-lb NS_B1=$LAB-b1
b_start "$OUT/lb-iperf3.log" "$NS_B1" stdbuf -oL iperf3 -s -B 198.51.100.11 -p 5201
b_start "$OUT/lb-httpd.log" "$NS_B1" python3 "$ROOT/scripts/bench/httpd.py" 198.51.100.11 8081
sleep 0.5

VARIANTS=(xdp_lb)
[ -x "$PROXY" ] && VARIANTS+=(proxy spliced)

up() {	# VARIANT PORT
	case $1 in
	xdp_lb) b_start "$OUT/lb-side.log" "$NS_LB" "$LB" eth0 --vip "192.0.2.80:$2" -b 198.51.100.11 ;;
	proxy) b_start "$OUT/lb-side.log" "$NS_LB" "$PROXY" --no-splice --listen "$2" --backend "198.51.100.11:$2" ;;
	spliced) b_start "$OUT/lb-side.log" "$NS_LB" "$PROXY" --listen "$2" --backend "198.51.100.11:$2" ;;
	esac
	SIDE=$BG_PID
}

echo "variant,round,metric,value" >"$OUT/lb.csv"
for round in $(seq "$ROUNDS"); do
	for v in "${VARIANTS[@]}"; do
		up "$v" 8081
		rps=$(ip netns exec "$NS_C" wrk -t1 -c8 -d"${WIN}s" http://192.0.2.80:8081/ 2>&1 |
			awk '/^Requests\/sec:/ {print $2}')
		b_stop "$SIDE"
		up "$v" 5201
		gbps=$(ip netns exec "$NS_C" iperf3 -c 192.0.2.80 -p 5201 -t "$WIN" -J 2>/dev/null |
			jq '.end.sum_received.bits_per_second / 1e9')
		b_stop "$SIDE"
		echo "$v,$round,requests/s (wrk),${rps:-}" >>"$OUT/lb.csv"
		echo "$v,$round,Gbit/s (iperf3),${gbps:-}" >>"$OUT/lb.csv"
		say "round $round $v: ${rps:-?} requests/s, ${gbps:-?} Gbit/s"
	done
done
