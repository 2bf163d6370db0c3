#!/bin/bash
# plugin.state read-only at start, then writable again: recover() writes the
# model as a snapshot with no lock held, then opens the journal unless the
# model changed meanwhile. A create that cannot be recorded changes the model
# too: it stays unowned, and the name it took leaves its old holder
# (rg_owners_forget_name). Before the fix that change was not counted, so a
# create in that window left the snapshot with the name still the old
# holder's, and after a crash the old holder's commands by that name reached
# the new object. hangsync.so holds recover() in its fsync to make the window.
#
# usage: state-recover-race.sh ROLEGATE AUDIT-LOAD (RG_HANGSYNC_LIB=hangsync.so)
. "$(dirname "$0")/../audit/lib.sh"
at_setup "$@"
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
[ -n "${RG_HANGSYNC_LIB:-}" ] && [ -f "$RG_HANGSYNC_LIB" ] ||
	{ echo "usage: RG_HANGSYNC_LIB=hangsync.so $0 ..." >&2; exit 2; }
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
at_tmpfs "$AT/ro" 1m
at_conf d 'sync = "none";'
sed -i "s|$AT/d/state|$AT/ro/state|" "$AT/d.conf"
SOCK=$AT/d.sock
HANG=$AT/hang
OLD=$(printf old | sha256sum | cut -c1-64)
NEW=$(printf new | sha256sum | cut -c1-64)

# create USER NAME ID: a container create's AuthZRes, 201 with ID.
create() {
	local body answer
	body=$(printf '{"Image":"busybox"}' | base64 -w0)
	answer=$(printf '{"Id":"%s","Warnings":[]}' "$3" | base64 -w0)
	curl -s --max-time 10 --unix-socket "$SOCK" -X POST -H 'Content-Type: application/json' \
		-d "{\"User\":\"$1\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.41/containers/create?name=$2\",\"RequestHeaders\":{\"Content-Type\":\"application/json\"},\"RequestBody\":\"$body\",\"ResponseStatusCode\":201,\"ResponseBody\":\"$answer\"}" \
		http://plugin/AuthZPlugin.AuthZRes
}
start() { RG_HANGSYNC=$HANG LD_PRELOAD=$RG_HANGSYNC_LIB start_serve "$AT/d.conf" "$SOCK"; }

start || { fail "serve does not start"; at_finish; }
create alice web "$OLD" >/dev/null
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
check 0 "alice's container is named web" "$RG" state -c "$AT/d.conf"
has "web"

mount -o remount,ro "$AT/ro" || fail "cannot remount read-only"
start || { fail "serve does not start read-only"; at_finish; }
echo fsync >"$HANG"
mount -o remount,rw "$AT/ro"
# recover() has written snapshot.tmp and waits in its fsync
wait_for 5 test -e "$AT/ro/state/snapshot.tmp" && pass "recover() is in its window" ||
	fail "recover() did not begin"
# dave's create under the name (alice's container went unseen, --rm): the
# journal is not open yet, so it stays unowned and web leaves alice's record
create dave web "$NEW" >/dev/null
rm -f "$HANG"
wait_for 5 grep -qF "takes writes again" "$AT/serve.log" && pass "writable again" ||
	fail "writable again: not noticed"
# a crash: no compaction at close rewrites the snapshot from memory
kill -KILL "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
check 0 "rolegate state after the crash" "$RG" state -c "$AT/d.conf"
if printf '%s\n' "$OUT" | grep -F "${OLD:0:12}" | grep -qw web; then
	fail "alice's record still holds the name web (her commands by it reach dave's container)"
else
	pass "the name web is not alice's any more"
fi
at_finish
