#!/usr/bin/env bash
# A FIFO where serve reads or writes its own files never hangs it
# (docs/redteam-round12-avail.md). Before the fix:
#
#  1. a FIFO at plugin.state's journal, snapshot or journal.next, or at the
#     audit log's PATH.1 when the log is new, blocked serve in open(2) at
#     start: never ready (dockerd refused every call), SIGTERM ignored;
#  2. a FIFO at state/snapshot.next blocked the compaction that begins
#     after 4 096 creates in open(2) while it held the state's read lock:
#     the next creates' records waited for the write lock in the server
#     threads, so every call stopped (reads too), and SIGTERM never ended
#     serve.
#
# Now the state's files are opened O_NONBLOCK ("not a regular file" at
# start, said and refused), a compaction's new files replace whatever is
# at their names, and PATH.1 that is no regular file is no rotated log.
#
# usage: state-fifo.sh ROLEGATE ACK-LOAD
set -euo pipefail
RG=$(realpath "$1")
LOAD=$(realpath "$2")
. "$(dirname "$0")/../lib/serve.sh"
serve_test_init rolegate-state-fifo
# a serve hung in open(2) (before the fix) does not end on SIGTERM
trap 'for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; serve_test_cleanup' EXIT

cat >"$T/rg.conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; } ); };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$T/decisions.log"; sync = "none"; };
plugin = { state = "$T/state"; };
CONF
containers() { "$RG" state -c "$T/rg.conf" 2>/dev/null | grep -c '^container ' || true; }
lines() { wc -l <"$1"; }

# serve must end by itself within 5 s (a hung one is killed: status 137)
for name in journal snapshot journal.next; do
	rm -rf "$T/state"
	mkdir -m 700 "$T/state"
	mkfifo "$T/state/$name"
	rc=0
	timeout -s KILL 5 "$RG" serve -c "$T/rg.conf" --socket "$T/x.sock" --stderr \
		</dev/null >"$T/start.out" 2>&1 || rc=$?
	[ "$rc" -ne 137 ] || fail "a FIFO at state/$name: serve hung at start (killed after 5 s)"
	[ "$rc" -ne 0 ] || fail "a FIFO at state/$name: serve exited 0"
	grep -q "state/$name: not a regular file" "$T/start.out" ||
		fail "a FIFO at state/$name: no reason given: $(cat "$T/start.out")"
	ok "a FIFO at state/$name: serve refuses at start (exit $rc), saying so"
done
rm -rf "$T/state"

mkfifo "$T/decisions.log.1"
serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
"$LOAD" "$T/rg.sock" 1 10 r >"$T/reads0" 2>>"$T/load.err" || fail "a FIFO at PATH.1: reads not allowed"
ok "a FIFO at the audit log's PATH.1 and no log: serve starts and answers"

# 2. a FIFO at the compaction's snapshot.next
mkfifo "$T/state/snapshot.next"
rc=0
timeout 60 "$LOAD" "$T/rg.sock" 2 2200 c >"$T/creates" 2>>"$T/load.err" || rc=$?
[ "$rc" -eq 0 ] || fail "FIFO at snapshot.next: $(lines "$T/creates") of 4400 creates answered (exit $rc)"
# the compaction is due from the 4 096th; give the flusher time to begin it
sleep 1
rc=0
timeout 20 "$LOAD" "$T/rg.sock" 1 100 c >"$T/creates2" 2>>"$T/load.err" || rc=$?
[ "$rc" -eq 0 ] || fail "FIFO at snapshot.next: $(lines "$T/creates2") of 100 later creates answered (exit $rc)"
timeout 20 "$LOAD" "$T/rg.sock" 2 1000 r >"$T/reads" 2>>"$T/load.err" ||
	fail "FIFO at snapshot.next: $(lines "$T/reads") of 2000 reads answered"
ok "a FIFO at state/snapshot.next: 4 500 creates (a compaction) and 2 000 reads answered"
kill -TERM "$SERVE"
for _ in $(seq 100); do kill -0 "$SERVE" 2>/dev/null || break; sleep 0.1; done
kill -0 "$SERVE" 2>/dev/null && fail "serve did not stop within 10 s of SIGTERM"
wait "$SERVE" || fail "serve did not exit 0: $(tail -3 "$T/serve.log")"
[ -p "$T/state/snapshot.next" ] && fail "the FIFO is still there"
n=$(containers)
[ "$n" -eq 4500 ] || fail "rolegate state lists $n containers, not 4500"
"$RG" log verify -c "$T/rg.conf" >/dev/null 2>&1 || fail "log verify: $("$RG" log verify -c "$T/rg.conf" 2>&1 | tail -3)"
ok "SIGTERM exits 0; rolegate state lists all 4 500 containers; the log verifies"
echo "all passed"
