# IPv6 UDP behind long extension-header chains through the real stack, for
# the scenario tests of programs that drop by protocol or port. Source it
# after lib.sh and lab_up, then:
#
#   ext6_lab FROM SRC TO DST PORT...   # receivers on TO, one per port
#   ext6_oracle PORT                   # the kernel alone delivers them all
#
# Datagrams carry "TAG-N" (N headers) and land in $TMP/ext6-PORT.

EXT6_SEND=tests/lib/ext6_send.py
EXT6_LENGTHS="7 8 30 65"	# the program follows 64: the last one it cannot

ext6_lab() {
	EXT6_FROM=$1 EXT6_SRC=$2 EXT6_TO=$3 EXT6_DST=$4
	shift 4
	for p in "$@"; do
		bg_start ext6-rx$p --ns "$EXT6_TO" socat -u UDP6-RECV:$p OPEN:"$TMP/ext6-$p",creat,append
		wait_listen "$EXT6_TO" $p u || fail "udp receiver on port $p"
	done
}

# ext6_send TAG PORT N: one datagram "TAG-N" behind N destination options.
ext6_send() { in_ns "$EXT6_FROM" "$EXT6_SEND" "$EXT6_SRC" "$EXT6_DST" "$2" "$3" "$1-$3"; }
# ext6_arrived TAG-N PORT (waits a little), ext6_gone TAG-N PORT (now).
ext6_arrived() { wait_for 3 grep -qxe "$1" "$TMP/ext6-$2"; }
ext6_gone() { ! grep -qxe "$1" "$TMP/ext6-$2"; }

ext6_oracle() {
	for n in $EXT6_LENGTHS; do
		ext6_send kernel "$1" $n
		check "no program: the kernel delivers $n headers to $1" ext6_arrived kernel-$n "$1"
	done
}

# ext6_port_policy WHAT DROPPED ALLOWED: with a policy dropping port
# DROPPED running, every length to DROPPED is stopped; to ALLOWED those
# the program follows arrive and 65 is stopped too (fail closed).
ext6_port_policy() {
	local n
	for n in $EXT6_LENGTHS; do
		ext6_send "$1" "$2" $n
		ext6_send "$1" "$3" $n
	done
	for n in 7 8 30; do
		check "$1: $n headers to $3 arrive" ext6_arrived "$1-$n" "$3"
	done
	sleep 1
	for n in $EXT6_LENGTHS; do
		check "$1: $n headers to $2 do not arrive" ext6_gone "$1-$n" "$2"
	done
	check "$1: 65 headers to $3 do not arrive either (fail closed)" ext6_gone "$1-65" "$3"
}
