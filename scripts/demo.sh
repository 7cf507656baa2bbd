#!/usr/bin/env bash
# make demo: two hosts in network namespaces; host a answers ping from XDP,
# host b pings it. At the end the XDP reply counters are compared with the
# pings sent and with the responder kernel's own ICMP counters, which must
# not move: the kernel never saw the requests.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: needs root: sudo make demo" >&2; exit 1; }
[ -x xdp/xdp_icmp_server ] || make --no-print-directory xdp
[ -r .output/tests/lib/xdp_pass.bpf.o ] || make --no-print-directory .output/tests/lib/xdp_pass.bpf.o

LAB=demo$$
COUNT=${COUNT:-10}
OUT=$(mktemp)
cleanup() {
	[ -n "${SRV:-}" ] && kill -INT "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	scripts/lab.sh down "$LAB"
	rm -f "$OUT"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
counters() {
	ip netns exec "$LAB-a" nstat -asz IcmpInEchos IcmpOutEchoReps Icmp6InEchos Icmp6OutEchoReplies |
		awk 'NR > 1 {printf "%s=%s ", $1, $2}'
}
get() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

step "lab: $LAB-a (192.0.2.1, 2001:db8:1::1) <-veth-> $LAB-b (192.0.2.2, 2001:db8:1::2)"
scripts/lab.sh up "$LAB" pair
# b receives the XDP_TX replies: its veth needs NAPI.
scripts/lab.sh napi "$LAB" b eth0

step "on a: xdp/xdp_icmp_server eth0"
ip netns exec "$LAB-a" ./xdp/xdp_icmp_server eth0 >"$OUT" 2>&1 &
SRV=$!
for _ in $(seq 50); do grep -q answering "$OUT" && break; sleep 0.1; done
head -n1 "$OUT"
before=$(counters)

step "on b: ping -c $COUNT 192.0.2.1, then ping -c $COUNT 2001:db8:1::1"
ip netns exec "$LAB-b" ping -c "$COUNT" -i 0.2 -W 2 192.0.2.1 | tail -n +2
ip netns exec "$LAB-b" ping -c "$COUNT" -i 0.2 -W 2 2001:db8:1::1 | tail -n +2
after=$(counters)

step "stop the server (SIGINT)"
kill -INT "$SRV"
wait "$SRV" || true
SRV=
tail -n1 "$OUT"

r4=$(sed -n 's/^total replies: ipv4 \([0-9]*\)  ipv6 \([0-9]*\).*/\1/p' "$OUT")
r6=$(sed -n 's/^total replies: ipv4 \([0-9]*\)  ipv6 \([0-9]*\).*/\2/p' "$OUT")
step "result"
echo "xdp_icmp_server replies: ipv4 ${r4:-?}, ipv6 ${r6:-?} (pings sent: $COUNT + $COUNT)"
printf 'kernel of the responder:'
fail=0
for c in IcmpInEchos IcmpOutEchoReps Icmp6InEchos Icmp6OutEchoReplies; do
	d=$(( $(get "$after" $c) - $(get "$before" $c) ))
	printf '  %s +%d' "$c" "$d"
	[ "$d" = 0 ] || fail=1
done
echo
if [ "$fail" = 0 ] && [ "${r4:-}" = "$COUNT" ] && [ "${r6:-}" = "$COUNT" ]; then
	echo "XDP answered every ping; the responder's kernel saw none of them."
else
	echo "demo: unexpected result: the counters above should read $COUNT, $COUNT and +0" >&2
	exit 1
fi
