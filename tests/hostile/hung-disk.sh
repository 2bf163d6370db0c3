#!/usr/bin/env bash
# A disk that stops answering (hangsync.so: fdatasync and fsync block while
# a flag file exists) never stops rolegate from deciding (availability round
# 8, "noticed and left"). Before the fix the ownership journal was synced
# in the server threads under the state's lock: a hung sync stopped every
# call. Now a confirmed create waits, suspended, until its journal line is
# durable (SPEC.md §4); nothing else waits.
#
# 1. fsync hung (fdatasync works): two connections confirm 5 000 creates
#    (past RG_STATE_COMPACT_MIN: a compaction begins and hangs in its
#    fsync, so the creates after it wait) while a third makes 20 000 reads:
#    every read is answered. `rolegate state` lists every create written
#    (journal and journal.next). Healed: every create is answered.
# 2. Both hung: creates wait, reads are answered, SIGTERM still exits (after
#    the 30 s drain). (A create waits RG_IOLANE_MS, 5 s, at most: then the
#    state's watchdog answers it; round 13. The checks here look earlier.)
# 3. audit.sync = "batch", both hung: a mutating allow made while six
#    other connections sit idle waits suspended, not in its server thread,
#    so the reads then sent on those six are answered (before: the thread
#    flushed the audit log itself, "alone", and the connections it serves
#    stalled).
#    Healed, a restart has every create (journal.next folded in).
#
# usage: hung-disk.sh ROLEGATE ACK-LOAD (RG_HANGSYNC_LIB=hangsync.so)
set -euo pipefail
RG=$(realpath "$1")
LOAD=$(realpath "$2")
. "$(dirname "$0")/../lib/serve.sh"
serve_test_init rolegate-hung-disk
[ -n "${RG_HANGSYNC_LIB:-}" ] && [ -f "$RG_HANGSYNC_LIB" ] || { echo "usage: RG_HANGSYNC_LIB=hangsync.so $0 ..." >&2; exit 2; }
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
HANG=$T/hang
PER_CONN=2500
READS=20000

cat >"$T/rg.conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; } ); };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$T/decisions.log"; sync = "none"; };
plugin = { state = "$T/state"; };
CONF
containers() { "$RG" state -c "$T/rg.conf" 2>/dev/null | grep -c '^container ' || true; }
lines() { wc -l <"$1"; }
start() {
	RG_HANGSYNC=$HANG LD_PRELOAD=$RG_HANGSYNC_LIB serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
}
# waits up to 60 s for pid to end
ends() {
	for _ in $(seq 600); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}
# stops serve with SIGTERM within LIMIT seconds (else fails)
stop_within() {
	kill -TERM "$SERVE"
	for _ in $(seq $(($1 * 10))); do kill -0 "$SERVE" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$SERVE" 2>/dev/null && fail "serve did not stop within $1 s of SIGTERM"
	wait "$SERVE" || true
}

start
# a serve stuck on the disk does not stop on SIGTERM (before the fix)
trap 'kill -9 "$SERVE" 2>/dev/null || true; serve_test_cleanup' EXIT
echo fsync >"$HANG"
"$LOAD" "$T/rg.sock" 2 "$PER_CONN" c >"$T/creates" 2>>"$T/load.err" &
creates=$!
PIDS+=("$creates")
# until the compaction has begun and the creates after it wait
last=-1
for _ in $(seq 300); do
	sleep 0.2
	answered=$(lines "$T/creates")
	[ -e "$T/state/journal.next" ] && [ "$answered" -eq "$last" ] && break
	last=$answered
done
"$LOAD" "$T/rg.sock" 1 "$READS" r >"$T/reads" 2>>"$T/load.err" &
reads=$!
PIDS+=("$reads")
ends "$reads" || fail "fsync hung: $(lines "$T/reads") of $READS reads answered in 60 s"
wait "$reads" || fail "a read was not allowed: $(grep -v ' allow$' "$T/reads" | head -3)"
[ "$(lines "$T/reads")" -eq "$READS" ] || fail "fsync hung: $(lines "$T/reads") of $READS reads answered"
# as counted before the reads: 5 s after the compaction hung, the state's
# watchdog answers the waiting creates (round 13), and the reads may take that long
answered=$last
[ "$answered" -ge 4000 ] && [ "$answered" -lt $((2 * PER_CONN)) ] ||
	fail "fsync hung: $answered creates answered (the compaction begins after 4 096 events)"
[ -e "$T/state/journal.next" ] || fail "no compaction began (journal.next missing): $(ls "$T/state")"
n=$(containers)
[ "$n" -ge "$answered" ] || fail "rolegate state lists $n containers, fewer than the $answered answered"
ok "fsync hung, compaction stuck: $READS reads answered; $answered creates answered, $n written (journal and journal.next)"
rm -f "$HANG"
ends "$creates" || fail "healed: $(lines "$T/creates") of $((2 * PER_CONN)) creates answered"
wait "$creates" || fail "a create was not allowed: $(grep -v ' allow$' "$T/creates" | head -3)"
[ "$(lines "$T/creates")" -eq $((2 * PER_CONN)) ] && [ "$(containers)" -eq $((2 * PER_CONN)) ] ||
	fail "healed: $(lines "$T/creates") creates answered, $(containers) listed"
ok "healed: all $((2 * PER_CONN)) creates answered and listed"

: >"$HANG"
"$LOAD" "$T/rg.sock" 2 10 c >"$T/creates2" 2>>"$T/load.err" &
creates=$!
PIDS+=("$creates")
sleep 0.5
"$LOAD" "$T/rg.sock" 1 1000 r >"$T/reads2" 2>>"$T/load.err" || fail "both hung: reads $(lines "$T/reads2") of 1000"
[ "$(lines "$T/creates2")" -eq 0 ] || fail "both hung: a create was answered before its journal was durable"
ok "both hung: reads answered, creates wait"
# the drain waits RG_DRAIN_SECONDS (30) for calls being decided, then
# releases those waiting on the disk
stop_within 45
grep -q "flusher is stuck on the disk" "$T/serve.log" || fail "no word of the stuck flusher: $(tail -5 "$T/serve.log")"
wait "$creates" 2>/dev/null || true
ok "both hung: SIGTERM exits"

rm -f "$HANG"
start
[ -e "$T/state/journal.next" ] && fail "journal.next left after a start on a healed disk"
n=$(containers)
[ "$n" -gt $((2 * PER_CONN)) ] || fail "after the restart rolegate state lists $n containers"
stop_within 15
ok "restart on the healed disk: $n containers (the waiting creates' too), journal.next folded in"

sed -i 's/sync = "none"/sync = "batch"/' "$T/rg.conf"
start
python3 - "$T/rg.sock" "$HANG" >"$T/idle.out" 2>&1 <<'PY' || fail "batch, both hung: $(cat "$T/idle.out")"
import json, socket, sys, time
path, flag = sys.argv[1:]
READ = {"User": "alice", "UserAuthNMethod": "TLS", "RequestMethod": "GET", "RequestUri": "/v1.41/containers/json"}
START = {"User": "alice", "UserAuthNMethod": "TLS", "RequestMethod": "POST", "RequestUri": "/v1.41/containers/x/start"}

def connect():
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.settimeout(1)
    return s

def send(s, body):
    b = json.dumps(body).encode()
    s.sendall(b"POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: plugin\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % len(b) + b)

def answer(s):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            raise EOFError("closed")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    n = next(int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:"))
    while len(rest) < n:
        rest += s.recv(4096)
    return json.loads(rest[:n])

idle = [connect() for _ in range(6)]
for s in idle:
    send(s, READ)
    assert answer(s)["Allow"], "a read before the hang was refused"
open(flag, "w").close()
mutating = connect()
send(mutating, START)
time.sleep(0.5)
answered = 0
for s in idle:
    send(s, READ)
    try:
        answered += answer(s)["Allow"] is True
    except socket.timeout:
        pass
print(f"{answered} of 6 idle connections answered")
sys.exit(0 if answered == 6 else 1)
PY
rm -f "$HANG"
stop_within 45
ok "batch, both hung: $(cat "$T/idle.out")"
echo "all passed"
