#!/bin/sh
# Golden config errors: `rolegate check` on each bad-*.conf must exit 1 and
# print exactly bad-*.expected (every problem, as FILE:LINE: message); each
# good-*.conf and every example config must pass.
set -u
rolegate=$(readlink -f "$1")
dir=$2
examples=$(cd "$dir/../../examples" && pwd)
fail=0 pass=0
cd "$dir" || exit 2
for conf in bad-*.conf; do
	want=${conf%.conf}.expected
	got=$("$rolegate" check -c "$conf" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -ne 1 ]; then
		echo "FAIL $conf: exit $rc, expected 1"; fail=$((fail + 1)); continue
	fi
	if [ "$got" != "$(cat "$want")" ]; then
		echo "FAIL $conf: output differs from $want:"
		printf '%s\n' "$got" | diff "$want" - ; fail=$((fail + 1)); continue
	fi
	pass=$((pass + 1))
done
# Valid configurations that `check` warns about: exit 0, stderr exactly
# warn-*.expected.
for conf in warn-*.conf; do
	[ -e "$conf" ] || continue
	got=$("$rolegate" check -c "$conf" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -ne 0 ] || [ "$got" != "$(cat "${conf%.conf}.expected")" ]; then
		echo "FAIL $conf: exit $rc (want 0), warnings:"
		printf '%s\n' "$got" | diff "${conf%.conf}.expected" - ; fail=$((fail + 1)); continue
	fi
	pass=$((pass + 1))
done

# --offline: the examples name files of the host they are written for
# (approved_images), which this machine need not have.
for conf in good-*.conf "$examples"/*.conf; do
	[ -e "$conf" ] || continue
	if ! out=$("$rolegate" check --offline -c "$conf" 2>&1); then
		echo "FAIL $conf: expected valid:"; echo "$out"; fail=$((fail + 1)); continue
	fi
	pass=$((pass + 1))
done
# A missing file is a clear error naming the file and why, not a crash: a
# runtime error ("an unreadable file", SPEC.md §2), exit 2.
out=$("$rolegate" check -c does-not-exist.conf 2>&1); rc=$?
if [ "$rc" -ne 2 ] || [ "$out" != "does-not-exist.conf: cannot read the file: No such file or directory" ]; then
	echo "FAIL missing file: exit $rc: $out"; fail=$((fail + 1))
else
	pass=$((pass + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
