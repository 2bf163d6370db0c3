#!/usr/bin/env bash
# A filesystem that stops answering under an allowed bind directory (an NFS
# hard mount whose server is gone; here a FUSE mount that never answers,
# hangfs) never stops rolegate from deciding. Before, the decision's lstat
# held its server thread under the ownership state's read lock, and the
# next create's answer waited for the write lock with every decision behind
# it. Now a path check gives up after 2 s (the create is refused: the path
# cannot be examined), and once as many helpers as the bound are stuck,
# at once.
#
# 1. 40 creates that bind a path on the hung mount, 8 at a time, while
#    reads, creates' answers and a create with a healthy path go on: each
#    read answered within a second, the creates refused within 3 s each.
# 2. SIGTERM still ends serve; the mount released, its threads come back.
#
# usage: hung-path.sh ROLEGATE HANGFS     (root, /dev/fuse; exit 77 otherwise)
set -euo pipefail
RG=$(realpath "$1")
HANGFS=$(realpath "$2")
. "$(dirname "$0")/../lib/serve.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (mount)"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
serve_test_init rolegate-hung-path
# LeakSanitizer stops every thread at exit (ptrace) and cannot stop one
# waiting on the FUSE mount: an ASan build would hang at exit on its own.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
P=$T/projects
mkdir -p "$P/ok" "$P/nfs"
"$HANGFS" "$P/nfs" >"$T/hangfs.out" 2>&1 &
HPID=$!
for _ in $(seq 50); do grep -q ready "$T/hangfs.out" 2>/dev/null && break; kill -0 $HPID 2>/dev/null || break; sleep 0.1; done
if ! grep -q ready "$T/hangfs.out"; then
	wait $HPID && rc=0 || rc=$?
	[ "$rc" = 77 ] && { echo "SKIP: FUSE is not available: $(cat "$T/hangfs.out")"; exit 77; }
	fail "hangfs did not mount: $(cat "$T/hangfs.out")"
fi
# release the mount however the test ends (before serve_test_cleanup removes T)
trap 'kill $HPID 2>/dev/null || true; wait $HPID 2>/dev/null || true; serve_test_cleanup' EXIT

cat >"$T/rg.conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; }, { name = "dave"; groups = ["dev"]; } ); };
roles = {
  ops = { groups = ["ops"]; allow = ["*"]; };
  dev = { groups = ["dev"]; allow = ["*"]; constraints = { bind_mounts = ["$P"]; }; };
};
audit = { path = "$T/decisions.log"; sync = "none"; };
plugin = { state = "$T/state"; threads = 4; };
CONF
b64() { printf '%s' "$1" | base64 -w0; }
req() { # USER METHOD URI [BODY]
	local body=""
	[ -n "${4:-}" ] && body=",\"RequestBody\":\"$(b64 "$4")\",\"RequestHeaders\":{\"Content-Type\":\"application/json\"}"
	printf '{"User":"%s","UserAuthNMethod":"TLS","RequestMethod":"%s","RequestUri":"%s"%s}' "$1" "$2" "$3" "$body"
}
# call PHASE JSON: the answer, within 10 s
call() { curl -s -m 10 --unix-socket "$T/rg.sock" -d "$2" "http://plugin/AuthZPlugin.$1"; }
ms() { date +%s%3N; }

serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
read_call=$(req dave GET /v1.41/containers/json)
call AuthZReq "$read_call" | grep -q '"Allow": *true' || fail "a read before the hang was not allowed"

hung=$(req dave POST /v1.41/containers/create "{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"$P/nfs/data:/data\"]}}")
healthy=$(req dave POST /v1.41/containers/create "{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"$P/ok:/data\"]}}")
t0=$(ms)
ans=$(call AuthZReq "$hung")
t1=$(ms)
grep -q '"Allow": *false' <<<"$ans" || fail "a create on the hung mount was not refused: $ans"
grep -q 'cannot be examined\|timed out' <<<"$ans" || fail "the refusal does not say why: $ans"
[ $((t1 - t0)) -lt 3500 ] || fail "the refusal took $((t1 - t0)) ms"
ok "a create that binds a path on a hung mount is refused in $((t1 - t0)) ms: $(sed 's/.*"Msg": *"//; s/".*//' <<<"$ans")"

# 40 more, 8 at a time, while reads go on
for i in $(seq 40); do
	call AuthZReq "$hung" >"$T/hung.$i" &
	PIDS+=($!)
	[ $((i % 8)) = 0 ] && sleep 0.2
done
slow=0
for i in $(seq 30); do
	a=$(ms)
	call AuthZReq "$read_call" | grep -q '"Allow": *true' || fail "read $i was not allowed during the hang"
	b=$(ms)
	[ $((b - a)) -lt 1000 ] || slow=$((slow + 1))
	sleep 0.1
done
[ $slow = 0 ] || fail "$slow of 30 reads took a second or more during the hang"
ok "30 reads answered within a second each while 40 creates waited on the hung mount"
for p in "${PIDS[@]}"; do [ "$p" = "$SERVE" ] || wait "$p" || true; done
for i in $(seq 40); do
	grep -q '"Allow": *false' "$T/hung.$i" || fail "create $i on the hung mount: $(cat "$T/hung.$i")"
done
ok "all 40 refused"
# a create's answer changes the state (write lock): answered at once
res=$(printf '{"User":"alice","UserAuthNMethod":"TLS","RequestMethod":"POST","RequestUri":"/v1.41/containers/create?name=c1","RequestBody":"%s","RequestHeaders":{"Content-Type":"application/json"},"ResponseStatusCode":201,"ResponseBody":"%s","ResponseHeaders":{"Content-Type":"application/json"}}' \
	"$(b64 '{"Image":"busybox"}')" "$(b64 '{"Id":"1111111111111111111111111111111111111111111111111111111111111111","Warnings":[]}')")
a=$(ms)
call AuthZRes "$res" | grep -q '"Allow": *true' || fail "a create's answer was not taken"
b=$(ms)
[ $((b - a)) -lt 1000 ] || fail "a create's answer took $((b - a)) ms during the hang"
ok "a create's answer (the state's write lock) taken in $((b - a)) ms"
a=$(ms)
ans=$(call AuthZReq "$healthy")
b=$(ms)
grep -q '"Allow"' <<<"$ans" || fail "no answer to a create with a healthy path: $ans"
[ $((b - a)) -lt 3500 ] || fail "a create with a healthy path took $((b - a)) ms"
ok "a create with a healthy path answered in $((b - a)) ms ($(grep -o '"Allow": *[a-z]*' <<<"$ans"))"

kill -TERM "$SERVE"
for _ in $(seq 100); do kill -0 "$SERVE" 2>/dev/null || break; sleep 0.1; done
kill -0 "$SERVE" 2>/dev/null && fail "serve did not stop within 10 s of SIGTERM"
wait "$SERVE" || fail "serve did not exit 0: $(tail -5 "$T/serve.log")"
ok "SIGTERM still ends serve"
kill $HPID; wait $HPID || true
echo "all passed"
