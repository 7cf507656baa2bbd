# Helpers for scenario tests of cgroup examples; source after lib.sh.
#
#   cg_new app                      # $CG2/$LAB-app, removed at the end; CG=path
#   in_cg "$CG" a sockprobe raw4    # run in that cgroup, in lab host a
#   "${NOBODY[@]}" CMD...           # uid 65534, no capabilities at all
#
# Loaders run outside the lab: `ip netns exec` remounts /sys, which hides
# the cgroup v2 mount. The policy follows the process into the namespace.

CG2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
[ -n "$CG2" ] || skip_all "no cgroup v2 mount"

cg_remove() {
	local i
	[ -d "$1" ] || return 0
	for i in $(seq 1 50); do
		rmdir "$1" 2>/dev/null && return 0
		echo 1 >"$1/cgroup.kill" 2>/dev/null
		sleep 0.1
	done
	echo "# cannot remove cgroup $1"
}

cg_new() {
	CG=$CG2/$LAB-$1
	mkdir "$CG" || { fail "cgroup $CG"; exit 1; }
	on_cleanup cg_remove "$CG"
}

# in_cg CGROUP HOST CMD...: join CGROUP, enter lab host HOST, exec CMD.
in_cg() {
	local cg=$1 h=$2
	shift 2
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$cg" \
		ip netns exec "$LAB-$h" "$@"
}

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)

# cg_progs CGROUP: how many programs are attached to it (bpftool's view).
cg_progs() { bpftool cgroup show "$1" 2>/dev/null | awk '$1 ~ /^[0-9]+$/' | wc -l; }

