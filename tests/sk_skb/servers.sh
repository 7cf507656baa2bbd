#!/usr/bin/env bash
# sk_skb in front of real servers: nginx (default-like, sendfile on) and
# redis-server on host a's loopback, the proxy on a, clients on host b.
# Proves that keep-alive HTTP through the proxy is not held back by Nagle
# (50 requests on one connection cost at most 10x direct + 0.3 s; before
# TCP_NODELAY on both legs each took ~40 ms, a client's delayed ACK), that
# 50 MiB from nginx arrive intact, and that redis values (random binary)
# read back equal, spliced and --no-splice.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/servers.sh"

PROXY=sk_skb/sk_skb
[ -x "$PROXY" ] || skip_all "build first: make sk_skb"
need nginx redis-server redis-cli
for t in curl sha256sum cmp; do
	command -v "$t" >/dev/null || skip_all "$t not installed (scripts/setup.sh installs it)"
done

lab_up pair
nginx_start web a 8080 || done_testing
head -c $((50 << 20)) /dev/urandom >"$TMP/web/www/50m"
redis_start db a 127.0.0.1 6379 || done_testing

bg_start splice --ns a "$PROXY" --listen 5201 --backend 127.0.0.1:8080
bg_start relay --ns a "$PROXY" --no-splice --listen 5301 --backend 127.0.0.1:8080
bg_start rsplice --ns a "$PROXY" --listen 5202 --backend 127.0.0.1:6379
bg_start rrelay --ns a "$PROXY" --no-splice --listen 5302 --backend 127.0.0.1:6379
for p in splice relay rsplice rrelay; do
	wait_output $p 'proxying port' || { fail "proxy $p starts" "$(bg_out $p)"; done_testing; }
done

# keepalive PORT: 50 requests on one connection; prints "connections seconds".
keepalive() {
	in_ns b curl -s -o /dev/null -w '%{num_connects} %{time_total}\n' \
		"http://192.0.2.1:$1/?o=[1-50]" |
		awk '{c += $1; t += $2} END {printf "%d %.6f\n", c, t}'
}
read -r conns direct < <(keepalive 8080)
info "direct: 50 keep-alive requests in $direct s over $conns connection(s)"
limit=$(awk -v d="$direct" 'BEGIN {printf "%.6f", 10 * d + 0.3}')
for v in 5201:spliced 5301:--no-splice; do
	read -r conns t < <(keepalive "${v%%:*}")
	info "${v#*:}: 50 keep-alive requests in $t s over $conns connection(s) (limit $limit s)"
	check_eq "${v#*:}: 50 requests went over one connection" 1 "$conns"
	check "${v#*:}: 50 keep-alive requests take <= 10x direct + 0.3 s" \
		awk -v t="$t" -v l="$limit" 'BEGIN {exit !(t <= l)}'
	check "${v#*:}: 50 MiB from nginx" \
		in_ns b curl -sf -o "$TMP/got" "http://192.0.2.1:${v%%:*}/50m"
	check_eq "${v#*:}: 50 MiB arrive intact (sha256)" \
		"$(sha256sum <"$TMP/web/www/50m")" "$(sha256sum <"$TMP/got")"
done

# --- redis: random binary values (NUL bytes, newlines, up to 256 KiB) set
# through the proxy and read back through it.
for v in 5202:spliced 5302:--no-splice; do
	port=${v%%:*} ok=0 n=10
	for i in $(seq $n); do
		head -c $(( (RANDOM * 8 + i) % 262144 + 1 )) /dev/urandom >"$TMP/val"
		in_ns b redis-cli -h 192.0.2.1 -p "$port" -x SET "k$i" <"$TMP/val" >/dev/null &&
		in_ns b redis-cli -h 192.0.2.1 -p "$port" --raw GET "k$i" | head -c -1 >"$TMP/back" &&
		cmp -s "$TMP/val" "$TMP/back" && ok=$((ok + 1))
		# ... and straight from the server: the proxy stored it, too.
		in_ns a redis-cli -h 127.0.0.1 -p 6379 --raw GET "k$i" | head -c -1 | cmp -s "$TMP/val" - ||
			ok=$((ok - 100))
	done
	check_eq "redis ${v#*:}: $n binary values read back equal" $n $ok
done

for p in splice relay rsplice rrelay; do
	bg_stop $p
	check_eq "proxy $p exits 0" 0 "$BG_RC"
	info "$(grep '^total' "$TMP/$p.out")"
done
check_match "spliced: no byte through user space" 'through user space 0 B  lost 0 B' \
	"$(grep '^total' "$TMP/splice.out")"
check_match "spliced redis: no byte through user space" 'through user space 0 B  lost 0 B' \
	"$(grep '^total' "$TMP/rsplice.out")"
check_match "--no-splice: every byte through user space" 'spliced in kernel 0 B' \
	"$(grep '^total' "$TMP/relay.out")"

done_testing
