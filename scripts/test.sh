#!/bin/sh
# Sets up and runs rolegate's whole test suite on a Debian 12 machine, as root:
# packages, build, unit/decision/golden tests, the real-dockerd, real-slapd
# and real-rsyslogd integration tests, then the same under ASan+UBSan, then
# the unit, fuzz-corpus and hostile tests under valgrind (rolegate serve too).
# Ends with one "N passed, N failed" line; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.."
[ "${RG_SKIP_DEPS:-0}" = 1 ] || sh scripts/deps.sh || exit 2

fail=0
meson setup build --wipe >/dev/null 2>&1 || meson setup build || exit 2
ninja -C build || exit 2
meson test -C build --print-errorlogs --num-processes 2 || fail=1

# The same suites again under AddressSanitizer + UBSan.
sh scripts/sanitizers.sh || fail=1
# valgrind sees what ASan does not (uninitialised reads) and runs threads
# one at a time, which shook out a signal race the other runs missed.
sh scripts/sanitizers.sh --valgrind || fail=1

# One summary line over every run, for people and for CI.
python3 - build/meson-logs/testlog.json build-asan/meson-logs/testlog-asan.json \
	build-valgrind/meson-logs/testlog-valgrind.json <<'PY'
import json, sys, os
passed = failed = skipped = 0
for path in sys.argv[1:]:
    if not os.path.exists(path):
        continue
    for line in open(path):
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $fail
