#!/usr/bin/env bash
# netfilter on the router lab: drop ports at output (h1, the client), input
# (h2, the server) and forward (r), IPv4 and IPv6, beside an nftables rule;
# after exit, even a SIGKILL, the drop is gone.
. "$(dirname "$0")/../lib/lib.sh"

BIN=./netfilter/netfilter
[ -x "$BIN" ] || skip_all "$BIN not built (make netfilter)"
lab_up router

# Before Linux 6.4 the loader exits 77 and names what is missing: so does
# the test. The probe is a real attach, in a namespace of the lab.
out=$(in_ns h1 $BIN -d 1 2>&1) && rc=0 || rc=$?
if [ "$rc" = 77 ]; then
	# Not a skip that hides a failure: the kernel's BTF names the program
	# type when it has it (6.4).
	if grep -qa BPF_PROG_TYPE_NETFILTER /sys/kernel/btf/vmlinux; then
		fail "exit 77 only on a kernel without BPF_PROG_TYPE_NETFILTER" "$out"
		done_testing
	fi
	skip_all "$(sed -n 's/^netfilter: //p' <<<"$out" | head -n1)"
fi

# An HTTP responder on h2 for each port, IPv4 and IPv6 (dual-stack socket).
printf 'HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n' >"$TMP/reply"
for port in 80 8080 9090; do
	# Read a bit of the request first: replying to a request not yet
	# read makes socat lose the reply (EPIPE) now and then.
	bg_start http$port --ns h2 socat TCP6-LISTEN:$port,fork,reuseaddr \
		SYSTEM:"head -c 16 >/dev/null; cat $TMP/reply"
done
for port in 80 8080 9090; do
	wait_for 5 sh -c "ip netns exec $LAB-h2 ss -Hltn 'sport = :$port' | grep -q ." ||
		fail "http server on port $port"
done

# http HOST URL: succeeds when HOST gets the 200 from h2.
http() { [ "$(in_ns "$1" curl -sS -o /dev/null -w '%{http_code}' --connect-timeout 1 -m 3 "$2")" = 200 ]; }
H2=198.51.100.1
H2v6='[2001:db8:2::1]'

# start NAME HOST ARGS...: run the loader and wait for its banner.
start() {
	local name=$1 host=$2
	shift 2
	bg_start "$name" --ns "$host" $BIN "$@"
	check "$name: attached" wait_output "$name" '^netfilter: attached to'
	grep -q '^netfilter: attached' "$TMP/$name.out" || info "$(bg_out "$name")"
}

# stop NAME: SIGINT, exit 0, and its final line shows drops.
stop() {
	bg_stop "$1"
	check_eq "$1: exits 0" 0 "$BG_RC"
	check_match "$1: final line counts the drops" '^total accepted [0-9]+ .*dropped [1-9][0-9]* ' \
		"$(bg_out "$1" | grep '^total')"
}

check "before: h1 gets port 80 on h2" http h1 http://$H2/

# --- bad input and privileges
expect "unknown hook" 2 '^netfilter: unknown hook: inbound' in_ns h1 $BIN --hook inbound
expect "port out of range" 2 'drop-port: 70000 is out of range' in_ns h1 $BIN --drop-port 70000
expect "priority not a number" 2 'priority: not a number: high' in_ns h1 $BIN --priority high
expect "reserved priority" 2 \
	'^netfilter: the kernel refuses priority -2147483648 at a netfilter hook: INT_MIN and INT_MAX are reserved' \
	in_ns h1 $BIN --priority -2147483648
expect "defrag below the defrag priority" 2 \
	'^netfilter: the kernel refuses --defrag at priority -500: defragmentation runs at -400' \
	in_ns h1 $BIN --defrag --priority -500
expect "non-root" 1 '^netfilter: needs root \(or CAP_BPF and CAP_NET_ADMIN\)$' \
	in_ns h1 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	--bounding-set=-all $BIN

# --- output hook on the client, IPv4 then IPv6
start out4 h1 --hook output --drop-port 80
check_fails "output ipv4: port 80 is dropped" http h1 http://$H2/
check "output ipv4: port 8080 works" http h1 http://$H2:8080/
check "output ipv4: ipv6 to port 80 is not affected" http h1 http://$H2v6/
stop out4
check_match "output ipv4: per-port count" 'tcp/80 [1-9]' "$(bg_out out4 | grep '^total')"
check "output ipv4: after exit port 80 works" http h1 http://$H2/

start out6 h1 --hook output --ipv6 --drop-port 80
check_fails "output ipv6: port 80 is dropped" http h1 http://$H2v6/
check "output ipv6: port 8080 works" http h1 http://$H2v6:8080/
check "output ipv6: ipv4 to port 80 is not affected" http h1 http://$H2/
stop out6
check "output ipv6: after exit port 80 works" http h1 http://$H2v6/

# --- input hook on the server, beside an nftables rule
in_ns h2 nft -f - <<'EOF'
table inet catalog_test {
	chain input {
		type filter hook input priority 0;
		tcp dport 9090 counter reject with tcp reset
	}
}
EOF
expect "a priority nftables already uses" 1 \
	'^netfilter: the kernel refuses priority 0 at ipv4/input: another hook \(nftables, iptables or BPF\) already uses it' \
	in_ns h2 $BIN --hook input --priority 0 -d 1
start in4 h2 --hook input --drop-port 8080
check_fails "input ipv4: port 8080 is dropped" http h1 http://$H2:8080/
check "input ipv4: port 80 works" http h1 http://$H2/
out=$(in_ns h1 curl -s --connect-timeout 1 -m 3 http://$H2:9090/ 2>&1); rc=$?
check_eq "input ipv4: the nftables rule still resets port 9090 (curl: connection refused)" 7 "$rc"
check_match "input ipv4: the nftables rule counted it" 'counter packets [1-9]' \
	"$(in_ns h2 nft list table inet catalog_test)"
stop in4

start in6 h2 --hook input --ipv6 --drop-port 8080
check_fails "input ipv6: port 8080 is dropped" http h1 http://$H2v6:8080/
check "input ipv6: port 80 works" http h1 http://$H2v6/
out=$(in_ns h1 curl -s --connect-timeout 1 -m 3 http://$H2v6:9090/ 2>&1); rc=$?
check_eq "input ipv6: the nftables rule still resets port 9090" 7 "$rc"
stop in6
check "input: after exit port 8080 works" http h1 http://$H2:8080/

# --- forward hook on the router
start fwd r --hook forward --drop-port 80
check_fails "forward: h1 -> h2 port 80 is dropped at r" http h1 http://$H2/
check "forward: h1 -> h2 port 8080 works" http h1 http://$H2:8080/
stop fwd
check "forward: after exit port 80 works" http h1 http://$H2/

# --- --defrag at prerouting on h2: one 3000-byte datagram arrives in 3 fragments
big_udp() { head -c 3000 /dev/zero | in_ns h1 socat -u -b 4000 - UDP4-SENDTO:$H2:5353; }
start frag h2 --hook prerouting --drop-port 5353
check "send a 3000-byte UDP datagram (fragmented)" big_udp
sleep 0.3
bg_stop frag
check_match "without --defrag: the first fragment is dropped, the 2 others pass unparsed" \
	'^total accepted 0 .*dropped 1 .*unparsed 2, long-chain 0 \| tcp/5353 0 udp/5353 1$' "$(bg_out frag | grep '^total')"
start defrag h2 --hook prerouting --drop-port 5353 --defrag
check "send it again" big_udp
sleep 0.3
bg_stop defrag
check_match "with --defrag: the reassembled datagram is dropped whole" \
	'^total accepted 0 .*dropped 1 \(3028 bytes\), unparsed 0, long-chain 0 \| tcp/5353 0 udp/5353 1$' \
	"$(bg_out defrag | grep '^total')"

# --- SIGKILL: the link dies with the process
start killed h1 --drop-port 80
check_fails "before SIGKILL: port 80 is dropped" http h1 http://$H2/
bg_stop killed KILL
check "after SIGKILL: port 80 works (the link went with the process)" http h1 http://$H2/

done_testing
