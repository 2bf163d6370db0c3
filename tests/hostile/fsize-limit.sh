#!/usr/bin/env bash
# The audit log reaches the file size limit (ulimit -f, systemd's
# LimitFSIZE=; red team round 14). The write past it raised SIGXFSZ, whose
# default action ended serve mid-record (a torn record), and every restart
# again at its first record: dockerd refused every call, as with no plugin.
# Now serve ignores SIGXFSZ: the write fails with EFBIG, the record fails as
# audit.on_error says (refused, "cannot be recorded"), half a record is cut
# back at once, and after a rotation (rename + SIGHUP) calls are allowed and
# recorded again.
#
# usage: fsize-limit.sh ROLEGATE
set -euo pipefail
RG=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/serve.sh"
serve_test_init rolegate-fsize-limit
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 77; }
cat >"$T/rg.conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; } ); };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$T/log/decisions.log"; sync = "none"; };
plugin = { state = "$T/state"; threads = 2; };
CONF
LOG=$T/log/decisions.log
probe() { python3 "$HERE/frozen-disk.py" "$T/rg.sock" "$@"; }
# 64 KiB: about 150 records of alice's read
(ulimit -f 64; exec "$RG" serve -c "$T/rg.conf" --socket "$T/rg.sock" --stderr --ready-fd 3 \
	3>"$T/ready" 2>"$T/serve.log") &
SERVE=$!
PIDS+=("$SERVE")
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
[ -s "$T/ready" ] || fail "serve did not start: $(tail -3 "$T/serve.log")"

for _ in $(seq 30); do probe 5 rrrrrrrr; done >"$T/calls" || true
kill -0 "$SERVE" 2>/dev/null || { wait "$SERVE" && rc=0 || rc=$?; fail "serve ended (exit $rc) at the file size limit"; }
grep -q "^r [0-9.]* deny: .*cannot be recorded" "$T/calls" || fail "no call past the limit refused: $(sort "$T/calls" | uniq -c | head -3)"
grep -v -e "^r [0-9.]* allow" -e "^r [0-9.]* deny: .*cannot be recorded" "$T/calls" >"$T/odd" &&
	fail "calls neither allowed nor refused as unrecorded: $(head -3 "$T/odd")"
grep -q "File too large" "$T/serve.log" || fail "no word of the limit: $(tail -3 "$T/serve.log")"
"$RG" log verify -c "$T/rg.conf" >"$T/verify" 2>&1 || fail "log verify: $(tail -3 "$T/verify")"
grep -q "torn" "$T/verify" && fail "half a record left at the end: $(tail -1 "$T/verify")"
ok "at the file size limit: serve runs, calls past it refused as unrecorded, the log ends whole"

mv "$LOG" "$LOG.1"
kill -HUP "$SERVE"
for _ in $(seq 50); do grep -q reloaded "$T/serve.log" && break; sleep 0.1; done
probe 5 rrrr >"$T/after" || true
[ "$(grep -c "^r [0-9.]* allow" "$T/after")" = 4 ] || fail "after the rotation: $(tr '\n' ';' <"$T/after")"
kill -TERM "$SERVE"
wait "$SERVE" || fail "serve exited $?"
PIDS=()
"$RG" log verify -c "$T/rg.conf" --file "$LOG.1" --file "$LOG" >"$T/verify" 2>&1 ||
	fail "log verify across the rotation: $(tail -3 "$T/verify")"
ok "rotated: calls allowed and recorded again, the chain goes on"
echo "all passed"
