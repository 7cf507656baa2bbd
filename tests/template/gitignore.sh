#!/usr/bin/env bash
# .gitignore names the built binaries, the Makefile's discovery, one by
# one: a data file a reader puts beside an example is not hidden from git.
. "$(dirname "$0")/../lib/lib.sh"

check "git ignores xdp/xdp_drop (a binary)" git check-ignore -q xdp/xdp_drop
check_fails "git sees xdp/backends.txt (a reader's data file)" git check-ignore -q xdp/backends.txt
check_fails "git sees xdp/notes.md" git check-ignore -q xdp/notes.md
check_fails "git sees a new directory's sources" git check-ignore -q newdir/newdir.c
check "git ignores .output/" git check-ignore -q .output/x

want=$(for s in */*.bpf.c bench/*/*.bpf.c; do [ -f "${s%.bpf.c}.c" ] && echo "/${s%.bpf.c}"; done | sort)
have=$(sed -n '/^# Built binaries/,$p' .gitignore | grep '^/' | sort)
check_eq "the list is the Makefile's discovery (make gitignore rewrites it)" "$want" "$have"
check_eq "no pattern with wildcards or negations" "" "$(grep -E '^[^#].*[*!]' .gitignore)"
done_testing
