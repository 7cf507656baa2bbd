#!/usr/bin/env bash
# xdp_load_balancer restarts without losing a connection (--pin): a
# rate-limited 20 MiB download through the `lb` lab survives five
# SIGINT-and-start-again cycles in a row, the pinned link keeps its id
# while the program under it changes, and --unpin removes everything.
# Around it, an administrator's static neighbour entry for a backend
# stays exactly as it was, before, during and after every run.
. "$(dirname "$0")/../lib/lib.sh"

LB=./xdp/xdp_load_balancer
VIP=192.0.2.80
URL=http://$VIP:8080

lab_up lb
STATE=/run/ebpf-catalog-lab/$LAB.d

# neigh ADDR: the LB's neighbour entry for ADDR on eth0, as ip shows it.
neigh() { ip -n "$LAB-lb" neigh show "$1" dev eth0; }
# prog_id: the program attached to the LB's eth0.
prog_id() { ip -n "$LAB-lb" -d link show eth0 | grep -Eo 'prog/xdp id [0-9]+' | awk '{print $3}'; }

# The administrator pins b2's MAC; b1 has no entry, the loader adds its own.
b2_mac=$(ip -n "$LAB-b2" -br link show eth0 | awk '{print $3}')
ip -n "$LAB-lb" neigh flush dev eth0
ip -n "$LAB-lb" neigh add 198.51.100.12 lladdr "$b2_mac" dev eth0 nud permanent
before=$(neigh 198.51.100.12)
info "administrator's entry: $before"
printf '198.51.100.11\n198.51.100.12\n' >"$TMP/backends"

# Without --pin: everything goes at exit, the administrator's entry stays.
bg_start lb --ns lb $LB eth0 --vip $VIP --backend-file "$TMP/backends"
wait_output lb 'balancing' 60 || fail "loader started" "$(bg_out lb)"
in_ns client bash -c "for i in \$(seq 20); do curl -s -m 5 $URL/; done" | sort | uniq -c >"$TMP/20"
info "20 curls: $(tr '\n' ' ' <"$TMP/20")"
check_match "20 curls answered by both backends" "b1.* b2|b2.* b1" "$(tr '\n' ' ' <"$TMP/20")"
check_eq "administrator's static entry unchanged while the loader runs" "$before" \
	"$(neigh 198.51.100.12)"
check_match "the loader's own entry for b1: managed, marked proto 76" "managed.*proto 76|proto 76.*managed" \
	"$(neigh 198.51.100.11)"
# Once the loader's entry is gone, b1's next ARP request may leave a
# kernel cache entry for it: only a marked one would be the loader's.
ours_gone() { ! neigh 198.51.100.11 | grep -Eq 'managed|proto 76'; }
bg_stop lb
check_eq "SIGINT: exit 0" 0 "$BG_RC"
check_eq "administrator's static entry unchanged after exit" "$before" "$(neigh 198.51.100.12)"
check "the loader's entry for b1 removed at exit" ours_gone

# --pin on a bpffs of the test's own: `ip netns exec` mounts a /sys of
# its own, without /sys/fs/bpf, so the pins live in $TMP/bpffs.
expect "--pin outside bpffs" 1 "is not on a BPF filesystem" \
	in_ns lb $LB eth0 --vip $VIP --backend-file "$TMP/backends" --pin "$TMP/notbpf" -d 1
rmdir "$TMP/notbpf" 2>/dev/null
mkdir -p "$TMP/bpffs"
mount -t bpf bpf "$TMP/bpffs" && on_cleanup umount "$TMP/bpffs"
PIN=$TMP/bpffs/xlb
expect "--unpin with nothing pinned" 1 "nothing pinned in" in_ns lb $LB eth0 --unpin "$PIN"

t0=$(date +%s%N)
bg_start lb --ns lb $LB eth0 --vip $VIP --backend-file "$TMP/backends" --pin "$PIN"
wait_output lb 'pinned in' 120 || fail "loader with --pin started" "$(bg_out lb)"
start_ms=$((($(date +%s%N) - t0) / 1000000))
check_eq "pins: link, conns, nat" "conns link nat" "$(ls "$PIN" | tr '\n' ' ' | sed 's/ $//')"
link_id=$(bpftool link show pinned "$PIN/link" | awk -F: 'NR == 1 {print $1}')
first_prog=$(prog_id)

# The download must outlast five restarts: its rate follows how long a
# loader took to start here (0.3 s on an idle host, 10 s under QEMU TCG),
# giving it twelve starts plus 10 s, and at least 8 s (six plus 5 s were
# too few on a loaded QEMU guest: later starts took longer than the first).
secs=$(((12 * start_ms + 10000) / 1000))
[ "$secs" -ge 8 ] || secs=8
info "first start took $start_ms ms: download at $((20971520 / secs)) B/s, about $secs s"
bg_start dl --ns client curl -sS -m $((secs * 3 + 30)) --limit-rate $((20971520 / secs)) \
	-o "$TMP/got" "$URL/big.bin"
progs=$first_prog
during=0
for r in 1 2 3 4 5; do
	sleep 0.3
	kill -0 "$(bg_pid dl)" 2>/dev/null && during=$((during + 1))
	bg_stop lb
	[ "$BG_RC" = 0 ] || fail "restart $r: SIGINT exit 0" "exit $BG_RC"
	bg_start lb --ns lb $LB eth0 --vip $VIP --backend-file "$TMP/backends" --pin "$PIN"
	wait_output lb 'took over' 120 || fail "restart $r: took over" "$(bg_out lb)"
	progs="$progs $(prog_id)"
done
check_eq "five restarts while the download ran" 5 "$during"
check_match "a restart inherited the download's connection" "with [1-9][0-9]* connections?" \
	"$(bg_out lb)"
wait_pid "$(bg_pid dl)" $((secs * 3 + 30))
check_eq "download across five restarts: curl exit 0 (no reset)" 0 "$WAIT_RC"
check_eq "download across five restarts: sha256 matches" "$(cat "$STATE/big.sha256")" \
	"$(sha256sum <"$TMP/got" | cut -d' ' -f1)"
info "programs under the pinned link: $progs"
check_eq "six programs in turn under the link" 6 "$(tr ' ' '\n' <<<"$progs" | sort -u | grep -c .)"
check_eq "the link is the same one throughout" "$link_id" \
	"$(bpftool link show pinned "$PIN/link" | awk -F: 'NR == 1 {print $1}')"
check_eq "administrator's static entry unchanged across restarts" "$before" "$(neigh 198.51.100.12)"

bg_stop lb
check_eq "last SIGINT: exit 0" 0 "$BG_RC"
check_match "at exit: says the program stays, how to take over or remove" \
	"stays attached to eth0 .* --unpin" "$(bg_out lb)"
check "the program still runs with no loader" \
	in_ns client curl -s -m 5 -o /dev/null "$URL/"
check "--unpin: exit 0" in_ns lb $LB eth0 --unpin "$PIN"
check_fails "--unpin: no program on eth0" bash -c "ip -n $LAB-lb link show eth0 | grep -q xdp"
check_eq "--unpin: the pin directory is gone" no "$([ -e "$PIN" ] && echo yes || echo no)"
check_fails "--unpin: the link is gone" bpftool link show id "$link_id"
check "--unpin: the loader's entry for b1 removed" ours_gone
check_eq "administrator's static entry unchanged after --unpin" "$before" "$(neigh 198.51.100.12)"
done_testing
