#!/usr/bin/env bash
# sk_lookup with a real server that restarts: nginx on host b gets ports
# 8000-8099 (--pid/--fd) or 9000-9099 (--follow 8080) on top of its own
# 8080; then nginx is restarted (stopped, started again: a new listening
# socket). The --pid loader must say at once that its socket closed and
# exit 1, not run on with its ports refused; the --follow loader must say
# so too, take the new nginx's socket, and steer to it.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/servers.sh"

BIN=./sk_lookup/sk_lookup
[ -x "$BIN" ] || skip_all "build first: make sk_lookup"
need nginx
command -v curl >/dev/null || skip_all "curl not installed (scripts/setup.sh installs it)"

lab_up pair
get() { in_ns a curl -s -m 3 "http://192.0.2.2:$1/"; }

# Each nginx generation serves a page that names it.
mkdir -p "$TMP/web/www"
echo "nginx 1" >"$TMP/web/www/index.html"
nginx_start web b 8080 || done_testing
users=$(in_ns b ss -Hltnp 'sport = :8080')
npid=$(bg_pid web)
nfd=$(grep -o "pid=$npid,fd=[0-9]*" <<<"$users" | sed 's/.*fd=//')
info "nginx master $npid listens on fd $nfd: $users"

bg_start pid --ns b $BIN --pid "$npid" --fd "$nfd" --steer 8000-8099
bg_start follow --ns b $BIN --follow 8080 --steer 9000-9099
wait_output pid "Ctrl-C to stop" || fail "--pid loader starts" "$(bg_out pid)"
wait_output follow "Ctrl-C to stop" || fail "--follow loader starts" "$(bg_out follow)"
check_match "--follow found nginx's listener" "listener on port 8080 \(process $npid, fd $nfd\)" \
	"$(bg_out follow)"
check_eq "nginx answers on steered port 8042 (--pid)" "nginx 1" "$(get 8042)"
check_eq "nginx answers on steered port 9042 (--follow)" "nginx 1" "$(get 9042)"

# --- restart (not reload): a new master, a new listening socket.
bg_stop web TERM
# bg_stop returns once nginx has exited; the loader polls every 100 ms.
wait_pid "$(bg_pid pid)" 3
rc=$WAIT_RC
info "--pid loader after nginx stopped: $(bg_out pid | grep -v '^steered')"
check_eq "--pid: the loader exits 1 when its socket closes" 1 "$rc"
check_match "--pid: ... and says so on stderr" \
	"^sk_lookup: the IPv4 TCP socket of process $npid \(fd $nfd\) has closed .*ports 8000-8099 are refused" \
	"$(bg_out pid)"
check "--follow: says at once that the listener closed" wait_output follow 'has closed: ports 9000-9099 are refused until' 3
check_fails "--follow: 9042 is refused while nothing listens" get 9042

echo "nginx 2" >"$TMP/web/www/index.html"
nginx_start web b 8080 || done_testing
npid2=$(bg_pid web)
check "--follow: takes the new nginx's listener" wait_output follow "go to the IPv4 TCP listener on port 8080 \(process $npid2, fd [0-9]+\) now" 5
check_eq "the new nginx answers on steered port 9042" "nginx 2" "$(get 9042)"
check_eq "the new nginx answers on its own port 8080" "nginx 2" "$(get 8080)"
check_fails "8042 (the --pid loader's) stays refused" get 8042

# --- reload keeps the listening socket: nothing to say.
kill -HUP "$npid2"
sleep 1
check_eq "after nginx reload 9042 still answered" "nginx 2" "$(get 9042)"
bg_stop follow INT
check_eq "--follow: SIGINT exits 0" 0 "$BG_RC"
info "$(bg_out follow)"
check_match "--follow: the final stats count one listener retaken" \
	"^total steered: tcp 3 .*\| listener retaken 1$" "$(bg_out follow)"
check_eq "--follow: one 'has closed' message (the reload is not a restart)" 1 \
	"$(grep -c 'has closed' "$TMP/follow.out")"

done_testing
