#!/usr/bin/env bash
# The bad-input matrix: every loader the Makefile builds, given what a
# hurried or hostile user types. Each case must end with the expected
# exit status and one sentence on stderr that starts with the program's
# name (GNU's "Try 'PROG --help'" hint may follow as a second line), no
# line longer than 300 bytes, nothing on stdout (nothing started), and
# nothing left behind (the runner's leak check, and the lab's routes and
# qdiscs here). The numeric options are read from each loader's --help,
# so a new option is covered without editing this file.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/loaders.bash"

lab_up pair
CG2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
LONG=$(printf 'x%.0s' $(seq 5000))
ncases=0
CASE_T=10
[ -z "${LOADER_ROOT:-}" ] || CASE_T=60

# bad LOADER CODE REGEX CMD...: one case. The checks are bash builtins:
# under QEMU (make vmtest) every process started costs a good fraction of
# a second, and this file makes more than a thousand cases.
bad() {
	local name=$1 code=$2 re=$3 prog=$P rc l max=0 why=
	local -a err
	shift 3
	[ "$KIND" = cgroup ] || set -- ip netns exec "$LAB-a" "$@"
	# LeakSanitizer's exit scan (make test-asan) is slow on a loaded machine.
	timeout -k 2 "$CASE_T" "$@" >"$W/out" 2>"$W/err" </dev/null && rc=0 || rc=$?
	ncases=$((ncases + 1))
	mapfile -t err <"$W/err"
	for l in "${err[@]}"; do [ "${#l}" -le "$max" ] || max=${#l}; done
	if [ "$rc" != "$code" ]; then why="exit $rc, expected $code"
	elif [[ ${err[0]-} != "$prog: "* ]]; then why="first line does not start with '$prog: '"
	elif ! [[ ${err[0]} =~ $re ]]; then why="no /$re/"
	elif [ "${#err[@]}" -gt 2 ] || { [ "${#err[@]}" = 2 ] &&
		[ "${err[1]}" != "Try '$prog --help' for more information." ]; }; then
		why="${#err[@]} lines on stderr"
	elif [ "$max" -gt 300 ]; then why="a line longer than 300 bytes"
	elif [ -s "$W/out" ]; then why="printed on stdout: $(head -c 200 "$W/out")"
	fi
	if [ -n "$why" ]; then
		fail "$name" "$why; stderr: $(head -c 300 "$W/err")"
	else
		pass "$name"
	fi
}

# numeric_options BIN: "-x METAVAR" or "--long METAVAR" for every option
# whose argument is a number (metavariables SECONDS N PORT BYTES P PID FD).
numeric_options() {
	"$1" --help | sed -nE 's/^ +(-(.), )?--([a-z0-9-]+)=(SECONDS|N|PORT|BYTES|P|PID|FD)( .*)?$/--\3/p'
}

no_leftovers() {
	local r
	r=$(in_ns a ip route show proto 235; in_ns a ip -6 route show proto 235; in_ns a tc qdisc show dev eth0 | grep -v noqueue; in_ns a ip link show eth0 | grep -o 'xdp[a-z]*')
	[ -z "$r" ] || { echo "$r"; return 1; }
	[ -z "$(find "$CG2" -maxdepth 1 -name "$1-*" 2>/dev/null)" ]
}

# matrix DIR/NAME: every case of one loader (run in parallel with others:
# its own work directory W, its results on stdout).
matrix() {
	local L=$1 B P O v n range min max low rc
	W=$TMP/${L//\//_}
	mkdir -p "$W"
	B=$(loader_bin "$L")
	P=$(basename "$L")
	[ -x "$B" ] || { fail "$L built" "$B missing (make)"; return; }
	if ! loader_entry "$L"; then
		fail "$L: in the loader table" "add a line to tests/hostile/loaders.bash"
		return
	fi

	case $KIND in
	iface | route | cgroup)
		bad "$L: no target" 2 . "$B" -d 1 ;;
	esac
	bad "$L: unknown option" 2 "unrecognized option: --hh-no-such-option$" "$B" -d 1 --hh-no-such-option "${BASE[@]}"
	case $KIND in
	iface)
		bad "$L: no such interface" 2 "no such interface: hh-nosuch0" \
			"$B" -d 1 "${BASE[@]/eth0/hh-nosuch0}"
		bad "$L: overlong interface name" 2 "no such interface: x{64}\.\.\.$" \
			"$B" -d 1 "${BASE[@]/eth0/$LONG}" ;;
	route)
		bad "$L: no such device" 2 "no such interface: hh-nosuch0" \
			"$B" -d 1 "${BASE[@]/eth0/hh-nosuch0}"
		bad "$L: overlong device name" 2 "no such interface: x{64}\.\.\.$" \
			"$B" -d 1 "${BASE[@]/eth0/$LONG}" ;;
	cgroup)
		bad "$L: nonexistent cgroup" 2 "not a cgroup v2 directory" \
			"$B" -d 1 --cgroup "$CG2/hh-no-such-cgroup"
		bad "$L: a file instead of a cgroup" 2 "not a cgroup v2 directory: /etc/passwd" \
			"$B" -d 1 --cgroup /etc/passwd
		bad "$L: cgroup.procs instead of a cgroup" 2 "not a cgroup v2 directory" \
			"$B" -d 1 --cgroup "$CG2/cgroup.procs"
		bad "$L: overlong cgroup path" 2 "not a cgroup v2 directory: /x{63}\.\.\.$" \
			"$B" -d 1 --cgroup "/$LONG"
		bad "$L: nonexistent COMMAND" 2 "COMMAND not found or not executable: hh-no-such-command" \
			"$B" -d 1 -- hh-no-such-command
		bad "$L: nothing after --" 2 "give --cgroup PATH or -- COMMAND" "$B" -d 1 -- ;;
	esac
	if [ "$KIND" != iface ]; then
		bad "$L: overlong stray argument" 2 "(unexpected argument|no such BPF object): x{64}\.\.\.( |$)" \
			"$B" -d 1 "$LONG" "${BASE[@]}"
	fi
	bad "$L: option without its value" 2 "option -i needs a value \(SECONDS\)" "$B" -d 1 -i
	"$B" --help >"$W/help" 2>"$W/err" </dev/null && rc=0 || rc=$?
	check_eq "$L: --help: exit 0, nothing on stderr" "0 0" "$rc $(wc -c <"$W/err")"
	# argp wraps lines longer than 79 columns: a wrapped example breaks the
	# command where a reader copies it (after "--", inside a path).
	check_eq "$L: --help: no EXAMPLES line wrapped" "" \
		"$(awk '/^EXAMPLES:/ {on = 1; next} on && /^$/ {on = 0} on && !/^  / {print}' "$W/help")"
	# An option text that ends right at the margin makes argp print a
	# line of blanks after it.
	check_eq "$L: --help: no line of blanks" "" "$(grep -E '^ +$' "$W/help")"
	bad "$L: not root" 1 "needs root \(or CAP_BPF and CAP_NET_ADMIN\)" \
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$B" -d 1 "${BASE[@]}"

	for O in $(numeric_options "$B") -d -i; do
		bad "$L: $O abc" 2 "not a number: abc" "$B" -d 1 "$O" abc "${BASE[@]}"
		bad "$L: $O ''" 2 "not a number: $" "$B" -d 1 "$O" "" "${BASE[@]}"
		bad "$L: $O 1x" 2 "not a number: 1x" "$B" -d 1 "$O" 1x "${BASE[@]}"
		bad "$L: $O +5" 2 "not a number: \+5" "$B" -d 1 "$O" +5 "${BASE[@]}"
		bad "$L: $O huge" 2 "is out of range \(-?[0-9]+\.\.[0-9]+\)" \
			"$B" -d 1 "$O" 99999999999999999999 "${BASE[@]}"
		range=
		[[ $(<"$W/err") =~ \((-?[0-9]+\.\.[0-9]+)\) ]] && range=${BASH_REMATCH[1]}
		min=${range%..*} max=${range#*..}
		[ -n "$range" ] || { fail "$L: $O: a range in the message"; continue; }
		# Below the minimum: a negative number for the unsigned ones.
		low=$((min > 0 ? -1 : min - 1))
		[ "$min" -le -9223372036854775807 ] && low=-99999999999999999999
		bad "$L: $O $low" 2 "$low is out of range" "$B" -d 1 "$O" "$low" "${BASE[@]}"
		# Decimal, never octal: 08 is eight; 0 + (max + 1) is too big,
		# where base 0 read it in octal as a smaller number or refused it.
			bad "$L: $O 08 is a number" 2 "unrecognized option: --hh-no-such-option$|: 08 is out of range" \
			"$B" -d 1 "$O" 08 --hh-no-such-option "${BASE[@]}"
		if [ "$max" -lt 9223372036854775807 ]; then
			bad "$L: $O 0$((max + 1)) is decimal" 2 "0$((max + 1)) is out of range" \
				"$B" -d 1 "$O" "0$((max + 1))" "${BASE[@]}"
		fi
	done

	# List values: empty, empty items, duplicates.
	case $P in
	cgroup_sock_addr)
		for v in "" , ,, ipv6, ,udp ipv6,,raw; do
			bad "$L: --deny '$v'" 2 "--deny: empty item" "$B" -d 1 --deny "$v" -- true
		done
		bad "$L: --deny ipv6,ipv6" 2 "--deny: ipv6 is given twice" "$B" -d 1 --deny ipv6,ipv6 -- true
		bad "$L: --deny nosuch" 2 "--deny: unknown class: nosuch" "$B" -d 1 --deny nosuch -- true ;;
	cgroup_sockopt)
		for v in "" , ip_ttl,,tcp_nodelay; do
			bad "$L: --deny '$v'" 2 "--deny: empty item" "$B" -d 1 --deny "$v" -- true
		done
		bad "$L: --deny ip_ttl,IP_TTL" 2 "--deny: IP_TTL is given twice" "$B" -d 1 --deny ip_ttl,IP_TTL -- true
		bad "$L: --deny ip_ttl,0:2" 2 "given twice" "$B" -d 1 --deny ip_ttl,0:2 -- true ;;
	lwt_seg6_encap)
		bad "$L: --segs ''" 2 "segs: empty item" "$B" -d 1 --route 2001:db8:77::/64 --dev eth0 --segs ""
		bad "$L: --segs a,,b" 2 "segs: empty item" "$B" -d 1 --route 2001:db8:77::/64 --dev eth0 \
			--segs 2001:db8::1,,2001:db8::2 ;;
	netfilter)
		bad "$L: --drop-port 80 twice" 2 "drop-port: 80 is given twice" "$B" -d 1 -P 80 -P 80 ;;
	esac

	check_range "$L: at least 8 bad invocations ($ncases)" 8 100000 "$ncases"
}

# Four loaders at a time; each one's lines stay together in the log.
jobs_=()
for L in $(loaders_built); do
	matrix "$L" >"$TMP/${L//\//_}.res" 2>&1 &
	jobs_+=($!)
	while [ "$(jobs -rp | wc -l)" -ge 4 ]; do sleep 0.2; done
done
wait "${jobs_[@]}"
total=0
for L in $(loaders_built); do
	cat "$TMP/${L//\//_}.res"
	n=$(grep -Eo 'at least 8 bad invocations \(([0-9]+)\)' "$TMP/${L//\//_}.res" | grep -Eo '[0-9]+\)' | tr -d ')')
	total=$((total + ${n:-0}))
	T_FAILS=$((T_FAILS + $(grep -c '^FAIL ' "$TMP/${L//\//_}.res")))
	check "$L: nothing left behind" no_leftovers "$(basename "$L")"
done
info "$total bad invocations over $(loaders_built | wc -l) loaders"
done_testing
