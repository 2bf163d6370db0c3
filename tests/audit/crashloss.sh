#!/bin/bash
# What a crash loses with audit.sync = "batch" (SPEC.md §3), counted by kind.
#
# The real `rolegate serve` runs under ack-load (8 connections: allowed
# mutating requests, reads and denies; then reads and denies only) and is
# killed with kill -9. The page cache survives kill -9, so the log as left
# must hold every acknowledged call. A power cut would also lose what no
# fdatasync had reached: durable.so (LD_PRELOAD) notes how far each
# fdatasync of the log reached, and a copy of the log cut there is what a
# power cut at the moment of the kill would have left. In it:
#   - every acknowledged mutating allow is there (it was answered only once
#     its record was durable);
#   - a read or deny may be missing only if it was answered within the last
#     LOSS_BOUND_MS before the kill, or if a fdatasync that began within
#     LOSS_BOUND_MS of its answer was still running at the kill (they are
#     durable within 10 ms of a flush that starts on time; one fdatasync runs
#     at a time, so a disk that takes long to finish one delays them, and
#     that is the disk's doing, not the timer's). The bound is more than an
#     order of magnitude above 10 ms, so that this catches a flusher whose
#     timer does not run, not a slow or busy disk. The load runs LOAD_MS at
#     least, well past the bound: without a working timer the oldest lost
#     answer is that old.
# The reads-and-denies-only load is the one without a durable caller to
# trigger a flush: only the flusher's timer makes its records durable.
# With sync = "always" nothing acknowledged may be missing at all.
. "$(dirname "$0")/lib.sh"
at_setup "$@"
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
[ -n "$RG_DURABLE_LIB" ] && [ -f "$RG_DURABLE_LIB" ] || { echo "usage: RG_DURABLE_LIB=durable.so $0 ..." >&2; exit 2; }
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
LOSS_BOUND_MS=200
LOAD_MS=1500

lines() { { wc -l <"$1"; } 2>/dev/null || echo 0; }
has_lines() { [ "$(lines "$1")" -ge "$2" ]; }
# ran_for ACKS MS: the first acknowledgment in ACKS is at least MS old.
ran_for() {
	local first
	first=$(head -n 1 "$1" | cut -d' ' -f4)
	[ -n "$first" ] && [ $(($(date +%s%6N) - first)) -ge $(($2 * 1000)) ]
}

# count NAME SYNC: compares $AT/NAME.acks with the log, whole and cut.
count() {
	python3 - "$AT/$1/decisions.log" "$AT/$1.durable" "$AT/$1.acks" "$KILL_US" "$2" "$LOSS_BOUND_MS" "$AT/$1.cut" <<'EOF'
import json, os, sys
log, durable, acks, kill_us, sync, bound_ms, cut = sys.argv[1:]
kill_us, bound_us = int(kill_us), int(bound_ms) * 1000
ino = os.stat(log).st_ino
reach, longest, ends, begun, done = 0, 0, [], {}, set()
for line in open(durable):
    f = line.split()
    if len(f) == 4 and f[0] == "B" and int(f[1]) == ino:
        begun[(f[3], f[2])] = int(f[2])
    elif len(f) == 6 and f[0] == "E" and int(f[1]) == ino:
        reach = max(reach, int(f[2]))
        longest = max(longest, int(f[4]) - int(f[3]))
        ends.append(int(f[4]))
        done.add((f[5], f[3]))
# fdatasyncs of the log still running when it was killed: their start times
running = sorted(t for k, t in begun.items() if k not in done)
data = open(log, "rb").read()
open(cut, "wb").write(data[:reach])

def keys(blob):
    out = set()
    for line in blob.split(b"\n"):
        try:
            r = json.loads(line)
        except ValueError:
            continue
        uri = r.get("uri", "")
        if "/containers/m-" in uri:
            c, i = uri.split("/containers/m-")[1].split("/")[0].split("-")
            out.add(("m", c, i))
        elif "?r=" in uri or "?d=" in uri:
            k, v = uri.split("?")[1].split("=")
            c, i = v.split("-")
            out.add((k, c, i))
    return out

whole, kept = keys(data), keys(data[:reach])
acked = {}
for line in open(acks):
    f = line.split()
    if len(f) == 5:
        acked[(f[0], f[1], f[2])] = int(f[3])
# the gaps between flushes while the load ran (not the idle start)
first = min(acked.values()) if acked else 0
ends = [e for e in ends if e >= first]
gap = max((b - a for a, b in zip(ends, ends[1:])), default=0)
bad = 0
for kind, name in (("m", "mutating allows"), ("r", "reads"), ("d", "denies")):
    mine = {k: t for k, t in acked.items() if k[0] == kind}
    gone = {k: t for k, t in mine.items() if k not in whole}
    lost = {k: t for k, t in mine.items() if k not in kept}
    oldest = (kill_us - min(lost.values())) / 1000 if lost else 0
    # lost without excuse: answered long before the kill, and no flush began in time for it
    late = {k: t for k, t in lost.items()
            if kill_us - t > bound_us and not any(b - t <= bound_us for b in running)}
    print(f"{name}: {len(mine)} acknowledged, {len(mine) - len(gone)} in the log after kill -9, "
          f"{len(mine) - len(lost)} after the power cut; {len(lost)} lost"
          + (f", the oldest answered {oldest:.1f} ms before the kill" if lost else ""))
    if gone:
        print(f"  FAIL: {len(gone)} acknowledged {name} are not in the log at all")
        bad = 1
    if lost and (kind == "m" or sync != "batch"):
        print(f"  FAIL: {len(lost)} acknowledged {name} were not durable")
        bad = 1
    elif late:
        print(f"  FAIL: {len(late)} lost {name} answered more than {bound_ms} ms before the kill "
              f"without a fdatasync begun within {bound_ms} ms of the answer")
        bad = 1
print(f"the power cut keeps {reach} of {len(data)} bytes; {len(ends)} fdatasyncs of the log "
      f"under load, the longest {longest / 1000:.1f} ms, at most {gap / 1000:.1f} ms between two ends"
      + "".join(f"; one still running, begun {(kill_us - b) / 1000:.1f} ms before the kill" for b in running))
if not acked:
    print("FAIL: nothing was acknowledged")
    bad = 1
sys.exit(bad)
EOF
}

# run NAME SYNC KINDS: serve under ack-load, kill -9, count.
run() {
	local name=$1 sync=$2 kinds=$3 sock=$AT/$1.sock load
	at_conf "$name" "sync = \"$sync\";"
	: >"$AT/$name.durable"
	RG_DURABLE_LOG=$AT/$name.durable LD_PRELOAD=$RG_DURABLE_LIB start_serve "$AT/$name.conf" "$sock" ||
		{ fail "$name: serve did not start"; return; }
	"$LOAD" "$sock" 8 1000000 "$kinds" >"$AT/$name.acks" 2>>"$AT/$name.load.err" &
	load=$!
	at_track "$load"
	wait_for 60 has_lines "$AT/$name.acks" 4000 || fail "$name: the load did not get going"
	wait_for 60 ran_for "$AT/$name.acks" "$LOAD_MS" || fail "$name: the load did not run $LOAD_MS ms"
	KILL_US=$(date +%s%6N)
	kill -9 "$SERVE_PID"
	wait "$SERVE_PID" 2>/dev/null
	wait "$load" 2>/dev/null
	same "$(grep -vc ' \(allow\|deny\)$' "$AT/$name.acks")" 0 "$name: every answer before the kill was a decision"
	check 0 "$name (sync=$sync, kinds $kinds): acknowledged vs survived" count "$name" "$sync"
	[ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | sed 's/^/    /'
	check 0 "$name: the log verifies after kill -9" "$RG" log verify --file "$AT/$name/decisions.log"
	check 0 "$name: the power-cut copy verifies" "$RG" log verify --file "$AT/$name.cut"
}

run batch-mixed batch mrd
run batch-quiet batch rd
run always-mixed always mrd
at_finish
