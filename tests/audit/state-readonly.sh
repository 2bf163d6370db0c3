#!/bin/bash
# plugin.state on a filesystem that is read-only when `rolegate serve`
# starts (an ext4 remounted read-only after an error), the state's twin of
# readonly.sh. serve refused to start, so dockerd refused every call. Now
# it starts on the records it can read: calls are decided as usual, a
# create's record cannot be written so the object stays unowned (SPEC §4),
# and once the directory takes writes again (checked every second) the
# model is written whole as a new generation and creates are recorded again.
. "$(dirname "$0")/lib.sh"
at_setup "$@"
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
at_tmpfs "$AT/ro" 1m

at_conf d 'sync = "none";'
sed -i "s|$AT/d/state|$AT/ro/state|" "$AT/d.conf"
SOCK=$AT/d.sock

# create NAME: a container create's AuthZRes, 201 with an id (what dockerd sends).
create() {
	local id body answer
	id=$(printf '%s' "$1" | sha256sum | cut -c1-64)
	body=$(printf '{"Image":"busybox"}' | base64 -w0)
	answer=$(printf '{"Id":"%s","Warnings":[]}' "$id" | base64 -w0)
	curl -s --max-time 10 --unix-socket "$SOCK" -X POST -H 'Content-Type: application/json' \
		-d "{\"User\":\"alice\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.41/containers/create?name=$1\",\"RequestHeaders\":{\"Content-Type\":\"application/json\"},\"RequestBody\":\"$body\",\"ResponseStatusCode\":201,\"ResponseBody\":\"$answer\"}" \
		http://plugin/AuthZPlugin.AuthZRes
}
allowed() { printf '%s\n' "$1" | grep -q '"Allow": *true'; }

start_serve "$AT/d.conf" "$SOCK" || { fail "serve does not start"; at_finish; }
allowed "$(create before)" && pass "a create is allowed" || fail "a create is refused"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
mount -o remount,ro "$AT/ro" || fail "cannot remount read-only"

start_serve "$AT/d.conf" "$SOCK" ||
	{ fail "serve does not start with its state on a read-only filesystem"; at_finish; }
pass "serve starts with its state on a read-only filesystem"
OUT=$(grep -F "cannot write the state directory" "$AT/serve.log")
has "Read-only file system"
has "serving the 1 records read"
OUT=$(authz "$SOCK" alice /v1.41/containers/json)
allowed "$OUT" && pass "a read is decided as usual" || fail "a read is refused"
OUT=$(create during)
allowed "$OUT" && pass "a create is allowed (SPEC §4: allow, unowned)" || fail "a create is refused"
OUT=$(grep -F "creation of container" "$AT/serve.log")
has "it stays unowned"
check 0 "rolegate state reads the read-only directory" "$RG" state -c "$AT/d.conf"
has "before"
lacks "during"

mount -o remount,rw "$AT/ro"
wait_for 5 grep -qF "takes writes again" "$AT/serve.log" &&
	pass "writable again: noticed within seconds" || fail "writable again: not noticed"
allowed "$(create after)" && pass "a create after is allowed" || fail "a create after is refused"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
check 0 "rolegate state after" "$RG" state -c "$AT/d.conf"
has "before"
has "after"
lacks "during"

# The files written on the way back are what the next start reads.
start_serve "$AT/d.conf" "$SOCK" || { fail "serve does not start again"; at_finish; }
OUT=$(cat "$AT/serve.log")
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
check 0 "rolegate state after a restart" "$RG" state -c "$AT/d.conf"
has "before"
has "after"
at_finish
