#!/bin/sh
# Decision tables: every tests/decisions/*.table runs through `rolegate test`
# (the path `rolegate serve` takes) against the config named on its first
# line ("# config: FILE", relative to tests/decisions/), with @DECISIONS@ in
# it replaced by that directory (for files a config names by absolute path).
set -u
rolegate=$(readlink -f "$1")
dir=$2/decisions
fail=0
for table in "$dir"/*.table; do
	conf=$(sed -n '1s/^# config: *//p' "$table")
	if [ -z "$conf" ]; then
		echo "FAIL $table: first line must be '# config: FILE'"; fail=1; continue
	fi
	echo "== $(basename "$table") ($conf)"
	rendered=$(mktemp /tmp/rolegate-decisions.XXXXXX) || exit 2
	sed "s|@DECISIONS@|$dir|g" "$dir/$conf" >"$rendered"
	"$rolegate" test -c "$rendered" "$table" || fail=1
	rm -f "$rendered"
done
exit $fail
