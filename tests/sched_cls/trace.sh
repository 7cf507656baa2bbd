#!/usr/bin/env bash
# sched_cls --trace, on both attach paths: a line per packet with its
# verdict ("drop" for TC_ACT_SHOT, "pass" for TC_ACT_UNSPEC), addresses
# and ports; every packet shown or counted as not shown; a flood prints
# at most the rate a second and says how many packets it did not show.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/trace.sh"

# cls_total OUT: every packet sched_cls counted, from its "total icmp ..." line.
cls_total() {
	grep '^total icmp ' <<<"$1" | tail -n 1 | grep -oE '[a-z][a-z0-9-]* [0-9]+ \(' | awk '{s += $2} END {print s + 0}'
}

lab_up pair
bg_start srv4 --ns a nc -l -k 192.0.2.1 8080
bg_start srv6 --ns a nc -l -k 2001:db8:1::1 8081
wait_listen a 8081 || true

for path in tcx legacy; do
	opt=
	[ $path = legacy ] && opt=--legacy-tc
	in_ns b ip neigh flush dev eth0
	bg_start cls --ns a ./sched_cls/sched_cls $opt --trace --drop-port 8080 eth0
	wait_output cls 'counting on' || fail "$path: loader started" "$(bg_out cls)"
	check "$path: ping passes" in_ns b ping -c 3 -i 0.2 -W 2 192.0.2.1
	check_fails "$path: tcp to 8080 is dropped" in_ns b bash -c 'echo hi | nc -N -w 2 192.0.2.1 8080'
	check "$path: tcp to 8081 over ipv6 connects" \
		in_ns b bash -c 'echo hi | nc -N -w 3 2001:db8:1::1 8081'
	bg_stop cls
	check_eq "$path: SIGINT exits 0" 0 "$BG_RC"
	out=$(bg_out cls)
	printf '%s\n' "$out" | sed 's/^/#   /'
	check_eq "$path: 3 lines: pass icmp 192.0.2.2 > 192.0.2.1 echo-request len 98" 3 \
		"$(grep -cx 'trace: pass icmp 192\.0\.2\.2 > 192\.0\.2\.1 echo-request len 98' <<<"$out")"
	check_match "$path: the SYN to 8080 is dropped, with its ports" \
		'trace: drop tcp 192\.0\.2\.2:[0-9]+ > 192\.0\.2\.1:8080 len 74' "$out"
	check_match "$path: tcp over ipv6 to 8081 passes, [address]:port" \
		'trace: pass tcp \[2001:db8:1::2\]:[0-9]+ > \[2001:db8:1::1\]:8081 len [0-9]+' "$out"
	check_match "$path: ARP passes" 'trace: pass arp who-has 192\.0\.2\.1 tell 192\.0\.2\.2' "$out"
	check_fails "$path: no line drops anything but port 8080" \
		grep -E '^trace: drop ' <<<"$(grep -vE '^trace: drop tcp [0-9.]+:[0-9]+ > 192\.0\.2\.1:8080 ' <<<"$out")"
	read -r shown missed <<<"$(trace_total "$out")"
	check_eq "$path: the summary counts every line shown" \
		"$(grep -cE '^trace: (drop|pass) ' <<<"$out")" "${shown:-none}"
	check_eq "$path: shown + not shown = the packets sched_cls counted" \
		"$(cls_total "$out")" "$((shown + missed))"
done

trace_flood sched_cls 'counting on' cls_total ./sched_cls/sched_cls --trace-rate 5 eth0
done_testing
