#!/usr/bin/env bash
# xdp_load_balancer serves real HTTP through the `lb` lab: 200 curls spread
# over both backends, a keep-alive connection stays on one, a 20 MiB
# download arrives intact, and a backend taken out of the set during a
# long download finishes it while new connections avoid it. Bad input
# first; SIGINT and SIGKILL at the end.
. "$(dirname "$0")/../lib/lib.sh"

LB=./xdp/xdp_load_balancer
VIP=192.0.2.80
URL=http://$VIP:8080

# backend_conns B: the "conns" of backend address B in the loader's last line.
backend_conns() {
	bg_out lb | grep 'to backends' | tail -1 | grep -Eo "$1( \(removed\))?: conns [0-9]+" |
		awk '{print $NF}'
}

lab_up lb
STATE=/run/ebpf-catalog-lab/$LAB.d

expect "no backends" 2 "^xdp_load_balancer: no backends" in_ns lb $LB eth0 --vip $VIP
expect "VIP not an address" 2 "not an IPv4 address: 192.0.2.800" \
	in_ns lb $LB eth0 --vip 192.0.2.800 -b 198.51.100.11
expect "IPv6 VIP" 2 "IPv6 VIPs are not supported" in_ns lb $LB eth0 --vip 2001:db8:1::80 -b 198.51.100.11
expect "backend not an address" 2 "backend: not an IPv4 address: b1" \
	in_ns lb $LB eth0 --vip $VIP -b b1
expect "unknown interface" 2 "^xdp_load_balancer: no such interface: eth9$" \
	in_ns lb $LB eth9 --vip $VIP -b 198.51.100.11
expect "not root" 1 "^xdp_load_balancer: needs root \(or CAP_BPF and CAP_NET_ADMIN\)$" \
	in_ns lb setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	--bounding-set=-all $LB eth0 --vip $VIP -b 198.51.100.11
expect "forwarding off" 1 "IPv4 forwarding is off on eth0" \
	in_ns client $LB eth0 --vip $VIP -b 192.0.2.254
expect "--help" 0 "EXAMPLES" $LB --help
# Reads of the backend file are bounded: no hang, and signals still work.
expect "--backend-file /dev/zero" 2 "/dev/zero is longer than 65536 bytes: not a backend file" \
	timeout -s KILL 10 ip netns exec "$LAB-lb" $LB eth0 --vip $VIP --backend-file /dev/zero
expect "--unpin with other options" 2 "--unpin DIR takes only IFACE" \
	in_ns lb $LB eth0 --vip $VIP --unpin /sys/fs/bpf/x

# -i up to 3600: the sleep between stats lines must not overflow an int
# (-i 2148 did, around 2^31 microseconds). An UBSan build of the loader
# aborts at the first overflow.
if cc -g -O1 -fsanitize=undefined -fno-sanitize-recover=all -std=gnu11 -D_GNU_SOURCE \
	$(pkg-config --cflags libbpf) -Icommon -I.output/xdp -Ixdp xdp/xdp_load_balancer.c \
	common/*.c $(pkg-config --libs libbpf) -lelf -lz -lmnl -o "$TMP/lb-ubsan" 2>"$TMP/cc.err"; then
	bg_start ubsan --ns lb "$TMP/lb-ubsan" eth0 --vip $VIP -b 198.51.100.11 -i 2148
	wait_output ubsan 'balancing' || fail "UBSan build started" "$(bg_out ubsan)"
	sleep 0.5
	bg_stop ubsan
	check_eq "-i 2148 (UBSan build): SIGINT exit 0" 0 "$BG_RC"
	check_fails "-i 2148 (UBSan build): no undefined behaviour" grep -q "runtime error" "$TMP/ubsan.out"
else
	skip "-i 2148 under UBSan" "the compiler cannot build with -fsanitize=undefined: $(head -1 "$TMP/cc.err")"
fi

check_fails "the client has no route to a backend (only the LB gets there)" \
	in_ns client curl -s -m 2 http://198.51.100.11:8080/

printf '198.51.100.11\n198.51.100.12\n' >"$TMP/backends"
# The LB's kernel forgets every MAC: the loader's managed neighbour entries
# must find the backends', the replies use the client's MAC seen in its SYN.
ip -n "$LAB-lb" neigh flush dev eth0
bg_start lb --ns lb $LB eth0 --vip $VIP --backend-file "$TMP/backends"
wait_output lb 'balancing' || fail "loader started" "$(bg_out lb)"
check_match "managed neighbour entries for the backends" \
	"198.51.100.11 .*managed.*198.51.100.12 .*managed" "$(ip -n "$LAB-lb" neigh show dev eth0 | sort | tr '\n' ' ')"
check_match "banner: VIP, interface, backends, LB address" \
	"balancing 192.0.2.80:8080 on eth0 .* over 2 backends from 198.51.100.254" "$(bg_out lb)"
check_match "XDP program on the LB's eth0" "prog/xdp .*name xdp_load_balan" \
	"$(ip -n "$LAB-lb" -d link show eth0)"

# 200 separate connections: every one answered, both backends used.
# Each reply is the body ("b1") and then the HTTP code: paste joins them.
in_ns client bash -c "for i in \$(seq 200); do curl -s -m 5 -w '%{http_code}\n' $URL/; done" |
	paste -d' ' - - >"$TMP/200"
info "replies: $(sort "$TMP/200" | uniq -c | tr '\n' ' ')"
check_eq "200 curls, 200 answered with HTTP 200" 200 "$(grep -c '^b[12] 200$' "$TMP/200")"
n1=$(grep -c '^b1 ' "$TMP/200")
n2=$(grep -c '^b2 ' "$TMP/200")
check_range "b1 served 35-65% of 200" 70 130 "$n1"
check_range "b2 served 35-65% of 200" 70 130 "$n2"
sleep 1.5
check_match "replies went to the client's MAC learned from its SYN" "learned MAC [1-9]" \
	"$(bg_out lb | tail -1)"
check_eq "loader counted b1's connections" "$n1" "$(backend_conns 198.51.100.11)"
check_eq "loader counted b2's connections" "$n2" "$(backend_conns 198.51.100.12)"

# One keep-alive connection, 50 objects: one connection, one backend.
in_ns client curl -s -m 10 -w '%{num_connects}\n' "$URL/?obj=[1-50]" | paste -d' ' - - >"$TMP/ka"
info "keep-alive: $(sort "$TMP/ka" | uniq -c | tr '\n' ' ')"
check_eq "keep-alive: 50 replies" 50 "$(grep -c '^b[12] [01]$' "$TMP/ka")"
check_eq "keep-alive: one TCP connection" 1 "$(awk '{s += $2} END {print s}' "$TMP/ka")"
check_eq "keep-alive: every reply from one backend" 1 "$(awk '{print $1}' "$TMP/ka" | sort -u | wc -l)"

# 20 MiB: checksums right for full-size segments, not only for small ones.
csum0=$(nstat_get b1 TcpInCsumErrors)$(nstat_get b2 TcpInCsumErrors)$(nstat_get client TcpInCsumErrors)
check "20 MiB download through the LB" in_ns client curl -s -m 60 -o "$TMP/big" "$URL/big.bin"
check_eq "20 MiB download: sha256 matches" "$(cat "$STATE/big.sha256")" \
	"$(sha256sum <"$TMP/big" | cut -d' ' -f1)"
check_eq "no TCP checksum errors at client or backends" "$csum0" \
	"$(nstat_get b1 TcpInCsumErrors)$(nstat_get b2 TcpInCsumErrors)$(nstat_get client TcpInCsumErrors)"

# A long (rate-limited) download; find its backend, take that backend out.
# 1 MB/s: 20 s, enough to outlast the checks below on a slow guest (at
# 4 MB/s it had ended before them under QEMU on 6.1).
bg_start long --ns client curl -s -m 90 --limit-rate 1M -o "$TMP/long" "$URL/big.bin"
served=
for i in $(seq 50); do
	for b in b1 b2; do
		in_ns "$b" ss -Htn state established '( sport = :8080 )' | grep -q 198.51.100.254 &&
			served=$b
	done
	[ -n "$served" ] && break
	sleep 0.1
done
check_match "long download has a backend" "^b[12]$" "$served"
[ "$served" = b1 ] && keep=b2 keep_addr=198.51.100.12 gone_addr=198.51.100.11 ||
	{ keep=b1 keep_addr=198.51.100.11 gone_addr=198.51.100.12; }
check_match "the backend sees the LB, not the client" "198.51.100.254:[0-9]+ *$" \
	"$(in_ns "$served" ss -Htn state established '( sport = :8080 )')"
check_match "the client sees the VIP, not the backend" "192.0.2.80:8080" \
	"$(in_ns client ss -Htn state established '( dport = :8080 )')"

echo "$keep_addr" >"$TMP/backends"
kill -HUP "$(bg_pid lb)"
wait_output lb "backends now: $keep_addr\$" || fail "loader re-read the backend file" "$(bg_out lb | tail -3)"
check "long download still running after the removal" kill -0 "$(bg_pid long)"
in_ns client bash -c "for i in \$(seq 20); do curl -s -m 5 -w '%{http_code}\n' $URL/; done" |
	paste -d' ' - - >"$TMP/after"
check_eq "after removal: 20 new connections all go to $keep" 20 "$(grep -c "^$keep 200\$" "$TMP/after")"
wait_pid "$(bg_pid long)" 90
check_eq "long download finished without error" 0 "$WAIT_RC"
check_eq "long download: sha256 matches" "$(cat "$STATE/big.sha256")" \
	"$(sha256sum <"$TMP/long" | cut -d' ' -f1)"
sleep 1.2
check_match "stats mark the removed backend" "$gone_addr \(removed\): conns" "$(bg_out lb | tail -1)"

bg_stop lb
check_eq "SIGINT: exit 0" 0 "$BG_RC"
check_match "SIGINT: a final total line" "^total .*to backends [1-9]" "$(bg_out lb)"
check_fails "SIGINT: nothing left on eth0" bash -c "ip -n $LAB-lb link show eth0 | grep -q xdp"
check_fails "SIGINT: managed neighbour entries removed" \
	bash -c "ip -n $LAB-lb neigh show dev eth0 | grep -q managed"

# Generic (skb) mode: XDP_TX goes through the stack, no NAPI involved.
bg_start skb --ns lb $LB --mode skb eth0 --vip $VIP -b 198.51.100.11 -b 198.51.100.12
wait_output skb 'skb \(generic\) mode' || fail "skb-mode loader started" "$(bg_out skb)"
in_ns client bash -c "for i in \$(seq 20); do curl -s -m 5 -w '%{http_code}\n' $URL/; done" |
	paste -d' ' - - >"$TMP/skb"
check_eq "skb mode: 20 curls answered" 20 "$(grep -c '^b[12] 200$' "$TMP/skb")"
in_ns client curl -s -m 60 "$URL/big.bin" | sha256sum | cut -d' ' -f1 >"$TMP/skb.sha"
check_eq "skb mode: 20 MiB sha256 matches" "$(cat "$STATE/big.sha256")" "$(cat "$TMP/skb.sha")"
bg_stop skb
check_eq "skb mode: SIGINT exit 0" 0 "$BG_RC"

bg_start lb2 --ns lb $LB eth0 --vip $VIP -b 198.51.100.11
wait_output lb2 'balancing' || fail "second loader started" "$(bg_out lb2)"
id=$(ip -n "$LAB-lb" -d link show eth0 | grep -Eo 'prog/xdp id [0-9]+' | awk '{print $3}')
check_match "second loader's program has an id" "^[0-9]+$" "$id"
bg_stop lb2 KILL
check "SIGKILL: the XDP link went with the process" \
	wait_for 5 bash -c "! ip -n $LAB-lb link show eth0 | grep -q xdp"
check "SIGKILL: its program $id is gone" wait_for 5 bash -c "! bpftool prog show id $id"
done_testing
