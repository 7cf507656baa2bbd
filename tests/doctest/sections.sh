#!/usr/bin/env bash
# Every example README teaches its program type in the order CONTRIBUTING.md
# gives ("Example READMEs"): the sections in order, a picture of the hook
# with its Graphviz source, a doc-tested recipe, the context struct and a
# link to the kernel's own documentation.
. "$(dirname "$0")/../lib/lib.sh"
cd "$ROOT" || exit 1

ORDER=("The hook" "The context" "Return codes" "Attach and kernels" "Run it"
       "Verify" "Adapt" "Tests" "common/ pieces used")
DIRS="socket_filter sched_cls sched_act xdp cgroup_sock lwt_in lwt_seg6local sock_ops
      sk_msg cgroup_sock_addr cgroup_sockopt sk_lookup netfilter sk_reuseport sk_skb
      flow_dissector"

for d in $DIRS; do
	f=$d/README.md
	# The required headings as they come, in the file's order.
	got=$(grep -E '^## ' "$f" | sed 's/^## //' | grep -Fx "${ORDER[@]/#/-e}" | paste -sd '|')
	want=$(IFS='|'; echo "${ORDER[*]}")
	check_eq "$d: sections in the common order" "$want" "$got"
	hook=$(awk '/^## The hook$/ {on = 1; next} /^## / {on = 0} on' "$f")
	imgs=$(grep -oE '!\[[^]]*\]\(doc/[^)]+\.svg\)' <<<"$hook" | sed -E 's/.*\((.*)\)/\1/')
	if [ -z "$imgs" ]; then
		fail "$d: The hook shows a picture" "no ![...](doc/NAME.svg) in the section"
	fi
	for img in $imgs; do
		check "$d: $img is there" test -s "$d/$img"
		check "$d: $img has its source ${img%.svg}.dot" test -s "$d/${img%.svg}.dot"
	done
	check_match "$d: a recipe is doc-tested" '^<!-- doctest( |-->)' "$(cat "$f")"
	ctx=$(awk '/^## The context$/ {on = 1; next} /^## / {on = 0} on' "$f")
	check_match "$d: The context names the struct" 'struct [a-z_]+' "$ctx"
	check_match "$d: links to the kernel's documentation" \
		'https://(docs\.kernel\.org|www\.kernel\.org/doc)/' "$(cat "$f")"
done
for d in xdp sched_cls; do
	check_match "$d: Debugging section with --trace" '--trace' \
		"$(awk '/^## Debugging$/ {on = 1; next} /^## / {on = 0} on' "$d/README.md")"
done
done_testing
