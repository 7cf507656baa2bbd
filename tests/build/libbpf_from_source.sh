#!/usr/bin/env bash
# make LIBBPF_SRC=1 (for distributions whose libbpf is older than 1.3):
# an example builds against libbpf built statically from its release
# tarball, links no shared libbpf, and runs: --help, then a real capture
# on the loopback of a namespace of its own.
. "$(dirname "$0")/../lib/lib.sh"

TARBALL=$(make -s --no-print-directory -f Makefile -f - print-tarball <<<'print-tarball: ; @echo $(LIBBPF_TARBALL)')
[ -r "$TARBALL" ] ||
	skip_all "no libbpf source tarball at $TARBALL (sudo scripts/setup.sh --libbpf-from-source fetches it)"

# A copy of the sources only, so that the build cannot touch this tree.
T=$TMP/tree
mkdir -p "$T/scripts" "$T/socket_filter"
cp -r Makefile common vmlinux "$T/"
cp scripts/check-toolchain.sh "$T/scripts/"
cp socket_filter/*.c socket_filter/*.h "$T/socket_filter/" 2>/dev/null
rm -f "$T"/common/*.o

check "make LIBBPF_SRC=1 socket_filter builds" \
	make -C "$T" -j2 --no-print-directory LIBBPF_SRC=1 socket_filter
BIN=$T/socket_filter/socket_filter
v=${TARBALL##*libbpf-}
v=${v%.tar.gz}
check "the libbpf it links is the tarball's release, $v" \
	grep -qx "Version: $v" "$T/.output/libbpf/lib/pkgconfig/libbpf.pc"
check_fails "no shared libbpf linked (ldd)" bash -c "ldd '$BIN' | grep -q libbpf"
out=$("$BIN" --help 2>&1) && rc=0 || rc=$?
check_eq "--help exits 0" 0 "$rc"
check_match "--help has an EXAMPLES block" 'EXAMPLES:' "$out"

# The static libbpf loads and attaches for real: a capture of 3 pings.
ns=$LAB-lb
ip netns add "$ns" && on_cleanup ip netns del "$ns"
ip -n "$ns" link set lo up
bg_start cap ip netns exec "$ns" "$BIN" -c 2 -d 20 lo
wait_output cap 'socket_filter: ' 10 || info "$(bg_out cap)"
sleep 0.5
ip netns exec "$ns" bash -c 'echo hi | nc -N -w 2 127.0.0.1 9 >/dev/null 2>&1' || true
bg_stop cap
check_eq "capture: exits 0" 0 "$BG_RC"
check_match "capture: the TCP SYN to port 9 was seen" '127\.0\.0\.1:[0-9]+ > 127\.0\.0\.1:9: Flags \[S\]' "$(bg_out cap)"
done_testing
