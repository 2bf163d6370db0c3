#!/bin/bash
# plugin.state at start (SPEC.md §3, §4): `rolegate serve` refuses a state
# directory that is not 0700 and its own, a corrupt state file (naming the
# file and the line), and a second serve on the same directory; it drops a
# torn last journal entry and says so; it finishes a compaction cut short
# (journal.next). `rolegate state` lists what is there
# and names a corrupt file the same way. No dockerd: the files are written
# here as serve writes them.
#
# usage: state.sh ROLEGATE-BINARY
set -u
rolegate=${1:?usage: $0 ROLEGATE-BINARY}
tmp=$(mktemp -d /tmp/rolegate-state.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
failed=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

cat >"$tmp/rolegate.conf" <<CONF
plugin = { socket = "$tmp/rg.sock"; state = "$tmp/state"; };
identity = { users = ({ name = "alice"; groups = ["ops"]; }); };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$tmp/decisions.log"; sync = "none"; };
CONF

now=$(date +%s)
ID=a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0a1b2
header='{"rolegate":"journal","gen":0}'
create='{"op":"create","kind":"container","id":"'$ID'","name":"opsbox","user":"alice","role":"ops","created":'$now',"used":'$now',"binds":["/"],"paths":["/"]}'

# Before serve ever ran there is no state directory: nothing is tracked, an
# empty list (exit 0), and stderr says why.
out=$("$rolegate" state -c "$tmp/rolegate.conf" 2>"$tmp/err"); rc=$?
if [ "$rc" -eq 0 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "does not exist yet" "$tmp/err" &&
	[ ! -e "$tmp/state" ]; then
	pass "state before serve ran: an empty list"
else
	fail "state before serve ran: exit $rc: $out $(cat "$tmp/err")"
fi

# Runs serve until it is ready (exit status 0 then, and it is left running
# in the background) or exits (its status). Output in $tmp/serve.out.
serve() {
	: >"$tmp/ready"
	"$rolegate" serve -c "$tmp/rolegate.conf" --stderr --ready-fd 3 3>"$tmp/ready" \
		>"$tmp/serve.out" 2>&1 </dev/null &
	local pid=$! i
	for i in $(seq 1 100); do
		if [ -s "$tmp/ready" ]; then
			pids+=("$pid")
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			return $?
		fi
		sleep 0.1
	done
	kill "$pid"
	return 124
}

stop_serve() {
	local p=${pids[-1]}
	kill -TERM "$p"
	wait "$p"
	unset 'pids[-1]'
}

expect_refused() {
	local what=$1 text=$2
	if serve; then
		fail "$what: serve started"
		stop_serve
	elif ! grep -qF -- "$text" "$tmp/serve.out"; then
		fail "$what: serve refused, but without \"$text\": $(cat "$tmp/serve.out")"
	else
		pass "$what: refused, \"$text\""
	fi
}

# A fresh directory is made 0700, and an empty state lists nothing.
if serve; then
	mode=$(stat -c %a "$tmp/state")
	[ "$mode" = 700 ] && pass "state directory created 0700" || fail "state directory mode $mode"
	expect_second=$("$rolegate" serve -c "$tmp/rolegate.conf" --socket "$tmp/rg2.sock" --stderr 2>&1 </dev/null)
	case $expect_second in
	*"in use by another rolegate serve"*) pass "a second serve on the same state is refused" ;;
	*) fail "a second serve on the same state: $expect_second" ;;
	esac
	stop_serve
else
	fail "serve did not start on a fresh state: $(cat "$tmp/serve.out")"
fi
[ -f "$tmp/state/snapshot" ] || [ -f "$tmp/state/journal" ] && pass "journal/snapshot written" ||
	fail "no state files after a clean stop"

# The state serve reads back.
printf '%s\n%s\n' "$header" "$create" >"$tmp/state/journal"
rm -f "$tmp/state/snapshot"
out=$("$rolegate" state -c "$tmp/rolegate.conf" 2>&1)
if grep -qE "^container +a1b2c3d4e5f6 +opsbox +alice +ops .* /$" <<<"$out"; then
	pass "rolegate state lists the journal's container"
else
	fail "rolegate state: $out"
fi
out=$("$rolegate" state -c "$tmp/rolegate.conf" --json 2>&1)
if grep -qF '"kind":"container","id":"'$ID'","name":"opsbox","owner":"alice","role":"ops"' <<<"$out"; then
	pass "rolegate state --json"
else
	fail "rolegate state --json: $out"
fi

# Every field SPEC §2 names (kind, id, name, owner, role, created, host
# paths), for each kind: a volume's host paths are its device and o= paths,
# an exec names its container.
EXEC=e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1
NET=4e74e74e74e74e74e74e74e74e74e74e74e74e74e74e74e74e74e74e74e74e74e7
printf '%s\n%s\n%s\n%s\n%s\n' "$header" "$create" \
	'{"op":"create","kind":"volume","id":"hostetc","name":"hostetc","user":"alice","role":"ops","created":86400,"used":86400,"driver":"","opts":["type=none","o=bind","device=/etc"]}' \
	'{"op":"create","kind":"exec","id":"'$EXEC'","name":"","user":"alice","role":"ops","created":86400,"used":86400,"container":"'$ID'"}' \
	'{"op":"create","kind":"network","id":"'$NET'","name":"opsnet","user":"alice","role":"","created":86400,"used":86400}' \
	>"$tmp/state/journal"
out=$("$rolegate" state -c "$tmp/rolegate.conf" --json 2>&1)
res=$(python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin.read().splitlines()]
by = {r["kind"]: r for r in rows}
checks = [
    len(rows) == 4,
    all({"kind", "id", "name", "owner", "role", "created", "host_paths"} <= set(r) for r in rows),
    by["container"]["host_paths"] == ["/"] and by["container"]["created"].endswith("Z"),
    by["volume"]["host_paths"] == ["/etc"] and by["volume"]["created"] == "1970-01-02T00:00:00Z",
    by["exec"]["container"] == sys.argv[1] and by["exec"]["owner"] == "alice",
    by["network"]["name"] == "opsnet" and by["network"]["role"] == "" and by["network"]["host_paths"] == [],
]
print(" ".join(str(c) for c in checks))
' "$ID" <<<"$out" 2>&1)
if [ "$res" = "True True True True True True" ]; then
	pass "rolegate state --json: every field, every kind"
else
	fail "rolegate state --json fields ($res): $out"
fi
out=$("$rolegate" state -c "$tmp/rolegate.conf" 2>&1)
grep -qE "^volume +hostetc +hostetc +alice +ops +1970-01-02T00:00:00Z +/etc$" <<<"$out" &&
	grep -qE "^exec +e1e1e1e1e1e1 +$ID +alice" <<<"$out" &&
	grep -qE "^network +4e74e74e74e7 +opsnet +alice +- " <<<"$out" &&
	pass "rolegate state: volume, exec, network rows" || fail "rolegate state rows: $out"

# A corrupt line in the middle: refused, naming the file and the line.
printf '%s\n%s\n%s\n%s\n' "$header" "$create" '{"op":"create","kind":"container"}' "$create" \
	>"$tmp/state/journal"
expect_refused "corrupt journal line 3" "$tmp/state/journal:3: "
out=$("$rolegate" state -c "$tmp/rolegate.conf" 2>&1)
[ $? -eq 2 ] && grep -qF "$tmp/state/journal:3: " <<<"$out" && pass "rolegate state names the corrupt line" ||
	fail "rolegate state on a corrupt journal: $out"

# A torn last entry (no newline): dropped and reported; the journal is cut back.
printf '%s\n%s\n%s' "$header" "$create" '{"op":"remove","kind":"contai' >"$tmp/state/journal"
if serve; then
	grep -qF "dropped a torn last entry" "$tmp/serve.out" && pass "torn last entry dropped and reported" ||
		fail "torn last entry: no report in $(cat "$tmp/serve.out")"
	[ "$(tail -c 1 "$tmp/state/journal" | od -An -c | tr -d ' ')" = '\n' ] &&
		pass "journal cut back to its last whole line" || fail "journal still ends torn"
	stop_serve
	"$rolegate" state -c "$tmp/rolegate.conf" | grep -q opsbox && pass "the entry before the torn one is kept" ||
		fail "opsbox lost with the torn entry"
else
	fail "serve refused a torn last entry: $(cat "$tmp/serve.out")"
fi

# A compaction cut short (plugin/state.c): journal.next holds the events
# after the switch, beside the old snapshot (A) or the new one with the old
# journal left stale (B). Both `rolegate state` and serve read it last;
# serve folds it into a snapshot of a later generation and removes it, so
# that no later start reads its events twice.
cid() { printf '%064d' "$1"; }
row() { echo '{"op":"create","kind":"container","id":"'$(cid "$1")'","name":"'$2'","user":"alice","role":"ops","created":'$now',"used":'$now'}'; }
for case in A B; do
	rm -f "$tmp/state/"*
	if [ $case = A ]; then
		printf '{"rolegate":"snapshot","gen":3}\n%s\n' "$(row 1 old)" >"$tmp/state/snapshot"
		printf '{"rolegate":"journal","gen":3}\n%s\n' "$(row 2 before)" >"$tmp/state/journal"
		printf '{"rolegate":"journal","gen":4}\n%s\n' "$(row 3 after)" >"$tmp/state/journal.next"
	else
		printf '{"rolegate":"snapshot","gen":4}\n%s\n%s\n' "$(row 1 old)" "$(row 2 before)" >"$tmp/state/snapshot"
		printf '{"rolegate":"journal","gen":3}\n%s\n' "$(row 9 stale)" >"$tmp/state/journal"
		printf '{"rolegate":"journal","gen":4}\n%s\n' "$(row 3 after)" >"$tmp/state/journal.next"
	fi
	names() { "$rolegate" state -c "$tmp/rolegate.conf" 2>&1 | awk 'NR > 1 { print $3 }' | sort | tr '\n' ' '; }
	got=$(names)
	[ "$got" = "after before old " ] && pass "case $case: rolegate state reads journal.next" ||
		fail "case $case: rolegate state: $got"
	[ -f "$tmp/state/journal.next" ] && pass "case $case: rolegate state changes nothing" ||
		fail "case $case: rolegate state removed journal.next"
	if serve; then
		stop_serve
		gen=$(head -n 1 "$tmp/state/snapshot" | sed 's/.*"gen":\([0-9]*\).*/\1/')
		[ ! -e "$tmp/state/journal.next" ] && [ "$gen" -gt 4 ] && [ "$(names)" = "after before old " ] &&
			pass "case $case: serve folded journal.next into snapshot gen $gen" ||
			fail "case $case: after serve: gen $gen, $(ls "$tmp/state"), $(names)"
		serve && stop_serve
		[ "$(names)" = "after before old " ] && pass "case $case: the next start reads the same" ||
			fail "case $case: second start: $(names)"
	else
		fail "case $case: serve refused journal.next: $(cat "$tmp/serve.out")"
	fi
done

# A corrupt snapshot, a journal from the future.
printf '{"rolegate":"snapshot","gen":2}\nnot json\n' >"$tmp/state/snapshot"
expect_refused "corrupt snapshot" "$tmp/state/snapshot:2: not a JSON object"
printf '{"rolegate":"snapshot","gen":2}\n' >"$tmp/state/snapshot"
printf '{"rolegate":"journal","gen":5}\n' >"$tmp/state/journal"
expect_refused "journal newer than its snapshot" "$tmp/state/journal:1: journal generation 5"

# The directory must be closed to others.
rm -f "$tmp/state/"*
chmod 0755 "$tmp/state"
expect_refused "state directory mode 0755" "must be a directory owned by"
chmod 0700 "$tmp/state"
rmdir "$tmp/state"
ln -s /tmp "$tmp/state"
expect_refused "state directory a symlink" "is not a directory"

echo "$failed failed"
[ "$failed" -eq 0 ]
