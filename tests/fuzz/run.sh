#!/bin/sh
# run.sh — fuzz every target (or those named) for a while with libFuzzer.
#
#   tests/fuzz/run.sh BUILD-DIR SECONDS [TARGET...]
#
# BUILD-DIR is a build configured with -Dfuzz=true under clang, e.g.
#   CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
# Runs two targets at a time (nice'd), each for SECONDS, starting from
# tests/fuzz/corpus/TARGET and growing a work corpus in $FUZZ_WORK (default
# /tmp/rolegate-fuzz/TARGET). Logs: $FUZZ_WORK/TARGET.log. Crashers land
# in $FUZZ_WORK/TARGET/ as crash-*, leak-*, timeout-*, oom-*; once fixed,
# copy each into tests/fuzz/corpus/TARGET/ so the replay test keeps it
# fixed. To fold new coverage into the repository's corpus (edge coverage
# only, so that it stays small; the suppressions keep libconfig's own leak
# from leaving an empty crash-* file behind):
#   LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp build-fuzz/tests/fuzz/fuzz-TARGET \
#       -merge=1 -use_counters=0 tests/fuzz/corpus/TARGET $FUZZ_WORK/TARGET/corpus
# Exit status: 0 when no target found anything, 1 otherwise.
set -u

[ $# -ge 2 ] || { sed -n '2,21s/^# \{0,1\}//p' "$0" >&2; exit 2; }
build=$1
seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
work=${FUZZ_WORK:-/tmp/rolegate-fuzz}
targets=${*:-authz path config gojson logrecord approved}
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-print_suppressions=0:suppressions=$here/lsan.supp}

run() {
	t=$1
	mkdir -p "$work/$t/corpus"
	nice -n 10 "$build/tests/fuzz/fuzz-$t" -max_total_time="$seconds" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/$t/" \
		"$work/$t/corpus" "$here/corpus/$t" >"$work/$t.log" 2>&1
	echo "fuzz-$t: exit $?, $(grep -c . "$work/$t.log") log lines," \
		"$(grep -E '^stat::number_of_executed_units' "$work/$t.log" | awk '{print $2}') runs," \
		"$(ls "$work/$t" | grep -cE '^(crash|leak|timeout|oom)-') finding(s)"
}

set -- $targets
while [ $# -gt 0 ]; do
	run "$1" &
	p1=$!
	p2=
	if [ $# -ge 2 ]; then
		run "$2" &
		p2=$!
		shift
	fi
	shift
	wait $p1
	[ -n "$p2" ] && wait $p2
done
found=$(find "$work" -maxdepth 2 -name 'crash-*' -o -maxdepth 2 -name 'leak-*' \
	-o -maxdepth 2 -name 'timeout-*' -o -maxdepth 2 -name 'oom-*' | wc -l)
[ "$found" -eq 0 ]
