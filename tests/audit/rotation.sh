#!/bin/bash
# Rotation: the chain continues across files, whether the writer notices the
# rename by itself, is told with SIGHUP by the real logrotate running
# examples/logrotate.d/rolegate, or was stopped while the log was rotated.
# `rolegate log verify` checks the series in any order given, and finds a
# missing file.
. "$(dirname "$0")/lib.sh"
at_setup "$@"
command -v logrotate >/dev/null || { echo "SKIP: logrotate is not installed"; exit 77; }

lines() { { wc -l <"$1"; } 2>/dev/null || echo 0; }
has_lines() { [ "$(lines "$1")" -ge "$2" ]; }

# --- 1. renamed under a running writer, no signal: noticed within a second ---
at_conf a 'sync = "none";'
LOG=$AT/a/decisions.log
"$LOAD" "$AT/a.conf" 1 300 10000 >"$AT/a.acks" 2>/dev/null &
PID=$!
at_track "$PID"
wait_for 10 has_lines "$LOG" 30 || fail "the writer did not start"
mv "$LOG" "$LOG.1"
: >"$LOG"   # what logrotate's `create` does
chmod 600 "$LOG"
wait "$PID"
same "$?" 0 "the writer finished without errors"
same "$(head -n 1 "$LOG" | grep -c '"phase":"system","event":"rotate"')" 1 \
	"the new file starts with a rotate record"
same "$(( $(lines "$LOG.1") + $(lines "$LOG") ))" 301 "300 decisions + 1 rotate record in the two files"
check 0 "verify old then new" "$RG" log verify --file "$LOG.1" --file "$LOG"
has "301 records checked, chain intact"
check 0 "verify given in the other order" "$RG" log verify --file "$LOG" --file "$LOG.1"
has "301 records checked, chain intact"
check 0 "the new file alone verifies (it says it continues another)" "$RG" log verify --file "$LOG"
has "warning: the chain starts here"
check 0 "the old file alone verifies" "$RG" log verify --file "$LOG.1"
same "$(grep -c '"object":"obj-0-' "$LOG.1" "$LOG" | awk -F: '{s += $2} END {print s}')" 300 \
	"every acknowledged decision is in one of the files"

# --- 2. the real logrotate with the example config, SIGHUP in postrotate ---
at_conf b 'sync = "batch";'
LOG=$AT/b/decisions.log
"$LOAD" "$AT/b.conf" 2 300 5000 >"$AT/b.acks" 2>/dev/null &
PID=$!
at_track "$PID"
sed -e "s|/var/log/rolegate/decisions.log|$LOG|" \
	-e "s|systemctl kill .*|kill -HUP $PID|" \
	"$AT_TOP/examples/logrotate.d/rolegate" >"$AT/logrotate.conf"
grep -q "kill -HUP $PID" "$AT/logrotate.conf" || fail "the example's postrotate was not found"
wait_for 10 has_lines "$LOG" 50 || fail "the writer did not start"
check 0 "logrotate rotates (1)" logrotate -f -s "$AT/logrotate.state" "$AT/logrotate.conf"
wait_for 10 has_lines "$LOG" 50 || fail "nothing written after the first rotation"
check 0 "logrotate rotates (2)" logrotate -f -s "$AT/logrotate.state" "$AT/logrotate.conf"
wait "$PID"
same "$?" 0 "the writer finished without errors"
[ -f "$LOG.2.gz" ] && [ -f "$LOG.1" ] && pass "logrotate left $LOG.2.gz, .1 and the log" ||
	fail "expected $LOG.2.gz and $LOG.1: $(ls "$AT/b")"
same "$(stat -c %a "$LOG")" 600 "the new log is mode 0600"
zcat "$LOG.2.gz" >"$AT/b.2"
check 0 "verify the three files" "$RG" log verify --file "$LOG" --file "$AT/b.2" --file "$LOG.1"
has "602 records checked, chain intact"
same "$(cat "$AT/b.2" "$LOG.1" "$LOG" | grep -c '"event":"rotate"')" 2 "two rotate records"
check 1 "a missing middle file is a break" "$RG" log verify --file "$AT/b.2" --file "$LOG"
has "$LOG:1: seq"
has "expected seq"

# --- 3. rotated while the writer was stopped: it continues from PATH.1 ---
at_conf c 'sync = "always";'
LOG=$AT/c/decisions.log
check 0 "first run" "$LOAD" "$AT/c.conf" 1 20
mv "$LOG" "$LOG.1"
check 0 "second run after the log was moved to .1" "$LOAD" "$AT/c.conf" 1 20
same "$(sed -n '2s/^{"seq":\([0-9]*\),.*/\1/p' "$LOG")" 22 "seq continues (20 + rotate record + 1)"
check 0 "verify the series" "$RG" log verify --file "$LOG.1" --file "$LOG"
has "41 records checked, chain intact"

# --- 4. SIGHUP without rotation changes nothing ---
at_conf d 'sync = "batch";'
LOG=$AT/d/decisions.log
"$LOAD" "$AT/d.conf" 1 100 5000 >/dev/null 2>&1 &
PID=$!
at_track "$PID"
wait_for 10 has_lines "$LOG" 10 || fail "the writer did not start"
kill -HUP "$PID"
wait "$PID"
same "$(grep -c '"event":"rotate"' "$LOG")" 0 "no rotate record without a rotation"
check 0 "verify" "$RG" log verify --file "$LOG"
has "100 records checked, chain intact"

# --- 5. copytruncate (advised against): the writer notices the cut file and
# starts it with a rotate record, so the new content verifies on its own ---
at_conf e 'sync = "none";'
LOG=$AT/e/decisions.log
"$LOAD" "$AT/e.conf" 1 100 5000 >/dev/null 2>&1 &
PID=$!
at_track "$PID"
wait_for 10 has_lines "$LOG" 20 || fail "the writer did not start"
cp "$LOG" "$LOG.1"
: >"$LOG"
wait "$PID"
same "$(head -n 1 "$LOG" | grep -c '"event":"rotate","note":"the log was truncated')" 1 \
	"the cut file starts with a rotate record"
check 0 "the cut file verifies on its own" "$RG" log verify --file "$LOG"
has "chain intact"

at_finish
