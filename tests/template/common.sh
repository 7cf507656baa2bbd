#!/usr/bin/env bash
# common/ shaped for copying: every user-space .c has a header of its own
# that declares what it exports, compiles alone (no -D from a Makefile),
# and exports only what some other file uses; every loader includes the
# header of each common/ file it calls into, so its includes say what it
# uses (and what make new copies).
. "$(dirname "$0")/../lib/lib.sh"

LIBBPF_CFLAGS=$(pkg-config --cflags libbpf 2>/dev/null)
# shellcheck disable=SC2086
for c in common/*.c; do
	h=${c%.c}.h
	check "$c has its own header ${h#common/}" test -f "$h"
	check "$c compiles alone (-Wall -Wextra -Werror -std=gnu11)" \
		cc -c -Wall -Wextra -Werror -std=gnu11 $LIBBPF_CFLAGS "$c" -o "$TMP/alone.o"
done

# The build's objects: the loaders' own and common/'s.
loaders=()
for s in */*.bpf.c; do
	[ -f "${s%.bpf.c}.c" ] && loaders+=("${s%.bpf.c}")
done
for o in common/*.c; do
	[ -f ".output/${o%.c}.o" ] || { fail "common objects built (make test-bins)" ".output/${o%.c}.o"; exit 1; }
done

# Exported: a global symbol of common/X.o that X.h declares, and that an
# object other than X.o takes (a loader, a test, another common/ file).
nm -u .output/common/*.o $(for a in "${loaders[@]}"; do ls ".output/$a.o" ".output/$a"-*.o 2>/dev/null; done) \
	2>/dev/null | awk 'NF == 2 {print $2}' | sort -u >"$TMP/wanted"
for c in common/*.c; do
	o=.output/${c%.c}.o h=${c%.c}.h
	nm --defined-only "$o" | awk 'NF == 3 && $2 ~ /[TDRBC]/ {print $3}' | sort -u >"$TMP/def"
	undeclared=$(while read -r s; do grep -qw -- "$s" "$h" 2>/dev/null || echo "$s"; done <"$TMP/def")
	check_eq "${h#common/} declares every symbol ${c#common/} exports" "" "$(echo $undeclared)"
	others=$(ls .output/common/*.o | grep -vxF "$o")
	nm -u $others $(for a in "${loaders[@]}"; do ls ".output/$a.o" ".output/$a"-*.o 2>/dev/null; done) \
		2>/dev/null | awk 'NF == 2 {print $2}' | sort -u >"$TMP/taken"
	tests=$(git ls-files 'tests/*.c')
	own=$(while read -r s; do
		grep -qxF -- "$s" "$TMP/taken" && continue
		# Tests are built with the whole library: a test's use counts too.
		[ -n "$tests" ] && grep -qw -- "$s" $tests && continue
		echo "$s"
	done <"$TMP/def")
	check_eq "${c#common/}: nothing exported that only it uses (make it static)" "" "$(echo $own)"
done

# A loader's includes name each common/ file it calls into.
for c in common/*.c; do
	nm --defined-only ".output/${c%.c}.o" | awk 'NF == 3 && $2 ~ /[TDRBC]/ {print $3}' |
		sort -u >"$TMP/def.${c#common/}"
done
for a in "${loaders[@]}"; do
	srcs=("$a.c")
	for x in "$a"-*.c; do [ -f "$x" ] && srcs+=("$x"); done
	objs=()
	for s in "${srcs[@]}"; do objs+=(".output/${s%.c}.o"); done
	nm -u "${objs[@]}" | awk 'NF == 2 {print $2}' | sort -u >"$TMP/undef"
	missing=()
	for c in common/*.c; do
		b=${c#common/}
		[ -n "$(comm -12 "$TMP/undef" "$TMP/def.$b")" ] || continue
		grep -qE "^#[[:space:]]*include[[:space:]]*\"${b%.c}.h\"" "${srcs[@]}" ||
			missing+=("${b%.c}.h")
	done
	check_eq "$a: includes the header of every common/ file it uses" "" "${missing[*]}"
done
done_testing
