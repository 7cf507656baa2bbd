#!/usr/bin/env bash
# sk_lookup end to end: one echo socket on port 5201 of host b answers TCP
# and UDP sent from host a to ports it never bound; ports outside the set
# stay refused, and nothing is left once the loader is gone.
. "$(dirname "$0")/../lib/lib.sh"
BIN=./sk_lookup/sk_lookup

expect "no --steer is a usage error" 2 "at least one --steer" $BIN
expect "--steer 0 is a usage error" 2 "out of range" $BIN --steer 0
expect "--steer 70000 is a usage error" 2 "out of range" $BIN --steer 70000
expect "--steer 9000-8000 is a usage error" 2 "is empty" $BIN --steer 9000-8000
expect "--steer abc is a usage error" 2 "not a number" $BIN --steer abc
expect "--steer 1-65535 (too many ports) is a usage error" 2 "more than" $BIN --steer 1-65535
expect "--port 0 is a usage error" 2 "out of range" $BIN --port 0 --steer 80
expect "--pid without --fd is a usage error" 2 "go together" $BIN --pid 1 --steer 80
expect "non-root is refused" 1 "needs root" setpriv --reuid=65534 --regid=65534 \
	--clear-groups --inh-caps=-all --bounding-set=-all $BIN --steer 80

lab_up pair
NSB=/run/netns/$LAB-b
# links of the SK_LOOKUP kind attached to host b's namespace
netns_links() { bpftool link list | grep -c "netns_ino $(stat -L -c %i "$NSB")" || true; }
# echo_tcp ADDR PORT: what the server sends back for one line
echo_tcp() { echo "hello $2" | in_ns a timeout 5 nc -N -w3 "$1" "$2"; }
echo_udp() { echo "dgram $2" | in_ns a timeout 5 nc -u -w1 "$1" "$2"; }

# In the lab: were the check missing, these would attach and run.
expect "an overlapping --steer is a usage error" 2 "steer port 8050 given twice" \
	in_ns b $BIN --steer 8000-8099 --steer 8050-8200 -d 2
expect "--follow with --pid is a usage error" 2 "not with --pid" \
	in_ns b $BIN --follow 80 --pid 999999 --fd 3 --steer 8000 -d 2
expect "--pid of a process that does not exist" 1 "no such process" \
	in_ns b $BIN --pid 999999 --fd 3 --steer 80

bg_start lk --ns b $BIN --steer 5202 --steer 8000-8099 --udp
wait_output lk "Ctrl-C to stop" || fail "loader started" "$(bg_out lk)"
info "$(bg_out lk | head -1)"
check_eq "one netns link in host b" 1 "$(netns_links)"

for p in 5202 8000 8099; do
	check_eq "tcp to steered port $p is echoed" "hello $p" "$(echo_tcp 192.0.2.2 $p)"
done
check_eq "tcp over ipv6 to steered port 8042 is echoed" "hello 8042" \
	"$(echo_tcp 2001:db8:1::2 8042)"
check_fails "tcp to port 8100 (outside the set) is refused" in_ns a nc -z -w3 192.0.2.2 8100
check_eq "udp to steered port 8000 is answered" "dgram 8000" "$(echo_udp 192.0.2.2 8000)"
check_eq "udp over ipv6 to steered port 8099 is answered" "dgram 8099" \
	"$(echo_udp 2001:db8:1::2 8099)"

listeners=$(in_ns b ss -Hltn | awk '{print $4}' | sort | tr '\n' ' ')
check_eq "ss: the only TCP listener in b is port 5201" "*:5201 " "$listeners"

bg_stop lk INT
check_eq "SIGINT: exit status 0" 0 "$BG_RC"
check_match "final stats count 4 TCP and 2 UDP steered, 1 outside" \
	"total steered: tcp 4 udp 2 \| not in set 1 \| no socket 0 \| assign failed 0 \| echo: connections 4 datagrams 2" \
	"$(bg_out lk)"
check_eq "after SIGINT no netns link is left" 0 "$(netns_links)"
check_fails "after SIGINT port 8000 is refused again" in_ns a nc -z -w3 192.0.2.2 8000

bg_start lk2 --ns b $BIN --steer 8000
wait_output lk2 "Ctrl-C to stop" || fail "loader started again" "$(bg_out lk2)"
check_eq "second run: port 8000 echoed" "hello 8000" "$(echo_tcp 192.0.2.2 8000)"
bg_stop lk2 KILL
check_eq "after SIGKILL no netns link is left" 0 "$(netns_links)"
check_fails "after SIGKILL port 8000 is refused again" in_ns a nc -z -w3 192.0.2.2 8000

bg_start lk3 --ns b $BIN --steer 8000 -d 30
wait_output lk3 "Ctrl-C to stop" || fail "loader started a third time" "$(bg_out lk3)"
bg_stop lk3 TERM
check_eq "SIGTERM: exit status 0" 0 "$BG_RC"
check_match "SIGTERM: final stats line printed" "^total steered" "$(bg_out lk3)"

# Another process's socket: socat echoes on 7000, gets 7001-7002 on top.
bg_start socat --ns b socat TCP-LISTEN:7000,reuseaddr,fork EXEC:cat
# ss exits 0 with no match: ask until it names socat's pid and fd (the
# listener can take seconds to appear on a slow machine).
socat_socket() {
	local users
	users=$(in_ns b ss -Hltnp 'sport = :7000')
	spid=$(sed -n 's/.*pid=\([0-9]*\),fd=\([0-9]*\).*/\1/p' <<<"$users")
	sfd=$(sed -n 's/.*pid=\([0-9]*\),fd=\([0-9]*\).*/\2/p' <<<"$users")
	[ -n "$spid" ] && [ -n "$sfd" ]
}
if ! wait_for 20 socat_socket; then
	fail "ss names socat's listening socket on 7000 (pid and fd)" \
		"$(in_ns b ss -Hltnp 2>&1 | head -5)"
	done_testing
fi
info "socat listens as pid $spid fd $sfd"
expect "--fd that the process does not have" 1 "has no file descriptor" \
	in_ns b $BIN --pid "$spid" --fd 999 --steer 7001
expect "--fd that is not a socket" 1 "not a listening TCP socket" \
	in_ns b $BIN --pid "$spid" --fd 0 --steer 7001
expect "a socket of another namespace" 1 "in another network namespace" \
	in_ns a $BIN --pid "$spid" --fd "$sfd" --steer 7001
# Root without CAP_SYS_PTRACE, against a root process that has it: the
# kernel's ptrace check refuses pidfd_getfd, and the message says that.
expect "--pid without ptrace access names the cause" 1 "no ptrace access to process $spid" \
	in_ns b setpriv --bounding-set=-sys_ptrace $BIN --pid "$spid" --fd "$sfd" --steer 7001
expect "--follow a port nobody listens on" 1 "nothing listens on TCP port 7999" \
	in_ns b $BIN --follow 7999 --steer 7001
bg_start lk4 --ns b $BIN --pid "$spid" --fd "$sfd" --steer 7001-7002
wait_output lk4 "Ctrl-C to stop" || fail "loader with --pid started" "$(bg_out lk4)"
check_match "banner names socat's socket" "TCP socket of process $spid" "$(bg_out lk4)"
check_eq "socat answers on its own port 7000" "hello 7000" "$(echo_tcp 192.0.2.2 7000)"
check_eq "socat answers on steered port 7001" "hello 7001" "$(echo_tcp 192.0.2.2 7001)"
check_eq "socat answers on steered port 7002" "hello 7002" "$(echo_tcp 192.0.2.2 7002)"
# socat's socket is AF_INET: an IPv6 connection cannot be given to it.
check_fails "ipv6 to 7002 is refused (socat's socket is IPv4 only)" \
	in_ns a nc -z -w3 2001:db8:1::2 7002
bg_stop lk4 INT
check_eq "--pid run: exit status 0" 0 "$BG_RC"
check_match "--pid run: 2 steered, 1 refused by bpf_sk_assign (IPv6 to IPv4 socket)" \
	"total steered: tcp 2 udp 0 \| not in set 1 \| no socket 0 \| assign failed 1$" \
	"$(bg_out lk4)"
check_fails "after it, 7001 is refused" in_ns a nc -z -w3 192.0.2.2 7001
check_eq "and socat still serves 7000" "hello 7000" "$(echo_tcp 192.0.2.2 7000)"

done_testing
