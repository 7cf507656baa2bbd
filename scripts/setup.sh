#!/usr/bin/env bash
# Install what the catalog needs to build, test and demo, from the
# distribution's own archives. Idempotent: when everything is present at a
# good enough version it changes nothing and says so.
#
#   sudo scripts/setup.sh           install what is missing, then check versions
#   scripts/setup.sh --check        only check, install nothing (exit 1 if short)
#   sudo scripts/setup.sh --vmtest  also install QEMU for `make vmtest` (Debian/Ubuntu)
#   sudo scripts/setup.sh --libbpf-from-source
#                                   fetch the source of libbpf 1.4.6 for `make LIBBPF_SRC=1`
#                                   (a static libbpf in .output/), where the
#                                   distribution's libbpf is older than 1.3
#
# Debian 12 is the tested path (libbpf-dev, bpftool and linux-libc-dev from
# bookworm-backports, clang-19 from main). Debian 13, Ubuntu 24.04 and Fedora
# use their own package names and are written but untried here.
set -euo pipefail

MIN_LIBBPF=1.3
MIN_BPFTOOL=7.3
MIN_CLANG=14

# Tools the tests, demos and benchmarks call: one per line, "command package".
# The package name is Debian's; per-distribution renames are in pkg_name().
RUNTIME_TOOLS="ip iproute2
ping iputils-ping
nc netcat-openbsd
curl curl
iperf3 iperf3
tcpdump tcpdump
ss iproute2
ethtool ethtool
nstat iproute2
setpriv util-linux
python3 python3
sha256sum coreutils
timeout coreutils
nft nftables
iptables iptables
busybox busybox
socat socat
gnuplot gnuplot-nox
wrk wrk
ab apache2-utils
jq jq
taskset util-linux
stdbuf coreutils
xdp-filter xdp-tools
haproxy haproxy
nginx nginx-light
redis-server redis-server
redis-cli redis-tools
redis-benchmark redis-tools
sysctl procps
dot graphviz"

# Servers the tests and benchmarks start themselves, each with its own config in its
# own namespace: installing them must neither start nor enable them.
SERVICE_PKGS="haproxy nginx-light redis-server"

CHECK_ONLY=0 VMTEST=0 LIBBPF_FROM_SOURCE=0
for a in "$@"; do
	case $a in
	--check) CHECK_ONLY=1 ;;
	--vmtest) VMTEST=1 ;;
	--libbpf-from-source) LIBBPF_FROM_SOURCE=1 ;;
	*) echo "usage: $0 [--check] [--vmtest] [--libbpf-from-source]" >&2; exit 2 ;;
	esac
done

# The libbpf release `make LIBBPF_SRC=1` builds, and where its tarball is
# kept (the Makefile's LIBBPF_CACHE and LIBBPF_TARBALL say the same).
LIBBPF_SRC_VERSION=1.4.6
LIBBPF_SRC_DEBIAN=1.4.6-1~bpo12+1	# bookworm-backports; its .orig.tar.gz is the upstream release
LIBBPF_SRC_SHA256=d4cf3ee697d9bd959ad3c0f5c6757370a2559e54448761271e15a23c31c1082e
LIBBPF_CACHE=${LIBBPF_CACHE:-/var/cache/ebpf-catalog-libbpf}
LIBBPF_TARBALL=$LIBBPF_CACHE/libbpf-$LIBBPF_SRC_VERSION.tar.gz

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# "1.4.6" >= "1.3" ?
ver_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

. /etc/os-release 2>/dev/null || true
DISTRO="${ID:-unknown}"
CODENAME="${VERSION_CODENAME:-}"

pick_clang() {
	local c
	for c in clang-21 clang-20 clang-19 clang-18 clang-17 clang-16 clang-15 clang-14 clang; do
		command -v "$c" >/dev/null 2>&1 && { echo "$c"; return; }
	done
}

clang_version() {
	local c
	c=$(pick_clang)
	[ -n "$c" ] || return 0
	"$c" --version | sed -n 's/.*clang version \([0-9][0-9.]*\).*/\1/p' | head -n1
}

libbpf_version() { pkg-config --modversion libbpf 2>/dev/null || true; }

bpftool_version() {
	command -v bpftool >/dev/null 2>&1 || return 0
	# Debian's /usr/sbin/bpftool is a wrapper that fails without a
	# matching kernel-versioned binary; ask it anyway, it says why.
	bpftool version 2>/dev/null | sed -n 's/^bpftool v\([0-9.]*\).*/\1/p' | head -n1
}

# Returns 0 when every requirement is met; prints what is short.
check_all() {
	local ok=0 v c line cmd
	v=$(clang_version)
	if [ -z "$v" ] || ! ver_ge "$v" "$MIN_CLANG"; then
		say "clang ${v:-missing}: need >= $MIN_CLANG (package clang-19 or newer)"; ok=1
	fi
	v=$(libbpf_version)
	if [ "$LIBBPF_FROM_SOURCE" = 1 ]; then
		[ -s "$LIBBPF_TARBALL" ] ||
			{ say "libbpf $LIBBPF_SRC_VERSION source missing ($LIBBPF_TARBALL)"; ok=1; }
	elif [ -z "$v" ] || ! ver_ge "$v" "$MIN_LIBBPF"; then
		say "libbpf ${v:-missing}: need >= $MIN_LIBBPF (libbpf-dev; on Debian 12 from bookworm-backports)"; ok=1
	fi
	v=$(bpftool_version)
	if [ -z "$v" ] || ! ver_ge "$v" "$MIN_BPFTOOL"; then
		say "bpftool ${v:-missing}: need >= $MIN_BPFTOOL (bpftool; on Debian 12 from bookworm-backports)"; ok=1
	fi
	for h in gelf.h zlib.h libmnl/libmnl.h; do
		if ! printf '#include <%s>\n' "$h" | cc -E -x c - >/dev/null 2>&1; then
			say "header <$h> missing (libelf-dev, zlib1g-dev, libmnl-dev)"; ok=1
		fi
	done
	while read -r cmd pkg; do
		command -v "$cmd" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$cmd" >/dev/null 2>&1 \
			|| { say "command $cmd missing (package $pkg)"; ok=1; }
	done <<<"$RUNTIME_TOOLS"
	return $ok
}

debian_runtime_pkgs() { awk '{print $2}' <<<"$RUNTIME_TOOLS" | sort -u | tr '\n' ' '; }

# Debian starts and enables a daemon when its package is installed. Deny
# the start with a policy-rc.d for the time of the install (unless one is
# there already), and disable the services of the packages this run
# installed; a service that was installed before is left as it was.
NEW_SERVICES=
services_off_begin() {
	local p
	for p in $SERVICE_PKGS; do
		dpkg -s "$p" >/dev/null 2>&1 || NEW_SERVICES="$NEW_SERVICES ${p%-light}"
	done
	[ -e /usr/sbin/policy-rc.d ] && return
	printf '#!/bin/sh\n# scripts/setup.sh: no daemon starts during its install\nexit 101\n' \
		>/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	POLICY_ADDED=1
}
services_off_end() {
	local s
	[ "${POLICY_ADDED:-0}" = 1 ] && rm -f /usr/sbin/policy-rc.d
	for s in $NEW_SERVICES; do
		if command -v systemctl >/dev/null; then
			systemctl disable "$s" >/dev/null 2>&1 || true
		fi
		if command -v update-rc.d >/dev/null && [ -e "/etc/init.d/$s" ]; then
			update-rc.d "$s" disable >/dev/null 2>&1 || true
		fi
		say "installed $s for the tests and benchmarks: not started, not enabled"
	done
}

install_debian12() {
	local bp=/etc/apt/sources.list.d/bookworm-backports.sources
	if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		say "enabling bookworm-backports in $bp"
		cat >"$bp" <<EOF
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		-t bookworm-backports libbpf-dev bpftool linux-libc-dev
	services_off_begin
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		clang-19 llvm-19 make gcc libc6-dev libelf-dev zlib1g-dev libmnl-dev pkg-config \
		$(debian_runtime_pkgs)
	services_off_end
}

install_debian_newer() {
	# Debian 13 and Ubuntu 24.04 carry libbpf >= 1.3 and bpftool >= 7.3 in
	# their main archives. Ubuntu ships bpftool in linux-tools-common.
	local tools=bpftool clang=clang
	[ "$DISTRO" = ubuntu ] && tools="linux-tools-common linux-tools-generic"
	apt-get update -qq
	services_off_begin
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$clang llvm make gcc libc6-dev libbpf-dev $tools libelf-dev zlib1g-dev \
		libmnl-dev pkg-config linux-libc-dev \
		$(debian_runtime_pkgs | sed 's/nginx-light/nginx/')	# Debian 13 and Ubuntu: no nginx-light
	services_off_end
}

install_fedora() {
	dnf install -y httpd-tools	# ab
	dnf install -y clang llvm make gcc glibc-devel libbpf-devel bpftool \
		elfutils-libelf-devel zlib-devel libmnl-devel pkgconf-pkg-config \
		kernel-headers iproute iputils nmap-ncat curl iperf3 tcpdump ethtool \
		util-linux python3 coreutils nftables iptables-nft busybox socat \
		gnuplot wrk jq xdp-tools haproxy nginx redis procps-ng graphviz
}

# `make vmtest` boots other kernels under QEMU (scripts/vmtest.sh). Only
# QEMU is installed: the kernels and busybox-static are downloaded and
# unpacked into a cache, never installed.
install_vmtest() {
	command -v qemu-system-x86_64 >/dev/null 2>&1 && { say "qemu-system-x86_64 present"; return 0; }
	[ "$CHECK_ONLY" = 1 ] && { say "command qemu-system-x86_64 missing (package qemu-system-x86)"; return 1; }
	[ "$(id -u)" = 0 ] || die "needs root to install packages: run 'sudo $0 --vmtest'"
	case $DISTRO in
	debian|ubuntu)
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			qemu-system-x86 ;;
	fedora) dnf install -y qemu-system-x86-core ;;
	*) die "install QEMU (qemu-system-x86_64) by hand" ;;
	esac
}
if [ "$VMTEST" = 1 ]; then
	install_vmtest || exit 1
fi

# The upstream release tarball of libbpf, for a static build in the tree's
# .output/ (never in the repository). Debian's archive carries it as the
# .orig.tar.gz of its source package: fetched with apt-get source from a
# deb-src entry of its own. Elsewhere, from the release's GitHub tag.
fetch_libbpf_source() {
	local list=/etc/apt/sources.list.d/ebpf-catalog-libbpf-src.sources tmp f
	[ -s "$LIBBPF_TARBALL" ] && { say "libbpf $LIBBPF_SRC_VERSION source present ($LIBBPF_TARBALL)"; return 0; }
	[ "$CHECK_ONLY" = 1 ] && { say "libbpf $LIBBPF_SRC_VERSION source missing"; return 1; }
	[ "$(id -u)" = 0 ] || die "needs root to fetch into $LIBBPF_CACHE: run 'sudo $0 --libbpf-from-source'"
	mkdir -p "$LIBBPF_CACHE"
	tmp=$(mktemp -d "$LIBBPF_CACHE/dl.XXXXXX")
	case $DISTRO in
	debian)
		if [ ! -e "$list" ]; then
			say "adding the bookworm-backports sources in $list (for libbpf's source)"
			cat >"$list" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
			apt-get update -qq
		fi
		chown _apt "$tmp" 2>/dev/null || true
		# Only the .orig.tar.gz is needed; a missing .dsc does not matter.
		(cd "$tmp" && apt-get source --download-only -qq "libbpf=$LIBBPF_SRC_DEBIAN" \
			>"$tmp/apt.log" 2>&1) || true
		[ -s "$tmp/libbpf_$LIBBPF_SRC_VERSION.orig.tar.gz" ] || cat "$tmp/apt.log" >&2
		f="$tmp/libbpf_$LIBBPF_SRC_VERSION.orig.tar.gz" ;;
	*)
		f="$tmp/libbpf-$LIBBPF_SRC_VERSION.tar.gz"
		curl -fsSL -o "$f" "https://github.com/libbpf/libbpf/archive/refs/tags/v$LIBBPF_SRC_VERSION.tar.gz" || true ;;
	esac
	if [ ! -s "$f" ]; then
		rm -rf "$tmp"
		die "could not fetch libbpf $LIBBPF_SRC_VERSION's source"
	fi
	if [ "$(sha256sum <"$f" | cut -d' ' -f1)" != "$LIBBPF_SRC_SHA256" ]; then
		# GitHub's archive may be packed differently: check what is inside.
		tar -xzOf "$f" "libbpf-$LIBBPF_SRC_VERSION/src/libbpf_version.h" 2>/dev/null |
			grep -q 'LIBBPF_MINOR_VERSION 4' || { rm -rf "$tmp"; die "$f is not libbpf $LIBBPF_SRC_VERSION"; }
		say "note: $f differs from Debian's .orig.tar.gz (sha256) but holds libbpf $LIBBPF_SRC_VERSION"
	fi
	mv "$f" "$LIBBPF_TARBALL"
	rm -rf "$tmp"
	say "libbpf $LIBBPF_SRC_VERSION source in $LIBBPF_TARBALL: build with 'make LIBBPF_SRC=1'"
}
if [ "$LIBBPF_FROM_SOURCE" = 1 ]; then
	fetch_libbpf_source || exit 1
fi

if check_all >/dev/null 2>&1; then
	say "everything is present (clang $(clang_version), libbpf $(libbpf_version), bpftool $(bpftool_version)); nothing to do"
	exit 0
fi

if [ "$CHECK_ONLY" = 1 ]; then
	check_all || true
	exit 1
fi

[ "$(id -u)" = 0 ] || die "needs root to install packages: run 'sudo $0'"

case "$DISTRO:$CODENAME" in
debian:bookworm) install_debian12 ;;
debian:*|ubuntu:*) install_debian_newer ;;
fedora:*) install_fedora ;;
*) die "unknown distribution '$DISTRO': install clang >= $MIN_CLANG, libbpf >= $MIN_LIBBPF, bpftool >= $MIN_BPFTOOL, libelf, zlib, libmnl and the tools in README.md by hand" ;;
esac

if ! check_all; then
	die "some requirements are still not met (see above)"
fi
say "ready: clang $(clang_version), libbpf $(libbpf_version), bpftool $(bpftool_version)"
