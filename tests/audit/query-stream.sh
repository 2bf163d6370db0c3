#!/bin/bash
# `rolegate log query --json` runs in constant memory (red team round 13):
# it kept every matching row to size the table's columns, which --json does
# not use, so a query matching most of a large log needed hundreds of MB
# (522 MB for 300 000 records) and, under a memory limit, printed nothing
# and said "out of memory". Here 60 000 matching records under ulimit -v
# 60 MB: before, exit 2; now every record, the same lines as without the
# limit (and as the table's rows), in order. The table is printed in aligned
# blocks of 10 000 rows, and so runs in bounded memory too (38 MB here for
# 60 000 rows before, 13 MB after): under ulimit -v 40 MB it printed nothing.
. "$(dirname "$0")/lib.sh"
at_setup "$@"
at_conf s 'sync = "none";'
"$LOAD" "$AT/s.conf" 2 30000 >/dev/null 2>&1 || { echo "audit-load failed"; exit 1; }
# ASan reserves terabytes of address space at start: under it, ulimit -v
# cannot apply, and the limit is left out (the output is still checked).
limit="ulimit -v 60000 &&" what="under ulimit -v 60000"
grep -q libasan <<<"$(ldd "$RG" 2>/dev/null)" && limit="" what="(ASan build: no limit)"
check 0 "query --json $what" bash -c \
	"$limit '$RG' log query -c '$AT/s.conf' --json --command 'container.*' >'$AT/json'"
check 0 "all 60 000 records printed" test "$(wc -l <"$AT/json")" -eq 60000
check 0 "in order" bash -c "python3 -c 'import json,sys; s=[json.loads(l)[\"seq\"] for l in open(sys.argv[1])]; sys.exit(s != sorted(s) or len(s) != 60000)' '$AT/json'"
check 0 "the same lines as the log" cmp -s "$AT/json" "$AT/s/decisions.log"
check 0 "--limit still keeps the last ones" bash -c \
	"'$RG' log query -c '$AT/s.conf' --json --limit 3 --command 'container.*' | cmp -s - <(tail -n 3 '$AT/s/decisions.log')"
limit="ulimit -v 40000 &&" what="under ulimit -v 40000"
grep -q libasan <<<"$(ldd "$RG" 2>/dev/null)" && limit="" what="(ASan build: no limit)"
check 0 "the table $what" bash -c \
	"$limit '$RG' log query -c '$AT/s.conf' --command 'container.*' >'$AT/table'"
check 0 "a header and 60 000 rows" test "$(wc -l <"$AT/table")" -eq 60001
check 0 "one header" test "$(grep -c '^TIME ' "$AT/table")" -eq 1
# --limit keeps its rows and prints them as one block: the same cells
check 0 "the same cells as one block" bash -c \
	"'$RG' log query -c '$AT/s.conf' --limit 60000 --command 'container.*' | tr -s ' ' |
	cmp -s - <(tr -s ' ' <'$AT/table')"
at_finish
