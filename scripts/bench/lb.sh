#!/usr/bin/env bash
# Load balancing: the same client reaches the same backend (b1 of the `lb`
# lab) through 192.0.2.80 on the LB host, in five ways:
#   xdp_lb    xdp_load_balancer (XDP, full NAT)
#   nft_dnat  nftables DNAT (numgen map to the backends, conntrack NAT,
#             SNAT to the LB's address: full NAT like xdp_lb)
#   haproxy   HAProxy, TCP mode, one thread, its own splicing
#   proxy     sk_skb --no-splice (a user-space TCP proxy: read/write)
#   spliced   sk_skb (the same proxy spliced by a sockmap verdict)
# One backend on every side, so each does the same work. (IPVS would be
# the kernel's own L4 balancer; this kernel is built without it.)
#   rps:  wrk, 1 thread, 8 connections to nginx on b1:8081 (one worker),
#         keep-alive, and again with a new connection per request
#   gbps: iperf3, one TCP stream, as b1's iperf3 server received it
#
# Writes $OUT/lb.csv: variant,round,metric,value
. "$(dirname "$0")/lib.sh"
WIN=${BENCH_WINDOW:-2}
WIN=$((WIN + 1))
LB=$ROOT/xdp/xdp_load_balancer
PROXY=$ROOT/sk_skb/sk_skb
B1=198.51.100.11

[ -x "$LB" ] || { say "xdp/xdp_load_balancer not built: skipped"; exit 0; }
for t in wrk iperf3; do
	command -v $t >/dev/null || { say "$t not installed: skipped"; exit 0; }
done

LAB=$PFX
lab_cleanup() {
	trap '' INT TERM
	b_cleanup
	"$ROOT/scripts/lab.sh" down "$LAB" 2>/dev/null || true
}
trap lab_cleanup EXIT
# The lab's veth toward the LB needs an XDP pass program (NAPI for XDP_TX).
make -C "$ROOT" -s .output/tests/lib/xdp_pass.bpf.o >/dev/null
"$ROOT/scripts/lab.sh" up "$LAB" lb >/dev/null
NS_C=$LAB-client NS_LB=$LAB-lb NS_B1=$LAB-b1
# New connections per request: thousands per second from one address
# to one VIP; let the client reuse its ports in TIME_WAIT.
ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_tw_reuse=1 \
	net.ipv4.ip_local_port_range="1024 65000"
# The nftables side forwards back out of the interface it came in on (a
# one-arm LB): no ICMP redirects to the backend for that.
ip netns exec "$NS_LB" sysctl -qw net.ipv4.conf.all.send_redirects=0 \
	net.ipv4.conf.eth0.send_redirects=0
b_start "$OUT/lb-iperf3.log" "$NS_B1" stdbuf -oL iperf3 -s -B "$B1" -p 5201
if command -v nginx >/dev/null; then
	b_nginx "$OUT/lb-nginx" "$NS_B1" "$B1" 8081
	BACKEND="nginx, one worker"
else
	say "nginx not installed (Debian: nginx-light): the backend is scripts/bench/httpd.py"
	b_start "$OUT/lb-httpd.log" "$NS_B1" python3 "$ROOT/scripts/bench/httpd.py" "$B1" 8081
	BACKEND=httpd.py
fi
echo "$BACKEND" >"$OUT/lb-backend.txt"

VARIANTS=(xdp_lb)
if command -v nft >/dev/null; then
	VARIANTS+=(nft_dnat)
else
	say "nft not installed (Debian: nftables): the nftables DNAT row is skipped"
fi
if command -v haproxy >/dev/null; then
	VARIANTS+=(haproxy)
else
	say "haproxy not installed (Debian: haproxy): its row is skipped"
fi
[ -x "$PROXY" ] && VARIANTS+=(proxy spliced)

# nftables DNAT to the backends: numgen picks a slot of the map (one
# backend here, so every connection lands on b1 as on the other sides);
# conntrack rewrites the rest of the flow both ways.
nft_up() {
	ip netns exec "$NS_LB" nft -f - <<-EOF
	table ip h9blb {
		chain pre {
			type nat hook prerouting priority dstnat;
			ip daddr 192.0.2.80 tcp dport $1 dnat to numgen inc mod 1 map { 0 : $B1 }
		}
		chain post {
			type nat hook postrouting priority srcnat;
			ip daddr $B1 tcp dport $1 snat to 198.51.100.254
		}
	}
	EOF
}

up() {	# VARIANT PORT
	SIDE=
	case $1 in
	xdp_lb) b_start "$OUT/lb-side.log" "$NS_LB" "$LB" eth0 --vip "192.0.2.80:$2" -b "$B1" ;;
	nft_dnat) nft_up "$2"; return ;;
	haproxy) b_haproxy "$OUT/lb-haproxy.cfg" "$NS_LB" "192.0.2.80:$2=$B1:$2" ;;
	proxy) b_start "$OUT/lb-side.log" "$NS_LB" "$PROXY" --no-splice --listen "$2" --backend "$B1:$2" ;;
	spliced) b_start "$OUT/lb-side.log" "$NS_LB" "$PROXY" --listen "$2" --backend "$B1:$2" ;;
	esac
	SIDE=$BG_PID
}
down() {
	if [ "$1" = nft_dnat ]; then
		ip netns exec "$NS_LB" nft delete table ip h9blb
	else
		b_stop "$SIDE"
	fi
}

# wrk's requests/s; EXTRA: more wrk arguments.
rps() {
	ip netns exec "$NS_C" wrk -t1 -c8 -d"${WIN}s" "$@" http://192.0.2.80:8081/ 2>&1 |
		awk '/^Requests\/sec:/ {print $2}'
}

echo "variant,round,metric,value" >"$OUT/lb.csv"
for round in $(seq "$ROUNDS"); do
	for v in "${VARIANTS[@]}"; do
		up "$v" 8081
		ka=$(rps)
		nc=$(rps -H "Connection: close")
		down "$v"
		up "$v" 5201
		gbps=$(ip netns exec "$NS_C" iperf3 -c 192.0.2.80 -p 5201 -t "$WIN" -J 2>/dev/null |
			jq '.end.sum_received.bits_per_second / 1e9')
		down "$v"
		{
			echo "$v,$round,requests/s keep-alive (wrk),${ka:-}"
			echo "$v,$round,requests/s new connection each (wrk),${nc:-}"
			echo "$v,$round,Gbit/s (iperf3),${gbps:-}"
		} >>"$OUT/lb.csv"
		say "round $round $v: ${ka:-?} requests/s keep-alive, ${nc:-?} with a new connection each, ${gbps:-?} Gbit/s"
	done
done
