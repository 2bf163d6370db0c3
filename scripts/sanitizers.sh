#!/bin/sh
# scripts/sanitizers.sh — the test suites under AddressSanitizer + UBSan (and,
# with --valgrind, under valgrind's memcheck). Called by .ci/run.
#
#   scripts/sanitizers.sh [--valgrind] [BUILD-DIR]
#
# ASan: configures BUILD-DIR (default build-asan) with
#   -Db_sanitize=address,undefined -Db_lundef=false
# builds it, and runs `meson test --setup asan` on the suites in
# $SANITIZER_SUITES (default: unit cli fuzz hostile audit ldap e2e; suites
# whose tests need root, dockerd or slapd skip themselves, exit 77, where
# those are missing). The daemons the integration tests start are the
# instrumented build too, with the setup's ASAN_OPTIONS/UBSAN_OPTIONS
# (abort on the first error, leak checking on).
#
# --valgrind: a plain build (default build-valgrind) and `meson test --setup
# valgrind` on $VALGRIND_SUITES (default: unit fuzz hostile) less the shell
# scripts (suite script: the wrapper would run bash under valgrind), where the
# hostile tests also run `rolegate serve` under valgrind.
#
# Exit status: meson test's (0 when every selected test passed or skipped).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
mode=asan
if [ "${1:-}" = --valgrind ]; then
	mode=valgrind
	shift
fi
jobs=${JOBS:-2}

suites() {
	for s in $1; do
		printf ' --suite %s' "$s"
	done
}

if [ "$mode" = asan ]; then
	build=${1:-$top/build-asan}
	if [ -f "$build/build.ninja" ]; then
		meson configure "$build" -Db_sanitize=address,undefined -Db_lundef=false
	else
		meson setup "$build" "$top" -Db_sanitize=address,undefined -Db_lundef=false
	fi
	ninja -C "$build" -j "$jobs"
	# shellcheck disable=SC2046
	exec meson test -C "$build" --setup asan --print-errorlogs --num-processes "$jobs" \
		$(suites "${SANITIZER_SUITES:-unit cli fuzz hostile audit ldap e2e}")
else
	command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 77; }
	build=${1:-$top/build-valgrind}
	[ -f "$build/build.ninja" ] || meson setup "$build" "$top"
	ninja -C "$build" -j "$jobs"
	# Not the 'script' tests: the wrapper would run their shell under valgrind.
	# shellcheck disable=SC2046
	exec meson test -C "$build" --setup valgrind --print-errorlogs --num-processes "$jobs" \
		$(suites "${VALGRIND_SUITES:-unit fuzz hostile}") --no-suite script
fi
