#!/usr/bin/env bash
# A disk that stops answering (hangsync.so: fdatasync and fsync block while
# a flag file exists) never stops rolegate from deciding (availability round
# 8, "noticed and left"). Before the fix the ownership journal was synced
# in the server threads under the state's lock: the first confirmed create
# on a hung disk stopped every call.
#
# With fsync hung (fdatasync still working), two connections confirm 5 000
# creates (past RG_STATE_COMPACT_MIN: a compaction begins and hangs in its
# fsync) while a third reads; every call must be answered. `rolegate state`
# then lists every create (journal and journal.next, written, not all
# synced). SIGTERM exits although the flusher is stuck; a restart on the
# healed disk has every create. Then with both hung, more creates, kill -9:
# the page cache still has every one.
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

cat >"$T/rg.conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; } ); };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$T/decisions.log"; sync = "none"; };
plugin = { state = "$T/state"; };
CONF
containers() { "$RG" state -c "$T/rg.conf" 2>/dev/null | grep -c '^container ' || true; }
# stops serve with SIGTERM within LIMIT seconds (else fails)
stop_within() {
	local limit=$1
	kill -TERM "$SERVE"
	for _ in $(seq $((limit * 10))); do kill -0 "$SERVE" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$SERVE" 2>/dev/null && { kill -9 "$SERVE"; fail "serve did not stop within $limit s of SIGTERM"; }
	wait "$SERVE" || true
}

RG_HANGSYNC=$HANG LD_PRELOAD=$RG_HANGSYNC_LIB serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
# a serve stuck on the disk does not stop on SIGTERM (before the fix)
trap 'kill -9 "$SERVE" 2>/dev/null || true; serve_test_cleanup' EXIT
echo fsync >"$HANG"
"$LOAD" "$T/rg.sock" 2 "$PER_CONN" c >"$T/creates" 2>>"$T/load.err" &
creates=$!
PIDS+=("$creates")
"$LOAD" "$T/rg.sock" 1 20000 r >"$T/reads" 2>>"$T/load.err" &
reads=$!
PIDS+=("$reads")
for _ in $(seq 600); do
	kill -0 "$creates" 2>/dev/null || kill -0 "$reads" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$creates" 2>/dev/null && fail "the disk hung: $(wc -l <"$T/creates") of $((2 * PER_CONN)) creates answered in 60 s"
kill -0 "$reads" 2>/dev/null && fail "the disk hung: $(wc -l <"$T/reads") of 20000 reads answered in 60 s"
wait "$creates" || fail "a create was not allowed: $(grep -v ' allow$' "$T/creates" | head -3)"
wait "$reads" || fail "a read was not allowed: $(grep -v ' allow$' "$T/reads" | head -3)"
[ "$(wc -l <"$T/creates")" -eq $((2 * PER_CONN)) ] && [ "$(wc -l <"$T/reads")" -eq 20000 ] ||
	fail "not every call was answered: $(wc -l <"$T/creates") creates, $(wc -l <"$T/reads") reads"
ok "fsync hung: $((2 * PER_CONN)) creates and 20000 reads answered"
[ -e "$T/state/journal.next" ] || fail "no compaction began (journal.next missing): $(ls "$T/state")"
n=$(containers)
[ "$n" -eq $((2 * PER_CONN)) ] || fail "rolegate state lists $n containers, not $((2 * PER_CONN))"
ok "disk hung, compaction stuck: rolegate state lists all $n (journal and journal.next)"

stop_within 15
grep -q "flusher is stuck on the disk" "$T/serve.log" || fail "no word of the stuck flusher: $(tail -5 "$T/serve.log")"
ok "SIGTERM with the disk hung: serve exits"

rm -f "$HANG"
RG_HANGSYNC=$HANG LD_PRELOAD=$RG_HANGSYNC_LIB serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
[ -e "$T/state/journal.next" ] && fail "journal.next left after a start on a healed disk"
n=$(containers)
[ "$n" -eq $((2 * PER_CONN)) ] || fail "after the restart rolegate state lists $n containers"
ok "restart on the healed disk: all $n, journal.next folded in"

# kill -9 while the disk hangs whole: the page cache still has every create.
: >"$HANG"
"$LOAD" "$T/rg.sock" 2 2500 c >"$T/creates2" 2>>"$T/load.err" || fail "creates on the hung disk, second round"
kill -9 "$SERVE"
wait "$SERVE" 2>/dev/null || true
rm -f "$HANG"
n=$(containers)
# the second round's ids are new (ack-load puts its pid in them), its names the same
[ "$n" -eq $((4 * PER_CONN)) ] || fail "after kill -9 rolegate state lists $n containers, not $((4 * PER_CONN))"
"$RG" state -c "$T/rg.conf" --json | grep -q '"id":"0*[0-9a-f]*"' || fail "rolegate state --json"
RG_HANGSYNC=$HANG LD_PRELOAD=$RG_HANGSYNC_LIB serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
stop_within 15
ok "kill -9 on the hung disk: all $n there, serve starts again"
echo "all passed"
