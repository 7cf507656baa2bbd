# Sourced by tests/template/export_N.sh (not a test itself), which set
# SHARD=N and SHARDS: loader number i goes to shard (i mod SHARDS) + 1, so
# that each part stays well inside the runner's time limit on a busy
# machine.
#
# make new: every loader of every directory exported to a directory
# outside the checkout builds there alone (distribution toolchain, no
# path back into the tree, no warning), runs its --help under its new
# name, and carries only the common/ files it uses. An export into the
# tree becomes an example the top Makefile builds, and git ignores its
# binary by name.
. "$(dirname "$0")/../lib/lib.sh"

OUT=$(mktemp -d "/tmp/$LAB-export.XXXXXX")
on_cleanup rm -rf "$OUT"
case $OUT/ in "$ROOT"/*) fail "export directory outside the checkout" "$OUT"; exit 1 ;; esac

all=()
for s in */*.bpf.c; do
	[ -f "${s%.bpf.c}.c" ] && all+=("${s%.bpf.c}")
done
apps=()
for i in "${!all[@]}"; do
	[ $((i % SHARDS + 1)) = "$SHARD" ] && apps+=("${all[i]}")
done
info "part $SHARD of $SHARDS: ${#apps[@]} of ${#all[@]} loaders: ${apps[*]}"

# Export (in parallel: new.sh only reads the tree, whose objects make
# test-bins has built) and build (in parallel, each export on its own).
jobs=$(nproc)
printf '%s\n' "${apps[@]}" | xargs -P "$jobs" -I{} sh -c '
	a={}; n=my_${a##*/}
	scripts/new.sh "$n" "$a" "$1/$n" >"$1/$n.new.log" 2>&1; echo $? >"$1/$n.new.rc"
' sh "$OUT"
t0=$(date +%s)
for a in "${apps[@]}"; do echo "my_${a##*/}"; done | xargs -P "$jobs" -I{} sh -c '
	[ "$(cat "$1/{}.new.rc")" = 0 ] || exit 0
	make -C "$1/{}" >"$1/{}.build.log" 2>&1; echo $? >"$1/{}.build.rc"
' sh "$OUT"
info "built in $(($(date +%s) - t0)) s with $jobs jobs"

exported=0 built=0 helped=0
for a in "${apps[@]}"; do
	old=${a##*/} n=my_${a##*/} d=$OUT/my_${a##*/}
	if [ "$(cat "$d.new.rc")" != 0 ]; then
		fail "$a: make new" "$(tail -3 "$d.new.log")"
		continue
	fi
	exported=$((exported + 1))
	if [ "$(cat "$d.build.rc" 2>/dev/null)" != 0 ]; then
		fail "$a: builds standalone" "$(grep -m3 -E 'error|Error' "$d.build.log")"
		continue
	fi
	built=$((built + 1))
	check_fails "$a: no warning in the build" grep -i 'warning:' "$d.build.log"
	check_fails "$a: no path into the tree" grep -rlF "$ROOT" "$d"
	out=$("$d/$n" --help 2>&1) && rc=0 || rc=$?
	check_eq "$a: --help exits 0" 0 "$rc"
	[ "$rc" = 0 ] && helped=$((helped + 1))
	check_match "$a: --help under the new name" "^Usage: $n " "$out"
	check_fails "$a: no skeleton name of the example left" grep -rw "${old}_bpf" "$d" --include='*.c' --include='*.h'
	# Every name the example's header declares (the naming rule makes them
	# all its own) is renamed: none is left under its old name.
	if [ -f "$a.h" ]; then
		perl tests/template/declared.pl "$a.h" | awk '{print $NF}' >"$TMP/own"
		check_eq "$a: none of the names of $old.h left" "" \
			"$(grep -rhowFf "$TMP/own" "$d" --include='*.c' --include='*.h' | sort -u | paste -sd' ')"
	fi
	check "$a: README says where it came from" grep -q "Started from the example \`$a\`" "$d/README.md"
	check "$a: LICENSE, .gitignore, vmlinux.h" test -s "$d/LICENSE" -a -s "$d/.gitignore" -a -s "$d/vmlinux.h"

	# Only what is used: every common header is included by a file of the
	# export, every common object gives a symbol another object takes.
	unused=()
	for h in "$d"/common/*.h; do
		[ -e "$h" ] || continue
		grep -rqE "#[[:space:]]*include[[:space:]]*\"${h##*/}\"" "$d" --include='*.c' --include='*.h' ||
			unused+=("${h#"$d"/}")
	done
	for o in "$d"/.output/common/*.o; do
		[ -e "$o" ] || continue
		others=$(ls "$d"/.output/*.o "$d"/.output/common/*.o | grep -vxF "$o")
		nm --defined-only "$o" | awk 'NF == 3 && $2 ~ /[TDRB]/ {print $3}' | sort -u >"$TMP/def"
		nm -u $others | awk '{print $NF}' | sort -u >"$TMP/undef"
		[ -n "$(comm -12 "$TMP/def" "$TMP/undef")" ] || unused+=("${o#"$d"/.output/}")
	done
	check_eq "$a: only the common/ files it uses" "" "${unused[*]}"
	mnl=no
	nm -u "$d"/.output/*.o "$d"/.output/common/*.o 2>/dev/null | grep -q ' mnl_' && mnl=yes
	has=no
	grep -q -- '-lmnl' "$d/Makefile" && has=yes
	check_eq "$a: -lmnl exactly when libmnl is called" "$mnl" "$has"
done
info "exported $exported, built $built, --help $helped of ${#apps[@]}"

# Each example README lists the common/ files its loaders use (the
# section "common/ pieces used"; scripts/new.sh --deps FROM prints them).
for a in "${apps[@]}"; do
	line="- \`${a##*/}\`: $(scripts/new.sh --deps "$a" | sed 's/.*/`&`/' | paste -sd' ' | sed 's/` `/`, `/g')"
	check "${a%/*}/README.md lists the common/ pieces of ${a##*/}" \
		grep -qxF -- "$line" "${a%/*}/README.md"
done
check_eq "every loader exported, built, --help" "${#apps[@]} ${#apps[@]} ${#apps[@]}" \
	"$exported $built $helped"

# The names a naive rename would break stay the kernel's.
d=$OUT/my_xdp_drop
[ -d "$d" ] && check "xdp_drop: XDP_DROP (the kernel's action) kept" grep -qw 'XDP_DROP' "$d/my_xdp_drop.bpf.c"
[ -d "$d" ] && check "xdp_drop: its own constant renamed" grep -qw 'MY_XDP_DROP_NSTATS' "$d/my_xdp_drop.h"
[ -d "$d" ] && check "xdp_drop: header guard renamed" grep -qw '#ifndef MY_XDP_DROP_H' "$d/my_xdp_drop.h"
[ -d "$d" ] && check_fails "xdp_drop: nothing of XDP_DROP_* left" grep -rwE 'XDP_DROP_[A-Z_]+' "$d" --include='*.[ch]'
d=$OUT/my_xdp_redirect
[ -d "$d" ] && check "xdp_redirect: its own constant renamed" grep -qw 'MY_XDP_REDIRECT_PORTS' "$d/my_xdp_redirect.h"
d=$OUT/my_sk_msg
[ -d "$d" ] && check "sk_msg: SEC(\"sk_msg\") kept" grep -q 'SEC("sk_msg")' "$d/my_sk_msg.bpf.c"
[ -d "$d" ] && check "sk_msg: struct sk_msg_md kept" grep -q 'struct sk_msg_md' "$d/my_sk_msg.bpf.c"

[ "$SHARD" = 1 ] || done_testing

# Into the tree: a new example directory, built by the top Makefile with
# the tree's common/, its binary ignored by name.
dir=${LAB}x
on_cleanup "rm -rf '$ROOT/$dir' '$ROOT/.output/$dir'; make -s -C '$ROOT' gitignore"
check "in-tree: make new DEST=$dir" make -s new NAME=intree FROM=lwt_seg6local/lwt_seg6_encap DEST="$dir"
check "in-tree: no common/ copy" test ! -e "$dir/common"
check "in-tree: the shared header came along" test -f "$dir/seg6.h"
check "in-tree: the top Makefile builds it" make -s "$dir"
check "in-tree: --help" "./$dir/intree" --help
check "in-tree: git ignores $dir/intree" git check-ignore -q "$dir/intree"
check_fails "in-tree: git sees its sources" git check-ignore -q "$dir/intree.c"

# Refusals, with exit status 2.
expect "NAME that is not an identifier" 2 'C identifier' scripts/new.sh My-Tool xdp/xdp_drop "$OUT/x"
expect "FROM that is no example" 2 'no example' scripts/new.sh mytool xdp/nothing "$OUT/x"
expect "directory with two loaders" 2 'name one' scripts/new.sh mytool xdp "$OUT/x"
expect "DEST deeper in the tree" 2 'top-level' scripts/new.sh mytool xdp/xdp_drop xdp/sub
expect "NAME that shadows a common file" 2 'shadow' scripts/new.sh common xdp/xdp_drop "$OUT/x"
mkdir -p "$OUT/full" && touch "$OUT/full/f"
expect "DEST not empty" 2 'not empty' scripts/new.sh mytool xdp/xdp_drop "$OUT/full"
done_testing
