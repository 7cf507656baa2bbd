#!/usr/bin/env bash
# The README's Layout section names every top-level directory of the
# tree, and no other: the names at the start of its lines (before the
# first two spaces) are the directories git has, as `ls` shows them (no
# hidden ones).
. "$(dirname "$0")/../lib/lib.sh"

# listed FILE: the DIR/ names at the start of the Layout block's lines.
listed() {
	awk '/^## Layout$/ {on = 1; next} on && /^## / {exit} on' "$1" |
		awk '/^```/ {n++; next} n == 1' | sed -E 's/  .*//' |
		grep -oE '(^| )[A-Za-z0-9_.-]+/' | tr -d ' /' | sort -u
}
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	have=$(git ls-files | grep / | cut -d/ -f1 | grep -v "^\." | sort -u)
else
	have=$(ls -d */ | tr -d / | sort -u)
fi
got=$(listed README.md)
check_eq "README.md's Layout lists every top-level directory" "" \
	"$(comm -23 <(echo "$have") <(echo "$got") | paste -sd' ')"
check_eq "README.md's Layout lists no directory the tree lacks" "" \
	"$(comm -13 <(echo "$have") <(echo "$got") | paste -sd' ')"
check_range "top-level directories found" 20 100 "$(wc -l <<<"$have")"

# The check sees a missing directory.
sed '/^flow_dissector\/  /s/^flow_dissector\///' README.md >"$TMP/README.md"
check_eq "a Layout without flow_dissector/ is caught" "flow_dissector" \
	"$(comm -23 <(echo "$have") <(listed "$TMP/README.md") | paste -sd' ')"
done_testing
