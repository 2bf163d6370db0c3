#!/bin/bash
# The log unlinked or replaced under the running `rolegate serve`, under load
# (SPEC.md §6): no acknowledged record is left only in a file no path leads
# to. While 4 clients send 4000 calls, the log is removed five times and
# once replaced by renaming an empty file over it; what the file held when it
# lost its name is kept aside (that is what the remover took: it was
# reachable when it was written). Every acknowledged call must then be found in the copies or in the
# file at the path; the writer says at LOG_ERR what happened, writes a relink
# record, and the file at the path verifies on its own.
. "$(dirname "$0")/lib.sh"
at_setup "$@"

for sync in batch always; do
	at_conf "u$sync" "sync = \"$sync\";"
	LOG=$AT/u$sync/decisions.log
	SOCK=$AT/u$sync.sock
	start_serve "$AT/u$sync.conf" "$SOCK" || { fail "serve did not start"; continue; }
	python3 "$AT_SRC/unlink.py" "$SOCK" 4 1000 "$AT/acks.$sync" >"$AT/count.$sync" &
	LOADPID=$!
	at_track "$LOADPID"
	n=0
	for i in 1 2 3 4 5 6; do
		grows() { [ -f "$LOG" ] && [ "$(wc -l <"$LOG")" -ge 200 ]; }
		wait_for 30 grows || { fail "$sync: the log did not grow to 200 lines after unlink $i"; break; }
		# What the file held when it lost its name is what the remover took:
		# read through a descriptor held across the unlink, up to its size then.
		exec 7<"$LOG"
		if [ "$i" -eq 6 ]; then
			: >"$AT/empty" && chmod 600 "$AT/empty" && mv "$AT/empty" "$LOG"   # replaced
		else
			rm "$LOG"                                                         # unlinked
		fi
		size=$(stat -Lc %s /proc/$$/fd/7)
		head -c "$size" <&7 >"$AT/snap.$sync.$i"
		exec 7<&-
		n=$i
	done
	wait "$LOADPID"
	kill -TERM "$SERVE_PID"
	wait "$SERVE_PID"
	same "$n" 6 "$sync: the log was unlinked five times and replaced once under load"
	ACKED=$(cat "$AT/count.$sync")
	[ "${ACKED:-0}" -ge 3000 ] && pass "$sync: $ACKED of 4000 calls acknowledged" ||
		fail "$sync: only ${ACKED:-0} calls acknowledged"
	check 0 "$sync: every acknowledged call is in a file a path leads to" python3 - "$AT/acks.$sync" "$LOG" "$AT"/snap.$sync.* <<'PY'
import re, sys
acked = [l.strip() for l in open(sys.argv[1]) if l.strip()]
found = set()
for p in sys.argv[2:]:
    for line in open(p, errors="replace"):
        m = re.search(r'"uri":"[^"]*?(u-\d+-\d+)', line)
        if m:
            found.add(m.group(1))
missing = [a for a in acked if a not in found]
print(f"{len(acked)} acknowledged, {len(missing)} not reachable: {missing[:5]}")
sys.exit(1 if missing or not acked else 0)
PY
	has " 0 not reachable"
	same "$(grep -c '"event":"relink"' "$LOG" "$AT"/snap.$sync.* | awk -F: '{s += $2} END {print s}')" 6 \
		"$sync: six relink records, one per unlink or replacement"
	check 0 "$sync: the file at the path verifies on its own" "$RG" log verify --file "$LOG"
	has "the chain starts here"   # with records written again, or (none to write again) at the relink record
	has "chain intact"
	check 0 "$sync: the daemon said so at LOG_ERR (on stderr here)" \
		grep -q "was unlinked while rolegate wrote to it; reopened the path" "$AT/serve.log"
	check 0 "$sync: the relink records say which happened" \
		grep -q '"event":"relink","note":"the log file was replaced by another file while open' "$LOG" "$AT"/snap.$sync.*
	cp "$AT/serve.log" "$AT/serve.$sync.log"; : >"$AT/serve.log"
done
at_finish
