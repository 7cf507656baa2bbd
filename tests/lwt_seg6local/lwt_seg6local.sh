#!/usr/bin/env bash
# An SRv6 path on the srv6 lab: r1 pushes an SRH (lwt_seg6_encap), r2 is an
# End.BPF SID (lwt_seg6local) that checks, counts and tags, h2's End.DT6
# decapsulates. UDP from h1 arrives intact; tcpdump shows the SRH before r2
# and the tag after it; malformed SRHs are dropped and counted.
. "$(dirname "$0")/../lib/lib.sh"

END=./lwt_seg6local/lwt_seg6local
ENCAP=./lwt_seg6local/lwt_seg6_encap
SEND=.output/tests/lwt_seg6local/srh_send
for b in $END $ENCAP $SEND; do
	[ -x "$b" ] || skip_all "$b not built (make lwt_seg6local test-bins)"
done
lab_up srv6

SID=2001:db8:f2::100
FINAL=2001:db8:f3::6
H1=2001:db8:1::1
H2=2001:db8:2::1
ours() { in_ns "$1" ip -6 route show proto 235; }

# --- bad input and privileges
expect "SID that is not IPv6" 2 '^lwt_seg6local: sid: not an IPv6 address: 198\.51\.100\.1$' \
	in_ns r2 $END --sid 198.51.100.1 --dev eth2
expect "SID that is a prefix" 2 'a SID is one address \(/128\)' \
	in_ns r2 $END --sid 2001:db8:f2::/64 --dev eth2
expect "unknown device" 2 '^lwt_seg6local: no such interface: eth9$' \
	in_ns r2 $END --sid $SID --dev eth9
expect "end.x without its next hop" 2 'action end.x NH needs its argument' \
	in_ns r2 $END --sid $SID --dev eth2 --action end.x
expect "end.x with an IPv4 next hop" 2 'end.x: next hop is not an IPv6 address: 198\.51\.100\.1' \
	in_ns r2 $END --sid $SID --dev eth2 --action end.x 198.51.100.1
expect "unknown action" 2 'unknown action: end.dx4' \
	in_ns r2 $END --sid $SID --dev eth2 --action end.dx4
expect "segment that is not IPv6" 2 '^lwt_seg6_encap: segs: a SID must be an IPv6 address: 198\.51\.100\.1$' \
	in_ns r1 $ENCAP --route $H2/128 --dev eth2 --segs $SID,198.51.100.1
expect "encap route that is not IPv6" 2 '^lwt_seg6_encap: route: not an IPv6 address: 198\.51\.100\.0/24$' \
	in_ns r1 $ENCAP --route 198.51.100.0/24 --dev eth2 --segs $SID
expect "non-root" 1 '^lwt_seg6local: needs root \(or CAP_BPF and CAP_NET_ADMIN\)$' \
	in_ns r2 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	--bounding-set=-all $END --sid $SID --dev eth2
check_eq "no route left by the refused starts" "" "$(ours r1)$(ours r2)"

# --- the SRv6 path
bg_start end --ns r2 $END --sid $SID --dev eth2 --tag 42
check "End.BPF starts on r2" wait_output end '^lwt_seg6local: SID 2001:db8:f2::100/128 dev eth2: End.BPF'
bg_start encap --ns r1 $ENCAP --route $H2/128 --dev eth2 --via 2001:db8:12::2 --segs $SID,$FINAL
check "encapsulation starts on r1" wait_output encap '^lwt_seg6_encap: route 2001:db8:2::1/128'
check_match "r2 has the End.BPF route" "^$SID +encap seg6local action End.BPF endpoint lwt_seg6local:[0-9]+ dev eth2" "$(ours r2)"
check_match "r1 has the encap route" "^$H2 +encap bpf in lwt_seg6_encap:[0-9]+ via" "$(ours r1)"

bg_start cap12 --ns r1 tcpdump -i eth2 -n -U --immediate-mode -w "$TMP/r1r2.pcap" "ip6 dst $SID"
bg_start cap2h --ns h2 tcpdump -i eth0 -n -U --immediate-mode -w "$TMP/r2h2.pcap" "ip6 dst $FINAL"
bg_start rcv --ns h2 socat -u UDP6-RECV:5000 -
check "tcpdump r1-r2 listening" wait_output cap12 'listening on'
check "tcpdump r2-h2 listening" wait_output cap2h 'listening on'
wait_for 5 sh -c "ip netns exec $LAB-h2 ss -Hlun 'sport = :5000' | grep -q ."

for i in $(seq 1 10); do
	echo "srv6 payload $i" | in_ns h1 socat -u - "UDP6-SENDTO:[$H2]:5000"
	echo "srv6 payload $i" >>"$TMP/sent"
done
# Malformed SRHs straight to the SID, and 3 good ones as a control.
check "send 5 SRHs with segments left > last entry" in_ns h1 $SEND segleft 5 $H1 $SID $FINAL $H2 5000
check "send 4 inline SRHs (no inner packet)" in_ns h1 $SEND inline 4 $H1 $SID $FINAL $H2 5000
check "send 3 well-formed SRHs" in_ns h1 $SEND good 3 $H1 $SID $FINAL $H2 5000
wait_for 5 sh -c "[ \$(grep -c . $TMP/rcv.out) -ge 13 ]"
sleep 0.5
bg_stop cap12
bg_stop cap2h
bg_stop rcv

check_eq "the 10 UDP payloads reached h2 intact, in order" "$(cat "$TMP/sent")" \
	"$(grep '^srv6 payload' "$TMP/rcv.out")"
check_eq "of the raw packets only the 3 well-formed reached h2" \
	"srh_send good 0 srh_send good 1 srh_send good 2" "$(grep '^srh_send' "$TMP/rcv.out" | tr '\n' ' ' | sed 's/ $//')"
r1r2=$(tcpdump -r "$TMP/r1r2.pcap" -n -vv 2>/dev/null)
r2h2=$(tcpdump -r "$TMP/r2h2.pcap" -n -vv 2>/dev/null)
info "r1-r2: $(head -1 <<<"$r1r2")"
info "r2-h2: $(head -1 <<<"$r2h2")"
check_eq "r1-r2: the 10 encapsulated packets carry the SRH r1 pushed" 10 \
	"$(grep -c "2001:db8:12::1 > $SID: RT6 (len=4, type=4, segleft=1, last-entry=1, flags=0x0, tag=0, \[0\]$FINAL, \[1\]$SID) IP6 .* $H1\.[0-9]* > $H2\.5000: .*UDP" <<<"$r1r2")"
check_eq "r2-h2: 13 packets carry tag 42 (0x2a) and the next segment" 13 \
	"$(grep -c "> $FINAL: RT6 (len=4, type=4, segleft=0, last-entry=1, flags=0x0, tag=2a, \[0\]$FINAL, \[1\]$SID)" <<<"$r2h2")"

bg_stop encap
check_eq "encap exits 0" 0 "$BG_RC"
check_match "encap counted exactly the 10 packets" '^total encapsulated 10 .*failed 0' "$(bg_out encap | grep '^total')"
bg_stop end
check_eq "End.BPF exits 0" 0 "$BG_RC"
final=$(bg_out end | grep '^total')
info "$final"
check_match "End.BPF passed exactly 13 (10 + 3 good) and dropped the 4 inline ones" \
	'^total End\.BPF ok 13 \([0-9]+ bytes\), dropped 4 \| segments left on arrival: 1:13 \|' "$final"
check_match "the route counted 13 packets and 9 errors (5 refused by the kernel, 4 by the program)" \
	'route packets 13, errors 9$' "$final"
check_eq "routes removed on exit" "" "$(ours r1)$(ours r2)"
check "h1 still reaches h2 over plain routes" in_ns h1 ping -q -c 2 -i 0.2 -W 2 $H2

# --- --tlv: the SRH grows by an 8-byte TLV that h2 sees
bg_start encap3 --ns r1 $ENCAP --route $H2/128 --dev eth2 --via 2001:db8:12::2 --segs $SID,$FINAL
bg_start endtlv --ns r2 $END --sid $SID --dev eth2 --tag 42 --tlv
check "End.BPF with --tlv starts" wait_output endtlv 'tag 42 and a TLV'
check "encapsulation starts again" wait_output encap3 '^lwt_seg6_encap: route'
bg_start captlv --ns h2 tcpdump -i eth0 -n -U --immediate-mode -w "$TMP/tlv.pcap" "ip6 dst $FINAL"
check "tcpdump on h2 listening" wait_output captlv 'listening on'
check "--tlv: 3 pings h1 -> h2 over SRv6" in_ns h1 ping -q -c 3 -i 0.2 -W 2 $H2
sleep 0.3
bg_stop captlv
bg_stop endtlv
bg_stop encap3
tlv=$(tcpdump -r "$TMP/tlv.pcap" -n -vv -x 2>/dev/null)
check_eq "--tlv: h2 got 3 SRHs of 48 bytes (hdrlen 5) with tag 42" 3 \
	"$(grep -c 'RT6 (len=5, type=4, segleft=0, last-entry=1, flags=0x0, tag=2a' <<<"$tlv")"
# Bytes 80-87 of the IPv6 packet: after the 40-byte header, 8 fixed and 32 of segments.
check_eq "--tlv: the TLV after the segments is type 3, length 6, \"ebpf\"" 3 \
	"$(grep -c '0x0050:  0306 6562 7066 0000' <<<"$tlv")"

# --- End.X and End.T: r2 loses its route to h2's SIDs; the program's action still gets there
in_ns r2 ip -6 route del 2001:db8:f3::/64 via 2001:db8:2::1
on_cleanup "ip -n $LAB-r2 -6 route del 2001:db8:f3::/64 table 100 2>/dev/null"
in_ns r2 ip -6 route add 2001:db8:f3::/64 via 2001:db8:2::1 table 100
bg_start encap2 --ns r1 $ENCAP --route $H2/128 --dev eth2 --via 2001:db8:12::2 --segs $SID,$FINAL
check "encapsulation restarts" wait_output encap2 '^lwt_seg6_encap: route'
bg_start endx --ns r2 $END --sid $SID --dev eth2 --action end.x 2001:db8:2::1
check "End.BPF with End.X starts" wait_output endx 'then End\.X via 2001:db8:2::1'
check "End.X: ping h1 -> h2 over SRv6 without r2's route" in_ns h1 ping -q -c 3 -i 0.2 -W 2 $H2
bg_stop endx
check_match "End.X: the 3 pings went through the program" '^total End\.BPF ok 3 ' "$(bg_out endx | grep '^total')"
bg_start endt --ns r2 $END --sid $SID --dev eth2 --action end.t 100
check "End.BPF with End.T starts" wait_output endt 'then End\.T in table 100'
check "End.T: ping h1 -> h2 over SRv6 through table 100" in_ns h1 ping -q -c 3 -i 0.2 -W 2 $H2
bg_stop endt
check_match "End.T: the 3 pings went through the program" '^total End\.BPF ok 3 ' "$(bg_out endt | grep '^total')"
bg_start endplain --ns r2 $END --sid $SID --dev eth2
check "End.BPF with plain End starts" wait_output endplain 'then End;'
check_fails "End: no route to the next segment, so ping fails" in_ns h1 ping -q -c 2 -i 0.2 -W 1 $H2
bg_stop endplain
bg_stop encap2
in_ns r2 ip -6 route add 2001:db8:f3::/64 via 2001:db8:2::1

# --- SIGKILL leaves the route; the next start removes it
bg_start killed --ns r2 $END --sid $SID --dev eth2
check "End.BPF to be killed starts" wait_output killed 'End.BPF'
bg_stop killed KILL
check_match "SIGKILL leaves the seg6local route" 'End.BPF endpoint lwt_seg6local:' "$(ours r2)"
out=$(in_ns r2 $END --sid $SID --dev eth2 -d 1 2>&1); rc=$?
check_eq "next start succeeds" 0 "$rc"
check_match "next start removes the stale route and says so" \
	"lwt_seg6local: removing the stale route $SID/128 \(program \"lwt_seg6local:[0-9]+\"\)" "$out"
check_eq "no route left" "" "$(ours r2)"

done_testing
