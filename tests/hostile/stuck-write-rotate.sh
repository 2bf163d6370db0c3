#!/usr/bin/env bash
# A call's own record caught by a frozen disk (rg_audit_direct, red team
# round 14), then the disk thaws: the write completes, its call was refused
# (its connection closed), and the record must be cut back. It was cut only
# by the next record's write: a rotation (logrotate's rename + SIGHUP) or a
# stop (SIGTERM) in between left it in the file, so the rotated file ended
# with a record of a call that was never answered, and the new file's rotate
# record took the same seq (log verify across the two: a broken chain), or
# the next serve continued after it. Now the cut is made before the file is
# left, in either case.
#
# usage: stuck-write-rotate.sh ROLEGATE SYNC
set -euo pipefail
RG=$(realpath "$1")
SYNC=${2:-none}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/serve.sh"
serve_test_init rolegate-stuck-write-rotate
. "$HERE/../lib/frozen.sh"
frozen_require losetup mkfs.ext4 fsfreeze python3
trap frozen_cleanup EXIT
frozen_mount

cat >"$T/rg.conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; } ); };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$T/mnt/log/decisions.log"; sync = "$SYNC"; };
plugin = { state = "$T/state"; threads = 2; };
CONF
LOG=$T/mnt/log/decisions.log
probe() { python3 "$HERE/frozen-disk.py" "$T/rg.sock" "$@"; }
# wait_for FILE PATTERN SECONDS
wait_for() {
	for _ in $(seq $(($3 * 10))); do grep -q "$2" "$1" && return 0; sleep 0.1; done
	fail "no '$2' in $1 after $3 s: $(tail -3 "$1")"
}

# A frozen disk catches a call's own write (the start of x0, made at no
# other time); the watchdog gives up on it, then the disk thaws.
stuck_then_thaw() {
	sync
	frozen_freeze
	probe 10 m >"$T/frozen" || true
	wait_for "$T/serve.log" "has not completed a write in 5000 ms" 10
	frozen_thaw
	wait_for "$T/serve.log" "answers again" 10
}
# no record of the refused call in FILE...
no_stuck_record() {
	for f in "$@"; do
		! grep -q 'containers/x0/start' "$f" || fail "$f keeps the record of a call refused for it: $(grep 'containers/x0/start' "$f" | cut -c1-160)"
	done
}

# 1. logrotate's rename + SIGHUP right after the thaw, before any record
serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
probe 5 rr >/dev/null
stuck_then_thaw
mv "$LOG" "$LOG.1"
kill -HUP "$SERVE"
wait_for "$T/serve.log" "reloaded" 10
probe 5 rr >"$T/after"
grep -q "^r [0-9.]* allow" "$T/after" || fail "after the rotation: $(tr '\n' ';' <"$T/after")"
kill -TERM "$SERVE"
wait "$SERVE" || fail "serve exited $?"
PIDS=()
no_stuck_record "$LOG.1" "$LOG"
"$RG" log verify -c "$T/rg.conf" --file "$LOG.1" --file "$LOG" >"$T/verify" 2>&1 ||
	fail "log verify across the rotation: $(tail -3 "$T/verify")"
ok "rotated after the thaw: the given-up record is not in the old file, the chain goes on"

# 2. SIGTERM right after the thaw, before any record
: >"$T/serve.log"
serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
probe 5 rr >/dev/null
stuck_then_thaw
kill -TERM "$SERVE"
wait "$SERVE" || fail "serve exited $?"
PIDS=()
no_stuck_record "$LOG.1" "$LOG"
serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
probe 5 rr >/dev/null
kill -TERM "$SERVE"
wait "$SERVE" || fail "serve exited $?"
PIDS=()
"$RG" log verify -c "$T/rg.conf" --file "$LOG.1" --file "$LOG" >"$T/verify" 2>&1 ||
	fail "log verify after the restart: $(tail -3 "$T/verify")"
ok "stopped after the thaw: the given-up record is cut back, the next serve goes on"
echo "all passed"
