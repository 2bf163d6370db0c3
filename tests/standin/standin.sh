#!/bin/bash
# `rolegate explain -- docker ...` and `rolegate test` through the installed
# docker client and the stand-in daemon (SPEC.md §2): flags only the client
# knows, what `run -d` and an attached `run` send, --json and its `requests`,
# the exit codes, the private socket, the timeout, and that nothing a command
# line, the environment or a docker config file says can reach another daemon
# (a decoy listener proves it receives nothing).
#
# usage: standin.sh ROLEGATE-BINARY    (exit 77 = no docker client)
set -u
rolegate=$(realpath "${1:?usage: $0 ROLEGATE-BINARY}")
command -v docker >/dev/null 2>&1 || { echo "docker client not installed: skipped"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "python3 is required"; exit 2; }

tmp=$(mktemp -d /tmp/rolegate-standin-test.XXXXXX)
decoy_pid=
cleanup() {
	[ -z "$decoy_pid" ] || { kill "$decoy_pid" 2>/dev/null; wait "$decoy_pid" 2>/dev/null; }
	rm -rf "$tmp"
}
trap cleanup EXIT
failed=0 passed=0
pass() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

conf=$tmp/rolegate.conf
cat >"$conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; }, { name = "dave"; groups = ["dev"]; } ); };
roles = {
  ops = { groups = ["ops"]; allow = ["*"]; };
  dev = { groups = ["dev"];
          allow = ["container.*", "system.*", "image.inspect", "exec.*", "volume.*", "network.*"];
          constraints = { privileged = false; bind_mounts = ["/srv"]; }; };
};
audit = { path = "$tmp/audit.log"; };
CONF
cd "$tmp" || exit 2
explain() { "$rolegate" explain -c "$conf" "$@"; }
# jq-less JSON checks: json_check 'PYTHON EXPRESSION over d' <<<"$json"
json_check() { python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if ($1) else 1)"; }

echo "== flags the round-1 translator never knew, read by the client itself"
out=$(explain --user alice -- docker run -d --annotation org.example/a=b busybox 2>&1); rc=$?
if [ $rc -eq 2 ] && grep -q 'requires API version 1.43' <<<"$out"; then
	pass "--annotation against API 1.41: the client's own refusal, exit 2"
else
	fail "--annotation at 1.41: exit $rc: $out"
fi
out=$(explain --user alice --api-version 1.44 --json -- docker run -d --annotation org.example/a=b \
	--health-start-interval 2s --health-start-period 5s busybox 2>&1); rc=$?
if [ $rc -eq 0 ] && json_check 'd["command"] == "container.create" and d["decision"] == "allow"' <<<"$out"; then
	pass "--annotation --health-start-interval with --api-version 1.44: allowed create"
else
	fail "--api-version 1.44 run: exit $rc: $out"
fi
out=$(explain --user dave --api-version 1.44 -- docker run -d \
	--mount type=bind,src=/etc,dst=/x,readonly,bind-propagation=rprivate,bind-recursive=readonly busybox 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q '^answer:   deny' <<<"$out" && grep -q '/etc' <<<"$out"; then
	pass "--mount bind-recursive (API 1.44) of /etc is read by the client and denied"
else
	fail "bind-recursive mount: exit $rc: $out"
fi

echo "== docker run -d: the create, then the start"
out=$(explain --user dave -- docker run -d --name web busybox sleep 1 2>&1); rc=$?
create=$(grep -n '^command:  container.create' <<<"$out" | cut -d: -f1)
start=$(grep -n '^command:  container.start' <<<"$out" | cut -d: -f1)
if [ $rc -eq 0 ] && [ -n "$create" ] && [ -n "$start" ] && [ "$create" -lt "$start" ]; then
	pass "run -d lists container.create (line $create) before container.start (line $start)"
else
	fail "run -d: exit $rc: $out"
fi
# The start names the id the create returned: the object created earlier in the command line.
id=$(sed -n 's|^request:  POST /v1.41/containers/\([0-9a-f]\{64\}\)/start$|\1|p' <<<"$out")
[ -n "$id" ] && pass "the start names the created container by its id ($id)" || fail "start not by the created id"

echo "== an attached docker run completes"
start_s=$SECONDS
out=$(explain --user dave --json -- docker run --rm busybox echo hi 2>&1); rc=$?
if [ $rc -eq 0 ] && [ $((SECONDS - start_s)) -lt 9 ] && json_check '[r["command"] for r in d["requests"] if not r.get("ping")] == ["container.create", "container.attach", "container.wait", "container.start"]' <<<"$out"; then
	pass "run (attached): create, attach, wait, start; finished in $((SECONDS - start_s)) s"
else
	fail "attached run: exit $rc after $((SECONDS - start_s)) s: $out"
fi

echo "== --json: the deciding request's fields, mutating, and requests"
fields='all(k in r for k in ("user", "groups", "roles", "command", "object", "method", "uri", "decision", "mutating"))'
out=$(explain --user dave --json -- docker run -d -v /srv/data:/data busybox 2>&1); rc=$?
if [ $rc -eq 0 ] && json_check "(lambda r: $fields)(d) and d['user'] == 'dave' and d['groups'] == ['dev'] and d['roles'] == ['dev'] and d['command'] == 'container.create' and d['method'] == 'POST' and d['uri'].startswith('/v1.41/containers/create') and d['decision'] == 'allow' and d['role'] == 'dev' and d['mutating'] is True and all($fields for r in d['requests']) and d['requests'][0]['command'] == 'system.ping' and d['requests'][0]['ping'] is True and d['requests'][0]['mutating'] is False and [r['command'] for r in d['requests']][1:] == ['container.create', 'container.wait', 'container.start']" <<<"$out"; then
	pass "--json allow: fields of the create, mutating, requests in order"
else
	fail "--json allow: exit $rc: $out"
fi
out=$(explain --user dave --json -- docker run -d --privileged busybox 2>&1); rc=$?
if [ $rc -eq 1 ] && json_check "d['decision'] == 'deny' and d['command'] == 'container.create' and 'privileged' in d['reason'] and d['requests'][-1]['decision'] == 'deny'" <<<"$out"; then
	pass "--json deny: the first deny decides, with its reason"
else
	fail "--json deny: exit $rc: $out"
fi
out=$(explain --user dave --json GET /v1.41/containers/json 2>&1); rc=$?
if [ $rc -eq 0 ] && json_check "d['mutating'] is False and d['command'] == 'container.list'" <<<"$out"; then
	pass "--json METHOD URI prints mutating too"
else
	fail "--json METHOD URI: $out"
fi
out=$(explain --user carol --groups none --json -- docker ps 2>&1); rc=$?
if [ $rc -eq 1 ] && json_check "d['command'] == 'container.list' and d['requests'][0].get('ping') and d['requests'][0]['decision'] == 'deny'" <<<"$out"; then
	pass "a denied _ping is printed, the verdict is the container.list's"
else
	fail "no role: exit $rc: $out"
fi

echo "== exit codes"
out=$(explain --user dave -- docker run --privileged busybox 2>&1); rc=$?
[ $rc -eq 1 ] && pass "deny: exit 1" || fail "deny: exit $rc"
out=$(explain --user dave -- docker run --no-such-flag busybox 2>&1); rc=$?
if [ $rc -eq 2 ] && grep -q 'unknown flag: --no-such-flag' <<<"$out"; then
	pass "client error: exit 2 with the client's message"
else
	fail "client error: exit $rc: $out"
fi
out=$(explain --user alice -- docker cp ./no-such-file web:/x 2>&1); rc=$?
if [ $rc -eq 2 ] && grep -q 'no-such-file' <<<"$out"; then
	pass "missing file: exit 2 with the client's message"
else
	fail "missing file: exit $rc: $out"
fi
out=$(PATH=/nonexistent "$rolegate" explain -c "$conf" --user dave -- docker ps 2>&1); rc=$?
if [ $rc -eq 2 ] && grep -q 'no docker client on PATH' <<<"$out"; then
	pass "no docker on PATH: exit 2, said so"
else
	fail "no docker on PATH: exit $rc: $out"
fi

echo "== the private socket and environment (a fake client reports what it sees)"
mkdir -p "$tmp/fakebin"
cat >"$tmp/fakebin/docker" <<'FAKE'
#!/bin/bash
sock=${DOCKER_HOST#unix://}
echo "host=$DOCKER_HOST"
echo "sock=$(stat -c '%a %F %U' "$sock")"
echo "dir=$(stat -c '%a %U' "$(dirname "$sock")")"
echo "config=$(stat -c '%a' "$DOCKER_CONFIG") entries=$(ls -A "$DOCKER_CONFIG" | wc -l)"
echo "tty=$([ -t 0 ] && echo yes || echo no)"
env | grep -E '^(DOCKER|BUILDX)_' | sort | sed 's/^/env: /'
echo "listening: $(ss -xlp 2>/dev/null | grep -c "pid=$PPID,") unix, $(ss -ltnup 2>/dev/null | grep -c "pid=$PPID,") inet"
echo "$sock" >"$FAKE_REPORT"
exit 3
FAKE
chmod +x "$tmp/fakebin/docker"
out=$(FAKE_REPORT=$tmp/sockpath DOCKER_TLS_VERIFY=1 DOCKER_CONTEXT=decoy DOCKER_API_VERSION=1.20 \
	DOCKER_CERT_PATH=/x BUILDX_BUILDER=decoy PATH="$tmp/fakebin:$PATH" \
	"$rolegate" explain -c "$conf" --user dave -- docker ps 2>&1); rc=$?
sockpath=$(cat "$tmp/sockpath" 2>/dev/null)
grep -q 'host=unix:///tmp/rolegate-standin\.[A-Za-z0-9]\{6\}/docker.sock$' <<<"$out" &&
	pass "DOCKER_HOST is the stand-in's socket in a private /tmp directory" || fail "host: $out"
grep -q '^sock=600 socket ' <<<"$out" && pass "the socket is mode 0600" || fail "socket mode: $out"
grep -q '^dir=700 ' <<<"$out" && pass "its directory is mode 0700" || fail "dir mode: $out"
grep -q '^config=700 entries=0$' <<<"$out" && pass "DOCKER_CONFIG is an empty private directory" || fail "config: $out"
grep -q '^tty=yes$' <<<"$out" && pass "the client's input is a terminal" || fail "tty: $out"
if [ "$(grep -c '^env: ' <<<"$out")" -eq 2 ] && grep -q '^env: DOCKER_CONFIG=' <<<"$out" && grep -q '^env: DOCKER_HOST=' <<<"$out"; then
	pass "no other DOCKER_* or BUILDX_* variable reaches the client"
else
	fail "environment: $out"
fi
if grep -q '^listening: 1 unix, 0 inet' <<<"$out" || ! command -v ss >/dev/null; then
	pass "rolegate listens on that one socket only (no TCP/UDP)"
else
	fail "listeners: $out"
fi
if [ -n "$sockpath" ] && [ ! -e "$(dirname "$sockpath")" ]; then
	pass "the private directory is removed on exit"
else
	fail "private directory left behind: $sockpath"
fi
if [ $rc -eq 2 ] && grep -q 'exited with status 3\|host=' <<<"$out"; then
	pass "a client that sent nothing and failed: exit 2 with its output"
else
	fail "fake client: exit $rc"
fi

echo "== a client that never finishes is killed after 10 s"
cat >"$tmp/fakebin/docker" <<'FAKE'
#!/bin/bash
echo $$ >"$FAKE_REPORT"
exec sleep 120
FAKE
start_s=$SECONDS
out=$(FAKE_REPORT=$tmp/hungpid PATH="$tmp/fakebin:$PATH" "$rolegate" explain -c "$conf" --user dave -- docker ps 2>&1); rc=$?
took=$((SECONDS - start_s))
hung=$(cat "$tmp/hungpid" 2>/dev/null)
if [ $rc -eq 2 ] && grep -q 'did not finish within 10 s' <<<"$out" && [ $took -ge 9 ] && [ $took -lt 30 ]; then
	pass "timeout: exit 2 after $took s"
else
	fail "timeout: exit $rc after $took s: $out"
fi
if [ -n "$hung" ] && ! kill -0 "$hung" 2>/dev/null; then
	pass "the hung client was killed"
else
	fail "the hung client $hung is still running"
	kill "$hung" 2>/dev/null
fi

echo "== nothing reaches another daemon"
# A decoy daemon: logs every connection. The controls prove each route would reach it.
cat >"$tmp/decoy.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(16)
open(sys.argv[3], "w").close()
while True:
    c, _ = s.accept()
    with open(sys.argv[2], "a") as f:
        f.write("connection\n")
    c.close()
PY
decoy=$tmp/decoy.sock
python3 "$tmp/decoy.py" "$decoy" "$tmp/decoy.log" "$tmp/decoy.ready" &
decoy_pid=$!
for _ in $(seq 100); do [ -e "$tmp/decoy.ready" ] && break; sleep 0.1; done
[ -e "$tmp/decoy.ready" ] || { echo "decoy did not start"; exit 2; }
# A docker config whose current context is the decoy (as ~/.docker/config.json and as DOCKER_CONFIG).
mkctx() {
	local cfg=$1 hash
	hash=$(printf decoy | sha256sum | cut -d' ' -f1)
	mkdir -p "$cfg/contexts/meta/$hash"
	printf '{"currentContext":"decoy"}\n' >"$cfg/config.json"
	printf '{"Name":"decoy","Metadata":{},"Endpoints":{"docker":{"Host":"unix://%s","SkipTLSVerify":false}}}\n' \
		"$decoy" >"$cfg/contexts/meta/$hash/meta.json"
}
mkctx "$tmp/cfg"
mkdir -p "$tmp/home"
mkctx "$tmp/home/.docker"
decoy_hits() { [ -s "$tmp/decoy.log" ] && wc -l <"$tmp/decoy.log" || echo 0; }
control() {
	: >"$tmp/decoy.log"
	env "$@" timeout 10 docker ps >/dev/null 2>&1
	if [ "$(decoy_hits)" -gt 0 ]; then pass "control: plain docker with $* reaches the decoy"; else fail "control: docker with $* did not reach the decoy"; fi
	: >"$tmp/decoy.log"
}
control DOCKER_HOST="unix://$decoy"
control DOCKER_CONFIG="$tmp/cfg"
control -u DOCKER_CONFIG -u DOCKER_HOST HOME="$tmp/home"
control DOCKER_CONTEXT=decoy DOCKER_CONFIG="$tmp/cfg"

refused() {
	out=$(explain --user alice -- "$@" 2>&1); rc=$?
	if [ $rc -eq 2 ] && grep -q 'refusing' <<<"$out"; then pass "refused (exit 2): $*"; else fail "not refused: $* (exit $rc): $out"; fi
}
refused docker -H "unix://$decoy" ps
refused docker --host "unix://$decoy" ps
refused docker --host="unix://$decoy" ps
refused docker -DH "unix://$decoy" ps
refused docker -c decoy ps
refused docker --context=decoy ps
refused docker --tlsverify ps
refused docker --tlscacert=/x ps
refused docker --config "$tmp/cfg" ps
refused docker context use decoy
refused docker build --builder decoy .
refused docker buildx create "unix://$decoy"
refused docker-compose -H "unix://$decoy" ps
refused docker-compose --ho="unix://$decoy" ps
refused docker-compose --context decoy ps
refused docker-compose --tlsverify ps

neutral() {
	out=$(env "$@" "$rolegate" explain -c "$conf" --user alice -- docker ps 2>&1); rc=$?
	if [ $rc -eq 0 ] && grep -q '^command:  container.list' <<<"$out"; then pass "neutralised: $*"; else fail "with $* (exit $rc): $out"; fi
}
neutral DOCKER_HOST="unix://$decoy"
neutral DOCKER_CONFIG="$tmp/cfg"
neutral -u DOCKER_CONFIG HOME="$tmp/home"
neutral DOCKER_CONTEXT=decoy DOCKER_CONFIG="$tmp/cfg"
neutral DOCKER_HOST="tcp://127.0.0.1:1" DOCKER_TLS_VERIFY=1

# A policy test file (as root in CI) cannot reach it either.
cat >"$tmp/escape.tests" <<CASES
alice:ops -- docker -H unix://$decoy ps => allow
alice:ops -- docker --context decoy ps => allow
alice:ops -- docker ps => allow
CASES
out=$(DOCKER_HOST="unix://$decoy" HOME="$tmp/home" "$rolegate" test -c "$conf" "$tmp/escape.tests" 2>&1); rc=$?
if [ $rc -eq 2 ] && [ "$(grep -c refusing <<<"$out")" -eq 2 ] && grep -q '^1 passed, 2 failed' <<<"$out"; then
	pass "rolegate test: -H and --context lines refused, the plain line runs on the stand-in"
else
	fail "rolegate test escape: exit $rc: $out"
fi
if command -v docker-compose >/dev/null 2>&1; then
	printf 'version: "3.7"\nservices:\n  web:\n    image: busybox\n' >"$tmp/compose.yml"
	out=$(DOCKER_HOST="unix://$decoy" "$rolegate" explain -c "$conf" --user alice -- docker-compose -f "$tmp/compose.yml" ps 2>&1); rc=$?
	[ $rc -eq 0 ] && pass "neutralised: DOCKER_HOST for docker-compose" || fail "docker-compose with DOCKER_HOST (exit $rc): $out"
	# docker-compose also reads DOCKER_HOST from the project's .env file.
	mkdir -p "$tmp/envproj"
	cp "$tmp/compose.yml" "$tmp/envproj/docker-compose.yml"
	printf 'DOCKER_HOST=unix://%s\nDOCKER_CONTEXT=decoy\n' "$decoy" >"$tmp/envproj/.env"
	: >"$tmp/decoy.log"
	(cd "$tmp/envproj" && env -u DOCKER_HOST -u DOCKER_CONTEXT timeout 20 docker-compose ps >/dev/null 2>&1)
	if [ "$(decoy_hits)" -gt 0 ]; then pass "control: plain docker-compose with a .env naming the decoy reaches it"; else fail "control: docker-compose .env did not reach the decoy"; fi
	: >"$tmp/decoy.log"
	out=$(cd "$tmp/envproj" && "$rolegate" explain -c "$conf" --user alice -- docker-compose ps 2>&1); rc=$?
	[ $rc -eq 0 ] && pass "neutralised: a .env naming the decoy, for docker-compose" || fail "docker-compose with .env (exit $rc): $out"
fi
if [ "$(decoy_hits)" -eq 0 ]; then
	pass "the decoy daemon received nothing"
else
	fail "the decoy daemon received $(decoy_hits) connections"
fi

if command -v docker-compose >/dev/null 2>&1; then
	echo "== docker-compose explains a compose file"
	mkdir -p "$tmp/proj"
	cat >"$tmp/proj/docker-compose.yml" <<'YML'
version: "3.7"
services:
  web:
    image: busybox
    command: sleep 100
    volumes:
      - data:/data
      - /srv/app:/app
  db:
    image: busybox
    privileged: true
volumes:
  data: {}
YML
	out=$(explain --user alice --json -- docker-compose -f "$tmp/proj/docker-compose.yml" up -d 2>&1); rc=$?
	if [ $rc -eq 0 ] && json_check "(lambda c: 'network.create' in c and 'volume.create' in c and c.count('container.create') == 2 and c.count('container.start') == 2)([r['command'] for r in d['requests']])" <<<"$out"; then
		pass "compose up -d (ops): network and volume creates, two creates, two starts"
	else
		fail "compose up -d as alice: exit $rc: $(head -c 600 <<<"$out")"
	fi
	out=$(explain --user dave -- docker-compose -f "$tmp/proj/docker-compose.yml" up -d 2>&1); rc=$?
	if [ $rc -eq 1 ] && grep -q '^reason:   start privileged containers' <<<"$out"; then
		pass "compose up -d (dev): the privileged service is denied"
	else
		fail "compose up -d as dave: exit $rc: $(tail -5 <<<"$out")"
	fi
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
