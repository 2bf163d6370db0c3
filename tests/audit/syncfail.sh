#!/bin/bash
# A disk whose flush fails under `rolegate serve` with sync = "batch": the
# answer to an allowed mutating request waits for its record's fdatasync, so
# such a call whose flush fails must be answered as a lost record — denied with on_error = "deny" (never the
# allow already decided), allowed with on_error = "allow" — and serving goes
# on normally once the disk flushes again.
#
# Both ways a call can wait are driven: alone in flight it waits in its
# server thread; with other calls in flight (here a request held open
# half-sent) its connection is suspended until the flusher's group commit
# calls it back, and one failed flush must reach every call it covered.
# Reads and denies do not wait (SPEC.md §3): they keep their answer, and the
# flusher's timed flush reports the failure in the daemon's log. The fault
# comes from failsync.so (LD_PRELOAD), switched by a flag file.
. "$(dirname "$0")/lib.sh"
at_setup "$@"
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
[ -n "$RG_FAILSYNC_LIB" ] && [ -f "$RG_FAILSYNC_LIB" ] || { echo "usage: RG_FAILSYNC_LIB=failsync.so $0 ..." >&2; exit 2; }

FLAG=$AT/failing
export RG_FAILSYNC=$FLAG
# The shim is not built with the sanitizers; let ASan accept it ahead of its runtime.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

allowed() { printf '%s\n' "$1" | grep -q '"Allow": *true'; }

at_conf d 'sync = "batch"; on_error = "deny";'
# dave's creates are judged by bind_mounts (the copy-up gate holds volumes)
sed -i 's|deny = \["container.commit"\];|& constraints = { bind_mounts = ["/srv"]; };|' "$AT/d.conf"
grep -q 'bind_mounts = \["/srv"\]' "$AT/d.conf" || { echo "could not add bind_mounts" >&2; exit 1; }
SOCK=$AT/d.sock
LD_PRELOAD=$RG_FAILSYNC_LIB start_serve "$AT/d.conf" "$SOCK" || { fail "serve did not start"; at_finish; }

# --- alone in flight: the call waits in its server thread ---
OUT=$(authz "$SOCK" alice /v1.41/containers/web/start POST)
allowed "$OUT" && pass "allowed while the disk flushes" || fail "allowed while the disk flushes"
touch "$FLAG"
OUT=$(authz "$SOCK" alice /v1.41/containers/lost1/start POST)
has '"Allow":false'
has "alice (roles: ops) may not use container.start now: the decision cannot be recorded in the audit log"
has 'audit.on_error = \"deny\"'
OUT=$(authz "$SOCK" dave "/v1.41/commit?container=x" POST)
has '"Allow":false'
has "dave (roles: developer) may not use container.commit"
OUT=$(authz "$SOCK" alice /v1.41/containers/json?read=1)
allowed "$OUT" && pass "a read keeps its allow (answered once written)" || fail "a read lost its allow"
wait_for 5 grep -q "fdatasync failed): records answered before their flush" "$AT/serve.log" ||
	fail "the timed flush did not report the failure"
OUT=$(cat "$AT/serve.log")
has "cannot write or flush the audit log"
has "records answered before their flush (reads, denies, responses) may not be durable"
rm -f "$FLAG"
OUT=$(authz "$SOCK" alice /v1.41/containers/back1/start POST)
allowed "$OUT" && pass "allowed again once the disk flushes" || fail "not allowed after the disk recovered"

# --- other calls in flight: suspended until the group commit calls back ---
# A request whose body never completes keeps one call in flight meanwhile.
python3 - "$SOCK" "$AT/held" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: plugin\r\n"
          b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
open(sys.argv[2], "w").write("held\n")
time.sleep(30)
PY
HELD=$!
at_track "$HELD"
wait_for 10 test -s "$AT/held" || fail "the held request did not connect"
sleep 0.2

touch "$FLAG"
PIDS=()
for i in $(seq 16); do
	authz "$SOCK" alice "/v1.41/containers/c$i/start" POST >"$AT/conc-$i" &
	PIDS+=($!)
done
wait "${PIDS[@]}"
N=0
for i in $(seq 16); do grep -q '"Allow":false' "$AT/conc-$i" && N=$((N + 1)); done
same "$N" 16 "all 16 concurrent callers refused while fdatasync fails"
OUT=$(authz "$SOCK" alice /v1.41/containers/suspended1/start POST)
has '"Allow":false'
has "the decision cannot be recorded in the audit log"
# A create that copies into a volume (dave's role has bind_mounts) holds
# the volume until its answer; refused at the group commit, no answer comes:
# its hold must go with it, or every start of a container rolegate has no
# record of (which may mount the volume) is refused for an hour.
B64=$(printf '%s' '{"Image":"busybox","HostConfig":{"Binds":["vol1:/data"]}}' | base64 -w0)
OUT=$(curl -s --max-time 10 --unix-socket "$SOCK" -X POST -H 'Content-Type: application/json' \
	-d "{\"User\":\"dave\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.41/containers/create?name=copier\",\"RequestBody\":\"$B64\",\"RequestHeaders\":{\"Content-Type\":\"application/json\"}}" \
	http://plugin/AuthZPlugin.AuthZReq)
has '"Allow":false'
has "dave (roles: developer) may not use container.create now: the decision cannot be recorded"
OUT=$(cat "$AT/serve.log")
has "cannot flush the audit log: a record could not be made durable"
rm -f "$FLAG"
OUT=$(authz "$SOCK" alice /v1.41/containers/unrecorded1/start POST)
allowed "$OUT" && pass "a create refused at the group commit holds no volume" ||
	fail "a create refused at the group commit still holds its volume"
OUT=$(authz "$SOCK" alice /v1.41/containers/back2/start POST)
allowed "$OUT" && pass "allowed again once the disk flushes (others in flight)" ||
	fail "not allowed after the disk recovered (others in flight)"

# The records of the lost calls are in the file; the chain is whole.
check 0 "the chain verifies" "$RG" log verify --file "$AT/d/decisions.log"

# on_error = "allow": the decision stands, the loss is logged.
sed -i 's/on_error = "deny"/on_error = "allow"/' "$AT/d.conf"
kill -HUP "$SERVE_PID"
wait_for 10 grep -q "reloaded" "$AT/serve.log" || fail "serve did not reload"
touch "$FLAG"
OUT=$(authz "$SOCK" alice /v1.41/containers/allow1/start POST)
allowed "$OUT" && pass "on_error = allow: allowed while fdatasync fails" || fail "on_error = allow: not allowed"
OUT=$(authz "$SOCK" dave "/v1.41/commit?container=x" POST)
has '"Allow":false'
has "dave (roles: developer) may not use container.commit"
rm -f "$FLAG"

kill "$HELD" 2>/dev/null
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
same "$?" 0 "serve stops cleanly on SIGTERM"
at_finish
