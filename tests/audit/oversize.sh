#!/bin/bash
# Every call gets a record (SPEC.md §6): through the real `rolegate serve`, a
# request call too large to read is denied and recorded with its user,
# method and URI; a response call too large to read (a 3 MB answer) is
# allowed, as before, and recorded too; a call that names nothing readable
# and an undecodable URI are recorded; a create whose body dockerd withheld
# is denied for a constrained role with "body withheld by dockerd".
. "$(dirname "$0")/lib.sh"
at_setup "$@"
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }

at_conf o 'sync = "batch"; responses = "all";'
# at_conf already writes the plugin group (its state directory): add to it.
sed -i 's|^plugin = { \(.*\) };$|plugin = { \1 max_body = 1024; };|' "$AT/o.conf"
sed -i 's/developer = { groups = \["developers"\]; allow = \["container.\*", "system.\*"\];/developer = { groups = ["developers"]; allow = ["container.*", "system.*"]; constraints = { privileged = false; };/' "$AT/o.conf"
LOG=$AT/o/decisions.log
SOCK=$AT/o.sock
start_serve "$AT/o.conf" "$SOCK" || { fail "serve did not start"; at_finish; }

call() {  # call ENDPOINT FILE: posts FILE as the call; prints the answer
	curl -s --max-time 20 --unix-socket "$SOCK" -X POST -H 'Content-Type: application/json' \
		--data-binary "@$2" "http://plugin/AuthZPlugin.$1"
}
# A request call of 2 MB: the body is base64 of 1.5 MB.
python3 - "$AT/bigreq.json" "$AT/bigres.json" <<'PY'
import base64, json, sys
body = base64.b64encode(b'{"Image":"busybox","Env":["' + b"x" * 1500000 + b'"]}').decode()
req = {"User": "alice", "UserAuthNMethod": "TLS", "RequestMethod": "POST",
       "RequestUri": "/v1.41/containers/create?name=huge", "RequestBody": body,
       "RequestHeaders": {"Content-Type": "application/json"}}
open(sys.argv[1], "w").write(json.dumps(req))
res = {"User": "alice", "UserAuthNMethod": "TLS", "RequestMethod": "GET",
       "RequestUri": "/v1.41/containers/web/json", "RequestHeaders": {},
       "ResponseBody": base64.b64encode(b"y" * 3000000).decode(), "ResponseHeaders": {},
       "ResponseStatusCode": 200}
open(sys.argv[2], "w").write(json.dumps(res))
PY

OUT=$(call AuthZReq "$AT/bigreq.json")
has '"Allow":false'
has 'larger than rolegate inspects'
check 0 "the oversized request has a deny record with its user, method and URI" \
	grep -q '"phase":"request","user":"alice".*"command":"container.create".*"method":"POST","uri":"/v1.41/containers/create?name=huge","decision":"deny","reason":"send a request larger than rolegate inspects' "$LOG"

OUT=$(call AuthZRes "$AT/bigres.json")
has '"Allow":true'
check 0 "the oversized response has a record: allow, status 0, a note saying why" \
	grep -q '"phase":"response","user":"alice".*"command":"container.inspect".*"uri":"/v1.41/containers/web/json","decision":"allow".*"status":0,"note":"the daemon.s answer is larger than rolegate reads' "$LOG"

# Nothing readable at all: still a record.
head -c 2000000 /dev/zero | tr '\0' 'z' >"$AT/junk.json"
OUT=$(call AuthZReq "$AT/junk.json")
has '"Allow":false'
check 0 "an oversized call with nothing readable has a record too" \
	grep -q '"phase":"request","user":"","authn":"none".*"command":"unknown","object":"","method":"","uri":"","decision":"deny","reason":"send a request larger' "$LOG"

# A malformed (not oversized) call: answered with an error, recorded.
printf '{"User":"alice","UserAuthNMethod":"TLS","RequestMethod":"GET","RequestUri":"/v1.41/info","RequestBody":"!!notbase64"}' >"$AT/bad.json"
OUT=$(call AuthZReq "$AT/bad.json")
has '"Err"'
check 0 "a malformed call is recorded with its user and URI" \
	grep -q '"user":"alice".*"command":"system.info".*"decision":"deny"' "$LOG"

# An undecodable URI: denied and recorded with the caller's groups and roles.
OUT=$(authz "$SOCK" alice "/v1.41/containers/%zz/json")
has '"Allow":false'
check 0 "an undecodable URI is recorded with groups and roles" \
	grep -q '"user":"alice","authn":"TLS","groups":\["docker-ops"\],"roles":\["ops"\],"command":"unknown".*"uri":"/v1.41/containers/%zz/json","decision":"deny"' "$LOG"

# A create without a body (dockerd withholds bodies of 1 MiB or more): a
# constrained role is denied, and the reason says who withheld it.
OUT=$(authz "$SOCK" dave "/v1.41/containers/create" POST)
has '"Allow":false'
has 'body withheld by dockerd'
check 0 "its record says so" grep -q '"user":"dave".*"decision":"deny","reason":"create a container whose body cannot be checked: the request has no body (body withheld by dockerd' "$LOG"

# A warning that repeats is rate-limited: eight more oversized calls at once
# (well within the 10 s window) print at most five lines.
for i in 1 2 3 4 5 6 7 8; do call AuthZReq "$AT/junk.json" >/dev/null; done
N=$(grep -c 'call larger than .* was not read' "$AT/serve.log")
[ "$N" -le 5 ] && [ "$N" -ge 1 ] && pass "9 oversized calls, $N warning lines (rate-limited)" ||
	fail "9 oversized calls printed $N warning lines"

# Every call above: one record each, chain intact.
same "$(grep -c '"phase":"request"' "$LOG")" 13 "thirteen request records"
same "$(grep -c '"phase":"response"' "$LOG")" 1 "one response record"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"
check 0 "verify after all that" "$RG" log verify -c "$AT/o.conf"
has "14 records checked, chain intact"
at_finish
