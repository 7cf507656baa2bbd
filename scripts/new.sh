#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Start a tool of your own from one example of the catalog:
#
#   scripts/new.sh NAME FROM [DEST]       (or: make new NAME= FROM= [DEST=])
#
# FROM is a loader, DIR/EXAMPLE (xdp/xdp_drop), or a directory with a
# single loader. Its files become NAME.bpf.c, NAME.c and NAME.h (and
# EXAMPLE-*.c/.h, more of the loader's own sources, NAME-*), and the
# identifiers the example owns are renamed with them: the skeleton
# (xdp_drop_bpf__open -> NAME_bpf__open), the header guard, its own
# EXAMPLE_* constants and example_* types. Kernel and libbpf names
# (XDP_DROP, struct sk_msg_md, SEC("sk_msg")) are never touched.
#
# DEST outside the repository (default: ../NAME beside it) gets a
# standalone project: the example, only the common/ files it uses,
# vmlinux.h, a Makefile of its own, a README, the licence texts and a
# .gitignore. DEST inside the repository must be a top-level directory:
# it becomes a catalog example that the top Makefile builds with the
# tree's common/.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TEMPLATES=$REPO/scripts/new.d
me=new

die() { echo "$me: $*" >&2; exit "${RC:-1}"; }
usage() { RC=2 die "$*
usage: make new NAME=mytool FROM=DIR/EXAMPLE [DEST=DIR]   (e.g. FROM=xdp/xdp_drop)"; }

# scripts/new.sh --deps FROM: only print the common/ files FROM uses.
DEPS=0
if [ "${1:-}" = --deps ]; then
	[ $# = 2 ] || usage "--deps takes FROM only"
	DEPS=1
	set -- deps_only "$2" /nonexistent/deps_only
fi
[ $# -ge 2 ] && [ $# -le 3 ] || usage "NAME and FROM are required"
NEW=$1 FROM=${2%/} DEST=${3:-}
[ -n "$NEW" ] || usage "NAME is empty"
[ -n "$FROM" ] || usage "FROM is empty"
[[ $NEW =~ ^[a-z][a-z0-9_]*$ ]] ||
	usage "NAME must be a C identifier in lower case (letters, digits, _): $NEW"

cd "$REPO"

# FROM: DIR/EXAMPLE, DIR/EXAMPLE.c, DIR/EXAMPLE.bpf.c, or DIR with one loader.
FROM=${FROM#./}
FROM=${FROM%.bpf.c}
FROM=${FROM%.c}
loaders_of() {
	local s
	for s in "$1"/*.bpf.c; do
		[ -f "${s%.bpf.c}.c" ] && echo "${s%.bpf.c}"
	done
}
if [ -d "$FROM" ]; then
	mapfile -t found < <(loaders_of "$FROM")
	[ ${#found[@]} = 1 ] ||
		usage "$FROM has ${#found[@]} loaders, name one: ${found[*]:-none}"
	FROM=${found[0]}
fi
[ -f "$FROM.bpf.c" ] && [ -f "$FROM.c" ] ||
	usage "no example $FROM (wanted $FROM.bpf.c and $FROM.c)"
case $FROM in */*/*) usage "FROM must be DIR/EXAMPLE: $FROM" ;; esac
SRCDIR=${FROM%/*}
OLD=${FROM##*/}
OLDU=${OLD^^}
NEWU=${NEW^^}
[ "$OLD" != "$NEW" ] || usage "NAME is the example's own name: choose another"

case $NEW in
vmlinux | auto | break | case | char | const | continue | default | do | \
double | else | enum | extern | float | for | goto | if | inline | int | \
long | register | restrict | return | short | signed | sizeof | static | \
struct | switch | typedef | union | unsigned | void | volatile | while | main)
	usage "NAME cannot be $NEW" ;;
esac

# DEST: default ../NAME beside the repository; a relative DEST is relative
# to the current directory (the repository, under make).
[ -n "$DEST" ] || DEST=$REPO/../$NEW
DEST=$(realpath -m -- "$DEST")
INTREE=0
case $DEST/ in
"$REPO"/*/*/) usage "DEST inside the repository must be a top-level directory (the Makefile finds */NAME.bpf.c): $DEST" ;;
"$REPO"/*/) INTREE=1 ;;
"$REPO"/) usage "DEST cannot be the repository itself" ;;
esac
case $DEST/ in
"$REPO"/.* | "$REPO"/common/ | "$REPO"/tests/ | "$REPO"/scripts/ | "$REPO"/vmlinux/ | "$REPO"/bench/)
	usage "DEST cannot be ${DEST#"$REPO"/}: choose a new directory name" ;;
esac

ARCH=$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
	-e 's/ppc64le/powerpc/' -e 's/riscv64/riscv/' -e 's/s390x/s390/' \
	-e 's/loongarch64/loongarch/')

WORK=$(mktemp -d "${TMPDIR:-/tmp}/new-$NEW.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# --- Which files: follow #include "..." from the example's two sources.
# A quoted include is looked up beside the including file, then in common/.
# Skeletons are generated and vmlinux.h is handled apart.
resolve() {	# FILE INCLUDE -> path relative to the repository
	local dir=${1%/*} inc=$2 p
	for p in "$dir/$inc" "common/$inc" "$SRCDIR/$inc"; do
		if [ -f "$p" ]; then
			realpath --relative-to="$REPO" "$p"
			return
		fi
	done
	die "$1 includes \"$inc\", which is nowhere in the tree"
}
declare -A SEEN=()
closure() {	# add FILE and what it includes to SEEN
	local f=$1 inc
	[ -z "${SEEN[$f]:-}" ] || return 0
	SEEN[$f]=1
	while read -r inc; do
		case $inc in *.skel.h | vmlinux.h) continue ;; esac
		closure "$(resolve "$f" "$inc")"
	done < <(sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/p' "$f")
}
closure "$FROM.bpf.c"
closure "$FROM.c"
# DIR/EXAMPLE-*.c: more of the loader's sources, linked into it.
EXTRA=()
for f in "$FROM"-*.c; do
	[ -f "$f" ] || continue
	EXTRA+=("$f")
	closure "$f"
done

# User space: the common .c of every common header used, and every common
# .c that defines a symbol the others need (nm on the tree's objects).
if [ "$INTREE" = 0 ]; then
	objs=(".output/$FROM.o")
	for f in "${EXTRA[@]}"; do objs+=(".output/${f%.c}.o"); done
	for c in common/*.c; do objs+=(".output/${c%.c}.o"); done
	make -s --no-print-directory "${objs[@]}" >&2 ||
		die "cannot build $FROM in the repository: run make there first"
	changed=1
	while [ "$changed" = 1 ]; do
		changed=0
		for f in "${!SEEN[@]}"; do
			case $f in common/*.h) c=${f%.h}.c ;; *) continue ;; esac
			if [ -f "$c" ] && [ -z "${SEEN[$c]:-}" ]; then
				closure "$c"
				changed=1
			fi
		done
		used=(".output/$FROM.o")
		for f in "${EXTRA[@]}"; do used+=(".output/${f%.c}.o"); done
		for f in "${!SEEN[@]}"; do
			case $f in common/*.c) used+=(".output/${f%.c}.o") ;; esac
		done
		nm -u "${used[@]}" 2>/dev/null | awk 'NF == 2 {print $2}' | sort -u >"$WORK/undef"
		for c in common/*.c; do
			[ -z "${SEEN[$c]:-}" ] || continue
			if nm --defined-only "$REPO/.output/${c%.c}.o" |
				awk 'NF == 3 && $2 ~ /[TDRBCV]/ {print $3}' | grep -qxFf "$WORK/undef"; then
				closure "$c"
				changed=1
			fi
		done
	done
	used=(".output/$FROM.o")
	for f in "${EXTRA[@]}"; do used+=(".output/${f%.c}.o"); done
	for f in "${!SEEN[@]}"; do
		case $f in common/*.c) used+=(".output/${f%.c}.o") ;; esac
	done
	nm -u "${used[@]}" 2>/dev/null | awk 'NF == 2 {print $2}' | sort -u >"$WORK/undef"
fi

mapfile -t FILES < <(printf '%s\n' "${!SEEN[@]}" | sort)
OWN=() COMMON=() OTHER=()
for f in "${FILES[@]}"; do
	case $f in
	"$SRCDIR"/*) OWN+=("$f") ;;
	common/*) COMMON+=("$f") ;;
	*) OTHER+=("$f") ;;
	esac
done

if [ "$DEPS" = 1 ]; then
	printf '%s\n' "${COMMON[@]#common/}"
	exit 0
fi

# Where each file goes, relative to DEST.
declare -A TARGET=()
for f in "${OWN[@]}"; do
	b=${f##*/}
	case $b in
	"$OLD".bpf.c) b=$NEW.bpf.c ;;
	"$OLD".c) b=$NEW.c ;;
	"$OLD".h) b=$NEW.h ;;
	"$OLD"-*) b=$NEW-${b#"$OLD"-} ;;
	esac
	TARGET[$f]=$b
done
if [ "$INTREE" = 0 ]; then
	for f in "${COMMON[@]}"; do TARGET[$f]=$f; done
	for f in "${OTHER[@]}"; do TARGET[$f]=${f##*/}; done
	for f in "${COMMON[@]}" "${OTHER[@]}"; do
		b=${f##*/}
		case $b in "$NEW".h | "$NEW".c | "$NEW".bpf.c)
			usage "NAME=$NEW would shadow $f: choose another name" ;;
		esac
	done
fi
# Two files must not land on one name.
dup=$(printf '%s\n' "${TARGET[@]}" | sort | uniq -d)
[ -z "$dup" ] || usage "NAME=$NEW gives two files the name $dup"

# --- The rename. CONTRIBUTING.md's naming rule gives every name an
# example owns its prefix: OLD_ in lower case (the skeleton, types,
# functions), OLDU_ in capitals (macros, enum constants, the header guard
# OLDU_H). Candidates are the tokens of the example's own files that are
# OLD or begin with OLD_, and those beginning with OLDU_ that the example
# defines itself (#define, enum constant). The bare OLDU is never one: it
# is the kernel's (XDP_DROP, XDP_REDIRECT). A candidate that names
# anything in vmlinux.h or the libbpf and kernel UAPI headers is the
# kernel's and stays.
VMLINUX=vmlinux/$ARCH/vmlinux.h
[ -f "$VMLINUX" ] || VMLINUX=.output/vmlinux/$ARCH/vmlinux.h
if [ ! -f "$VMLINUX" ]; then
	make -s --no-print-directory "$VMLINUX" >&2 || die "no $VMLINUX: run make vmlinux"
fi
LIBBPF_INC=$(pkg-config --variable=includedir libbpf 2>/dev/null || echo /usr/include)
KERNEL_HDRS=("$VMLINUX")
for d in "$LIBBPF_INC/bpf" /usr/include/linux; do
	[ -d "$d" ] && KERNEL_HDRS+=("$d")
done

perl -e '
	my ($old, $oldu) = splice @ARGV, 0, 2;
	my (%low, %up, %def);
	for my $f (@ARGV) {
		local $/;
		open my $fh, "<", $f or die "$f: $!";
		my $t = <$fh>;
		(my $nosec = $t) =~ s/SEC\("[^"]*"\)//g;
		$nosec =~ s/^\s*#\s*include.*$//mg;
		for my $w ($nosec =~ /\b([A-Za-z_]\w*)\b/g) {
			$low{$w} = 1 if $w =~ /^\Q$old\E(?:_\w*)?$/;
			$up{$w} = 1 if $w =~ /^\Q$oldu\E_\w+$/;
		}
		$def{$1} = 1 while $t =~ /^\s*#\s*define\s+(\w+)/mg;
		while ($t =~ /\benum\b[^{;]*\{([^}]*)\}/g) {
			(my $body = $1) =~ s{/\*.*?\*/|//[^\n]*}{}gs;
			for (split /,/, $body) { $def{$1} = 1 if /^\s*([A-Za-z_]\w*)/ }
		}
	}
	print "$_\n" for sort keys %low;
	print "$_\n" for grep { $def{$_} } sort keys %up;
' "$OLD" "$OLDU" "${OWN[@]}" >"$WORK/cand"
# kernel_names FILE: those names of FILE that the kernel, libbpf or the
# UAPI headers declare as a type, function, macro, enum constant or
# typedef. A struct member named alike (vmlinux.h has a counter field
# "xdp_drop") is no clash: members live in their struct's own namespace.
kernel_names() {
	{ grep -rhwF -f "$1" "${KERNEL_HDRS[@]}" 2>/dev/null || true; } | perl -ne '
		BEGIN { open my $f, "<", shift @ARGV or die; chomp(my @w = <$f>); %c = map { $_ => 1 } @w; }
		for my $w (/\b([A-Za-z_]\w*)\b/g) {
			next unless $c{$w};
			print "$w\n" if /\b(?:struct|union|enum)\s+\Q$w\E\b/
				|| /#\s*define\s+\Q$w\E\b/
				|| /\b\Q$w\E\s*\(/ || /\(\s*\*\s*(?:const\s+)?\Q$w\E\s*\)/
				|| /^\s*\Q$w\E\s*(?:=[^;]*)?,?\s*(?:\/\*.*)?$/
				|| /^\s*typedef\b.*\b\Q$w\E\s*(?:\[[^\]]*\])?\s*;/;
		}
	' "$1" | sort -u
}
kernel_names "$WORK/cand" >"$WORK/kernel"
grep -vxFf "$WORK/kernel" "$WORK/cand" >"$WORK/rename" || true
# The skeleton's names are the example's even before it is generated.
grep -qx "${OLD}_bpf" "$WORK/rename" || echo "${OLD}_bpf" >>"$WORK/rename"
: >"$WORK/map"
while read -r tok; do
	case $tok in
	"$OLD"*) new=$NEW${tok#"$OLD"} ;;
	*) new=$NEWU${tok#"$OLDU"} ;;
	esac
	echo "$tok $new" >>"$WORK/map"
	echo "$new" >>"$WORK/newtoks"
done <"$WORK/rename"
# A new name must not be one the kernel or the example already uses.
taken=$( { kernel_names "$WORK/newtoks"
	   cat "${OWN[@]}" | grep -owF -f "$WORK/newtoks"; } | sort -u | head -3 | tr '\n' ' ') || true
[ -z "$taken" ] || usage "NAME=$NEW makes names that already exist ($taken): choose another name"

# rename SRC DST: apply the token map to code and text, never inside
# SEC("...") (libbpf's section names), <system> includes or character
# literals; a quoted include gets the new file name. The bare example name
# is also the name of a kernel concept (netfilter, sk_msg): in comments
# and strings it is renamed only where it names the tool: a banner or a
# header comment ("xdp_drop: dropping...") and an indented usage example
# ("  xdp_drop lo"), never before a slash ("sk_reuseport/migrate" is a
# section name).
rename() {
	perl -e '
		my ($map, $old, $new, $flat) = splice @ARGV, 0, 4;
		my %m;
		open my $mf, "<", $map or die;
		while (<$mf>) { my ($a, $b) = split; $m{$a} = $b; }
		my %code = %m;
		my %file = ("$old.h" => "$new.h", "$old.skel.h" => "$new.skel.h");
		my $own = qr{(?<![/\w.-])\Q$old\E((?:-[\w-]+)?\.(?:bpf\.c|c|h))\b};
		delete $m{$old};
		local $/;
		my $t = <>;
		my $out = "";
		while ($t =~ m{\G(SEC\("[^"]*"\)|"(?:[^"\\\n]|\\.)*"|\x27(?:[^\x27\\\n]|\\.)*\x27|/\*.*?\*/|//[^\n]*|^[ \t]*\#[ \t]*include[^\n]*|[A-Za-z_]\w*|.)}gcsm) {
			my $s = $1;
			if ($s =~ /^(?:SEC\(|\x27)/) {
			} elsif ($s =~ /^\s*#\s*include\s*"([^"]+)"/) {
				my $inc = $1;
				my $base = $inc =~ s{.*/}{}r;
				my $to = exists $file{$base} ? $file{$base} :
					 $base =~ /^\Q$old\E-/ ? $new . substr($base, length $old) :
					 $flat ? $base : $inc;
				$s =~ s/"\Q$inc\E"/"$to"/;
			} elsif ($s =~ /^\s*#\s*include/) {
			} elsif ($s =~ m{^(?:"|/[*/])}) {
				$s =~ s/\b([A-Za-z_]\w*)\b/exists $m{$1} ? $m{$1} : $1/ge;
				# The file names of the example itself (sk_skb-relay.c).
				$s =~ s/$own/$new$1/g;
				$s =~ s{^"(\s+)\Q$old\E\b(?!/)}{"$1$new};
				$s =~ s{^("|/[*/]\s*)\Q$old\E(?=[:"])}{$1$new};
			} elsif (exists $code{$s}) {
				$s = $code{$s};
			}
			$out .= $s;
		}
		print $out;
	' "$WORK/map" "$OLD" "$NEW" "$((1 - INTREE))" "$1" >"$2"
}

# --- Write it.
if [ "$INTREE" = 1 ]; then
	mkdir -p "$DEST"
	for f in "${OWN[@]}"; do
		t=$DEST/${TARGET[$f]}
		case $f in "$FROM".bpf.c | "$FROM".c | "$FROM".h | "$FROM"-*) own=1 ;; *) own=0 ;; esac
		if [ "$own" = 1 ]; then
			[ ! -e "$t" ] || usage "${t#"$REPO"/} exists already"
			rename "$f" "$t"
		elif [ -e "$t" ]; then
			# A header two examples share (seg6.h) may be there already.
			cmp -s "$f" "$t" || die "${t#"$REPO"/} exists and differs from $f"
		else
			cp "$f" "$t"
		fi
	done
	rel=${DEST#"$REPO"/}
	if [ ! -e "$DEST/README.md" ]; then
		sed -e "s|@NEW@|$NEW|g" -e "s|@FROM@|$FROM|g" -e "s|@DIR@|$rel|g" \
			"$TEMPLATES/README.intree.md" >"$DEST/README.md"
	fi
	make -s --no-print-directory gitignore
	echo "$me: $rel/$NEW from $FROM: $(cd "$DEST" && ls "$NEW".* | tr '\n' ' ')"
	echo "$me: build it with: make $rel"
	exit 0
fi

if [ -e "$DEST" ] && [ -n "$(ls -A "$DEST" 2>/dev/null)" ]; then
	usage "$DEST exists and is not empty"
fi
mkdir -p "$DEST/common"
for f in "${OWN[@]}"; do
	rename "$f" "$DEST/${TARGET[$f]}"
done
# Shared files are copied as they are; they include each other by bare
# name, which -Icommon resolves.
for f in "${COMMON[@]}" "${OTHER[@]}"; do
	cp "$f" "$DEST/${TARGET[$f]}"
done
cp "$VMLINUX" "$DEST/vmlinux.h"
for l in LICENSE LICENSE.*; do
	[ -f "$l" ] && cp "$l" "$DEST/"
done

# Libraries beyond libbpf, only when the code calls them.
libs=
grep -q '^mnl_' "$WORK/undef" && libs+=" -lmnl"
grep -qE '^g?elf(32|64)?_' "$WORK/undef" && libs+=" -lelf"
grep -qxE 'deflate|inflate|crc32|compress2?|uncompress|gz.*' "$WORK/undef" && libs+=" -lz"
deb_libs=
case $libs in *mnl*) deb_libs+=" libmnl-dev" ;; esac

commit=$(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git -C "$REPO" status --porcelain -- "$SRCDIR" common 2>/dev/null)" ]; then
	commit="$commit, with uncommitted changes"
fi
common_list=$(for f in "${COMMON[@]}"; do printf '%s ' "${f#common/}"; done)
own_list=$(for f in "${OWN[@]}" "${OTHER[@]}"; do
	case $f in "$FROM".bpf.c | "$FROM".c | "$FROM".h) ;; *) printf '%s ' "${TARGET[$f]}" ;; esac
done)
renamed=$(awk '{printf "%s%s -> %s", (NR > 1 ? ", " : ""), $1, $2}' "$WORK/map")
# The example's EXAMPLES block, renamed, for the README.
examples=$(sed -n '/^"EXAMPLES:/,/;$/p' "$DEST/$NEW.c" | sed -nE 's/^"  (.*)\\n"[;]?$/\1/p' |
	sed 's/\\"/"/g')
[ -n "$examples" ] || examples="$NEW --help"

sed -e "s|@NEW@|$NEW|g" -e "s|@LIBS@|$libs|" "$TEMPLATES/Makefile" >"$DEST/Makefile"
cp "$TEMPLATES/gitignore" "$DEST/.gitignore"
echo "/$NEW" >>"$DEST/.gitignore"
NEW=$NEW FROM=$FROM COMMIT=$commit COMMON_LIST=$common_list OWN_LIST=$own_list \
RENAMED=$renamed EXAMPLES=$examples DEB_LIBS=$deb_libs ARCH=$ARCH perl -pe '
	$_ = "" if /\@OWN_LIST\@/ && $ENV{OWN_LIST} eq "";
	s/\@(NEW|FROM|COMMIT|COMMON_LIST|OWN_LIST|RENAMED|EXAMPLES|DEB_LIBS|ARCH)\@/$ENV{$1}/g
' "$TEMPLATES/README.md" >"$DEST/README.md"

echo "$me: $DEST: $NEW from $FROM (commit $commit)"
echo "$me:   $NEW.bpf.c $NEW.c$([ -f "$DEST/$NEW.h" ] && echo " $NEW.h") $own_list"
echo "$me:   common/: $common_list"
echo "$me:   renamed: $renamed"
echo "$me: build it with: make -C $DEST"
