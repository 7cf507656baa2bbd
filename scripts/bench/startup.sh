#!/usr/bin/env bash
# Start-up: time from exec to the loader's first line of output (its
# banner, printed once the program is attached), for every loader that is
# built, in a namespace with a veth pair. The target comes from the
# loader's usage line (IFACE, --route/--dev, -- COMMAND, or nothing), plus
# the few options some loaders must have (table below).
#
# Writes $OUT/startup.csv: loader,round,ms,status
. "$(dirname "$0")/lib.sh"

# Options a loader cannot start without, beyond its target.
declare -A EXTRA=(
	[xdp/xdp_load_balancer]="--vip 192.0.2.80 -b 192.0.2.3"
	[sk_lookup/sk_lookup]="--steer 8000-8009"
)
# Loaders whose whole command line is given here (DEV: the veth).
declare -A ARGS=(
	[lwt_seg6local/lwt_seg6local]="--sid 2001:db8:9::1 --dev DEV"
	[lwt_seg6local/lwt_seg6_encap]="--route 2001:db8:7::/64 --dev DEV --segs 2001:db8:9::1"
)

target_args() {
	local usage
	usage=$("$ROOT/$1" --help 2>/dev/null | head -n1)
	case $usage in
	*"--route PREFIX"*) echo "--route 198.51.100.0/24 --dev $DEV_R" ;;
	*IFACE*) echo "$DEV_R" ;;
	# cgroup v2 is not visible under ip netns exec: these run outside,
	# and their COMMAND (alone in its fresh cgroup) inside.
	*"-- COMMAND"*) echo "-- ip netns exec $NS_R sleep 5" ;;
	*) echo "" ;;
	esac
}

# One start: prints milliseconds to the first line; fails when the loader
# is gone right after it (that line was an error, not a banner).
one_start() {
	local t0 t1 pid line= alive=1 netns=(ip netns exec "$NS_R")
	[[ " $* " = *" -- ip netns exec "* ]] && netns=()
	t0=$EPOCHREALTIME
	# stdbuf: a banner printed without fflush() would wait in a pipe buffer.
	coproc LD { exec "${netns[@]}" stdbuf -oL "$@" 2>&1; }
	# Bash forgets LD_PID as soon as the coprocess is reaped.
	pid=${LD_PID:-}
	read -r -t 10 line <&"${LD[0]}" || true
	t1=$EPOCHREALTIME
	sleep 0.3
	{ [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; } || alive=0
	if [ -n "$pid" ]; then
		kill -INT "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	echo "${1##*/}: $line" >>"$OUT/startup-banners.txt"
	if [ $alive = 0 ] || [ -z "$line" ]; then
		FAILED=${line:-no output in 10 s}
		return 1
	fi
	awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) * 1000}'
}

b_pair
# IPv6 back on for the SRv6 loaders (b_ns turns it off).
ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.disable_ipv6=0 \
	net.ipv6.conf.default.disable_ipv6=0 "net.ipv6.conf.$DEV_R.disable_ipv6=0"
echo "loader,round,ms,status" >"$OUT/startup.csv"
: >"$OUT/startup-banners.txt"
# The cost of entering the namespace, in every figure: measured alone.
LOADERS=(baseline $(b_examples))
for round in $(seq "$ROUNDS"); do
	for l in "${LOADERS[@]}"; do
		FAILED=
		if [ "$l" = baseline ]; then
			cmd=(sh -c 'echo up; exec sleep 5')
		elif [ -n "${ARGS[$l]:-}" ]; then
			read -r -a extra <<<"${ARGS[$l]//DEV/$DEV_R}"
			cmd=("$ROOT/$l" "${extra[@]}")
		else
			read -r -a extra <<<"${EXTRA[$l]:-} $(target_args "$l")"
			cmd=("$ROOT/$l" "${extra[@]}")
		fi
		if ms=$(one_start "${cmd[@]}"); then
			echo "$l,$round,$ms,ok" >>"$OUT/startup.csv"
		else
			echo "$l,$round,,failed: ${FAILED//,/;}" >>"$OUT/startup.csv"
			say "$l did not start: $FAILED"
		fi
	done
done
