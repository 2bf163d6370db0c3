#!/usr/bin/env bash
# A syslog daemon that stops reading (journald or rsyslogd hung, its queue
# full; red team round 11). syslog(3) sends to /dev/log with a blocking
# send: before the fix, with audit.syslog = true, serve blocked in it after
# a few hundred records, under the audit writer's lock, and every call (so
# every Docker API call) waited; SIGTERM did not stop it either. Now what
# goes to syslog is queued (bounded) and sent by its own thread: calls are
# answered, SIGTERM exits, and once the daemon reads again the messages
# dropped meanwhile are counted in one LOG_ERR line.
#
# Runs in its own mount namespace with a private /dev, whose /dev/log is a
# socket this test owns (tests/hostile/devlog.py).
#
# usage: syslog-hung.sh ROLEGATE
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "SKIP: a private /dev/log needs root"; exit 77; }
command -v unshare >/dev/null && command -v python3 >/dev/null || { echo "SKIP: needs unshare and python3"; exit 77; }
if [ -z "${RG_IN_NS:-}" ]; then
	RG_IN_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
RG=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/serve.sh"
serve_test_init rolegate-syslog-hung

mkdir "$T/dev"
cp -a /dev/null /dev/zero /dev/urandom /dev/random /dev/full "$T/dev/"
mount --bind "$T/dev" /dev || { echo "SKIP: cannot mount a private /dev"; exit 77; }

cat >"$T/rg.conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; } ); };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$T/decisions.log"; sync = "batch"; syslog = true; checkpoint = 1; };
plugin = { state = "$T/state"; };
CONF

# devlog GO OUT: /dev/log, read only once GO exists, every message to OUT.
devlog() {
	rm -f "$T/devlog.ready"
	python3 "$HERE/devlog.py" /dev/log "$T/devlog.ready" "$1" "$2" &
	DEVLOG=$!
	PIDS+=("$DEVLOG")
	for _ in $(seq 50); do [ -s "$T/devlog.ready" ] && return 0; sleep 0.1; done
	fail "the /dev/log stand-in did not start"
}
# calls N: N calls on one keep-alive connection; fails after 30 s.
calls() {
	timeout 30 python3 - "$T/rg.sock" "$1" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(30)
body = json.dumps({"User": "alice", "UserAuthNMethod": "TLS", "RequestMethod": "GET",
                   "RequestUri": "/v1.41/containers/json"}).encode()
call = b"POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body
n, buf = int(sys.argv[2]), b""
for i in range(0, n, 100):
    s.sendall(call * 100)
    while buf.count(b"HTTP/1.1 ") < 100:
        x = s.recv(1 << 20)
        if not x:
            sys.exit("closed")
        buf += x
    if buf.count(b'"Allow":true') != 100:
        sys.exit("not allowed: %r" % buf[:200])
    buf = b""
PY
}

devlog "$T/never" "$T/got1"
serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock" --syslog
calls 3000 || fail "3 000 calls were not all answered within 30 s while syslog does not read"
ok "3 000 calls answered while the syslog daemon does not read"
kill -TERM "$SERVE"
for _ in $(seq 80); do kill -0 "$SERVE" 2>/dev/null || break; sleep 0.1; done
kill -0 "$SERVE" 2>/dev/null && { kill -9 "$SERVE"; fail "serve did not stop within 8 s of SIGTERM"; }
wait "$SERVE" || fail "serve did not exit 0"
ok "SIGTERM exits 0 while the syslog daemon does not read"
kill "$DEVLOG"; wait "$DEVLOG" 2>/dev/null || true

devlog "$T/go" "$T/got2"
serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock" --syslog
calls 25000 || fail "25 000 calls (more than the syslog queue holds) not answered"
touch "$T/go"
calls 100 || fail "100 calls after the daemon reads again not answered"
for _ in $(seq 100); do grep -q "syslog messages .* were dropped" "$T/got2" 2>/dev/null && break; sleep 0.1; done
grep -q "syslog messages .* were dropped" "$T/got2" || fail "no line counting the dropped messages"
# checkpoint = 1: the next one is due within a second of the drain (those
# queued while it did not read may be among the dropped)
for _ in $(seq 50); do grep -q "rolegate checkpoint host=" "$T/got2" 2>/dev/null && break; sleep 0.1; done
grep -q "rolegate checkpoint host=" "$T/got2" || fail "no checkpoint reached syslog after it read again"
ok "the daemon reads again: the dropped messages are counted, checkpoints flow"
echo "all passed"
