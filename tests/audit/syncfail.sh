#!/bin/bash
# A disk whose flush fails under `rolegate serve` with sync = "batch": the
# answer waits for the group commit, so a call whose fdatasync fails must be
# answered as a lost record — denied with on_error = "deny" (never the allow
# already decided), allowed with on_error = "allow" — and serving goes on
# normally once the disk flushes again. Many concurrent callers share each
# flush, so one failure must reach every one of them. The fault comes from
# failsync.so (LD_PRELOAD), switched by a flag file.
. "$(dirname "$0")/lib.sh"
at_setup "$@"
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
[ -n "$RG_FAILSYNC_LIB" ] && [ -f "$RG_FAILSYNC_LIB" ] || { echo "usage: RG_FAILSYNC_LIB=failsync.so $0 ..." >&2; exit 2; }

FLAG=$AT/failing
export RG_FAILSYNC=$FLAG
# The shim is not built with the sanitizers; let ASan accept it ahead of its runtime.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

allowed() { printf '%s\n' "$1" | grep -q '"Allow": *true'; }

at_conf d 'sync = "batch"; on_error = "deny";'
SOCK=$AT/d.sock
LD_PRELOAD=$RG_FAILSYNC_LIB start_serve "$AT/d.conf" "$SOCK" || { fail "serve did not start"; at_finish; }

OUT=$(authz "$SOCK" alice /v1.41/containers/json)
allowed "$OUT" && pass "allowed while the disk flushes" || fail "allowed while the disk flushes"

touch "$FLAG"
OUT=$(authz "$SOCK" alice /v1.41/containers/json?lost=1)
has '"Allow":false'
has "alice may not container.list now: the decision cannot be recorded in the audit log"
has 'audit.on_error = \"deny\"'
OUT=$(authz "$SOCK" dave "/v1.41/commit?container=x" POST)
has '"Allow":false'
has "dave (roles: developer) may not use container.commit"

# 16 concurrent callers while flushes fail: every one is refused, none hangs.
PIDS=()
for i in $(seq 16); do
	authz "$SOCK" alice "/v1.41/containers/json?c=$i" >"$AT/conc-$i" &
	PIDS+=($!)
done
wait "${PIDS[@]}"
N=0
for i in $(seq 16); do grep -q '"Allow":false' "$AT/conc-$i" && N=$((N + 1)); done
same "$N" 16 "all 16 concurrent callers refused while fdatasync fails"
grep -q "could not be made durable" "$AT/serve.log" && pass "the failed flush is logged" ||
	fail "the failed flush is not logged"

rm -f "$FLAG"
OUT=$(authz "$SOCK" alice /v1.41/containers/json?back=1)
allowed "$OUT" && pass "allowed again once the disk flushes" || fail "not allowed after the disk recovered"
# The records of the lost calls are in the file; the chain is whole.
check 0 "the chain verifies" "$RG" log verify --file "$AT/d/decisions.log"

# on_error = "allow": the decision stands, the loss is logged.
sed -i 's/on_error = "deny"/on_error = "allow"/' "$AT/d.conf"
kill -HUP "$SERVE_PID"
sleep 0.5
touch "$FLAG"
OUT=$(authz "$SOCK" alice /v1.41/containers/json?allow=1)
allowed "$OUT" && pass "on_error = allow: allowed while fdatasync fails" || fail "on_error = allow: not allowed"
OUT=$(authz "$SOCK" dave "/v1.41/commit?container=x" POST)
has '"Allow":false'
has "dave (roles: developer) may not use container.commit"
rm -f "$FLAG"

kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
same "$?" 0 "serve stops cleanly on SIGTERM"
at_finish
