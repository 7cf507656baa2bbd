#!/usr/bin/env bash
# Run the tests of a checkout on another kernel, under QEMU.
#
#   sudo scripts/vmtest.sh [--kernel] KERNEL [T="PATTERN..." | PATTERN]
#   sudo scripts/vmtest.sh [--kernel] KERNEL -- COMMAND [ARG...]
#
# KERNEL is 6.1 or 6.12 (the newest Debian package of that series the
# archive offers, linux-image-*-amd64-unsigned), or the path of such a
# .deb. The package is fetched with apt-get download and unpacked into the
# cache; nothing is installed and /boot is not touched. The guest boots
# the kernel's ELF vmlinux (PVH entry) under TCG with a small initramfs
# (busybox-static from the archive, unpacked the same way, and the
# kernel's 9p/virtio/overlay modules), sees the host's / read-only over
# 9p under a tmpfs overlay, and runs `tests/run.sh PATTERN` (or COMMAND)
# in the checkout, with the binaries already built there. The exit status
# is the command's; the test logs and the guest kernel's log (kernel.log)
# are copied back to .output/vmtest/KERNEL-RELEASE/.
#
# TCG runs a guest in one host thread, so the tests are shared among
# several guests (one per host CPU, at most 4: VMTEST_GUESTS): each takes
# the next test no other guest has taken (tests/run.sh's TEST_CLAIM_DIR),
# and the summary line adds up theirs. A COMMAND runs in one guest.
#
# The checkout is VMTEST_TREE when set, else the current directory when
# it is the top of a checkout, else the one this script lives in:
#   cd /my/checkout && make test-bins &&
#   /other/checkout/scripts/vmtest.sh 6.1 T=xdp/icmp
#
# Environment: VMTEST_CACHE (default /var/cache/ebpf-catalog-vmtest; `make
# clean-vmtest` removes it), VMTEST_MEM (MiB, default 2048), VMTEST_CPUS
# (default 2), VMTEST_ACCEL (QEMU's -accel, default tcg,thread=single:
# the vCPUs in one host thread; tcg for one thread each), VMTEST_TIMEOUT
# (seconds for the whole run, default 7200), VMTEST_CPU (QEMU's -cpu,
# default max),
# TEST_TIMEOUT (per test inside the guest, default 2400: TCG is slow, and
# doctest/readmes runs every README recipe in one test: 9 min on 6.12),
# CYCLES (hostile/signals' cycles per loader and signal, default 1 here),
# VMTEST_GUESTS (guests sharing the tests, default the host's CPUs, 1-4).
# Needs qemu-system-x86_64 (sudo scripts/setup.sh --vmtest), apt-get and
# dpkg-deb; x86-64 hosts only.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

CACHE=${VMTEST_CACHE:-/var/cache/ebpf-catalog-vmtest}
if [ -n "${VMTEST_TREE:-}" ]; then TREE=$VMTEST_TREE
elif [ -x tests/run.sh ] && [ -f Makefile ]; then TREE=$PWD
else TREE=$(cd "$(dirname "$0")/.." && pwd); fi
TREE=$(cd "$TREE" && pwd -P)
MEM=${VMTEST_MEM:-2048}
CPUS=${VMTEST_CPUS:-2}
RUN_TIMEOUT=${VMTEST_TIMEOUT:-7200}
GUEST_TEST_TIMEOUT=${TEST_TIMEOUT:-2400}
# hostile/signals stops every loader with each signal CYCLES times: three
# (the host's default) took 2241 s on 6.1 and more than 2400 s on 6.12.
GUEST_CYCLES=${CYCLES:-1}
# One host thread for all vCPUs: with multi-threaded TCG a 6.12 guest
# died once (int3 Oops at a static key being patched while another vCPU
# ran it), and under load the single thread was faster on 6.1 (97 s
# against 130 s for cgroup_sock, 131 against 210 for lwt_seg6local).
ACCEL=${VMTEST_ACCEL:-tcg,thread=single}
CPU=${VMTEST_CPU:-max}
GUESTS=${VMTEST_GUESTS:-}

say() { printf 'vmtest: %s\n' "$*" >&2; }
die() { printf 'vmtest: %s\n' "$*" >&2; exit 1; }
usage() {
	sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

KERNEL="" PATTERN="" CMD=()
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage ;;
	--kernel) [ $# -ge 2 ] || usage; KERNEL=$2; shift 2 ;;
	--kernel=*) KERNEL=${1#*=}; shift ;;
	T=*) PATTERN=${1#T=}; shift ;;
	--) shift; CMD=("$@"); break ;;
	-*) usage ;;
	*)
		if [ -z "$KERNEL" ]; then KERNEL=$1
		elif [ -z "$PATTERN" ]; then PATTERN=$1
		else usage; fi
		shift ;;
	esac
done
[ -n "$KERNEL" ] || usage
[ "$(id -u)" = 0 ] || die "needs root (apt-get download into $CACHE, and the tests): sudo $0"
[ "$(uname -m)" = x86_64 ] || die "x86-64 hosts only"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: sudo scripts/setup.sh --vmtest"
for c in apt-get apt-cache dpkg-deb xz; do
	command -v $c >/dev/null || die "$c missing (Debian or Ubuntu host needed)"
done
[ -x "$TREE/tests/run.sh" ] || die "$TREE is not a checkout of the catalog (no tests/run.sh)"
if [ ${#CMD[@]} = 0 ]; then
	ls "$TREE"/.output/tests/*/* >/dev/null 2>&1 ||
		die "nothing built in $TREE: run 'make test-bins' there first"
	if [ -z "$GUESTS" ]; then
		GUESTS=$(nproc)
		[ "$GUESTS" -gt 4 ] && GUESTS=4
	fi
else
	GUESTS=1
fi
[[ $GUESTS =~ ^[1-9][0-9]*$ ]] || die "VMTEST_GUESTS is a number, not '$GUESTS'"

mkdir -p "$CACHE"
# Runs of several checkouts may share the cache: one downloads at a time.
exec 9>"$CACHE/.lock"
flock 9
# Downloads run as _apt when it can write there; as root otherwise.
fetch() {	# PACKAGE DIR: download the newest PACKAGE into DIR
	local dir=$2
	mkdir -p "$dir"
	chown _apt "$dir" 2>/dev/null || true
	(cd "$dir" && apt-get download -qq "$1" >/dev/null 2>&1) ||
		(cd "$dir" && apt-get download -qq "$1") ||
		die "apt-get download $1 failed"
	ls "$dir"/*.deb >/dev/null
}

# The newest generic amd64 kernel of a series (the cloud flavour has no 9p).
pick_package() {
	local series=$1 re
	case $series in
	6.1) re='^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' ;;
	*) re="^linux-image-${series//./\\.}[.-][0-9][^ ]*-amd64-unsigned\$" ;;
	esac
	apt-cache search --names-only "$re" 2>/dev/null | awk '{print $1}' |
		grep -v -e cloud -e '-rt-' | sort -V | tail -n1
}

case $KERNEL in
*.deb)
	[ -r "$KERNEL" ] || die "no such file: $KERNEL"
	DEB=$(cd "$(dirname "$KERNEL")" && pwd)/$(basename "$KERNEL")
	KID=$(basename "$DEB" .deb) ;;
[0-9]*.[0-9]*)
	PKG=$(pick_package "$KERNEL")
	[ -n "$PKG" ] || die "no linux-image-$KERNEL*-amd64-unsigned in the package lists (run 'apt-get update'; Debian 12 carries 6.1 and, in bookworm-backports/security, 6.12)"
	KID=$PKG ;;
*) die "KERNEL is 6.1, 6.12 or a linux-image .deb, not '$KERNEL'" ;;
esac

KDIR=$CACHE/$KID
if [ ! -e "$KDIR/.ready" ]; then
	rm -rf "$KDIR"
	if [ -z "${DEB:-}" ]; then
		say "downloading $PKG"
		fetch "$PKG" "$KDIR/dl"
		DEB=$(ls "$KDIR"/dl/*.deb | head -n1)
	fi
	say "unpacking $(basename "$DEB")"
	dpkg-deb -x "$DEB" "$KDIR/root"
	rm -rf "$KDIR/dl"
	touch "$KDIR/.ready"
fi
KREL=$(ls "$KDIR/root/lib/modules" | head -n1)
[ -n "$KREL" ] || die "$KID has no lib/modules/: not a kernel image package"
MODDIR=$KDIR/root/lib/modules/$KREL

# busybox-static, unpacked only (installing it would replace busybox).
BB=$CACHE/busybox/bin/busybox
if [ ! -x "$BB" ]; then
	rm -rf "$CACHE/busybox"
	say "downloading busybox-static"
	fetch busybox-static "$CACHE/busybox.dl"
	dpkg-deb -x "$CACHE"/busybox.dl/*.deb "$CACHE/busybox"
	rm -rf "$CACHE/busybox.dl"
	[ -x "$BB" ] || die "busybox-static has no bin/busybox"
fi

# The ELF vmlinux inside the bzImage: QEMU boots it through its PVH note,
# which skips the decompressor (seconds under TCG).
VMLINUX=$KDIR/vmlinux
if [ ! -s "$VMLINUX" ]; then
	say "extracting vmlinux from $(basename "$KDIR"/root/boot/vmlinuz-*)"
	bz=$(ls "$KDIR"/root/boot/vmlinuz-* | head -n1)
	for magic in 'FD377A585A00:xz -dc' '28B52FFD:zstd -dcq' '1F8B0800:gzip -dc'; do
		hex=${magic%%:*}
		for off in $(LC_ALL=C grep -obUaP "$(sed 's/../\\x&/g' <<<"$hex")" "$bz" | cut -d: -f1); do
			tail -c +$((off + 1)) "$bz" | ${magic#*:} >"$VMLINUX.tmp" 2>/dev/null || true
			if [ "$(head -c 4 "$VMLINUX.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
				mv "$VMLINUX.tmp" "$VMLINUX"
				break 2
			fi
		done
	done
	rm -f "$VMLINUX.tmp"
	[ -s "$VMLINUX" ] || die "could not find the ELF vmlinux inside $bz"
fi

# modules.dep for busybox modprobe, in the guest and for the initramfs.
if [ ! -e "$MODDIR/modules.dep.bb" ]; then
	"$BB" depmod -b "$KDIR/root" "$KREL"
	touch "$MODDIR/modules.dep.bb"
fi

flock -u 9

# Per run: the initramfs and a writable directory for the results.
RUN=$(mktemp -d "$CACHE/run.XXXXXX")
QPIDS=()
cleanup() {
	local f
	for f in "$RUN"/qemu*.pid; do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	[ ${#QPIDS[@]} -gt 0 ] && wait "${QPIDS[@]}" 2>/dev/null
	rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

IR=$RUN/initramfs
mkdir -p "$IR"/{bin,dev,proc,sys,lower,rw,newroot,out,claims,lib/modules}
cp "$BB" "$IR/bin/busybox"
ln -s busybox "$IR/bin/sh"

# The modules the first stage needs, in dependency order, decompressed.
want="9p 9pnet_virtio overlay virtio_pci"
order=()
add_mod() {
	local m=$1 path deps d
	path=$(awk -F: -v m="$m" '{n=$1; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n);
		gsub(/-/, "_", n); if (n == m) {print; exit}}' "$MODDIR/modules.dep")
	[ -n "$path" ] || return 0	# built in
	deps=${path#*:}
	path=${path%%:*}
	for d in $deps; do
		d=${d##*/}; d=${d%%.ko*}; d=${d//-/_}
		add_mod "$d"
	done
	for d in "${order[@]:-}"; do [ "$d" = "$path" ] && return 0; done
	order+=("$path")
}
for m in $want; do add_mod "$m"; done
: >"$IR/modules"
for p in "${order[@]:-}"; do
	[ -n "$p" ] || continue
	f=$(basename "$p"); f=${f%.xz}; f=${f%.zst}
	case $p in
	*.xz) xz -dc "$MODDIR/$p" >"$IR/lib/modules/$f" ;;
	*.zst) zstd -dcq "$MODDIR/$p" >"$IR/lib/modules/$f" ;;
	*) cp "$MODDIR/$p" "$IR/lib/modules/$f" ;;
	esac
	echo "$f" >>"$IR/modules"
done

if [ ${#CMD[@]} = 0 ]; then
	# T="xdp/ sched_cls/": the tests any of the patterns selects.
	read -ra pats <<<"$PATTERN"
	CMD=(tests/run.sh "${pats[@]}")
fi
{
	printf 'TREE=%q\n' "$TREE"
	printf 'MODDIR=%q\n' "$MODDIR"
	printf 'KREL=%q\n' "$KREL"
	printf 'TEST_TIMEOUT=%q\n' "$GUEST_TEST_TIMEOUT"
	printf 'CYCLES=%q\n' "$GUEST_CYCLES"
	printf 'GUESTS=%q\n' "$GUESTS"
	printf 'CMD=(%s)\n' "$(printf '%q ' "${CMD[@]}")"
} >"$IR/vmtest.conf"

# Stage one (PID 1 in the initramfs): modules, the host's / read-only
# over 9p under a tmpfs overlay, then switch_root into it.
cat >"$IR/init" <<'EOF'
#!/bin/sh
export PATH=/bin
/bin/busybox --install -s /bin
fail() { echo "vmtest: $*"; echo "vmtest-status=1"; reboot -f; }
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
while read -r m; do insmod /lib/modules/$m || echo "vmtest: insmod $m failed"; done </modules
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose host /lower ||
	fail "cannot mount the host's / over 9p"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /out ||
	fail "cannot mount the results directory over 9p"
# The guests' shared list of the tests taken (no cache: they all write it).
mount -t 9p -o trans=virtio,version=9p2000.L claims /claims ||
	fail "cannot mount the claims directory over 9p"
mount -t tmpfs -o mode=0755 rw /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
	fail "cannot mount the overlay"
mkdir -p /newroot/vmtest/out /newroot/vmtest/claims
cp /bin/busybox /vmtest.conf /stage2 /newroot/vmtest/
mount --move /out /newroot/vmtest/out
mount --move /claims /newroot/vmtest/claims
umount /proc /sys /dev
exec switch_root /newroot /bin/bash /vmtest/stage2
EOF
chmod +x "$IR/init"

# Stage two (PID 1 on the overlay, the host's bash): the guest's own
# proc, sys and dev (never the host's through 9p), the kernel's modules
# with busybox modprobe for autoloading, then the command. Its status goes
# to the results directory and the console.
cat >"$IR/stage2" <<'EOF'
. /vmtest/vmtest.conf
bb() { /vmtest/busybox "$@"; }
m() {	# TYPE DIR [OPTIONS]
	bb mkdir -p "$2"
	bb mount -t "$1" ${3:+-o "$3"} "$1" "$2" || echo "vmtest: cannot mount $1 on $2"
}
m proc /proc
m sysfs /sys
m devtmpfs /dev
# This guest's number among GUESTS, from the kernel's command line.
GUEST=1
for w in $(bb cat /proc/cmdline); do
	case $w in vmtest.guest=*) GUEST=${w#*=} ;; esac
done
# A checkout under /tmp or /run stays visible through their tmpfs.
case $TREE in /tmp/*|/run/*)
	bb mkdir -p /vmtest/tree
	bb mount --bind "$TREE" /vmtest/tree && moved=1 ;;
esac
# devtmpfs has no /dev/fd: bash's <(...) needs it.
bb ln -sf /proc/self/fd /dev/fd
bb ln -sf /proc/self/fd/0 /dev/stdin
bb ln -sf /proc/self/fd/1 /dev/stdout
bb ln -sf /proc/self/fd/2 /dev/stderr
m devpts /dev/pts
m tmpfs /dev/shm
m tmpfs /tmp mode=1777
m tmpfs /run mode=0755
m bpf /sys/fs/bpf
m cgroup2 /sys/fs/cgroup
m tracefs /sys/kernel/tracing
m debugfs /sys/kernel/debug
if [ -n "${moved:-}" ]; then
	bb mkdir -p "$TREE"
	bb mount --move /vmtest/tree "$TREE"
fi
bb mkdir -p /lib/modules/$KREL /vmtest/bin
bb mount --bind "$MODDIR" /lib/modules/$KREL
# The kernel's own /boot (its config-$KREL: bpftool feature probe and
# make check-env read the guest kernel's options there, not the host's).
bb mount --bind "${MODDIR%/lib/modules/*}/boot" /boot
bb ln -s ../busybox /vmtest/bin/modprobe
echo /vmtest/bin/modprobe >/proc/sys/kernel/modprobe
bb ip link set lo up
bb hostname vmtest
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8 TEST_TIMEOUT CYCLES
if [ "$GUESTS" -gt 1 ]; then
	export TEST_CLAIM_DIR=/vmtest/claims
	[ $((GUEST % 2)) = 0 ] && export TEST_ORDER=reverse
fi
# The kernel's log, as it comes (a ring buffer wraps in a long run): a
# test that dies by a signal has its "segfault at" line there.
/bin/cat /dev/kmsg >/vmtest/out/kernel.log 2>/dev/null &
kmsg=$!
echo "vmtest: guest $GUEST of $GUESTS, $KREL, $(bb nproc) CPUs, up $(bb cut -d' ' -f1 /proc/uptime)s, running: ${CMD[*]}"
if cd "$TREE"; then
	# Only this run's logs come back (the host's are under the overlay),
	# written straight to the host as each test ends: a run stopped by
	# VMTEST_TIMEOUT still leaves the logs of the tests it finished.
	bb rm -rf .output/test-logs
	bb mkdir -p .output/test-logs /vmtest/out/test-logs
	bb mount --bind /vmtest/out/test-logs .output/test-logs ||
		echo "vmtest: the logs stay in the guest"
	# A copy of the output: the host adds up the guests' summary lines.
	"${CMD[@]}" </dev/null | bb tee /vmtest/out/console
	rc=${PIPESTATUS[0]}
else
	echo "vmtest: the guest does not see $TREE"
	rc=1
fi
bb kill "$kmsg" 2>/dev/null
echo "$rc" >/vmtest/out/status
bb sync
echo "vmtest-status=$rc"
bb reboot -f
EOF

(cd "$IR" && find . | "$BB" cpio -o -H newc 2>/dev/null | gzip -1) >"$RUN/initramfs.cpio.gz"
mkdir -p "$RUN/claims"

# Whole lines only, so that the guests' outputs interleave by line; a
# failed test's excerpt ("---- LOG" to "----") stays in one piece. Bash,
# not awk: mawk holds a pipe's lines until its buffer fills.
lines() {
	local l blk=""
	while IFS= read -r l || [ -n "$l" ]; do
		l=${l%$'\r'}
		if [ -n "$blk" ]; then
			blk+=$'\n'$l
			[ "$l" = ---- ] && { printf '%s\n' "$blk"; blk=""; }
			continue
		fi
		case $l in "---- "*) blk=$l; continue ;; esac
		printf '%s\n' "$l"
	done
	[ -z "$blk" ] || printf '%s\n' "$blk"
}

# Times differ several-fold between hosts: name the host's CPU with them.
HOSTCPU=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
say "booting $KREL ($KID) under QEMU ($ACCEL, -cpu $CPU), $GUESTS guest(s) of $CPUS CPUs and $MEM MiB each, on a host $(nproc) x ${HOSTCPU:-unknown CPU}; tree $TREE"
start=$(date +%s)
for g in $(seq "$GUESTS"); do
	mkdir -p "$RUN/out$g"
	# No network device: the guest's traffic stays in its own namespaces.
	(
		timeout -k 10 "$RUN_TIMEOUT" qemu-system-x86_64 \
			-accel "$ACCEL" -cpu "$CPU" -smp "$CPUS" -m "$MEM" \
			-kernel "$VMLINUX" -initrd "$RUN/initramfs.cpio.gz" \
			-append "console=ttyS0 quiet loglevel=3 panic=-1 rw vmtest.guest=$g" \
			-display none -vga none -no-reboot -nic none -monitor none -serial stdio \
			-pidfile "$RUN/qemu$g.pid" \
			-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
			-virtfs "local,path=$RUN/out$g,mount_tag=out,security_model=none" \
			-virtfs "local,path=$RUN/claims,mount_tag=claims,security_model=none" \
			</dev/null | lines
		exit "${PIPESTATUS[0]}"
	) &
	QPIDS+=($!)
done
qrc=()
for p in "${QPIDS[@]}"; do
	wait "$p" && qrc+=(0) || qrc+=($?)
done
QPIDS=()
took=$(( $(date +%s) - start ))

LOGS=$TREE/.output/vmtest/$KREL
# A new run's logs replace the last run's; a COMMAND's run keeps them.
if [ -n "$(find "$RUN"/out*/test-logs -mindepth 1 -print -quit 2>/dev/null)" ]; then
	rm -rf "$LOGS"
fi
rc=0 sum=(0 0 0)
for g in $(seq "$GUESTS"); do
	out=$RUN/out$g
	klog=kernel.log
	[ "$GUESTS" -gt 1 ] && klog=kernel-$g.log
	if [ -n "$(ls -A "$out/test-logs" 2>/dev/null)" ]; then
		mkdir -p "$LOGS"
		cp -r "$out/test-logs/." "$LOGS/"
	fi
	if [ -s "$out/kernel.log" ]; then
		mkdir -p "$LOGS"
		cp "$out/kernel.log" "$LOGS/$klog"
		# /dev/kmsg records: "LEVEL,SEQ,USEC,FLAGS;TEXT".
		# A process killed by a fault, or the kernel's own trouble: shown here.
		{ grep -E ';.*(segfault at|general protection|Oops|BUG:|WARNING:|Call Trace|trap )' \
			"$LOGS/$klog" || true; } | cut -d';' -f2- | head -n 20 |
			sed "s/^/vmtest: kernel ($klog): /" >&2
	fi
	if [ ! -s "$out/status" ]; then
		if [ "${qrc[g - 1]}" = 124 ]; then
			say "guest $g did not finish within ${RUN_TIMEOUT}s (VMTEST_TIMEOUT)"
		else
			say "guest $g stopped without a result (qemu exit ${qrc[g - 1]})"
		fi
		rc=1 sum[1]=$((sum[1] + 1))	# counted as one failure
		continue
	fi
	grc=$(cat "$out/status")
	[ "$grc" = 0 ] || rc=$grc
	# The last line of tests/run.sh: "P passed, F failed, S skipped".
	n=()
	read -r -a n < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' \
		"$out/console" 2>/dev/null | tail -n 1) || true
	if [ ${#n[@]} = 3 ]; then
		for k in 0 1 2; do sum[k]=$((sum[k] + n[k])); done
	fi
done
[ -d "$LOGS" ] && say "test logs and the guest kernel's log in $LOGS/"
say "$KREL: exit status $rc after ${took}s"
if [ "$GUESTS" -gt 1 ]; then
	say "the $GUESTS guests together:"
	echo "${sum[0]} passed, ${sum[1]} failed, ${sum[2]} skipped"
fi
exit "$rc"
