#!/usr/bin/env bash
# The naming rule of CONTRIBUTING.md ("Names"), on every example: what
# DIR/NAME.h declares begins with NAME_ (types, functions) or NAME_ in
# capitals (macros, enum constants); its guard is NAME_H; an enum
# NAME_WHAT has the constants NAME_WHAT_* and may end with NAME_NWHATS,
# and the counters' enum NAME_stat does end with NAME_NSTATS. That is what
# lets `make new` rename an example by its prefix alone. Also the loaders'
# shared habits: the argp parser is parse_arg, long-only option keys start
# at 0x100.
. "$(dirname "$0")/../lib/lib.sh"

# problems HEADER NAME: what in HEADER breaks the rule, one a line.
problems() {
	local h=$1 name=$2 up=${2^^} decl
	decl=$(perl tests/template/declared.pl "$h")
	[ "$(awk '$1 == "guard" {print $2}' <<<"$decl")" = "${up}_H" ] || echo "guard is not ${up}_H"
	awk -v l="${name}_" -v u="${up}_" '
		$1 == "macro" && index($2, u) != 1 { print "macro " $2 }
		$1 == "tag" && index($3, l) != 1 { print $2 " " $3 }
		($1 == "typedef" || $1 == "func") && index($2, l) != 1 { print $1 " " $2 }
		$1 == "const" {
			if ($2 == "-") { print "anonymous enum: " $3; next }
			what = toupper(substr($2, length(l) + 1))
			last[$2] = $3
			if (index($2, l) != 1 || (index($3, u what "_") != 1 && $3 != u "N" what "S"))
				print $3 " (enum " $2 ")"
		}
		END {
			if ((l "stat") in last && last[l "stat"] != u "NSTATS")
				print "enum " l "stat ends with " last[l "stat"] ", not " u "NSTATS"
		}
	' <<<"$decl"
}

n=0
for s in */*.bpf.c; do
	[ -f "${s%.bpf.c}.c" ] || continue
	ex=${s%.bpf.c} name=${ex##*/}
	n=$((n + 1))
	if [ ! -f "$ex.h" ]; then
		fail "$ex: has its own header $name.h"
		continue
	fi
	check_eq "$ex: $name.h follows the naming rule" "" "$(problems "$ex.h" "$name" | paste -sd, | sed 's/,/, /g')"
	parser=$(sed -nE 's/^\s*\.parser = (\w+),.*/\1/p' "$ex.c")
	[ -z "$parser" ] || check_eq "$ex: the argp parser is parse_arg" parse_arg "$parser"
	bad=$(grep -E '^\s*enum \{ OPT_' "$ex.c" | grep -vE '^\s*enum \{ OPT_\w+ = 0x100[,} ]')
	check_eq "$ex: long-only option keys start at 0x100" "" "$bad"
done
check_range "examples found" 20 100 "$n"

# The rule catches the names it replaced.
cat >"$TMP/old.h" <<'H'
#ifndef XDP_ICMP_SERVER_H
#define XDP_ICMP_SERVER_H
enum icmp_server_stat {
	ICMP_SRV_REPLY4,	/* answered */
	ICMP_SRV_NSTATS,
};
struct icmp_server_count { __u64 packets; };
#define ICMP_SRV_CHUNK 512
#endif
H
check_eq "the rule refuses ICMP_SRV_* and struct icmp_server_count" \
	"ICMP_SRV_CHUNK ICMP_SRV_NSTATS ICMP_SRV_REPLY4 icmp_server_count icmp_server_stat" \
	"$(problems "$TMP/old.h" xdp_icmp_server | grep -oE '\b(ICMP_SRV_\w+|icmp_server_\w+)\b' | sort -u | paste -sd' ')"
cat >"$TMP/old.h" <<'H'
#ifndef XDP_DROP_H
#define XDP_DROP_H
enum xdp_drop_stat { DROP_ICMP4_ECHO, PASS_OTHER, XDP_DROP_NSTATS };
#endif
H
check_eq "the rule refuses unprefixed DROP_ICMP4_ECHO and PASS_OTHER" \
	"DROP_ICMP4_ECHO PASS_OTHER" \
	"$(problems "$TMP/old.h" xdp_drop | grep -oE '^\w+' | sort | paste -sd' ')"
done_testing
