# Real servers for scenario tests, each started by the test with a config
# of its own under $TMP, in a lab host, in the foreground of bg_start (so
# its pid is the server's own and bg_stop stops it by pid). Source after
# lib.sh.
#
#   need nginx redis-server                  # SKIP naming what is missing
#   nginx_start web a 8080 [--nopush]        # $TMP/web/www is its root
#   redis_start db a 127.0.0.1 6379

# need CMD...: skip the whole test when a server program is missing.
need() {
	local c
	for c in "$@"; do
		PATH="$PATH:/usr/sbin:/sbin" command -v "$c" >/dev/null 2>&1 ||
			skip_all "$c not installed (package $(server_pkg "$c"); scripts/setup.sh installs it)"
	done
}
server_pkg() {
	case $1 in
	nginx) echo nginx-light ;;
	redis-server) echo redis-server ;;
	redis-cli | redis-benchmark) echo redis-tools ;;
	*) echo "$1" ;;
	esac
}

# nginx_start NAME HOST LISTEN: a default-like nginx (sendfile on, keep-alive,
# one worker) listening on LISTEN ("8080", "127.0.0.1:8080"), serving
# $TMP/NAME/www; ready when it answers. Its master's pid: bg_pid NAME.
nginx_start() {
	local name=$1 host=$2 listen=$3 d=$TMP/$1 port=${3##*:}
	mkdir -p "$d/www" "$d/tmp"
	[ -e "$d/www/index.html" ] || echo "hello from nginx" >"$d/www/index.html"
	cat >"$d/nginx.conf" <<EOC
user root;
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 1024; }
http {
	sendfile on;
	keepalive_timeout 65;
	keepalive_requests 10000;
	access_log off;
	default_type application/octet-stream;
	client_body_temp_path $d/tmp/body;
	proxy_temp_path $d/tmp/proxy;
	fastcgi_temp_path $d/tmp/fastcgi;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	server { listen $listen; root $d/www; }
}
EOC
	bg_start "$name" --ns "$host" "$(PATH="$PATH:/usr/sbin" command -v nginx)" \
		-e "$d/error.log" -c "$d/nginx.conf"
	wait_for 10 in_ns "$host" curl -sf -o /dev/null "http://127.0.0.1:$port/" ||
		{ fail "nginx $name starts" "$(cat "$d/error.log" 2>/dev/null | tail -3)"; return 1; }
}

# redis_start NAME HOST ADDR PORT: redis-server without persistence.
redis_start() {
	local name=$1 host=$2 addr=$3 port=$4 d=$TMP/$1
	mkdir -p "$d"
	bg_start "$name" --ns "$host" redis-server --bind "$addr" --port "$port" \
		--save '' --appendonly no --dir "$d" --protected-mode no --daemonize no
	wait_for 10 in_ns "$host" redis-cli -h "$addr" -p "$port" ping ||
		{ fail "redis $name starts" "$(bg_out "$name" | tail -3)"; return 1; }
}
