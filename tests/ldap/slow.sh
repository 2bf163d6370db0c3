#!/usr/bin/env bash
# A slow directory and a burst of uncached users never make a call wait
# beyond the directory's bound (docs/availability-round8.md). A proxy
# delays every answer of the directory by 0.2 s: each lookup stays under
# timeout_ms (1 000), so nothing times out and the circuit breaker stays
# shut. 400 calls for 400 unknown users (what a socket_group member can
# forge, or the first calls of the day after a restart) fill the lookup
# queue. Before the fix a known user asking 1 s into the burst waited for
# every lookup ahead of hers (9.9 s here; it grows with the burst); now a
# queued lookup older than a waiter's bound (RG_DIRECTORY_WAIT_OPS x
# timeout_ms = 2 s) is answered as a directory that did not answer, so she
# is answered within about 3 s, and the forged calls are all denied.
#
# usage: slow.sh DIRLOOKUP ROLEGATE
ROLEGATE=$2
. "$(dirname "$0")/lib.sh"

slapd_init main
slapd_start main
cat >"$T/slow.py" <<'PY'
import socket, sys, threading, time
target, delay = int(sys.argv[1]), float(sys.argv[2])
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(512)
print(ls.getsockname()[1], flush=True)
def pump(a, b, slow):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            if slow:
                time.sleep(delay)
            b.sendall(d)
    except OSError:
        pass
    try:
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass
while True:
    c, _ = ls.accept()
    s = socket.create_connection(("127.0.0.1", target))
    threading.Thread(target=pump, args=(c, s, False), daemon=True).start()
    threading.Thread(target=pump, args=(s, c, True), daemon=True).start()
PY
python3 "$T/slow.py" "${SLAPD_PORT[main]}" 0.2 >"$T/slow.out" &
EXTRA_PIDS+=($!)
for _ in $(seq 100); do [ -s "$T/slow.out" ] && break; sleep 0.1; done
PP=$(head -1 "$T/slow.out")
[ -n "$PP" ] || fail "the slow proxy did not start"
rg_conf "$T/rg.conf" "ldap://127.0.0.1:$PP" 'user_filter = "(uid=%u)";' 'group_filter = "(member=%d)";' \
	'timeout_ms = 1000;'
cat >>"$T/rg.conf" <<CONF
audit = { path = "$T/decisions.log"; sync = "none"; };
plugin = { state = "$T/state"; };
CONF
rg_serve "$T/rg.conf" "$T/rg.sock"

python3 - "$T/rg.sock" >"$T/result" <<'PY'
import json, socket, sys, threading, time
sock = sys.argv[1]
def call(user, res, i):
    body = json.dumps({"User": user, "UserAuthNMethod": "TLS", "RequestMethod": "GET",
                       "RequestUri": "/v1.41/containers/json"}).encode()
    t0 = time.monotonic()
    try:
        c = socket.socket(socket.AF_UNIX)
        c.settimeout(120)
        c.connect(sock)
        c.sendall(b"POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: p\r\nConnection: close\r\n"
                  b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        out = b""
        while True:
            d = c.recv(65536)
            if not d:
                break
            out += d
        v = "allow" if b'"Allow":true' in out.replace(b" ", b"") else "deny"
    except OSError:
        v = "error"
    res[i] = (int((time.monotonic() - t0) * 1000), v)
res = {}
threads = [threading.Thread(target=call, args=("nobody%d" % i, res, i)) for i in range(400)]
for t in threads:
    t.start()
time.sleep(1)
mine = {}
call("alice", mine, 0)
for t in threads:
    t.join()
verdicts = [v for _, v in res.values()]
print(mine[0][0], mine[0][1], max(ms for ms, _ in res.values()),
      verdicts.count("allow"), verdicts.count("deny"), verdicts.count("error"))
PY
read -r ms verdict forged_max allows denies errors <"$T/result"
[ "$allows" = 0 ] || fail "$allows forged calls were allowed"
[ "$errors" = 0 ] || fail "$errors forged calls got no answer"
[ "$verdict" = allow ] || fail "alice got $verdict after $ms ms"
[ "$ms" -lt 4000 ] || fail "alice waited $ms ms behind 400 queued lookups (bound: about 3 000)"
ok "slow directory, 400 uncached users queued: alice answered allow in $ms ms; the forged calls all denied (slowest $forged_max ms)"
