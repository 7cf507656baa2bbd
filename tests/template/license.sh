#!/usr/bin/env bash
# Licences: every BPF program's SPDX line agrees with its SEC("license")
# string; a program that calls a GPL-only helper or a kfunc (the running
# kernel says which) is GPL with a string the kernel accepts as
# GPL-compatible, the others are dual-licensed; every source file has an
# SPDX line whose licences have their text at the top of the tree.
. "$(dirname "$0")/../lib/lib.sh"

PROBE=.output/tests/template/gpl_probe
[ -x "$PROBE" ] || { fail "gpl_probe built (make test-bins)"; exit 1; }
VMLINUX=vmlinux/$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')/vmlinux.h
[ -f "$VMLINUX" ] || VMLINUX=$(ls .output/vmlinux/*/vmlinux.h 2>/dev/null | head -1)

# The pairs this tree uses: SPDX expression -> SEC("license") string.
declare -A SEC_OF=(
	["GPL-2.0 OR BSD-2-Clause"]="Dual BSD/GPL"
	["GPL-2.0"]="GPL"
)

for lic in "GPL" "Dual BSD/GPL"; do
	check_eq "kernel takes \"$lic\" as GPL-compatible" "gpl-compatible" \
		"$("$PROBE" --license "$lic" 2>&1)"
done
check_eq "kernel refuses GPL-only helpers to \"Proprietary\" (the probe works)" \
	"not gpl-compatible" "$("$PROBE" --license Proprietary 2>&1)"

for src in $(git ls-files '*.bpf.c'); do
	spdx=$(head -1 "$src" | sed -nE 's|^// SPDX-License-Identifier: (.*)$|\1|p')
	sec=$(sed -nE 's/^char [A-Za-z_]+\[\] SEC\("license"\) = "([^"]*)";.*/\1/p' "$src")
	if [ -z "$spdx" ] || [ -z "$sec" ]; then
		fail "$src: SPDX line and SEC(\"license\")" "first line '$(head -1 "$src")', license '$sec'"
		continue
	fi
	want=${SEC_OF[$spdx]:-}
	if [ -z "$want" ]; then
		fail "$src: SPDX '$spdx' is one of the tree's (${!SEC_OF[*]})"
		continue
	fi
	check_eq "$src: SPDX '$spdx' agrees with SEC(\"license\")" "$want" "$sec"

	obj=.output/${src%.bpf.c}.bpf.o
	if [ ! -f "$obj" ]; then
		fail "$src: built object $obj (make test-bins)"
		continue
	fi
	out=$("$PROBE" "$obj") || { fail "$src: gpl_probe $obj" "$out"; continue; }
	gpl=()
	while read -r kind id verdict; do
		case $kind in
		helper)
			name=$(grep -oE "BPF_FUNC_[a-z0-9_]+ = $id," "$VMLINUX" | sed -E 's/BPF_FUNC_(.*) = .*/bpf_\1/')
			[ "$verdict" = unknown ] && fail "$src: the kernel knows helper ${name:-#$id}"
			[ "$verdict" = gpl ] && gpl+=("${name:-#$id}")
			;;
		kfunc) gpl+=("kfunc $id") ;;
		esac
	done < <(printf '%s\n' "$out" | sort -u)
	if [ ${#gpl[@]} -gt 0 ]; then
		info "$src: GPL-only: ${gpl[*]}"
		check_eq "$src: GPL-only calls (${gpl[*]}) => \"GPL\"" "GPL" "$sec"
		check_match "$src: says why it is GPL" 'GPL-only' "$(cat "$src")"
	else
		check_eq "$src: no GPL-only call => \"Dual BSD/GPL\"" "Dual BSD/GPL" "$sec"
	fi
done

# Every source has an SPDX line; every licence named has its text.
missing=() ids=()
for f in $(git ls-files '*.c' '*.h' | grep -v '^vmlinux/'); do
	line=$(head -2 "$f" | grep -o 'SPDX-License-Identifier: .*' | head -1)
	[ -n "$line" ] || missing+=("$f")
	ids+=($(sed -E 's/^SPDX-License-Identifier: //; s|\*/||; s/[()]//g; s/ OR / /g' <<<"$line"))
done
check_eq "every .c/.h has an SPDX line" "" "${missing[*]}"
for id in $(printf '%s\n' "${ids[@]}" | sort -u); do
	check "licence text of $id at the top" test -s "LICENSE.$id"
done
check "LICENSE says which licence covers what" grep -q 'SPDX' LICENSE
done_testing
