#!/usr/bin/env bash
# Bad input gets one sentence and the exit code of the loader contract (CONTRIBUTING.md), and leaves
# nothing attached.
. "$(dirname "$0")/../lib/lib.sh"

lab_up pair

for p in xdp_drop xdp_icmp_server; do
	expect "$p unknown interface" 2 "^$p: no such interface: eth9$" in_ns a ./xdp/$p eth9
	expect "$p missing interface" 2 "^$p: missing interface name" in_ns a ./xdp/$p
	expect "$p bad mode" 2 "unknown XDP mode: fast" in_ns a ./xdp/$p --mode fast eth0
	expect "$p bad duration" 2 "duration: not a number: x" in_ns a ./xdp/$p -d x eth0
	expect "$p unknown option" 2 "unrecognized option" in_ns a ./xdp/$p --bogus eth0
	expect "$p not root" 1 "^$p: needs root \(or CAP_BPF and CAP_NET_ADMIN\)$" \
		in_ns a setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all ./xdp/$p eth0
	expect "$p --help" 0 "EXAMPLES" ./xdp/$p --help
	expect "$p -h" 0 "EXAMPLES" ./xdp/$p -h
	expect "$p native on lo" 1 "lo has no native XDP support" in_ns a ./xdp/$p --mode native -d 1 lo

	# Already attached: refuse without --force, replace a netlink one with it.
	bg_start first --ns a ./xdp/xdp_drop eth0
	wait_output first 'dropping'
	expect "$p already attached (link)" 1 "XDP program already attached to eth0 \(use --force to replace\)" \
		in_ns a ./xdp/$p -d 1 eth0
	expect "$p --force cannot take another process's link" 1 "belongs to a BPF link of another process" \
		in_ns a ./xdp/$p --force -d 1 eth0
	bg_stop first
	scripts/lab.sh napi "$LAB" a eth0
	expect "$p already attached (netlink)" 1 "already attached to eth0" in_ns a ./xdp/$p -d 1 eth0
	expect "$p --force replaces a netlink program" 0 "on eth0" in_ns a ./xdp/$p --force -d 1 eth0
	check_fails "$p: nothing left after --force run" \
		bash -c "ip -n $LAB-a link show eth0 | grep -q xdp"
done
done_testing
