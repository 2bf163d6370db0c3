#!/usr/bin/env bash
# Connection floods never lock dockerd out (issue 17): 3 000 idle
# connections to the real `rolegate serve`, started under a soft open-file
# limit of 1 024 (systemd's default), and a new call must still be answered
# within a second.
#
#  1. soft 1 024, hard 20 000 or more: serve raises its soft limit to the
#     hard one at start, and holds all 3 000;
#  2. soft and hard 1 024: serve cannot hold them; it closes the oldest idle
#     connections first and warns (once, with a count), and the new call
#     is still answered.
#
# usage: idle.sh ROLEGATE
set -euo pipefail
RG=$(realpath "$1")
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (ulimit -Hn)"; exit 77; }
[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 8000 ] ||
	{ echo "SKIP: the hard open-file limit ($(ulimit -Hn)) is below 8000"; exit 77; }
. "$(dirname "$0")/../lib/serve.sh"
serve_test_init rolegate-idle

cat >"$T/rg.conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; } ); };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
plugin = { state = "$T/state"; };
audit = { path = "$T/decisions.log"; sync = "none"; };
CONF

# flood.py SOCK N: opens N connections that never send anything, says
# "open K" (how many connected), then, on the line "call" from stdin,
# makes one AuthZReq on a new connection and says "answer MS VERDICT";
# exits at end of input.
cat >"$T/flood.py" <<'PY'
import json, resource, socket, sys, time
sock, n = sys.argv[1], int(sys.argv[2])
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
held = []
deadline = time.monotonic() + 30
while len(held) < n and time.monotonic() < deadline:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(sock)
        held.append(s)
    except BlockingIOError:
        s.close()          # the backlog is full: try again once serve accepted some
        time.sleep(0.01)
print("open", len(held), flush=True)
for line in sys.stdin:
    body = json.dumps({"User": "alice", "UserAuthNMethod": "TLS", "RequestMethod": "GET",
                       "RequestUri": "/v1.41/containers/json"}).encode()
    t0 = time.monotonic()
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(10)
    try:
        c.connect(sock)
        c.sendall(b"POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: plugin\r\nConnection: close\r\n"
                  b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        data = b""
        while True:
            chunk = c.recv(65536)
            if not chunk:
                break
            data += chunk
        verdict = "allow" if b'"Allow":true' in data.replace(b" ", b"") else "no-allow"
    except OSError as e:
        verdict = "error:" + str(e).replace(" ", "_")
    print("answer", int((time.monotonic() - t0) * 1000), verdict, flush=True)
PY

# run NAME HARD: serve under soft 1024 / hard HARD; 3000 idle connections; one call
run() {
	local name=$1 hard=$2 sock=$T/$1.sock
	serve_start --nofile 1024 "$hard" "$T/$name.ready" "$T/$name.log" -c "$T/rg.conf" --socket "$sock"
	coproc FLOOD { exec python3 "$T/flood.py" "$sock" 3000; }
	PIDS+=($FLOOD_PID)
	IFS= read -r -t 60 line <&"${FLOOD[0]}" || fail "$name: the flood did not start"
	# wait until serve has accepted what it will (its open fds stop growing)
	local prev=-1 cur
	for _ in $(seq 100); do
		cur=$(ls /proc/$SERVE/fd | wc -l)
		[ "$cur" = "$prev" ] && break
		prev=$cur
		sleep 0.2
	done
	echo "$name: $line, serve holds $cur fds"
	echo call >&"${FLOOD[1]}"
	IFS= read -r -t 20 line <&"${FLOOD[0]}" || fail "$name: no answer to the new call"
	read -r _ ms verdict <<<"$line"
	[ "$verdict" = allow ] || fail "$name: the new call got: $line ($(tail -3 "$T/$name.log"))"
	[ "$ms" -lt 1000 ] || fail "$name: the new call took $ms ms"
	ANSWER_MS=$ms
	exec {FLOOD[1]}>&-
	wait "$FLOOD_PID" 2>/dev/null || true
	kill -TERM "$SERVE"
	wait "$SERVE" || fail "$name: serve did not exit 0"
}

run raised 20000
grep -q "at most 19936 connections" "$T/raised.log" || fail "the limit was not raised: $(cat "$T/raised.log")"
grep -q "closed .* idle connection" "$T/raised.log" && fail "connections were shed with room to spare"
ok "soft limit 1024, hard 20000: serve raises it (19936 connections); a new call is answered in $ANSWER_MS ms"

run capped 1024
grep -q "at most 960 connections" "$T/capped.log" || fail "limit: $(cat "$T/capped.log")"
grep -q "closed [0-9]* idle connection(s), the oldest first" "$T/capped.log" ||
	fail "no warning about shed connections: $(cat "$T/capped.log")"
[ "$(grep -c "idle connection(s), the oldest first" "$T/capped.log")" = 1 ] ||
	fail "the warning is not rate-limited: $(grep -c "oldest first" "$T/capped.log") lines"
ok "soft and hard 1024: the oldest idle connections are closed (one warning); a new call is answered in $ANSWER_MS ms"
echo "all passed"
