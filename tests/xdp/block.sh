#!/usr/bin/env bash
# xdp_drop --block/--allow: packets from a blocked prefix never reach the
# host, the longest matching prefix wins (an --allow inside a --block
# passes), IPv4 and IPv6; the counter equals the packets sent.
. "$(dirname "$0")/../lib/lib.sh"

lab_up pair
# b gets addresses in the prefixes under test; a routes them on the link.
for addr in 203.0.113.5/32 203.0.113.130/32; do in_ns b ip addr add $addr dev eth0; done
for addr in 2001:db8:bad::5/128 2001:db8:bad:ff::5/128; do
	in_ns b ip -6 addr add $addr dev eth0 nodad
done
in_ns a ip route add 203.0.113.0/24 dev eth0
in_ns a ip -6 route add 2001:db8:bad::/48 dev eth0

# pings SRC DST: how many of 3 pings from SRC were answered.
pings() {
	in_ns b ping -c 3 -i 0.1 -W 1 -I "$1" "$2" 2>&1 | tee -a "$TMP/ping.log" | grep -oE '[0-9]+ received' | cut -d' ' -f1
}

check_eq "before: 203.0.113.5 is answered" 3 "$(pings 203.0.113.5 192.0.2.1)"
check_eq "before: 2001:db8:bad::5 is answered" 3 "$(pings 2001:db8:bad::5 2001:db8:1::1)"

bg_start drop --ns a ./xdp/xdp_drop --block 203.0.113.0/24 --allow 203.0.113.128/25 \
	--block 2001:db8:bad::/48 --allow 2001:db8:bad:ff::/64 eth0
wait_output drop 'dropping' || fail "loader started" "$(bg_out drop)"
check_match "banner lists the prefixes" \
	'everything from 203.0.113.0/24 2001:db8:bad::/48 except 203.0.113.128/25 2001:db8:bad:ff::/64' \
	"$(bg_out drop)"

check_eq "ipv4 from 203.0.113.5 (blocked /24): 0 of 3 answered" 0 "$(pings 203.0.113.5 192.0.2.1)"
check_eq "ipv4 from 203.0.113.130 (allowed /25 inside it): 3 of 3" 3 "$(pings 203.0.113.130 192.0.2.1)"
check_eq "ipv4 from 192.0.2.2 (no prefix): 3 of 3, ping is not the policy now" 3 "$(pings 192.0.2.2 192.0.2.1)"
check_eq "ipv6 from 2001:db8:bad::5 (blocked /48): 0 of 3" 0 "$(pings 2001:db8:bad::5 2001:db8:1::1)"
check_eq "ipv6 from 2001:db8:bad:ff::5 (allowed /64): 3 of 3" 3 "$(pings 2001:db8:bad:ff::5 2001:db8:1::1)"
check_eq "ipv6 from 2001:db8:1::2 (no prefix): 3 of 3" 3 "$(pings 2001:db8:1::2 2001:db8:1::1)"

bg_stop drop
info "$(cat "$TMP/ping.log")"
check_eq "SIGINT exits 0" 0 "$BG_RC"
info "$(grep '^total' <<<"$(bg_out drop)")"
# 3 IPv4 echo requests (98-byte frames) + 3 ICMPv6 (118-byte frames).
check_match "counted exactly the 6 blocked echo requests, 648 bytes" \
	'^total dropped: blocked 6 \(648 B\)' "$(grep '^total' <<<"$(bg_out drop)")"
check_eq "after exit 203.0.113.5 is answered again" 3 "$(pings 203.0.113.5 192.0.2.1)"

expect "bad prefix" 2 'not an IPv4 or IPv6 prefix: 203.0.113/x' ./xdp/xdp_drop --block 203.0.113/x lo
expect "prefix too long" 2 'out of range' ./xdp/xdp_drop --block 2001:db8::/129 lo
expect "--all-ip with --block" 2 'choose one' ./xdp/xdp_drop --all-ip --block 203.0.113.0/24 lo
done_testing
