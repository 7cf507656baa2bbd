#!/usr/bin/env bash
# The clsact markers of the legacy tc path (/run/ebpf-catalog/clsact-INODE-
# IFINDEX, holding "netns-cookie N"): they say "a loader of this catalog
# created this qdisc, the last user may remove it". A marker left by a dead
# run (its loader and guard killed together, its namespace deleted) must
# neither pile up nor make a later loader take an administrator's qdisc
# for its own when a new namespace gets the dead one's inode number: the
# next start sweeps away the markers of dead namespaces and of another
# namespace's cookie.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/loaders.bash"
CLS=$(loader_bin sched_cls/sched_cls)
M=/run/ebpf-catalog
PLANTED=()
forget() { rm -f "${PLANTED[@]}"; rmdir "$M" 2>/dev/null; true; }
on_cleanup forget

lab_up pair
ino() { stat -L -c %i "/run/netns/$1"; }
mkdir -p "$M"

# --- a marker of this namespace's inode but a dead namespace's cookie
in_ns a tc qdisc add dev eth0 clsact
mk=$M/clsact-$(ino "$LAB-a")-$(in_ns a cat /sys/class/net/eth0/ifindex)
PLANTED+=("$mk")
echo "netns-cookie 999999999999" >"$mk"		# never handed out this boot
out=$(in_ns a "$CLS" --legacy-tc eth0 -d 1 2>&1); rc=$?
info "$out"
check_eq "legacy start over a dead namespace's marker: exit 0" 0 "$rc"
check_match "the administrator's clsact qdisc is still there after the run" clsact \
	"$(in_ns a tc qdisc show dev eth0)"
check_fails "the dead namespace's marker is gone" test -e "$mk"
in_ns a tc qdisc del dev eth0 clsact

# --- a run killed together with its guard, its namespace then deleted
ip netns add "$LAB-k"
on_cleanup "ip netns del $LAB-k 2>/dev/null"
ip -n "$LAB-k" link add d0 type veth peer name d1
ip -n "$LAB-k" link set d0 up
kino=$(ino "$LAB-k")
bg_start k --ns k "$CLS" --legacy-tc d0 -i 3600
wait_output k 'counting on' || fail "sched_cls --legacy-tc d0 starts"
# Its guard (its only child) first: a guard that saw the loader die would clean up.
guard=$(pgrep -P "$(bg_pid k)")
[ -n "$guard" ] && kill -KILL $guard
kill -KILL "$(bg_pid k)"
bg_stop k KILL
dead=$(ls "$M" | grep "^clsact-$kino-")
check_match "a run killed with its guard leaves its marker" "clsact-$kino-" "$dead"
PLANTED+=("$M/$dead")
ip netns del "$LAB-k"
# And one of a namespace that lived before this boot's last cookie: no cookie at all.
ip netns add "$LAB-g"
gino=$(ino "$LAB-g")
ip netns del "$LAB-g"
PLANTED+=("$M/clsact-$gino-2")
mkdir -p "$M"
: >"$M/clsact-$gino-2"

# alive INO: a namespace has this inode number now (the kernel reuses them).
alive() {
	stat -L -c %i /proc/[0-9]*/ns/net 2>/dev/null | grep -qx "$1" ||
		grep -q "net:\[$1\]" /proc/self/mountinfo
}
out=$(in_ns b "$CLS" --legacy-tc eth0 -d 1 2>&1); rc=$?
check_eq "the next legacy start elsewhere: exit 0" 0 "$rc"
for x in "killed run's:$kino:$M/$dead" "other:$gino:$M/clsact-$gino-2"; do
	IFS=: read -r what i f <<<"$x"
	if alive "$i"; then
		skip "the $what marker" "another test's new namespace took inode $i before the check"
	else
		check_fails "it removed the $what deleted namespace's marker" test -e "$f"
	fi
done
check_eq "no marker left in $M" "" "$(ls "$M" 2>/dev/null | grep -e "-$kino-" -e "-$gino-" -e "-$(ino "$LAB-a")-" -e "-$(ino "$LAB-b")-")"
done_testing
