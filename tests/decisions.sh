#!/bin/sh
# Decision tables: every tests/decisions/*.table runs through `rolegate test`
# (the path `rolegate serve` takes) against the config named on its first
# line ("# config: FILE", relative to tests/decisions/).
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
	"$rolegate" test -c "$dir/$conf" "$table" || fail=1
done
exit $fail
