#!/bin/bash
# `rolegate log query` and `log stats` on a log with known contents and
# times (written by tests/audit/chainlog.py, an independent implementation of
# the chain, which `log verify` must accept): each filter, combinations,
# absolute and relative times, --limit, empty results (exit 1), --json that
# parses, the aligned table, --follow across rotation, usage errors (exit 2).
. "$(dirname "$0")/lib.sh"
at_setup "$@"

WEB=3f4e5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081
DB=3f4e99887766554433221100ffeeddccbbaa99887766554433221100ffeeddcc
OTHER=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
LOG=$AT/q/decisions.log
mkdir -p "$AT/q"
rec() {  # rec TIME USER COMMAND OBJECT DECISION ROLE-OR-REASON [PHASE STATUS ID]
	local extra
	if [ "$5" = allow ]; then extra="\"role\":\"$6\""; else extra="\"reason\":\"$6\""; fi
	[ -n "$7" ] && extra="$extra,\"status\":$8"
	[ -n "$9" ] && extra="$extra,\"id\":\"$9\""
	printf '{"time":"%s","phase":"%s","user":"%s","authn":"%s","groups":["g"],"roles":["%s"],"command":"%s","object":"%s","method":"POST","uri":"/v1.41/x","decision":"%s",%s}\n' \
		"$1" "${7:-request}" "$2" "$([ -n "$2" ] && echo TLS || echo none)" "$([ "$2" = bob ] && echo ops || echo developer)" \
		"$3" "$4" "$5" "$extra"
}
{
	rec -3d alice container.create web allow developer                        # 1
	rec -3d alice container.create web allow developer response 201 "$WEB"     # 2
	rec -2d bob container.start "${WEB:0:12}" allow ops                        # 3
	rec -2d carol container.inspect "${OTHER:0:12}" allow developer            # 4
	rec -5h alice exec.create web deny "alice (roles: developer) may not exec as root"  # 5
	rec -3h dave container.list "" allow developer                             # 6
	rec -90m bob image.pull docker.io/library/busybox:latest deny "bob (roles: ops) may not pull from docker.io"  # 7
	rec -30m alice container.start "$WEB" allow developer                      # 8
	rec -25m alice container.create db allow developer response 201 "$DB"      # 9
	rec -20m bob container.stop 3f4e deny "ambiguous short id"                 # 10
	rec -10m carol system.info "" allow developer                              # 11
	rec -1m "" container.kill web deny "unauthenticated caller may not kill containers"  # 12
} | python3 "$AT_SRC/chainlog.py" make "$LOG"
at_conf q 'sync = "none";'
Q=("$RG" log query -c "$AT/q.conf")

check 0 "the independently written log verifies" "$RG" log verify -c "$AT/q.conf"
has "12 records checked, chain intact"

# count-of-rows helper: table rows without the header
rows() { printf '%s\n' "$OUT" | tail -n +2 | grep -c .; }
objects() { printf '%s\n' "$OUT" | python3 -c 'import sys, json; print(" ".join(str(json.loads(l)["seq"]) for l in sys.stdin))'; }

check 0 "no filter: everything" "${Q[@]}"
same "$(rows)" 12 "12 rows"
check 0 "--user alice" "${Q[@]}" --user alice --json
same "$(objects)" "1 2 5 8 9" "alice's records"
check 0 "--command 'container.*'" "${Q[@]}" --command 'container.*' --json
same "$(objects)" "1 2 3 4 6 8 9 10 12" "container commands"
check 0 "--command '*.pull'" "${Q[@]}" --command '*.pull' --json
same "$(objects)" "7" "image.pull"
check 0 "--decision deny" "${Q[@]}" --decision deny --json
same "$(objects)" "5 7 10 12" "denials"
check 0 "--object web: name, the id its create returned, and its short id" "${Q[@]}" --object web --json
same "$(objects)" "1 2 3 5 8 12" "who touched web (not another container, not an ambiguous prefix)"
check 0 "--object by short id finds the create under the name" "${Q[@]}" --object "${WEB:0:12}" --json
same "$(objects)" "1 2 3 5 8 12" "the same set from the short id"
check 0 "--object db" "${Q[@]}" --object db --json
same "$(objects)" "9" "db"
check 0 "--since 1h (relative)" "${Q[@]}" --since 1h --json
same "$(objects)" "8 9 10 11 12" "the last hour"
check 0 "--since 4h --until 1h" "${Q[@]}" --since 4h --until 1h --json
same "$(objects)" "6 7" "a window"
check 0 "--until 1d" "${Q[@]}" --until 1d --json
same "$(objects)" "1 2 3 4" "before yesterday"
check 0 "--since 660s" "${Q[@]}" --since 660s --json
same "$(objects)" "11 12" "seconds"
ABS=$(date -u -d '-26 hours' +%Y-%m-%dT%H:%M:%SZ)
check 0 "--since RFC 3339 ($ABS)" "${Q[@]}" --since "$ABS" --json
same "$(objects)" "5 6 7 8 9 10 11 12" "since an absolute time"
ABS2=$(date -d '-26 hours' +%Y-%m-%dT%H:%M:%S%:z)
check 0 "--since RFC 3339 with an offset ($ABS2)" "${Q[@]}" --since "$ABS2" --json
same "$(objects)" "5 6 7 8 9 10 11 12" "the same instant with the local offset"
check 0 "--user alice --decision deny" "${Q[@]}" --user alice --decision deny --json
same "$(objects)" "5" "combined"
check 0 "--user bob --object web --since 3d" "${Q[@]}" --user bob --object web --since 3d --json
same "$(objects)" "3" "combined with object and time"
check 0 "--command 'container.*' --decision allow --limit 2" "${Q[@]}" --command 'container.*' --decision allow --limit 2 --json
same "$(objects)" "8 9" "--limit keeps the most recent"
check 1 "no match: exit 1" "${Q[@]}" --user nobody
same "$OUT" "" "no output when nothing matches"
check 1 "no match in the window: exit 1" "${Q[@]}" --user alice --since 1m

# --json: the records as stored, each valid JSON
OUT=$("${Q[@]}" --json)
printf '%s\n' "$OUT" >"$AT/all.json"
cmp -s "$AT/all.json" "$LOG" && pass "--json prints the lines as stored" || fail "--json differs from the log"
check 0 "--json output parses" python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' "$AT/all.json"

# the table: aligned columns, all seven headers
check 0 "table" "${Q[@]}" --since 4d
has "TIME"
printf '%s\n' "$OUT" | head -n 1 | grep -q '^TIME  *USER  *ROLES  *COMMAND  *OBJECT  *DECISION  *REASON$' &&
	pass "header: time, user, roles, command, object, decision, reason" || fail "header"
COL=$(printf '%s\n' "$OUT" | head -n 1 | awk '{print index($0, "DECISION")}')
BAD=$(printf '%s\n' "$OUT" | tail -n +2 | awk -v c="$COL" 'substr($0, c, 5) != "allow" && substr($0, c, 4) != "deny"' | wc -l)
same "$BAD" 0 "the decision column is aligned on every row"
has "unauthenticated caller may not kill containers"
has "response: status 201, id $WEB"
has "role developer"

# stats
check 0 "stats" "$RG" log stats -c "$AT/q.conf"
has "decisions: 10"
has "responses recorded: 2"
printf '%s\n' "$OUT" | grep -Eq '^  alice +3$' && pass "alice: 3 decisions" || fail "alice: 3 decisions"
printf '%s\n' "$OUT" | grep -Eq '^  deny +4$' && pass "deny: 4" || fail "deny: 4"
printf '%s\n' "$OUT" | grep -Eq '^  container.start +2$' && pass "container.start: 2" || fail "container.start: 2"
check 0 "stats --since 1h" "$RG" log stats -c "$AT/q.conf" --since 1h
has "decisions: 4"

# usage errors: exit 2
check 2 "--decision maybe" "${Q[@]}" --decision maybe
check 2 "--since junk" "${Q[@]}" --since yesterday
has "is not a time"
check 2 "--limit 0" "${Q[@]}" --limit 0
check 2 "a missing file" "$RG" log query --file "$AT/nope.log"
check 2 "query options on verify" "$RG" log verify -c "$AT/q.conf" --user alice
check 2 "unknown subcommand" "$RG" log frobnicate
check 0 "--help" "$RG" log query --help
has "usage: rolegate log query"
check 0 "--file without a config (none at the default path is fine)" "$RG" log query --file "$LOG" --user carol
[ -e /etc/rolegate/rolegate.conf ] || same "$(printf '%s\n' "$OUT" | tail -n +2 | grep -c carol)" 2 "carol's two records"

# --follow: new records as the real writer appends them, across rotation
# --object follows a rename dockerd carried out (its 2xx response record),
# from the old name to the new one and back; a failed rename (status 0) does not.
mkdir -p "$AT/r"
renamed() {  # renamed TIME FROM TO STATUS
	printf '{"time":"%s","phase":"response","user":"alice","authn":"TLS","groups":["g"],"roles":["developer"],"command":"container.rename","object":"%s","method":"POST","uri":"/v1.41/containers/%s/rename?name=%s","decision":"allow","role":"developer","status":%s}\n' \
		"$1" "$2" "$2" "$3" "$4"
}
{
	rec -2h alice container.create app allow developer response 201 "$OTHER"  # 1
	renamed -90m app app2 204                                                # 2
	rec -80m alice container.stop app2 allow developer                       # 3
	renamed -70m other app3 0                                                # 4
	rec -60m alice container.stop other allow developer                      # 5
	rec -50m alice container.stop app3 allow developer                       # 6
} | python3 "$AT_SRC/chainlog.py" make "$AT/r/decisions.log"
at_conf r 'sync = "none";'
check 0 "--object app follows its rename to app2" "$RG" log query -c "$AT/r.conf" --object app --json
same "$(objects)" "1 2 3" "app and app2"
check 0 "--object app2 reaches back to app and its create" "$RG" log query -c "$AT/r.conf" --object app2 --json
same "$(objects)" "1 2 3" "app2 and app"
check 0 "a failed rename (status 0) ties nothing" "$RG" log query -c "$AT/r.conf" --object other --json
same "$(objects)" "4 5" "other, not app3"

"$RG" log query -c "$AT/q.conf" --follow --user load-0 --json >"$AT/follow.out" 2>"$AT/follow.err" &
FPID=$!
at_track "$FPID"
count() { [ "$(grep -c . "$AT/follow.out")" -ge "$1" ]; }
check 0 "the writer appends 5" "$LOAD" "$AT/q.conf" 1 5
wait_for 10 count 5 && pass "--follow printed the 5 new records" || fail "--follow: $(cat "$AT/follow.out" "$AT/follow.err")"
mv "$LOG" "$LOG.1"
check 0 "after rotation the writer appends 5 more" "$LOAD" "$AT/q.conf" 1 5
wait_for 10 count 10 && pass "--follow followed the rotation" || fail "--follow after rotation: $(cat "$AT/follow.err")"
same "$(grep -c '"user":"load-0"' "$AT/follow.out")" 10 "only the matching records"
kill "$FPID"
check 0 "verify the series after all that" "$RG" log verify --file "$LOG.1" --file "$LOG"
has "23 records checked, chain intact"

at_finish
