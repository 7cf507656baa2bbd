#!/usr/bin/env bash
# sk_skb: the proxy (client -> 127.0.0.1:5201 -> backend) splicing in the
# kernel vs the same proxy relaying in user space (--no-splice), HAProxy
# (TCP mode, one thread, its own splice(2) relaying) in the same place,
# and the backend reached directly for reference. Request/response time
# over one connection (64 B and 4 KiB, rr), bulk throughput (iperf3, what
# the receiver counted) and a real server: nginx (one worker) keep-alive
# requests/s with wrk (1 thread, 8 connections). Backends stay up for the
# whole run; in every round the variants alternate, each with proxies of
# its own.
#
# Writes $OUT/sk_skb.csv: metric,variant,round,value,unit; prints a
# Markdown table of medians and ratios to the spliced proxy.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sockredir.sh"
WIN=${BENCH_WINDOW:-2}
PROXY=$ROOT/sk_skb/sk_skb
[ -x "$PROXY" ] || { say "sk_skb/sk_skb not built: skipped"; exit 0; }

NS=$PFX-p
b_ns "$NS"
RUN=(ip netns exec "$NS")
r_server "$RR" -s 5202
r_server iperf3 -s -p 5203
r_listen "$NS" 5202
r_listen "$NS" 5203
HTTP=
if ! command -v nginx >/dev/null; then
	say "nginx not installed (Debian: nginx-light): no requests/s row"
elif ! command -v wrk >/dev/null; then
	say "wrk not installed: no requests/s row"
else
	b_nginx "$OUT/sk_skb-nginx" "$NS" 127.0.0.1 5204
	HTTP=5204
fi
VARIANTS=(splice no-splice)
if command -v haproxy >/dev/null; then
	VARIANTS+=(haproxy)
else
	say "haproxy not installed (Debian: haproxy): its rows are skipped"
fi
VARIANTS+=(direct)

# proxy VARIANT: start the proxies of a variant (rr on 5201, iperf3 on
# 5211, nginx on 5221); "direct" has none and goes to the backends' own
# ports; HAProxy is one process with the three.
proxy_up() {
	local mode=()
	if [ "$1" = haproxy ]; then
		b_haproxy "$OUT/sk_skb-haproxy.cfg" "$NS" 127.0.0.1:5201=127.0.0.1:5202 \
			127.0.0.1:5211=127.0.0.1:5203 ${HTTP:+127.0.0.1:5221=127.0.0.1:$HTTP}
		P1=$BG_PID
		return
	fi
	[ "$1" = no-splice ] && mode=(--no-splice)
	b_start "$OUT/sk_skb-rr.log" "$NS" "$PROXY" "${mode[@]}" --listen 5201 --backend 127.0.0.1:5202
	P1=$BG_PID
	b_start "$OUT/sk_skb-bulk.log" "$NS" "$PROXY" "${mode[@]}" --listen 5211 --backend 127.0.0.1:5203
	P2=$BG_PID
	P3=
	[ -z "$HTTP" ] && return
	b_start "$OUT/sk_skb-http.log" "$NS" "$PROXY" "${mode[@]}" --listen 5221 --backend "127.0.0.1:$HTTP"
	P3=$BG_PID
}

# After a spliced run no byte may have gone through the proxy process, and
# after a user-space run none through the kernel splice: else the variant
# measured something else.
proxy_down() {
	local f
	b_stop "$P1"
	[ "$1" = haproxy ] && return
	b_stop "$P2"
	[ -n "$P3" ] && b_stop "$P3"
	for f in rr bulk ${P3:+http}; do
		f=$(grep '^total' "$OUT/sk_skb-$f.log")
		case $1 in
		splice) [[ $f =~ spliced\ in\ kernel\ [1-9][0-9]*\ B\ \ through\ user\ space\ 0\ B ]] ;;
		no-splice) [[ $f =~ spliced\ in\ kernel\ 0\ B\ \ through\ user\ space\ [1-9] ]] ;;
		esac || die "$1 proxy did not do what it should: $f"
	done
}

# nginx keep-alive requests/s through PORT (wrk, 1 thread, 8 connections).
r_http() {
	"${RUN[@]}" wrk -t1 -c8 -d"${WIN}s" "http://127.0.0.1:$1/" 2>&1 |
		awk '/^Requests\/sec:/ {print $2}'
}

CSV=$OUT/sk_skb.csv
echo "metric,variant,round,value,unit" >"$CSV"
for round in $(seq "$ROUNDS"); do
	for v in "${VARIANTS[@]}"; do
		if [ $v = direct ]; then
			p_rr=5202 p_bulk=5203 p_http=$HTTP
		else
			proxy_up $v
			p_rr=5201 p_bulk=5211 p_http=5221
		fi
		rr64=$(r_rr 127.0.0.1 $p_rr 64)
		rr4k=$(r_rr 127.0.0.1 $p_rr 4096)
		bulk=$(r_bulk 127.0.0.1 $p_bulk)
		rps=
		[ -n "$HTTP" ] && rps=$(r_http $p_http)
		[ $v = direct ] || proxy_down $v
		{
			echo "rr 64 B,$v,$round,$rr64,us"
			echo "rr 4 KiB,$v,$round,$rr4k,us"
			echo "bulk,$v,$round,$bulk,Gbit/s"
			[ -z "$HTTP" ] || echo "nginx keep-alive,$v,$round,$rps,requests/s"
		} >>"$CSV"
		say "round $round $v: rr64 ${rr64} us, rr4k ${rr4k} us, bulk ${bulk} Gbit/s${HTTP:+, nginx ${rps} requests/s}"
	done
done
r_table "$CSV"
