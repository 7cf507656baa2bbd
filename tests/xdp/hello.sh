#!/usr/bin/env bash
# xdp_hello: the same object loaded three ways (bpftool prog load + net
# attach, ip link set ... xdp obj, the skeleton loader), each greeting
# the pings it sees in trace_pipe, and each detached afterwards.
. "$(dirname "$0")/../lib/lib.sh"

OBJ=.output/xdp/xdp_hello.bpf.o
TRACE=/sys/kernel/tracing
[ -r "$OBJ" ] || { fail "$OBJ built"; exit 1; }
command -v bpftool >/dev/null || skip_all "bpftool is not installed"
if [ ! -e $TRACE/trace_pipe ]; then
	mount -t tracefs nodev $TRACE 2>/dev/null || skip_all "no tracefs (CONFIG_TRACING)"
	on_cleanup umount $TRACE
fi

lab_up pair
# Our own mark: a ping size no other test uses at the same time. Each
# greeting names the frame length: payload + 8 (ICMP) + 20 (IP) + 14.
size=$((600 + RANDOM % 600))

# greet NAME: 5 pings of our size from b to a, all answered (XDP_PASS),
# and at least 3 greetings with our length in trace_pipe (another reader
# of trace_pipe could take some: each line goes to one reader).
greet() {
	local name=$1 len=$((size + 42)) n out
	size=$((size + 1))
	bg_start tp-$name timeout 15 cat $TRACE/trace_pipe
	sleep 0.3
	out=$(in_ns b ping -c 5 -i 0.1 -W 2 -s $((len - 42)) 192.0.2.1 2>&1)
	check_match "$name: 5 of 5 pings answered (the program passes)" ' 5 received' "$out"
	wait_for 5 bash -c "[ \$(grep -c 'xdp_hello: Hello World! $len bytes' $TMP/tp-$name.out) -ge 3 ]"
	n=$(grep -c "xdp_hello: Hello World! $len bytes" "$TMP/tp-$name.out")
	info "$name: $(grep -m1 "xdp_hello: Hello World! $len bytes" "$TMP/tp-$name.out")"
	check_range "$name: trace_pipe has the greetings for our $len-byte frames" 3 5 "$n"
	bg_stop tp-$name
}
attached() { ip -n "$LAB-a" link show eth0 | grep -q 'prog/xdp'; }

# 1. bpftool: load (the pin lives in ip netns exec's own mount of bpffs,
#    gone when the command ends) and attach; then detach.
check "bpftool prog load + net attach" in_ns a sh -c \
	"bpftool prog load $OBJ /sys/fs/bpf/xdp_hello && bpftool net attach xdp pinned /sys/fs/bpf/xdp_hello dev eth0"
on_cleanup "ip -n $LAB-a link set dev eth0 xdp off"
check "bpftool: attached" attached
greet bpftool
check "bpftool net detach" in_ns a bpftool net detach xdp dev eth0
check_fails "bpftool: nothing left on eth0" attached

# 2. iproute2.
check "ip link set ... xdp obj" ip -n "$LAB-a" link set dev eth0 xdp obj "$OBJ" sec xdp
check "ip: attached" attached
greet ip
check "ip link set ... xdp off" ip -n "$LAB-a" link set dev eth0 xdp off
check_fails "ip: nothing left on eth0" attached

# 3. The skeleton loader, with its own count of the packets.
bg_start hello --ns a ./xdp/xdp_hello eth0
wait_output hello 'greeting every packet' || fail "loader started" "$(bg_out hello)"
greet skeleton
bg_stop hello
check_eq "skeleton: SIGINT exits 0" 0 "$BG_RC"
n=$(grep -oE '^total packets greeted: [0-9]+' <<<"$(bg_out hello)" | grep -oE '[0-9]+$')
check_range "skeleton: the loader counted the 5 pings (and what else came)" 5 50 "${n:-0}"
check_fails "skeleton: nothing left on eth0" attached
done_testing
