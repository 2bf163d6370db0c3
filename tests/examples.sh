#!/bin/bash
# Every example configuration (examples/*.conf) passes `rolegate check` and
# its own policy tests (examples/NAME.tests, which must exist) with
# `rolegate test`. And the runner catches a wrong expectation: the first
# case of each tests file, with allow and deny swapped, must fail.
#
# usage: examples.sh ROLEGATE-BINARY EXAMPLES-DIR
set -u
rolegate=${1:?usage: $0 ROLEGATE-BINARY EXAMPLES-DIR}
examples=${2:?usage: $0 ROLEGATE-BINARY EXAMPLES-DIR}
failed=0
checked=0
tmp=$(mktemp -d /tmp/rolegate-examples.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# A copy for the swapped cases, with the body files they name.
cp -r "$examples" "$tmp/examples"

fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

for conf in "$examples"/*.conf; do
	name=$(basename "$conf" .conf)
	tests="$examples/$name.tests"
	checked=$((checked + 1))
	if ! out=$("$rolegate" check --offline -c "$conf" 2>&1); then
		fail "rolegate check -c $conf"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
	if [ ! -f "$tests" ]; then
		fail "$conf has no policy tests ($tests)"
		continue
	fi
	out=$("$rolegate" test -c "$conf" "$tests" 2>&1)
	rc=$?
	printf '%s: %s\n' "$name" "$(printf '%s\n' "$out" | tail -n 1)"
	if [ "$rc" -ne 0 ]; then
		fail "rolegate test -c $conf $tests (exit $rc)"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
	# The same cases with the first expectation swapped: one failure, exit 1.
	swapped="$tmp/examples/$name.tests"
	awk '!done && /^[^#[:space:]].* => (allow|deny)/ {
		if (sub(/ => allow/, " => deny")) { done = 1 } else if (sub(/ => deny.*/, " => allow")) { done = 1 }
	} { print }' "$tests" >"$swapped"
	out=$("$rolegate" test -c "$conf" "$swapped" 2>&1)
	rc=$?
	if [ "$rc" -ne 1 ] || ! printf '%s\n' "$out" | grep -q ', 1 failed$'; then
		fail "a swapped expectation in $tests went unnoticed (exit $rc)"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
done

if [ "$checked" -eq 0 ]; then
	fail "no example configurations in $examples"
fi
echo "$checked example configurations, $failed failures"
[ "$failed" -eq 0 ]
