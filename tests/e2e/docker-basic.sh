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

e2e_section "auditor (bob): may look, may not change"
expect_ok "e2e-ctr" docker_as bob ps -a
expect_ok "/e2e-ctr" docker_as bob inspect --format '{{.Name}}' e2e-ctr
expect_ok "e2e-vol" docker_as bob volume ls
expect_denied "bob (roles: auditor) may not use container.create" \
	docker_as bob run --rm busybox echo hello-from-bob
expect_denied "bob (roles: auditor) may not use container.remove" docker_as bob rm -f e2e-ctr
expect_denied "bob (roles: auditor) may not use volume.create" docker_as bob volume create bobs-vol
# The refused calls changed nothing.
expect_ok "e2e-ctr" docker_as alice ps -a --format '{{.Names}}'
if [ "$E2E_OUT" = "e2e-ctr" ]; then
	e2e_pass "bob's refused run created no container"
else
	e2e_fail "containers after bob's refused calls: ${E2E_OUT//$'\n'/ } (want only e2e-ctr)"
fi
expect_ok "e2e-vol" docker_as alice volume ls --format '{{.Name}}'
if [ "$E2E_OUT" = "e2e-vol" ]; then
	e2e_pass "bob's refused volume create created no volume"
else
	e2e_fail "volumes after bob's refused calls: ${E2E_OUT//$'\n'/ } (want only e2e-vol)"
fi

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

e2e_section "shutdown"
stop_dockerd
if stop_rolegate; then
	e2e_pass "rolegate serve exited 0 on SIGTERM"
else
	e2e_fail "rolegate serve exited $? on SIGTERM"
fi
if [ ! -e "$E2E_SOCK" ]; then
	e2e_pass "rolegate removed its socket"
else
	e2e_fail "rolegate left $E2E_SOCK behind"
fi

e2e_finish
