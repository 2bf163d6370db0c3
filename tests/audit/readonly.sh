#!/bin/bash
# The audit log's filesystem is read-only when `rolegate serve` starts (an
# ext4 remounted read-only after an error, a /var/log not mounted yet; red
# team round 11). serve refused to start, so dockerd refused every call, and
# systemd gave up after its start limit. Now serve starts, every record
# fails as audit.on_error says (deny: refused with the reason; allow: let
# through unrecorded), and once the filesystem is writable again the log
# opens by itself within a second and the chain continues from its tail.
. "$(dirname "$0")/lib.sh"
at_setup "$@"
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
at_tmpfs "$AT/ro" 1m

at_conf d 'sync = "batch"; on_error = "deny";'
sed -i "s|$AT/d/decisions.log|$AT/ro/decisions.log|" "$AT/d.conf"
LOG=$AT/ro/decisions.log
SOCK=$AT/d.sock
"$LOAD" "$AT/d.conf" 1 10 >/dev/null 2>&1
mount -o remount,ro "$AT/ro" || fail "cannot remount read-only"

allowed() { printf '%s\n' "$1" | grep -q '"Allow": *true'; }
start_serve "$AT/d.conf" "$SOCK" || { fail "serve does not start with its log on a read-only filesystem"; at_finish; }
pass "serve starts with its log on a read-only filesystem"
OUT=$(grep -F "cannot open the audit log" "$AT/serve.log")
has "Read-only file system"
OUT=$(authz "$SOCK" alice /v1.41/containers/json)
allowed "$OUT" && fail "on_error = deny: a call is allowed unrecorded" || pass "on_error = deny: the call is refused"
has "cannot be recorded in the audit log"
# in the form of every deny (SPEC.md §4): the user, their roles, the command
has "alice (roles: ops) may not use container.list now"

mount -o remount,rw "$AT/ro"
sleep 1.1
OUT=$(authz "$SOCK" alice /v1.41/containers/json?writable)
allowed "$OUT" && pass "writable again: the next call is allowed" || fail "writable again: still refused"
OUT=$(grep -F "is open again" "$AT/serve.log")
has "at seq 10"
same "$(tail -n 1 "$LOG" | grep -o '"seq":[0-9]*')" '"seq":11' "the chain continues at seq 11"

# on_error = "allow": calls pass unrecorded while the log cannot be opened.
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
mount -o remount,ro "$AT/ro" || fail "cannot remount read-only"
sed -i 's/on_error = "deny"/on_error = "allow"/' "$AT/d.conf"
start_serve "$AT/d.conf" "$SOCK" || { fail "serve (on_error = allow) does not start"; at_finish; }
OUT=$(authz "$SOCK" alice /v1.41/containers/json?unrecorded)
allowed "$OUT" && pass "on_error = allow: the call passes unrecorded" || fail "on_error = allow: refused"
mount -o remount,rw "$AT/ro"
kill -HUP "$SERVE_PID"
wait_for 5 grep -qF "is open again" "$AT/serve.log" && pass "SIGHUP opens the log at once" || fail "SIGHUP did not open the log"
authz "$SOCK" alice /v1.41/containers/json?after >/dev/null
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
check 0 "the chain verifies" "$RG" log verify -c "$AT/d.conf"
has "chain intact"
grep -q 'unrecorded' "$LOG" && fail "a record of the unrecorded call" || pass "(no record of the unrecorded call)"
at_finish
