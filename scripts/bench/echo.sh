#!/usr/bin/env bash
# Echo: an ICMP echo flood (64-byte frames, pktgen) answered by
# xdp_icmp_server (XDP_TX) or by the kernel's own ICMP code, on the same
# veth. The rate is replies the receiver counted itself: the program's
# reply counter, or the namespace's Icmp OutEchoReps. The kernel's ICMP
# rate limits are noted, then lifted inside the receiver's namespace.
# Where a tc responder of sched_cls is built (sched_cls/*icmp*server*), it
# gets a row too, counted where the replies arrive: the generator's sink.
#
# Writes $OUT/echo.csv: variant,round,rx_pps,offered_pps
#    and $OUT/echo-sysctl.txt: the receiver's ICMP limits before and after.
. "$(dirname "$0")/lib.sh"
WIN=${BENCH_WINDOW:-2}

[ -x "$ROOT/bench/pktgen/pktgen" ] || die "bench/pktgen/pktgen not built (make)"
[ -x "$ROOT/xdp/xdp_icmp_server" ] || { say "xdp/xdp_icmp_server not built: skipped"; exit 0; }
[ -x "$ROOT/xdp/xdp_drop" ] || { say "xdp/xdp_drop (the reply sink) not built: skipped"; exit 0; }

RX_LOG=$OUT/echo-rx.log
LIMITS="net.ipv4.icmp_ratelimit net.ipv4.icmp_ratemask net.ipv4.icmp_msgs_per_sec net.ipv4.icmp_msgs_burst"

v_xdp_up() {
	b_start "$RX_LOG" "$NS_R" "$ROOT/xdp/xdp_icmp_server" "$DEV_R"
	RX_PID=$BG_PID
	# Slot 0: IPv4 echo requests answered (XDP_ICMP_SERVER_STAT_REPLY4).
	COUNT="b_map_sum $(b_prog_map "$(b_xdp_prog "$NS_R" "$DEV_R")" stats) 0"
}
v_xdp_down() { b_stop "$RX_PID"; }

out_echo_reps() {
	ip netns exec "$NS_R" awk '/^Icmp:/ {for (i = 1; i <= NF; i++)
		if (n) { if ($i ~ /^[0-9]+$/ && h[i] == "OutEchoReps") print $i }
		else h[i] = $i; n++}' /proc/net/snmp
}
v_kernel_up() { COUNT=out_echo_reps; }
v_kernel_down() { :; }

TC_SRV=
for f in "$ROOT"/sched_cls/*icmp*server*; do
	[ -x "$f" ] && [ "${f%.*}" = "$f" ] && TC_SRV=$f
done
# The reply counter: echo replies that reached the generator's sink
# (slot 0 of its stats, XDP_DROP_STAT_ICMP4_ECHO), whoever sent them.
v_tc_up() {
	b_start "$RX_LOG" "$NS_R" "$TC_SRV" "$DEV_R"
	RX_PID=$BG_PID
	COUNT="b_map_sum $SINK_MAP 0"
}
v_tc_down() { b_stop "$RX_PID"; }
VARIANTS=(xdp kernel)
if [ -n "$TC_SRV" ]; then
	VARIANTS+=(tc)
else
	say "no tc responder in sched_cls/ (sched_cls/*icmp*server*): its row is skipped"
fi

b_pair
b_napi
{
	echo "# receiver namespace, as created"
	ip netns exec "$NS_R" sysctl $LIMITS
	ip netns exec "$NS_R" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_ratemask=0
	echo "# lifted for the benchmark (ratemask 0: no ICMP type is rate limited)"
	ip netns exec "$NS_R" sysctl $LIMITS
} >"$OUT/echo-sysctl.txt"

# The replies come back to the generator's veth: xdp_drop there gives it
# NAPI (else the veth cannot take them) and discards them cheaply.
b_start "$OUT/echo-sink.log" "$NS_G" "$ROOT/xdp/xdp_drop" "$DEV_G"
SINK_MAP=$(b_prog_map "$(b_xdp_prog "$NS_G" "$DEV_G")" stats)

echo "variant,round,rx_pps,offered_pps" >"$OUT/echo.csv"
for round in $(seq "$ROUNDS"); do
	for v in "${VARIANTS[@]}"; do
		b_rate_round "$v" "$round" -t icmp --dst 192.0.2.2
	done
done
