# The table of every loader the Makefile builds (every DIR/NAME.bpf.c with
# a DIR/NAME.c), for the hostile/ tests. Source it after lib.sh.
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
# loaders_built: the loaders, DIR/NAME, as the Makefile finds them.
loaders_built() {
	local s
	for s in */*.bpf.c; do
		[ -f "${s%.bpf.c}.c" ] && echo "${s%.bpf.c}"
	done
}

LOADER_TABLE='
benchtools/hookdrop          iface   tc eth0
benchtools/pktcost           none
cgroup_sock/cgroup_sock      cgroup  -- sleep 30
cgroup_sock_addr/cgroup_sock_addr cgroup -- sleep 30
cgroup_sockopt/cgroup_sockopt cgroup -- sleep 30
flow_dissector/flow_dissector none
lwt_in/lwt_in                route   --route 198.51.100.77/32 --dev eth0
lwt_seg6local/lwt_seg6_encap route   --route 2001:db8:77::/64 --dev eth0 --segs 2001:db8:1::2
lwt_seg6local/lwt_seg6local  route   --sid 2001:db8:1::77 --dev eth0
netfilter/netfilter          none
pktgen/pktgen                iface   eth0 -n 1
sched_act/sched_act          iface   eth0
sched_cls/sched_cls          iface   eth0
sk_lookup/sk_lookup          none    --steer 7077
sk_msg/sk_msg                cgroup  -- sleep 30
sk_reuseport/sk_reuseport    none    --addr 192.0.2.1
sk_skb/sk_skb                none    --backend 192.0.2.2:7078 --listen 7079
sock_ops/sock_ops            cgroup  -- sleep 30
socket_filter/socket_filter  iface   eth0
socket_filter/socket_filter_truncate none
xdp/xdp_drop                 iface   eth0
xdp/xdp_icmp_server          iface   eth0
xdp/xdp_load_balancer        iface   eth0 --vip 192.0.2.1 --backend 192.0.2.2
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
