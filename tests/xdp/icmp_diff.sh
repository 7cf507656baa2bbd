#!/usr/bin/env bash
# Differential test of xdp_icmp_server, the kernel as the oracle: one
# corpus of more than 10,000 frames (tests/xdp/icmp_diff.c) is sent to the
# responder twice, without and with the program, with the kernel's ICMP
# rate limits lifted there. Both runs must answer the same requests with
# the same replies (except the IPv4 ID and IPv6 flow label, see
# xdp/README.md), every reply's checksums must hold, XDP must answer every
# plain valid request itself and must send nothing that answers no request.
. "$(dirname "$0")/../lib/lib.sh"

DIFF=.output/tests/xdp/icmp_diff
# ICMP_SERVER=path runs another build of the program (e.g. an old one).
SERVER=${ICMP_SERVER:-./xdp/xdp_icmp_server}
[ -x "$DIFF" ] || { fail "icmp_diff built" "$DIFF missing: make test-bins"; done_testing; }

lab_up pair
# b receives the XDP_TX replies: its veth needs NAPI (see lab.sh napi).
scripts/lab.sh napi "$LAB" b eth0

A=$LAB-a
MAC_A=$(ip -n "$A" link show eth0 | awk '/link\/ether/ {print $2}')
MAC_B=$(ip -n "$LAB-b" link show eth0 | awk '/link\/ether/ {print $2}')
LL_A=$(ip -n "$A" -6 addr show dev eth0 scope link | awk '/inet6/ {split($2, a, "/"); print a[1]}')
info "responder $MAC_A $LL_A, sender $MAC_B"

# The responder: no ICMP rate limit, fragments kept for the whole test
# (a lone fragment of the first run must not time out during the second),
# broadcast pings ignored as by default; every source it may answer is
# reachable: on-link hosts through permanent neighbour entries (all the
# sender), the rest through a default route to the sender.
in_ns a sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=1000000000 \
	net.ipv4.icmp_msgs_burst=1000000000 net.ipv6.icmp.ratelimit=0 \
	net.ipv4.icmp_echo_ignore_broadcasts=1 net.ipv4.ipfrag_time=600 net.ipv6.ip6frag_time=600
for ip in 192.0.2.2 192.0.2.3 192.0.2.4 2001:db8:1::2 2001:db8:1::3 fe80::1 fe80::2; do
	ip -n "$A" neigh replace "$ip" lladdr "$MAC_B" dev eth0 nud permanent
done
ip -n "$A" route add default via 192.0.2.2
ip -n "$A" -6 route add default via 2001:db8:1::2
in_ns a sysctl net.ipv4.icmp_ratelimit net.ipv4.icmp_msgs_per_sec net.ipv4.icmp_msgs_burst \
	net.ipv6.icmp.ratelimit net.ipv4.icmp_echo_ignore_broadcasts net.ipv4.conf.eth0.rp_filter |
	sed 's/^/# responder: /'

run() {
	in_ns b "$DIFF" "$MAC_A" "$MAC_B" "$LL_A" run "$TMP/$1.run" "/run/netns/$A" 2>&1 |
		sed 's/^/# /'
	return "${PIPESTATUS[0]}"
}

start=$(date +%s)
check "kernel run: every batch answered" run kernel
bg_start srv --ns a "$SERVER" --mode native eth0
wait_output srv 'answering ping' || fail "loader started" "$(bg_out srv)"
check "xdp run: every batch answered" run xdp
bg_stop srv
bg_out srv | tail -1 | sed 's/^/# /'

out=$("$DIFF" "$MAC_A" "$MAC_B" "$LL_A" compare "$TMP/kernel.run" "$TMP/xdp.run" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^#/#/; /^#/!s/^/# /'
info "both runs and the comparison: $(( $(date +%s) - start )) s"
sum=$(grep '^frames ' <<<"$out")
frames=$(sed -n 's/^frames \([0-9]*\),.*/\1/p' <<<"$sum")
check_range "corpus of at least 10000 frames" 10000 1000000 "${frames:-0}"
check_match "same requests answered, same replies" 'mismatches 0,' "$sum"
check_match "every reply's IPv4/ICMP/ICMPv6 checksums right" 'bad checksums from XDP 0,' "$sum"
check_match "XDP sent nothing that answers no request" 'answering nothing 0$' "$sum"
valid=$(grep '^valid requests' <<<"$out")
check_match "XDP itself answered every plain valid request" \
	'v4 ([0-9]+) of \1, v6 ([0-9]+) of \2$' "$valid"
check_match "XDP answered some requests" 'by XDP [1-9]' "$sum"
check_eq "comparison exit status" 0 "$rc"
done_testing
