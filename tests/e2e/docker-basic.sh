#!/bin/bash
# End-to-end (issue 2): a real dockerd consults `rolegate serve` for every API
# call; the real docker CLI talks to it over TLS with client certificates.
#
#   alice  CN=alice, group docker-ops  -> role ops (allow "*")
#   bob    CN=bob,   group auditors    -> role auditor (*.list, *.inspect, system.*)
#   carol  CN=carol, in no group       -> no role at all
#   the Unix socket (no identity)      -> identity.unauthenticated: first ""
#                                         (denied), then, after SIGHUP with
#                                         basic-automation.conf,
#                                         "root-automation" (ops)
#
# usage: docker-basic.sh ROLEGATE-BINARY     (root; exit 77 = skipped)
. "$(dirname "$0")/lib.sh"

e2e_setup "${1:?usage: $0 ROLEGATE-BINARY}" alice bob carol
start_rolegate "$E2E_SRC/basic.conf"
# The policy revision every record names (SPEC.md §6), as `rolegate check` prints it.
REV0=$("$E2E_ROLEGATE" check -c "$E2E_CONF" | sed -n 's/^policy revision: //p')
start_dockerd
e2e_import_busybox alice

e2e_section "ops user (alice): everything is allowed"
expect_ok "Server:" docker_as alice version
expect_ok "hello-from-alice" docker_as alice run --rm busybox echo hello-from-alice
expect_ok "CONTAINER ID" docker_as alice ps
expect_ok "e2e-vol" docker_as alice volume create e2e-vol
expect_ok "e2e-vol" docker_as alice volume ls
expect_ok_match '^[0-9a-f]{64}$' docker_as alice create --name e2e-ctr busybox true
expect_ok "e2e-ctr" docker_as alice ps -a --format '{{.Names}}'
# ops has no constraints: a privileged container, which the log must let an
# auditor find (log query --detail privileged=true, below).
# (created, not started: a privileged container cannot start in every test sandbox)
expect_ok_match '^[0-9a-f]{64}$' docker_as alice create --privileged -v /tmp:/hosttmp --name e2e-priv \
	busybox true
expect_ok "e2e-priv" docker_as alice rm e2e-priv

e2e_section "auditor (bob): may look, may not change"
expect_ok "e2e-ctr" docker_as bob ps -a
expect_ok "/e2e-ctr" docker_as bob inspect --format '{{.Name}}' e2e-ctr
expect_ok "e2e-vol" docker_as bob volume ls
expect_denied "bob (roles: auditor) may not use container.create" \
	docker_as bob run --rm busybox echo hello-from-bob
expect_denied "bob (roles: auditor) may not use container.remove" docker_as bob rm -f e2e-ctr
expect_denied "bob (roles: auditor) may not use volume.create" docker_as bob volume create bobs-vol
# The refused calls changed nothing.
expect_only e2e-ctr "bob's refused run created no container" "containers after bob's refused calls" \
	docker_as alice ps -a --format '{{.Names}}'
expect_only e2e-vol "bob's refused volume create created no volume" "volumes after bob's refused calls" \
	docker_as alice volume ls --format '{{.Name}}'

e2e_section "a user without a role (carol) is denied everything"
expect_denied "carol has no role (groups: none)" docker_as carol ps

e2e_section "the Unix socket with identity.unauthenticated = \"\""
expect_denied "requests without a TLS client certificate are denied" docker_unix ps
expect_denied "requests without a TLS client certificate are denied" \
	docker_unix run --rm busybox echo hello-from-socket

e2e_section "SIGHUP with a broken config keeps the old one"
if reload_rolegate "$E2E_SRC/bad.conf"; then
	e2e_fail "rolegate accepted bad.conf on reload"
else
	e2e_pass "reload of bad.conf failed"
fi
if grep -q "rolegate.conf:[0-9]*: .*alow" "$E2E_DIR/rolegate.log"; then
	e2e_pass "the daemon reported the bad key with FILE:LINE"
else
	e2e_fail "no FILE:LINE message about 'alow' in the daemon's log"
	tail -n 5 "$E2E_DIR/rolegate.log"
fi
expect_ok "hello-again" docker_as alice run --rm busybox echo hello-again
expect_denied "bob (roles: auditor) may not use container.create" docker_as bob run --rm busybox true
expect_denied "requests without a TLS client certificate are denied" docker_unix ps

e2e_section "SIGHUP: the Unix socket becomes root-automation (ops)"
if reload_rolegate "$E2E_SRC/basic-automation.conf"; then
	e2e_pass "reload of basic-automation.conf"
else
	e2e_fail "reload of basic-automation.conf failed"
	tail -n 5 "$E2E_DIR/rolegate.log"
fi
expect_ok "hello-from-socket" docker_unix run --rm busybox echo hello-from-socket
expect_ok "e2e-ctr" docker_unix ps -a
expect_ok "socket-vol" docker_unix volume create socket-vol
expect_ok "e2e-ctr" docker_unix rm e2e-ctr
expect_denied "bob (roles: auditor) may not use container.create" docker_as bob run --rm busybox true

e2e_section "the decisions were recorded"
# One JSON object per line (SPEC.md §6); spacing is not part of the contract.
audit_has() {
	grep -E "\"user\": ?\"$1\"" "$E2E_AUDIT" 2>/dev/null | grep -E "\"command\": ?\"$2\"" |
		grep -E "\"phase\": ?\"request\"" | grep -qE "\"decision\": ?\"$3\""
}
for want in "alice container.create allow" "bob container.create deny" \
	"carol container.list deny" "root-automation container.create allow"; do
	# shellcheck disable=SC2086
	if audit_has $want; then
		e2e_pass "audit log has a request record: $want"
	else
		e2e_fail "audit log lacks a request record: $want"
	fi
done
# The response record of a create carries the object (from the body here:
# docker run sends no ?name=) and the id the daemon returned, so that later
# requests naming the id tie back to it.
if python3 - "$E2E_AUDIT" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ok = [r for r in recs if r.get("phase") == "response" and r.get("user") == "alice"
      and r.get("command") == "container.create" and r.get("status") == 201
      and r.get("object") == "docker.io/library/busybox:latest" and len(r.get("id", "")) == 64]
sys.exit(0 if ok else 1)
PY
then
	e2e_pass "the response record of alice's create names the image and the new id"
else
	e2e_fail "no response record of alice's create with object and id"
fi
expect_ok_match "^[0-9]+ records checked" "$E2E_ROLEGATE" log verify -c "$E2E_CONF"

e2e_section "the auditor's questions: details, host, policy"
expect_ok '"privileged":true' "$E2E_ROLEGATE" log query -c "$E2E_CONF" --detail privileged=true --json
if printf '%s\n' "$E2E_OUT" | python3 -c '
import json, sys
recs = [json.loads(l) for l in sys.stdin if l.strip()]
ok = len(recs) == 1 and recs[0]["user"] == "alice" and recs[0]["command"] == "container.create" \
    and recs[0]["decision"] == "allow" and recs[0]["details"].get("binds") == ["/tmp"] \
    and recs[0]["details"].get("image") == "docker.io/library/busybox:latest"
sys.exit(0 if ok else 1)'; then
	e2e_pass "log query --detail privileged=true finds alice's privileged create (image, binds)"
else
	e2e_fail "log query --detail privileged=true: ${E2E_OUT:0:300}"
fi
expect_ok "alice" "$E2E_ROLEGATE" log query -c "$E2E_CONF" --detail bind=/tmp --host "$(hostname)"
expect_status 1 "" "$E2E_ROLEGATE" log query -c "$E2E_CONF" --detail privileged=true --user bob
# alice's calls were all decided by basic.conf (the refused bad.conf reload
# left its revision in force); root-automation's by the reloaded config.
if python3 - "$E2E_AUDIT" "$REV0" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
alice = {r.get("policy") for r in recs if r.get("user") == "alice" and r.get("phase") == "request"}
auto = {r.get("policy") for r in recs if r.get("user") == "root-automation"}
sys.exit(0 if alice == {sys.argv[2]} and len(auto) == 1 and auto != alice else 1)
PY
then
	e2e_pass "records name the policy revision that decided them ($REV0, then the reloaded one)"
else
	e2e_fail "the policy field does not follow the revisions (basic.conf: $REV0)"
fi

e2e_section "shutdown"
e2e_shutdown
if [ ! -e "$E2E_SOCK" ]; then
	e2e_pass "rolegate removed its socket"
else
	e2e_fail "rolegate left $E2E_SOCK behind"
fi

e2e_finish
