#!/bin/bash
# audit.sync, seen from the system calls (strace): "always" runs fdatasync
# for every record, "batch" lets concurrent appends share one (group commit),
# "none" never syncs. Every append is acknowledged in all three modes.
. "$(dirname "$0")/lib.sh"
at_setup "$@"
command -v strace >/dev/null || { echo "SKIP: strace is not installed"; exit 77; }

syncs() {  # syncs MODE THREADS COUNT: sets N to the number of fdatasync calls
	at_conf "$1-$2" "sync = \"$1\";"
	# LeakSanitizer cannot run under ptrace (sanitizer builds): leaks are
	# checked by the other audit tests.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=fdatasync,fsync -o "$AT/$1-$2.strace" \
		"$LOAD" "$AT/$1-$2.conf" "$2" "$3" >"$AT/$1-$2.acks" 2>/dev/null ||
		fail "$1: audit-load failed"
	same "$(grep -c '^ok ' "$AT/$1-$2.acks")" "$(($2 * $3))" "$1 x$2: every append acknowledged"
	N=$(grep -c 'fdatasync(' "$AT/$1-$2.strace")
}

syncs always 4 100
[ "$N" -ge 400 ] && pass "always: $N fdatasync for 400 records" || fail "always: only $N fdatasync for 400 records"
syncs batch 16 50
[ "$N" -ge 1 ] && [ "$N" -lt 800 ] && pass "batch: $N fdatasync shared by 800 concurrent records" ||
	fail "batch: $N fdatasync for 800 records"
syncs none 4 100
same "$N" 0 "none: no fdatasync"
for f in "$AT"/*.conf; do
	check 0 "verify $(basename "$f" .conf)" "$RG" log verify -c "$f"
done
at_finish
