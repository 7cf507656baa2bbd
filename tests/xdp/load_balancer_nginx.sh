#!/usr/bin/env bash
# xdp_load_balancer in front of three real nginx servers (the `lb3` lab,
# one nginx per backend namespace, each with its own config and content,
# started here and stopped by PID): 3,000 ab requests spread 25-42 % each,
# a keep-alive connection stays on one backend, 50 MiB arrive intact, a
# backend added with SIGHUP after a port-reusing ab run gets its share of
# the next 3,000 connections, and a download survives a restart with --pin.
. "$(dirname "$0")/../lib/lib.sh"

LB=./xdp/xdp_load_balancer
VIP=192.0.2.80
URL=http://$VIP
NGINX=$(PATH="$PATH:/usr/sbin:/sbin" command -v nginx) ||
	skip_all "nginx not installed (package nginx-light, or nginx)"
command -v ab >/dev/null || skip_all "ab not installed (package apache2-utils)"

lab_up lb3

# One nginx per backend: its own config, log, content and PID.
head -c 50M /dev/urandom >"$TMP/big.bin"
BIG_SHA=$(sha256sum <"$TMP/big.bin" | cut -d' ' -f1)
for i in 1 2 3; do
	d=$TMP/b$i
	mkdir -p "$d/www" "$d/tmp"
	echo "b$i" >"$d/www/index.html"
	ln "$TMP/big.bin" "$d/www/big.bin"
	cat >"$d/nginx.conf" <<EOF
daemon off;
user root;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 1024; }
http {
	access_log $d/access.log;
	client_body_temp_path $d/tmp;
	keepalive_requests 1000;
	server {
		listen 198.51.100.1$i:80;
		root $d/www;
	}
}
EOF
	bg_start "nginx$i" --ns "b$i" "$NGINX" -e "$d/error.log" -c "$d/nginx.conf"
done
for i in 1 2 3; do
	wait_for 10 in_ns "b$i" bash -c "ss -Hltn 'sport = :80' | grep -q ." ||
		fail "nginx on b$i listening" "$(cat "$TMP/b$i/error.log" 2>/dev/null)"
done

# reqs I: requests backend bI's nginx has logged so far.
reqs() { wc -l <"$TMP/b$1/access.log"; }
snapshot() { R1=$(reqs 1) R2=$(reqs 2) R3=$(reqs 3); }

printf '198.51.100.11\n198.51.100.12\n198.51.100.13\n' >"$TMP/backends"
bg_start lb --ns lb $LB eth0 --vip $VIP:80 --backend-file "$TMP/backends"
wait_output lb 'balancing' 60 || fail "loader started" "$(bg_out lb)"

# 3,000 connections, one request each.
snapshot
in_ns client ab -q -n 3000 -c 20 "$URL/" >"$TMP/ab1" 2>&1
check_match "ab: 3000 requests, none failed" "Failed requests: +0" "$(cat "$TMP/ab1")"
check_match "ab: every reply HTTP 200" "Complete requests: +3000" "$(cat "$TMP/ab1")"
for i in 1 2 3; do
	eval "n$i=\$((\$(reqs $i) - R$i))"
done
info "3000 requests: b1 $n1, b2 $n2, b3 $n3"
for i in 1 2 3; do
	eval "n=\$n$i"
	check_range "b$i served 25-42 % of 3000 (750-1260)" 750 1260 "$n"
done

# One keep-alive connection, 50 requests: one backend answers them all.
in_ns client curl -s -m 10 -w '%{num_connects}\n' "$URL/?obj=[1-50]" | paste -d' ' - - >"$TMP/ka"
info "keep-alive: $(sort "$TMP/ka" | uniq -c | tr '\n' ' ')"
check_eq "keep-alive: 50 replies" 50 "$(grep -c '^b[123] [01]$' "$TMP/ka")"
check_eq "keep-alive: one TCP connection" 1 "$(awk '{s += $2} END {print s}' "$TMP/ka")"
check_eq "keep-alive: every reply from one backend" 1 "$(awk '{print $1}' "$TMP/ka" | sort -u | wc -l)"

check "50 MiB download through the LB" in_ns client curl -s -m 60 -o "$TMP/got" "$URL/big.bin"
check_eq "50 MiB: sha256 matches" "$BIG_SHA" "$(sha256sum <"$TMP/got" | cut -d' ' -f1)"
rm -f "$TMP/got"
bg_stop lb
check_eq "loader: SIGINT exit 0" 0 "$BG_RC"

# A client that reuses its ports: 1,000 of them for 3,000 connections, so
# every port meets the connection table again. Two backends first, then
# b3 joins; the next 3,000 connections are new ones and must reach it.
in_ns client sysctl -qw net.ipv4.ip_local_port_range="40000 40999"
printf '198.51.100.11\n198.51.100.12\n' >"$TMP/backends"
bg_start lb --ns lb $LB eth0 --vip $VIP:80 --backend-file "$TMP/backends"
wait_output lb 'balancing' 60 || fail "loader started (two backends)" "$(bg_out lb)"
opens0=$(nstat_get client TcpActiveOpens)
in_ns client ab -q -n 3000 -c 20 "$URL/" >"$TMP/ab2" 2>&1
check_match "port-reusing ab over two backends: none failed" "Failed requests: +0" "$(cat "$TMP/ab2")"
echo 198.51.100.13 >>"$TMP/backends"
kill -HUP "$(bg_pid lb)"
wait_output lb "backends now: 198.51.100.11 198.51.100.12 198.51.100.13" ||
	fail "loader re-read the backend file" "$(bg_out lb | tail -3)"
snapshot
in_ns client ab -q -n 3000 -c 20 "$URL/" >"$TMP/ab3" 2>&1
check_match "ab after b3 joined: none failed" "Failed requests: +0" "$(cat "$TMP/ab3")"
n3=$(($(reqs 3) - R3))
info "after b3 joined: b1 $(($(reqs 1) - R1)), b2 $(($(reqs 2) - R2)), b3 $n3 of 3000"
check_range "b3, added with SIGHUP, served >= 20 % of the next 3000 (600)" 600 3000 "$n3"
opens=$(($(nstat_get client TcpActiveOpens) - opens0))
sleep 1.2
# The loader counts connections, not table entries: as many as the client
# opened (ab opens a few more than its 6000 requests), not ~1000 ports.
conns=$(bg_out lb | grep 'to backends' | tail -1 |
	grep -Eo 'conns [0-9]+' | awk '{s += $2} END {print s}')
info "client opened $opens connections, the loader counted $conns"
check_eq "loader's conns: every connection the client opened" "$opens" "$conns"
bg_stop lb
check_eq "loader: SIGINT exit 0 (after SIGHUP)" 0 "$BG_RC"
in_ns client sysctl -qw net.ipv4.ip_local_port_range="32768 60999"

# A rate-limited download while the loader restarts with --pin.
mkdir -p "$TMP/bpffs"
mount -t bpf bpf "$TMP/bpffs" && on_cleanup umount "$TMP/bpffs"
PIN=$TMP/bpffs/xlb
bg_start lb --ns lb $LB eth0 --vip $VIP:80 --backend-file "$TMP/backends" --pin "$PIN"
wait_output lb 'pinned in' 60 || fail "loader with --pin started" "$(bg_out lb)"
bg_start dl --ns client curl -sS -m 60 --limit-rate 12M -o "$TMP/got" "$URL/big.bin"
sleep 1
bg_stop lb
check_eq "--pin: SIGINT exit 0" 0 "$BG_RC"
check_match "--pin: program still attached while no loader runs" "prog/xdp" \
	"$(ip -n "$LAB-lb" -d link show eth0)"
bg_start lb --ns lb $LB eth0 --vip $VIP:80 --backend-file "$TMP/backends" --pin "$PIN"
wait_output lb 'took over' 60 || fail "second loader took over" "$(bg_out lb)"
check_match "second loader inherited the download's connection" "with [1-9][0-9]* connections?" \
	"$(bg_out lb)"
wait_pid "$(bg_pid dl)" 60
check_eq "download across the restart: curl exit 0" 0 "$WAIT_RC"
check_eq "download across the restart: sha256 matches" "$BIG_SHA" \
	"$(sha256sum <"$TMP/got" | cut -d' ' -f1)"
bg_stop lb
check "--unpin removes the pins" in_ns lb $LB eth0 --unpin "$PIN"
check_fails "--unpin: nothing left on eth0" bash -c "ip -n $LAB-lb link show eth0 | grep -q xdp"
check_eq "--unpin: the pin directory is gone" no "$([ -e "$PIN" ] && echo yes || echo no)"

for i in 1 2 3; do
	bg_stop "nginx$i" QUIT
	check_eq "nginx on b$i stopped by PID" 0 "$BG_RC"
done
done_testing
