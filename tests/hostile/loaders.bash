# The table of every loader the Makefile builds (every DIR/NAME.bpf.c with
# a DIR/NAME.c: the examples, and the benchmarks' tools under bench/), for
# the hostile/ tests. Source it after lib.sh.
#
# One line per loader: NAME KIND BASE...
#   KIND  iface   IFACE positional (BASE names eth0 of the lab host)
#         route   --dev DEV and a prefix
#         cgroup  --cgroup PATH | -- COMMAND (BASE runs COMMAND)
#         opt     a target that may be left out (runs somewhere by itself)
#         none    no target at all
#   BASE  a valid invocation in the pair lab's host a ("cgroup": in the root
#         namespace, where cgroup v2 is visible), without -d/-i.
# A loader missing here fails the tests that use the table: add its line.
#
# loaders_built: the loaders as the Makefile finds them: the examples,
# DIR/NAME, and the benchmarks' tools, bench/DIR/NAME.
loaders_built() {
	local s
	for s in */*.bpf.c bench/*/*.bpf.c; do
		[ -f "${s%.bpf.c}.c" ] && echo "${s%.bpf.c}"
	done
}

LOADER_TABLE='
cgroup_sock/cgroup_sock      cgroup  -- sleep 30
cgroup_sock_addr/cgroup_sock_addr cgroup -- sleep 30
cgroup_sockopt/cgroup_sockopt cgroup -- sleep 30
flow_dissector/flow_dissector none
lwt_in/lwt_in                route   --route 198.51.100.77/32 --dev eth0
lwt_seg6local/lwt_seg6_encap route   --route 2001:db8:77::/64 --dev eth0 --segs 2001:db8:1::2
lwt_seg6local/lwt_seg6local  route   --sid 2001:db8:1::77 --dev eth0
netfilter/netfilter          none
sched_act/sched_act          iface   eth0
sched_cls/sched_cls          iface   eth0
sched_cls/tc_icmp_server     iface   eth0
sched_cls/tc_tailcall        iface   eth0
sk_lookup/sk_lookup          none    --steer 7077
sk_msg/sk_msg                cgroup  -- sleep 30
sk_reuseport/sk_reuseport    none    --addr 192.0.2.1
sk_skb/sk_skb                none    --backend 192.0.2.2:7078 --listen 7079
sock_ops/sock_ops            cgroup  -- sleep 30
socket_filter/socket_filter  iface   eth0
socket_filter/socket_filter_truncate none
xdp/xdp_drop                 iface   eth0
xdp/xdp_hello                iface   eth0
xdp/xdp_lb_simple            iface   eth0 --vip 192.0.2.80 --client 192.0.2.2 -b 192.0.2.2 -b 192.0.2.2
xdp/xdp_redirect             iface   eth0 lo
xdp/xdp_icmp_server          iface   eth0
xdp/xdp_load_balancer        iface   eth0 --vip 192.0.2.1 --backend 192.0.2.2
bench/pktgen/pktgen          iface   eth0 -n 1
bench/tools/hookdrop         iface   tc eth0
bench/tools/pktcost          none
'

# loader_entry DIR/NAME: sets KIND and BASE (an array); 1 when not listed.
loader_entry() {
	local line
	line=$(awk -v n="$1" '$1 == n {$1 = ""; print; exit}' <<<"$LOADER_TABLE")
	[ -n "$line" ] || return 1
	read -r KIND line <<<"$line"
	read -r -a BASE <<<"$line"
}

# The binary of DIR/NAME: the normal build, or LOADER_ROOT's (make test-asan).
loader_bin() { echo "${LOADER_ROOT:-.}/$1"; }

# Long-running loaders against a real target, for the signal and
# concurrency matrices (tests/hostile/signals.sh, twice.sh).
# GROUP HOST LOADER ARGS...   HOST: lab host, or - for the root namespace
# (cgroup examples: cgroup v2 is hidden inside ip netns exec).
RUN_TABLE='
xdp a  xdp/xdp_drop eth0
xdp a  xdp/xdp_drop --trace eth0
xdp a  xdp/xdp_icmp_server eth0
xdp a  xdp/xdp_load_balancer eth0 --vip 192.0.2.1 --backend 192.0.2.2
xdp a  xdp/xdp_hello eth0
xdp a  xdp/xdp_lb_simple eth0 --vip 192.0.2.80 --client 192.0.2.2 -b 192.0.2.2 -b 192.0.2.2
xdp a  xdp/xdp_redirect eth0 lo
tc  b  sched_cls/sched_cls eth0
tc  b  sched_cls/sched_cls --legacy-tc eth0
tc  b  sched_cls/sched_cls --trace --trace-rate 5 eth0
tc  b  sched_cls/tc_icmp_server eth0
tc  b  sched_cls/tc_tailcall eth0
tc  b  sched_act/sched_act eth0
tc  b  sched_act/sched_act --legacy-tc eth0
tc  b  bench/tools/hookdrop tc eth0
sf  b  socket_filter/socket_filter eth0
sft a  socket_filter/socket_filter_truncate -p 7080
lwt a  lwt_in/lwt_in --route 198.51.100.77/32 --dev eth0
lwt a  lwt_seg6local/lwt_seg6_encap --route 2001:db8:77::/64 --dev eth0 --segs 2001:db8:1::2
lwt a  lwt_seg6local/lwt_seg6local --sid 2001:db8:1::77 --dev eth0
nf  a  netfilter/netfilter -P 7081
fd  a  flow_dissector/flow_dissector
skl b  sk_lookup/sk_lookup --steer 7077
skr a  sk_reuseport/sk_reuseport --addr 192.0.2.1 -p 7082
sks a  sk_skb/sk_skb --backend 192.0.2.2:7078 --listen 7079
cg1 -  cgroup_sock/cgroup_sock -- sleep 60
cg2 -  cgroup_sock_addr/cgroup_sock_addr -- sleep 60
cg3 -  cgroup_sockopt/cgroup_sockopt -- sleep 60
cg4 -  sock_ops/sock_ops -- sleep 60
cg5 -  sk_msg/sk_msg -- sleep 60
'
# One-shot tools (they stop by themselves): no row.
ONE_SHOT="bench/tools/pktcost bench/pktgen/pktgen"
# A documented meaning of SIGHUP other than "stop".
HUP_RELOADS="xdp/xdp_load_balancer"


# Helpers of the run matrices (they need lib.sh's LAB and TMP, and CG2).
# held PID: the ids of the programs and links PID holds ("prog 12",
# "link 3"), from its descriptors' fdinfo (bpftool's pid listing needs
# BPF iterators, which this kernel may lack).
held() {
	cat /proc/"$1"/fdinfo/* 2>/dev/null |
		awk '/^link_id:/ {print "link " $2} /^prog_id:/ {print "prog " $2}' | sort -u
}

holds() { [ -n "$(held "$1")" ]; }

# gone IDS...: none of these programs or links exists any more.
gone() {
	local kind id
	while read -r kind id; do
		[ -n "$id" ] || continue
		bpftool "$kind" show id "$id" 2>/dev/null | grep -q "^$id:" && { echo "$kind $id"; return 1; }
	done <<<"$1"
	return 0
}

# traces P: what a loader named P may leave in the lab (the hosts in
# TRACE_HOSTS, default both) or the root namespace.
traces() {
	local h hosts=${TRACE_HOSTS:-a b}
	for h in $hosts; do
		in_ns $h ip route show proto 235 | grep -F "$1:"
		in_ns $h ip -6 route show proto 235 | grep -F "$1:"
		in_ns $h tc qdisc show | grep -e clsact -e ingress
		in_ns $h ip -o link show | grep -o ' xdp[a-z]* '
	done
	[ -n "$CG2" ] && find "$CG2" -maxdepth 1 -name "$1-*"
	find /sys/fs/bpf -maxdepth 2 -name "*$1*" 2>/dev/null
}
clean() {
	local i
	for i in $(seq 50); do
		[ -z "$(traces "$1")$(gone "$2" || echo x)" ] && return 0
		sleep 0.1
	done
	traces "$1"
	gone "$2"
	return 1
}

# in_bpf PID: the process sits in the bpf() syscall (the verifier, or an
# attach waiting for its lock), or runs on a CPU (the verifier, whose
# stack a running task does not show).
in_bpf() {
	grep -qE '__sys_bpf|bpf_prog_load|link_create' /proc/"$1"/stack 2>/dev/null ||
		grep -q '^running' /proc/"$1"/syscall 2>/dev/null
}

# start W HOST BIN ARGS...: run it (-i 3600: the banner, then only the
# final stats line); PID and IDS set; 1 when no banner came.
#
# A start can wait in the kernel far longer than usual on a loaded
# machine: the verifier needs CPU (seconds for tc_icmp_server's bpf_loop
# checksum walk), and an attach waits for the lock it needs while
# someone else holds it: tcx_link_attach for RTNL, which a network
# namespace being torn down anywhere on the machine holds for seconds,
# cgroup links for cgroup_mutex. Measured with namespaces torn down
# alongside: tc_icmp_server waited 6 s in tcx_link_attach, 11.5 s to its
# banner. So while the loader sits in bpf() it gets up to 120 s (a line
# says where it waited); elsewhere 20 s.
start() {
	local w=$1 host=$2 bin=${3##*/} i where=
	STALL= START_RC=
	shift 2
	set -- "$1" -i 3600 "${@:2}"
	[ "$host" = - ] || set -- ip netns exec "$LAB-$host" "$@"
	# Empty the files here: the background job truncates them only once
	# it runs, and until then the last run's banner reads as this one's.
	: >"$w.out"
	: >"$w.err"
	"$@" >>"$w.out" 2>>"$w.err" </dev/null &
	PID=$!
	for ((i = 0; i < 1200; i++)); do
		[ -s "$w.out" ] || ! kill -0 "$PID" 2>/dev/null && break
		if [ $i -ge 200 ]; then
			in_bpf "$PID" || break
			[ -n "$where" ] || where=$(awk -F'[ +]' 'NR == 1 {print $2}' /proc/"$PID"/stack 2>/dev/null)
		fi
		sleep 0.1
	done
	[ -n "$where" ] && info "$bin: a slow start, $((i / 10)) s, waiting in $where"
	[ -s "$w.out" ] && wait_for 10 holds "$PID"
	IDS=$(held "$PID")
	kill -0 "$PID" 2>/dev/null && [ -s "$w.out" ] && return 0
	# Why a start failed, for the failure line: where a live loader
	# waits, or how it ended.
	if kill -0 "$PID" 2>/dev/null; then
		STALL="no banner after $((i / 10)) s, in $(awk -F'[ +]' 'NR == 1 {print $2}' \
			/proc/"$PID"/stack 2>/dev/null); "
	else
		wait "$PID" 2>/dev/null
		START_RC=$?
		STALL="exit status $START_RC after $((i / 10)) s, $(wc -l <"$w.out") line(s) out; "
	fi
	return 1
}

# missing_feature RC ERRFILE: the loader exited 77 naming the kernel it
# needs ("BPF_PROG_TYPE_NETFILTER needs Linux 6.4 or newer ..."): print
# that sentence for the row's skip. Any other failure stays a failure.
missing_feature() {
	[ "$1" = 77 ] && grep -m 1 -E 'Linux [0-9]+\.[0-9]+' "$2"
}

