#!/bin/bash
# What `rolegate log verify` must refuse (SPEC.md §2, §6), each on a copy of a
# real log written by the real writer: a log cut back at a record boundary,
# emptied or missing while its head file names a record; a complete last
# record with a wrong hash (tampering, not a torn line); a complete last line
# that is not a record; a gap in seq between rotated files given together;
# a chain that ends before --anchor SEQ:HASH or holds another record there.
# A torn last line (incomplete, no newline) still passes. A file collected
# from two hosts (the second writer runs under another host name, unshare -u)
# is checked as one chain per host, and --host picks one.
. "$(dirname "$0")/lib.sh"
at_setup "$@"

at_conf v 'sync = "batch";'
C=$AT/v.conf
LOG=$AT/v/decisions.log
check 0 "2 threads x 100 appends" "$LOAD" "$C" 2 100
same "$(cut -d' ' -f1-3 "$LOG.head")" "rolegate-head host=$(hostname) seq=200" "the head names the newest record"
same "$(stat -c %a "$LOG.head")" 600 "the head file is mode 0600"
check 0 "verify: chain and head agree" "$RG" log verify -c "$C"
has "decisions.log.head: seq 200 found"
has "200 records checked, chain intact"

copy() {  # copy NAME: the log and its head as $AT/NAME.log(.head)
	cp "$LOG" "$AT/$1.log"
	cp "$LOG.head" "$AT/$1.log.head"
}

copy cut
head -n 197 "$LOG" >"$AT/cut.log"
check 1 "a log cut back at a record boundary fails" "$RG" log verify --file "$AT/cut.log"
has "the log ends at seq 197, before the record the head file names"
rm "$AT/cut.log.head"
check 0 "(the same cut without its head file passes: the head is what shows it)" \
	"$RG" log verify --file "$AT/cut.log"

copy empty
: >"$AT/empty.log"
check 1 "an emptied log with a head fails" "$RG" log verify --file "$AT/empty.log"
has "the log ends at seq 0, before the record the head file names"

copy missing
rm "$AT/missing.log"
check 1 "a missing log with a head fails" "$RG" log verify --file "$AT/missing.log"
has "missing, but"
rm "$AT/missing.log.head"
check 2 "(a missing log without a head is an error, as before)" "$RG" log verify --file "$AT/missing.log"

copy lastrec
python3 - "$AT/lastrec.log" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, "rb").read().split(b"\n")[:-1]
lines[-1] = lines[-1].replace(b'"decision":"allow"', b'"decision":"deny"', 1).replace(b'"decision":"deny","reason":"load test deny"', b'"decision":"allow","role":"ops"', 1)
open(p, "wb").write(b"".join(l + b"\n" for l in lines))
PY
check 1 "a complete last record with a wrong hash is tampering" "$RG" log verify --file "$AT/lastrec.log"
has "lastrec.log:200: seq 200: the hash does not match"
lacks "torn"

copy lastline
sed -i '$d' "$AT/lastline.log"
echo '{"seq":200,"note":"replaced"}' >>"$AT/lastline.log"
check 1 "a complete last line that is not a record is tampering" "$RG" log verify --file "$AT/lastline.log"
has "lastline.log:200: seq 200: not a valid record"
lacks "torn"
rm "$AT/lastline.log.head"
check 1 "(also without the head file)" "$RG" log verify --file "$AT/lastline.log"

copy torn
printf '{"seq":201,"time":"2026-12-06T03:' >>"$AT/torn.log"
check 0 "a torn last line (no newline) still passes" "$RG" log verify --file "$AT/torn.log"
has "warning: torn last line"
has "seq 200 found"
has "200 records checked, chain intact"

# The writer itself does not seal a complete invalid last line as torn.
cp "$AT/lastline.log" "$AT/v2.log"
at_conf w 'sync = "batch";'
mkdir -p "$AT/w" && cp "$AT/lastline.log" "$AT/w/decisions.log"
check 2 "the writer refuses to continue after a complete invalid last line" "$LOAD" "$AT/w.conf" 1 1
has "not a valid record"

# --- --anchor SEQ:HASH: a checkpoint kept elsewhere ---
hash_of() { sed -n "${1}p" "$2" | sed 's/.*"hash":"\([0-9a-f]*\)"}$/\1/'; }
H150=$(hash_of 150 "$LOG")
check 0 "an anchor the chain holds passes" "$RG" log verify -c "$C" --anchor "150:$H150"
has "anchor: seq 150 found"
check 1 "an anchor naming another hash at that seq fails" "$RG" log verify -c "$C" --anchor "150:$(hash_of 151 "$LOG")"
has "seq 150: this is not the record the anchor names"
# Someone with root cuts the log and rewrites the head to match: only the anchor shows it.
copy rewritten
head -n 120 "$LOG" >"$AT/rewritten.log"
rm "$AT/rewritten.log.head"
check 0 "(cut back with the head removed, verify alone passes)" "$RG" log verify --file "$AT/rewritten.log"
check 1 "a chain that ends before the anchor fails" "$RG" log verify --file "$AT/rewritten.log" --anchor "150:$H150"
has "the log ends at seq 120, before the record the anchor names"
check 2 "a malformed anchor is a usage error" "$RG" log verify -c "$C" --anchor "150:xyz"

# A head file that was changed (its seal no longer matches) fails too.
copy sealed
sed -i 's/seq=200/seq=100/' "$AT/sealed.log.head"
check 1 "a changed head file fails" "$RG" log verify --file "$AT/sealed.log"
has "its seal does not match"
# A FIFO at the head's name (round 11): verify must not wait on it forever.
copy fifo
rm "$AT/fifo.log.head" && mkfifo "$AT/fifo.log.head"
check 1 "a FIFO at the head's name fails at once" timeout 10 "$RG" log verify --file "$AT/fifo.log"
has "not a regular file"
# A FIFO at audit.path itself (round 12): verify, query and stats of the
# configured log refuse it at once; a --file that is a pipe is still read.
at_conf pipe 'sync = "batch";'
mkdir -p "$AT/pipe" && mkfifo "$AT/pipe/decisions.log"
check 2 "a FIFO at audit.path: verify fails at once" timeout -s KILL 10 "$RG" log verify -c "$AT/pipe.conf"
has "(audit.path) is not a regular file"
check 2 "a FIFO at audit.path: query fails at once" timeout -s KILL 10 "$RG" log query -c "$AT/pipe.conf"
has "(audit.path) is not a regular file"
check 2 "a FIFO at audit.path: stats fails at once" timeout -s KILL 10 "$RG" log stats -c "$AT/pipe.conf"
has "(audit.path) is not a regular file"
check 0 "a pipe given with --file is still read" bash -c '"$1" log verify -c "$2" --file <(cat "$3")' _ "$RG" "$AT/pipe.conf" "$AT/fifo.log"
has "chain intact"

# --- rotated files: any order; a gap fails ---
at_conf r 'sync = "batch";'
R=$AT/r/decisions.log
"$LOAD" "$AT/r.conf" 1 30 >/dev/null 2>&1
mv "$R" "$R.1"                      # rotated while stopped: the next run continues .1
"$LOAD" "$AT/r.conf" 1 30 >/dev/null 2>&1
mv "$R.1" "$R.2" && mv "$R" "$R.1"
"$LOAD" "$AT/r.conf" 1 30 >/dev/null 2>&1
check 0 "three rotated files, given in any order" "$RG" log verify --file "$R" --file "$R.2" --file "$R.1"
has "records checked, chain intact"
check 1 "the middle file left out: a gap in seq" "$RG" log verify --file "$R" --file "$R.2"
has "records are missing"

# --- a file collected from two hosts: one chain per host ---
command -v unshare >/dev/null || { echo "SKIP: no unshare"; at_finish; }
at_conf h 'sync = "batch";'
"$LOAD" "$AT/h.conf" 1 40 >/dev/null 2>&1
at_conf g 'sync = "batch";'
check 0 "a second writer under the host name hostb" \
	unshare -u sh -c "hostname hostb && exec '$LOAD' '$AT/g.conf' 1 60"
python3 - "$AT/h/decisions.log" "$AT/g/decisions.log" "$AT/fleet.log" <<'PY'
import json, sys
lines = []
for p in sys.argv[1:3]:
    lines += [l for l in open(p)]
lines.sort(key=lambda l: json.loads(l)["time"])
open(sys.argv[3], "w").writelines(lines)
PY
check 0 "the collected file: each host's chain intact" "$RG" log verify --file "$AT/fleet.log"
has "host hostb: 60 records checked, chain intact"
has "host $(hostname): 40 records checked, chain intact"
check 0 "--host picks one" "$RG" log verify --file "$AT/fleet.log" --host hostb
has "60 records checked, chain intact"
HB=$(grep '"host":"hostb"' "$AT/fleet.log" | sed -n '30p' | sed 's/.*"hash":"\([0-9a-f]*\)"}$/\1/')
check 0 "--host with an anchor of that host" "$RG" log verify --file "$AT/fleet.log" --host hostb --anchor "30:$HB"
check 2 "an anchor without --host in a fleet file is ambiguous" "$RG" log verify --file "$AT/fleet.log" --anchor "30:$HB"
# --host naming no host of the file (a typo) vouches for nothing: no match
# (exit 1), not "0 records checked, chain intact".
check 1 "--host naming a host the file does not hold" "$RG" log verify --file "$AT/fleet.log" --host hostc
has "no records of host hostc"
check 1 "(the same for a one-host log)" "$RG" log verify --file "$LOG" --host hostc
grep -v '"seq":31,.*"host":"hostb"' "$AT/fleet.log" >"$AT/fleet-cut.log"
check 1 "a record of one host removed breaks that host's chain" "$RG" log verify --file "$AT/fleet-cut.log"
has "seq 32: expected seq 31"
at_finish
