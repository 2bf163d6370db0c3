#!/bin/bash
# A log cut back, emptied or removed while rolegate was stopped, its head
# file left in place (red team round 11): at the next start the writer must
# not continue from the cut, reusing the removed records' seqs and replacing
# the head that shows the loss. It writes a gap record after the head's seq,
# and `log verify` fails on it. A rotation while stopped (the head names the
# last record of PATH.1) and a normal restart are not gaps.
. "$(dirname "$0")/lib.sh"
at_setup "$@"

seqs_unique() {  # seqs_unique LOG: no seq appears twice
	[ -z "$(sed 's/^{"seq":\([0-9]*\),.*/\1/' "$1" | sort | uniq -d)" ]
}

at_conf g 'sync = "batch";'
LOG=$AT/g/decisions.log
check 0 "50 records" "$LOAD" "$AT/g.conf" 1 50
check 0 "a normal restart" "$LOAD" "$AT/g.conf" 1 5
lacks "gap"
check 0 "(no gap record, verify passes)" "$RG" log verify -c "$AT/g.conf"
has "55 records checked, chain intact"

head -n 40 "$LOG" >"$AT/cut" && cat "$AT/cut" >"$LOG"
check 0 "the log cut back to seq 40 while stopped; the writer still starts" "$LOAD" "$AT/g.conf" 1 5
has "its head file named seq 55"
same "$(sed -n 41p "$LOG" | grep -o '"seq":56,"time":"[^"]*","phase":"system","event":"gap"' | cut -c1-8)" \
	'"seq":56' "line 41 is a gap record at seq 56, after the head's"
seqs_unique "$LOG" && pass "no seq is used twice" || fail "a seq is used twice"
check 1 "verify fails on the gap, with the new head in place" "$RG" log verify -c "$AT/g.conf"
has "decisions.log:41: seq 56: records are missing: when rolegate started, the log ended at seq 40, before the seq 55 its head file named"

# Emptied, then removed: each restart leaves a gap record as the file's first line.
at_conf e 'sync = "batch";'
LOG=$AT/e/decisions.log
"$LOAD" "$AT/e.conf" 1 20 >/dev/null 2>&1
: >"$LOG"
check 0 "an emptied log: the writer starts" "$LOAD" "$AT/e.conf" 1 1
same "$(head -n 1 "$LOG" | grep -c '"seq":21,.*"phase":"system"')" 1 "its first record is seq 21, a system record"
check 1 "verify fails" "$RG" log verify -c "$AT/e.conf"
has "decisions.log:1: seq 21: records are missing"
rm "$LOG"
check 0 "a removed log: the writer starts" "$LOAD" "$AT/e.conf" 1 1
has "its head file named seq 22"
check 1 "verify fails" "$RG" log verify -c "$AT/e.conf"
has "seq 23: records are missing"

# With a key: the same, and the gap record is keyed like every other.
head -c 32 /dev/urandom | base64 >"$AT/audit.key"
chmod 600 "$AT/audit.key"
at_conf k "sync = \"batch\"; key_file = \"$AT/audit.key\";"
LOG=$AT/k/decisions.log
"$LOAD" "$AT/k.conf" 2 50 >/dev/null 2>&1
head -n 60 "$LOG" >"$AT/cut" && cat "$AT/cut" >"$LOG"
check 0 "keyed: cut back to seq 60" "$LOAD" "$AT/k.conf" 1 1
check 1 "keyed: verify fails at the gap" "$RG" log verify -c "$AT/k.conf"
has "decisions.log:61: seq 101: records are missing"

# Rotated while stopped (the head still names PATH.1's last record): no gap.
at_conf r 'sync = "batch";'
LOG=$AT/r/decisions.log
"$LOAD" "$AT/r.conf" 1 30 >/dev/null 2>&1
mv "$LOG" "$LOG.1"
check 0 "rotated while stopped" "$LOAD" "$AT/r.conf" 1 10
lacks "gap"
check 0 "(both files verify)" "$RG" log verify -c "$AT/r.conf" --file "$LOG.1" --file "$LOG"
has "41 records checked, chain intact"

# A head file that is not rolegate's (or sealed with another key) is said
# at LOG_ERR and replaced; a FIFO there does not hang the start.
echo "rolegate-head host=x seq=999 hash=$(printf '0%.0s' $(seq 64)) mac=$(printf '0%.0s' $(seq 64))" >"$LOG.head"
check 0 "a head with a wrong seal: the writer starts" "$LOAD" "$AT/r.conf" 1 1
has "sealed with another key, or was changed"
# Without a key anyone can seal a head: one naming a seq no record can hold
# (past 2^63 - 1) must not push the chain there (an unreadable next record).
python3 - "$LOG.head" <<'PY'
import hashlib, sys
text = "rolegate-head host=x seq=%d hash=%s" % (2**64 - 1, "0" * 64)
open(sys.argv[1], "w").write("%s mac=%s\n" % (text, hashlib.sha256(text.encode()).hexdigest()))
PY
check 0 "a head naming seq 2^64 - 1: the writer starts" "$LOAD" "$AT/r.conf" 1 1
has "not one rolegate wrote"
lacks "continuing at seq"
rm -f "$LOG.head" && mkfifo "$LOG.head"
check 0 "a FIFO at the head's name: the writer starts" timeout 10 "$LOAD" "$AT/r.conf" 1 1
has "not a regular file"
at_finish
