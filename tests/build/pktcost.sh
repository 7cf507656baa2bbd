#!/usr/bin/env bash
# bench/tools/pktcost, the per-packet cost table of make bench: it times
# xdp_icmp_server's reply (not its pass path), and measuring an object that
# pins its maps by name (xdp-filter's) leaves nothing in bpffs.
. "$(dirname "$0")/../lib/lib.sh"
cd "$ROOT" || exit 1
PC=bench/tools/pktcost
[ -x "$PC" ] || skip_all "bench/tools/pktcost not built (make)"

out=$("$PC" -r 1000 .output/xdp/xdp_icmp_server.bpf.o 2>&1)
check_match "xdp_icmp_server's echo row is its XDP_TX reply" \
	'xdp_icmp_server,xdp,icmp-echo,tx,' "$out"

XF=$(ls /usr/lib/*/bpf/xdpfilt_dny_all.o /usr/lib/bpf/xdpfilt_dny_all.o \
	/usr/lib64/bpf/xdpfilt_dny_all.o 2>/dev/null | head -n1 || true)
if [ -z "$XF" ]; then
	skip "xdp-filter's object is measured without pinning" "xdp-tools not installed"
else
	BPFFS=$(awk '$3 == "bpf" {print $2; exit}' /proc/mounts)
	before=$(ls -A "$BPFFS" 2>/dev/null)
	out=$("$PC" -r 1000 "$XF" 2>&1)
	check_match "xdp-filter's deny-all drops" 'xdpfilt_dny_all,xdp,icmp-echo,drop,' "$out"
	check_eq "nothing pinned in $BPFFS" "$before" "$(ls -A "$BPFFS" 2>/dev/null)"
fi
done_testing
