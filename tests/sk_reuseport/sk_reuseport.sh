#!/usr/bin/env bash
# sk_reuseport end to end: worker sockets on host b's two addresses, the
# program picks the worker; host a asks with udp_ask and nc. Every worker
# answers "worker N", so the client sees which one the program chose.
. "$(dirname "$0")/../lib/lib.sh"
BIN=./sk_reuseport/sk_reuseport
ASK=.output/tests/sk_reuseport/udp_ask
V4=192.0.2.2 V6=2001:db8:1::2

expect "--workers 0 is a usage error" 2 "out of range" $BIN --workers 0
expect "--workers 33 is a usage error" 2 "out of range" $BIN --workers 33
expect "--workers x is a usage error" 2 "not a number" $BIN --workers x
expect "--policy foo is a usage error" 2 "unknown policy" $BIN --policy foo
expect "--addr 300.1.1.1 is a usage error" 2 "not an IP address" $BIN --addr 300.1.1.1
expect "--port 70000 is a usage error" 2 "out of range" $BIN --port 70000
expect "non-root is refused" 1 "needs root" setpriv --reuid=65534 --regid=65534 \
	--clear-groups --inh-caps=-all --bounding-set=-all $BIN

lab_up pair
expect "an address the host does not have" 1 "not an address of this host" \
	in_ns b $BIN --addr 203.0.113.77 -d 1
bg_start squat --ns b socat TCP-LISTEN:5301,bind=$V4 STDOUT
wait_listen b 5301 || fail "socat listening on 5301"
expect "a port taken without SO_REUSEPORT" 1 "address already in use" \
	in_ns b $BIN --addr $V4 --port 5301 -d 1
bg_stop squat

# A second instance on the same address and port (same user: SO_REUSEPORT
# would let it join the group and replace the program): refused, and the
# first keeps answering.
bg_start first --ns b $BIN --addr $V4 --port 5310
wait_output first "Ctrl-C to stop" || fail "first instance started" "$(bg_out first)"
expect "a second instance on the same port is refused" 1 \
	"\\[$V4\\]:5310 \\(TCP\\): address already in use.*not joining its reuseport group" \
	in_ns b $BIN --addr $V4 --port 5310 -d 2
check_match "after it, the first instance still answers TCP" '^worker [0-3]$' \
	"$(echo hi | in_ns a timeout 5 nc -N -w3 $V4 5310)"
check_match "... and UDP" '^worker [0-3]$' "$(echo 1 | in_ns a timeout 5 nc -u -w1 $V4 5310)"
bg_stop first
check_eq "the first instance exits 0" 0 "$BG_RC"
# Two started at the same moment: they take turns to probe and bind, so
# exactly one runs and the other is refused.
bg_start twin1 --ns b $BIN --addr $V4 --port 5311 -d 3
bg_start twin2 --ns b $BIN --addr $V4 --port 5311 -d 3
wait_pid "$(bg_pid twin1)" 15
rc1=$WAIT_RC
wait_pid "$(bg_pid twin2)" 15
check_eq "two started at once: one runs (0), one is refused (1)" "0 1" \
	"$(printf '%s\n' "$rc1" "$WAIT_RC" | sort | tr '\n' ' ' | sed 's/ $//')"
check_match "the first instance served both" 'total picks:.* \| migrated 0 refused 0 \| no group 0 no worker 0' \
	"$(bg_out first)"

# start NAME ARGS...: the loader in b, ready to serve
start() {
	local name=$1
	shift
	bg_start "$name" --ns b $BIN --addr $V4 --addr $V6 "$@"
	wait_output "$name" "Ctrl-C to stop" || fail "$name started" "$(bg_out "$name")"
}
# wrong: lines of udp_ask output whose worker is not KEY % N
wrong() { awk -v n="$1" '$3 != $1 % n' | wc -l; }

# --- policy key: the payload (UDP) or the source port (TCP) names the worker
start key --workers 4 --policy key
out=$(in_ns a $ASK -k -n 100 $V4 5300)
check_eq "key, udp/ipv4: 100 requests answered" 100 "$(grep -vc none <<<"$out")"
check_eq "key, udp/ipv4: each reached the worker its key names" 0 "$(wrong 4 <<<"$out")"
out=$(in_ns a $ASK -k -n 100 $V6 5300)
check_eq "key, udp/ipv6: 100 requests answered" 100 "$(grep -vc none <<<"$out")"
check_eq "key, udp/ipv6: each reached the worker its key names" 0 "$(wrong 4 <<<"$out")"
bad=0
for p in 42000 42001 42002 42003 42005 42010; do
	got=$(echo hi | in_ns a timeout 5 nc -N -w3 -p $p $V4 5300)
	[ "$got" = "worker $((p % 4))" ] || { bad=$((bad + 1)); info "tcp from $p: '$got'"; }
done
check_eq "key, tcp: the source port names the worker (6 connections)" 0 "$bad"
bg_stop key INT
check_eq "SIGINT: exit status 0" 0 "$BG_RC"
check_match "final stats: 206 picks, 50+50+50+50 by UDP key plus TCP" \
	"total picks: w0 51 w1 52 w2 52 w3 51 \| migrated 0 refused 0 \| no group 0 no worker 0" \
	"$(bg_out key)"

# --- policy hash: one tuple, one worker; many tuples, every worker
start hash --workers 4 --policy hash
out=$(in_ns a $ASK -s 45000 -n 20 $V4 5300)
check_eq "hash: 20 requests from one source port answered" 20 "$(grep -vc none <<<"$out")"
check_eq "hash: the same tuple always reaches the same worker" 1 \
	"$(awk '{print $3}' <<<"$out" | sort -u | wc -l)"
out=$(in_ns a $ASK -S 46000 -n 200 $V4 5300)
check_eq "hash: 200 distinct source ports answered" "200 200" \
	"$(grep -vc none <<<"$out") $(awk '{print $2}' <<<"$out" | sort -u | wc -l)"
check_eq "hash: 200 source ports reach every one of the 4 workers" "0 1 2 3" \
	"$(awk '{print $3}' <<<"$out" | sort -u | tr '\n' ' ' | sed 's/ $//')"
bg_stop hash TERM
check_eq "SIGTERM: exit status 0" 0 "$BG_RC"

# --- policy cpu: only workers numbered below the CPU count can be picked
ncpu=$(nproc)
start cpu --workers $((ncpu + 2)) --policy cpu
out=$(in_ns a $ASK -S 47000 -n 50 $V4 5300)
check_eq "cpu: 50 requests answered" 50 "$(grep -vc none <<<"$out")"
check_eq "cpu: no worker numbered $ncpu or more was picked" 0 \
	"$(awk -v n="$ncpu" '$3 >= n' <<<"$out" | wc -l)"
bg_stop cpu KILL
check_eq "after SIGKILL no listener is left" "" "$(in_ns b ss -Hltn 'sport = :5300')"

# --- migration: 10 connections queued (5 per worker), then worker 0 closes
# migrate_run NAME PORT ARGS...: clients from PORT..PORT+9 (fresh ports: the
# last run's are in TIME_WAIT); sets REPLIES (answered) and W1 (by worker 1)
migrate_run() {
	local name=$1 first=$2 p cpids=()
	shift 2
	start "$name" --workers 2 --policy key --hold "$@"
	for p in $(seq "$first" $((first + 9))); do
		# Generous: a queued client waits for all ten and the switch (under
		# QEMU on 6.1, 8 s were not enough); a reset or a reply ends it.
		(echo hi | in_ns a timeout 40 nc -N -w30 -p "$p" $V4 5300 >"$TMP/c$p" 2>&1) &
		cpids+=($!)
	done
	queued() { in_ns b ss -Hltn "src $V4 and sport = :5300" | awk '{q += $2} END {exit q != 10}'; }
	wait_for 20 queued || fail "$name: 10 connections queued" "$(in_ns b ss -Hltn)"
	kill -USR1 "$(bg_pid "$name")"
	wait "${cpids[@]}"
	REPLIES=$(cat "$TMP"/c4* | grep -c '^worker') W1=$(cat "$TMP"/c4* | grep -c '^worker 1$')
	rm -f "$TMP"/c4*
	bg_stop "$name" INT
}
s0=$(nstat_get b TcpExtTCPMigrateReqSuccess) r0=$(nstat_get b TcpOutRsts)
migrate_run mig 43000
check_eq "migration on: all 10 queued connections answered" 10 "$REPLIES"
check_eq "migration on: all answered by worker 1" 10 "$W1"
check_eq "migration on: the kernel counts 5 migrated requests" 5 \
	$(($(nstat_get b TcpExtTCPMigrateReqSuccess) - s0))
check_match "migration on: the program counts 5 migrated" "migrated 5 refused 0" "$(bg_out mig)"
check_eq "migration on: b sent no reset" 0 $(($(nstat_get b TcpOutRsts) - r0))

f0=$(nstat_get b TcpExtTCPMigrateReqFailure) r0=$(nstat_get b TcpOutRsts)
migrate_run nomig 44000 --no-migrate
check_eq "migration off: only worker 1's 5 connections answered" "5 5" "$REPLIES $W1"
check_eq "migration off: the kernel counts 5 failed migrations (reset)" 5 \
	$(($(nstat_get b TcpExtTCPMigrateReqFailure) - f0))
check_match "migration off: the program counts 5 refused" "migrated 0 refused 5" "$(bg_out nomig)"
check_eq "migration off: b reset the 5 connections worker 0 had queued" 5 \
	$(($(nstat_get b TcpOutRsts) - r0))

done_testing
