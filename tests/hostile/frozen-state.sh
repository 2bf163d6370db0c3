#!/usr/bin/env bash
# A filesystem frozen under plugin.state alone (the audit log elsewhere
# answers): a create's journal line is caught in write(2) (fsfreeze on a
# loop device, as in frozen-disk.sh). Session 12 write path:
#
#  - with two server threads or more (THREADS 0 = one per core, here 2) a
#    call's journal line is written by its own thread once the state's write
#    lock is let go (rg_state_direct). Calls that change no ownership must
#    not wait for it: reads, a mutating allow and a deny sent while the
#    create's write hangs are answered within 2 s on the other thread (or,
#    served by the stuck thread, closed after RG_IOLANE_MS when it is
#    declared stuck). Before, the line was written in the journal's I/O
#    thread under the write lock, waited for 5 s: every read waited as long.
#  - with one server thread (THREADS 1) the line goes through the I/O
#    thread; every call is answered within 15 s.
#
# Then, either way: once known stuck, creates (answered allow, unowned:
# SPEC §4) and reads are answered within 2 s; SIGTERM ends serve's main
# thread within 15 s; thawed, a new serve reads the state and answers.
#
# usage: frozen-state.sh ROLEGATE [THREADS]
set -euo pipefail
RG=$(realpath "$1")
THREADS=${2:-0}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/serve.sh"
serve_test_init rolegate-frozen-state
# stuck threads leave what they touch unfreed on purpose (as frozen-disk.sh)
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
. "$HERE/../lib/frozen.sh"
frozen_require losetup mkfs.ext4 fsfreeze python3
trap frozen_cleanup EXIT
frozen_mount

cat >"$T/rg.conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; } ); };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$T/log/decisions.log"; sync = "batch"; };
plugin = { state = "$T/mnt/state"; threads = $THREADS; };
CONF
probe() { python3 "$HERE/frozen-disk.py" "$T/rg.sock" "$@"; }
verdict() { grep -q "^$2 [0-9.]* $3" "$1" || fail "$2: $(grep "^$2 " "$1")"; }
slowest() { awk '{ if ($2 > m) m = $2 } END { print m + 0 }' "$1"; }
fastest() { awk -v k="$2" '$1 == k && $3 !~ /^error/ { if (m == "" || $2 < m) m = $2 } END { print m == "" ? 99 : m }' "$1"; }

serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
probe 5 rdmc >"$T/before"
grep -q -e TIMEOUT -e error "$T/before" && fail "before the freeze: $(cat "$T/before")"
verdict "$T/before" c allow
sync

frozen_freeze
# the create first: its line is appended and its write(2) hangs
probe 20 c >"$T/create" &
CREATE=$!
sleep 1
probe 20 rdmrdmrdm >"$T/reads" || true
wait "$CREATE" || true
grep -q TIMEOUT "$T/create" "$T/reads" && fail "frozen: calls not answered in 20 s: $(cat "$T/create" "$T/reads" | tr '\n' ';')"
[ "$(slowest "$T/reads" | cut -d. -f1)" -lt 15 ] || fail "frozen: a call took 15 s or more: $(tr '\n' ';' <"$T/reads")"
if [ "$THREADS" = 1 ]; then
	grep -q "error:" "$T/reads" && fail "frozen, one thread: a call closed: $(tr '\n' ';' <"$T/reads")"
	verdict "$T/reads" r allow
	verdict "$T/create" c allow
else
	# closed: served by the thread stuck in the create's write
	grep -q -e "^[rm] [0-9.]* deny" -e "^d [0-9.]* allow" "$T/reads" &&
		fail "frozen: a wrong verdict: $(tr '\n' ';' <"$T/reads")"
	for k in r d m; do
		t=$(fastest "$T/reads" "$k")
		awk -v t="$t" 'BEGIN { exit !(t < 2) }' ||
			fail "frozen: no $k call answered within 2 s while a journal write hangs: $(tr '\n' ';' <"$T/reads")"
	done
	grep -q "^c [0-9.]* error: closed" "$T/create" ||
		fail "frozen: the create's thread was not the stuck one: $(cat "$T/create")"
fi
ok "frozen: calls that change no ownership answered at once beside a hung journal write: $(cat "$T/create" "$T/reads" | tr '\n' ';')"

probe 5 rdcmrdcm >"$T/next" || true
grep -q -e TIMEOUT -e "error:" "$T/next" && fail "frozen, known stuck: $(tr '\n' ';' <"$T/next")"
[ "$(slowest "$T/next" | cut -d. -f1)" -lt 2 ] || fail "frozen, known stuck: $(tr '\n' ';' <"$T/next")"
verdict "$T/next" r allow
verdict "$T/next" c allow
ok "frozen, known stuck: 8 calls answered within $(slowest "$T/next") s"
grep -q "has not completed a \(journal \)\?write in 5000 ms" "$T/serve.log" || fail "no word of the stuck disk: $(tail -5 "$T/serve.log")"
[ "$THREADS" = 1 ] || grep -q "served by a thread stuck on the disk" "$T/serve.log" ||
	fail "no word of the stuck thread's connections: $(tail -5 "$T/serve.log")"

kill -TERM "$SERVE"
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
"$RG" state -c "$T/rg.conf" >"$T/state.out" 2>&1 || fail "rolegate state: $(tail -3 "$T/state.out")"
serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
probe 5 rc >"$T/after"
verdict "$T/after" r allow
verdict "$T/after" c allow
kill -TERM "$SERVE"
wait "$SERVE" || fail "serve exited $?"
PIDS=()
ok "thawed: the state reads, a new serve answers"
echo "all passed"
