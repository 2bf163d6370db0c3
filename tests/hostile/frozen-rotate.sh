#!/usr/bin/env bash
# The audit log rotated or unlinked, then its filesystem frozen (fsfreeze on
# a loop-device ext4: what dmsetup suspend, an LVM snapshot or a backup
# tool's freeze do), before serve has opened the new file (red team round
# 14). Opening the path (even mkdir(2) of its existing parent) sleeps in the
# kernel until the thaw, and serve did it under the audit writer's lock, in
# the SIGHUP handler or in the server thread whose record noticed the
# rename or the unlink: every call, even a deny, waited for the thaw, and
# SIGTERM did nothing. Now the open is waited for RG_IOLANE_MS at most, in a
# thread of its own:
#
#  1. the calls made on the frozen disk end within 15 s (the first waits
#     for the open, then for its own write; the server thread caught in that
#     write has its connections closed), the ones after within 2 s;
#  2. SIGTERM ends serve's main thread within 15 s;
#  3. thawed, a new serve answers and `log verify` passes across the files.
#
# usage: frozen-rotate.sh ROLEGATE MODE [term|thaw] (hup: logrotate's rename, create and
# SIGHUP; check: the same without SIGHUP, noticed by a record; relink: the
# log unlinked)
set -euo pipefail
RG=$(realpath "$1")
MODE=${2:-hup}
AFTER=${3:-term}   # term: SIGTERM while frozen, then thaw; thaw: thaw, the same serve goes on
# sync = "batch" would relink at its next flush, before the freeze
SYNC=batch
[ "$MODE" = relink ] && SYNC=none
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/serve.sh"
serve_test_init rolegate-frozen-rotate
# serve stops without the threads still in the frozen filesystem, nor what they may touch
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
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
slowest() { awk '{ if ($2 > m) m = $2 } END { print m + 0 }' "$1"; }

serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
probe 5 rr >/dev/null
case $MODE in
hup|check) mv "$LOG" "$LOG.1"; : >"$LOG"; chmod 600 "$LOG" ;;
relink) rm "$LOG" ;;
esac
sync
frozen_freeze
[ "$MODE" = hup ] && kill -HUP "$SERVE"
sleep 1.2    # the rename is looked for once a second
probe 20 rdrd >"$T/first" || true
grep -q TIMEOUT "$T/first" && fail "frozen: calls not answered in 20 s: $(tr '\n' ';' <"$T/first")"
[ "$(slowest "$T/first" | cut -d. -f1)" -lt 15 ] || fail "frozen: a call took more than 15 s: $(tr '\n' ';' <"$T/first")"
# each a deny, or closed unanswered (its server thread is the one in the write)
grep -v -e "^d [0-9.]* deny: mallory has no role" -e "^r [0-9.]* deny: .*cannot be recorded" \
	-e "^[rd] [0-9.]* error: closed" "$T/first" >"$T/odd" && fail "frozen: $(tr '\n' ';' <"$T/odd")"
[ "$(grep -vc "error: closed" "$T/first")" -ge 1 ] || fail "frozen: no call answered: $(tr '\n' ';' <"$T/first")"
ok "frozen: the first calls ended within $(slowest "$T/first") s: $(tr '\n' ';' <"$T/first")"
probe 5 rdrd >"$T/next" || true
[ "$(slowest "$T/next" | cut -d. -f1)" -lt 2 ] || fail "frozen, known stuck: $(tr '\n' ';' <"$T/next")"
grep -q "^r [0-9.]* deny: .*cannot be recorded" "$T/next" || fail "frozen, known stuck: $(tr '\n' ';' <"$T/next")"
ok "frozen, known stuck: 4 calls answered within $(slowest "$T/next") s"
grep -q "has not completed an open in 5000 ms" "$T/serve.log" || fail "no word of the stuck open: $(tail -5 "$T/serve.log")"

if [ "$AFTER" = thaw ]; then
	# the disk comes back: the open given up on is forgotten, the rotation
	# or relink done, and every call answered and recorded again
	frozen_thaw
	sleep 1.2
	probe 5 rdrd >"$T/thawed" || true
	[ "$(grep -c "^r [0-9.]* allow" "$T/thawed")" = 2 ] || fail "thawed, same serve: $(tr '\n' ';' <"$T/thawed")"
	ok "thawed: the same serve answers again"
	kill -TERM "$SERVE"
	wait "$SERVE" || fail "serve exited $?"
	PIDS=()
	files=(--file "$LOG")
	[ "$MODE" = relink ] || files=(--file "$LOG.1" --file "$LOG")
	"$RG" log verify -c "$T/rg.conf" "${files[@]}" >"$T/verify" 2>&1 || fail "log verify: $(tail -3 "$T/verify")"
	grep -q "containers/json?r=0" "$LOG" || fail "thawed: the calls after the thaw are not in the new file"
	ok "thawed: log verify passes"
	echo "all passed"
	exit 0
fi
kill -TERM "$SERVE"
# ended: gone, or a zombie kept by its threads still in the frozen
# filesystem (a main thread asleep there shows D, not ended)
ended() { [ ! -e "/proc/$SERVE/status" ] || grep -q '^State:.*Z' "/proc/$SERVE/status" 2>/dev/null; }
for _ in $(seq 150); do
	ended && break
	sleep 0.1
done
ended || fail "frozen: serve's main thread still runs 15 s after SIGTERM"
ok "frozen: SIGTERM ends serve's main thread"

frozen_thaw
wait "$SERVE" || fail "serve exited $? after the thaw: $(tail -5 "$T/serve.log")"
PIDS=()
serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
probe 5 rr >"$T/after"
grep -q "^r [0-9.]* allow" "$T/after" || fail "thawed: $(tr '\n' ';' <"$T/after")"
kill -TERM "$SERVE"
wait "$SERVE" || fail "serve exited $?"
PIDS=()
files=(--file "$LOG")
[ "$MODE" = relink ] || files=(--file "$LOG.1" --file "$LOG")
"$RG" log verify -c "$T/rg.conf" "${files[@]}" >"$T/verify" 2>&1 || fail "log verify: $(tail -3 "$T/verify")"
ok "thawed: a new serve answers, log verify passes"
echo "all passed"
