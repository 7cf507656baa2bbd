# --trace scenario helpers (sourced after lib.sh, in a `pair` lab).

# trace_total OUT: "SHOWN MISSED" from the final "trace: ..." line.
trace_total() {
	sed -nE 's/^trace: ([0-9]+) packets shown, ([0-9]+) not shown .*/\1 \2/p' <<<"$1" | tail -n 1
}

# trace_flood NAME BANNER TOTAL_FN LOADER ARGS...: start LOADER on host a
# with --trace-rate 5 and ARGS, flood it with 20,000 UDP datagrams from b
# (ping without replies would pace itself), stop it, and check that at
# most 5 lines a second were shown, that the rest were counted as not
# shown, and that shown + not shown is what TOTAL_FN reads from the
# loader's final line.
trace_flood() {
	local name=$1 banner=$2 total_fn=$3 out shown missed lines t0 t1
	shift 3
	bg_start flood --ns a "$@"
	wait_output flood "$banner" || fail "$name with --trace-rate started" "$(bg_out flood)"
	t0=$(date +%s)
	in_ns b python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(20000):
	s.sendto(b"flood", ("192.0.2.1", 9))'
	sleep 1.2	# one stats tick after the flood
	bg_stop flood
	t1=$(date +%s)
	check_eq "flood: SIGINT exits 0" 0 "$BG_RC"
	out=$(bg_out flood)
	printf '%s\n' "$out" | grep -v '^trace: pass udp' | sed 's/^/#   /'
	read -r shown missed <<<"$(trace_total "$out")"
	lines=$(grep -cE '^trace: (drop|pass) ' <<<"$out")
	info "flood: $lines lines in $((t1 - t0)) s, summary: shown $shown, not shown $missed"
	check_eq "flood: the summary counts every line shown" "$lines" "${shown:-none}"
	check_range "flood: at most 5 lines a second ($lines in $((t1 - t0)) s)" \
		1 $((5 * (t1 - t0 + 1))) "$lines"
	check_range "flood: the rest was not shown, and counted" \
		$((20000 - 5 * (t1 - t0 + 1))) 100000 "${missed:-0}"
	check_match "flood: a stats tick says how many were not shown" \
		'^trace: [0-9]+ more packets not shown \(at most 5 lines a second\)$' "$out"
	check_eq "flood: shown + not shown = the packets $name counted" \
		"$("$total_fn" "$out")" "$((shown + missed))"
}
