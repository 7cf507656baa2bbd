#!/usr/bin/env bash
# Called by the Makefile before the first compile: are clang, libbpf and
# bpftool new enough? Names the package to install when they are not.
set -u
MIN_LIBBPF=1.3 MIN_BPFTOOL=7.3 MIN_CLANG=14
ver_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }
fail=0
hint="run 'sudo scripts/setup.sh' (Debian 12: from bookworm-backports)"

v=$(${CLANG:-clang} --version 2>/dev/null | sed -n 's/.*clang version \([0-9][0-9.]*\).*/\1/p' | head -n1)
if [ -z "$v" ] || ! ver_ge "$v" $MIN_CLANG; then
	echo "build: clang ${v:-not found} is too old, need >= $MIN_CLANG: install clang-19 (or newer), or $hint" >&2
	fail=1
fi
v=$(${PKG_CONFIG:-pkg-config} --modversion libbpf 2>/dev/null)
if [ -z "$v" ] || ! ver_ge "$v" $MIN_LIBBPF; then
	echo "build: libbpf ${v:-not found} is too old, need >= $MIN_LIBBPF: install libbpf-dev, $hint" >&2
	fail=1
fi
v=$(${BPFTOOL:-bpftool} version 2>/dev/null | sed -n 's/^bpftool v\([0-9.]*\).*/\1/p')
if [ -z "$v" ] || ! ver_ge "$v" $MIN_BPFTOOL; then
	echo "build: bpftool ${v:-not found} is too old, need >= $MIN_BPFTOOL: install bpftool, $hint" >&2
	fail=1
fi
for h in gelf.h zlib.h libmnl/libmnl.h; do
	printf '#include <%s>\n' "$h" | ${CC:-cc} -E -x c - >/dev/null 2>&1 || {
		echo "build: <$h> not found: install libelf-dev, zlib1g-dev and libmnl-dev" >&2
		fail=1
	}
done
exit $fail
