#!/usr/bin/env bash
# make check-env: what this kernel and toolchain support, and for each of
# the sixteen examples whether it can run here (ready) or what is missing.
# Program types are probed by loading one (bpftool feature probe), and each
# example's own BPF object, when built, by loading it (the verifier of an
# older kernel may refuse what a newer one accepts); attach features by
# the kernel's BTF or config (/proc/config.gz), by trying them in a
# throwaway namespace, or by version.
set -u
export PATH="$PATH:/usr/sbin:/sbin"

ok() { printf '  %-22s %s\n' "$1" "$2"; }
ver_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

KVER=$(uname -r | sed 's/[^0-9.].*//')
echo "Kernel and system"
ok kernel "$(uname -r) ($(uname -m))"
if [ -r /sys/kernel/btf/vmlinux ]; then ok BTF "present (/sys/kernel/btf/vmlinux)"
else ok BTF "MISSING: CO-RE programs cannot load (needs CONFIG_DEBUG_INFO_BTF=y)"; fi
if mountpoint -q /sys/fs/bpf 2>/dev/null; then ok bpffs "mounted at /sys/fs/bpf"
else ok bpffs "not mounted (sudo mount -t bpf bpf /sys/fs/bpf; only needed for pinning)"; fi
tf=$(awk '$3 == "tracefs" {print $2; exit}' /proc/mounts)
ok tracefs "${tf:-not mounted (sudo mount -t tracefs tracefs /sys/kernel/tracing; for bpf_printk output)}"
CG2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
ok "cgroup v2" "${CG2:-NOT MOUNTED (sudo mount -t cgroup2 none /sys/fs/cgroup)}"
ok root "$([ "$(id -u)" = 0 ] && echo yes || echo 'no: run as root (sudo make check-env) for the probes')"

echo "Toolchain"
c=$(make -s --no-print-directory -f - <<<'include Makefile
print: ; @echo $(CLANG)' print 2>/dev/null)
ok clang "$(${c:-clang} --version 2>/dev/null | head -n1 || echo missing)"
ok libbpf "$(pkg-config --modversion libbpf 2>/dev/null || echo 'missing (libbpf-dev)')"
ok bpftool "$(bpftool version 2>/dev/null | head -n1 || echo missing)"

if [ "$(id -u)" != 0 ]; then
	echo "Examples: the probes need root."
	exit 1
fi

PROBE=$(bpftool feature probe kernel 2>/dev/null)
have_type() { grep -q "program_type $1 is available" <<<"$PROBE"; }
# config NAME: y, m, n, or ? when the kernel does not expose its config.
config() {
	local line
	line=$(grep -m1 "^$1 is" <<<"$PROBE")
	case $line in
	*"set to y") echo y ;;
	*"set to m") echo m ;;
	*"is not set") echo n ;;
	*) echo '?' ;;
	esac
}
need_config() {	# CONFIG_X description: prints a reason when it is off
	local v
	v=$(config "$1")
	[ "$v" = n ] && echo "$2 ($1 is not set)"
}
need_version() {	# X.Y description
	ver_ge "$KVER" "$1" || echo "$2 (Linux >= $1, this is $KVER)"
}

# act_bpf: ask the kernel for the action in a throwaway namespace.
act_bpf_probe() {
	local ns=checkenv$$ out
	ip netns add "$ns" 2>/dev/null || return 0
	out=$(ip netns exec "$ns" tc actions add action bpf bytecode '1,6 0 0 0,' index 77 2>&1)
	ip netns del "$ns"
	case $out in
	*"Failed to load TC action module"* | *"Unknown action"*)
		echo "~no act_bpf (CONFIG_NET_ACT_BPF): runs as a tc classifier instead" ;;
	esac
}

# load_probe DIR: load every built BPF object of DIR's examples, as
# bpftool prog loadall (pinned in a throwaway bpffs directory, removed at
# once). Prints "+NAME" for each object that loads, "!NAME ... (why)" for
# each one the kernel refuses.
BPFFS=$(awk '$3 == "bpf" {print $2; exit}' /proc/mounts)
load_probe() {
	local o name dir log why
	[ -n "$BPFFS" ] || return 0
	for o in .output/"$1"/*.bpf.o; do
		case $o in *.tmp.bpf.o) continue ;; esac
		[ -e "$o" ] || { echo "~objects not built: run make first for a load test"; return 0; }
		name=$(basename "$o" .bpf.o)
		[ -e "$1/$name.c" ] || continue
		dir=$BPFFS/checkenv$$
		mkdir -p "$dir"
		if log=$(bpftool -d prog loadall "$o" "$dir" 2>&1); then
			rm -rf "$dir"
			echo "+$name"
			continue
		fi
		rm -rf "$dir"
		# The verifier's last word before its statistics, else libbpf's.
		why=$(sed -n '/-- BEGIN PROG LOAD LOG --/,/-- END PROG LOAD LOG --/p' <<<"$log" |
			grep -v -e '^processed ' -e '^verification time' -e '^stack depth' \
				-e '^libbpf' -e '^-- ' -e '^$' | tail -n1)
		[ -n "$why" ] && why="verifier: $why"
		[ -n "$why" ] || why=$(grep -m1 -e 'failed' -e 'Error' <<<"$log" | sed 's/^libbpf: //')
		echo "!$name does not load (${why:-bpftool prog loadall failed})"
	done
}

echo "Examples"
# row DIR PROG_TYPE REASON...: a reason starting with ~ is a caveat that
# leaves the example runnable; any other one means it cannot run here.
row() {
	local dir=$1 type=$2 missing="" notes="" refused="" loaded="" r
	shift 2
	if have_type "$type"; then
		while read -r r; do set -- "$@" "$r"; done < <(load_probe "$dir")
	else
		missing="program type $type cannot be loaded"
	fi
	for r in "$@"; do
		case $r in
		"") ;;
		"~"*) notes="${notes:+$notes; }${r#"~"}" ;;
		"!"*) refused="${refused:+$refused; }${r#"!"}" ;;
		"+"*) loaded="${loaded:+$loaded, }${r#"+"}" ;;
		*) missing="${missing:+$missing; }$r" ;;
		esac
	done
	if [ -n "$missing" ] || { [ -n "$refused" ] && [ -z "$loaded" ]; }; then
		printf '  %-18s missing: %s\n' "$dir" "$missing${missing:+${refused:+; }}$refused"
	elif [ -n "$refused" ]; then
		printf '  %-18s partly: %s ready%s; %s\n' "$dir" "$loaded" "${notes:+ ($notes)}" "$refused"
	else
		printf '  %-18s ready%s\n' "$dir" "${notes:+ ($notes)}"
	fi
}
cg() { [ -n "$CG2" ] || echo "cgroup v2 not mounted"; need_config CONFIG_CGROUP_BPF "cgroup BPF"; }

row socket_filter socket_filter
# tcx: the kernel's BTF names its attach types when it has them (6.6).
row sched_cls sched_cls "$(need_config CONFIG_NET_CLS_BPF cls_bpf)" \
	"$(grep -qa BPF_TCX_INGRESS /sys/kernel/btf/vmlinux 2>/dev/null ||
		echo "~no tcx (Linux 6.6): uses clsact + cls_bpf")"
fb=$(act_bpf_probe)
row sched_act sched_act "$fb"
row xdp xdp "$(need_version 5.9 'XDP BPF links')"
row cgroup_sock cgroup_sock "$(cg)"
row lwt_in lwt_in "$(need_config CONFIG_LWTUNNEL_BPF 'LWT BPF routes')"
row lwt_seg6local lwt_seg6local "$(need_config CONFIG_IPV6_SEG6_BPF 'SRv6 End.BPF')" \
	"$(need_config CONFIG_IPV6_SEG6_LWTUNNEL 'SRv6 encapsulation')"
row sock_ops sock_ops "$(cg)"
row sk_msg sk_msg "$(cg)" "$(need_config CONFIG_BPF_STREAM_PARSER 'sockmap/sockhash')"
row cgroup_sock_addr cgroup_sock_addr "$(cg)"
row cgroup_sockopt cgroup_sockopt "$(cg)"
row sk_lookup sk_lookup "$(need_version 5.9 'sk_lookup netns links')"
row netfilter netfilter "$(need_version 6.4 'netfilter BPF links')" \
	"$(need_config CONFIG_NETFILTER_BPF_LINK 'netfilter BPF links')"
row sk_reuseport sk_reuseport "$(need_version 5.14 'the migrate attach type and ctx->sk')"
row sk_skb sk_skb "$(need_config CONFIG_BPF_STREAM_PARSER 'stream parser')"
row flow_dissector flow_dissector "$(need_version 5.8 'flow dissector netns links')"
