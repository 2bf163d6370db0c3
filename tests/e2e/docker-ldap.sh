#!/bin/bash
# End-to-end with LDAP as the source of roles (issue 5): a real slapd holds a
# small organization (tests/e2e/ldap-org.ldif), `rolegate serve` takes every
# user's groups from it (tests/e2e/ldap.conf.in: identity.ldap with a bind
# DN, no static users), a real dockerd asks rolegate, and the real docker CLI
# talks to dockerd over TLS with one client certificate per person:
#
#   olivia   member of docker-ops                       -> ops
#   devin    member of backend, a member of developers  -> developer (nested)
#   audrey   memberUid of auditors (posixGroup)         -> auditor
#   nora     uniqueMember of oncall, in docker-ops      -> ops; first seen
#            during the outage
#   mallory  not in the directory                       -> no role
#
# Then slapd is stopped: the users rolegate has seen keep working on their
# cached (stale) groups, nora is denied promptly with "the directory (LDAP)
# is unreachable"; slapd is restarted and nora works, rolegate untouched.
# Finally the accountability log: who did what, the stale decisions marked,
# the chain intact.
#
# usage: docker-ldap.sh ROLEGATE-BINARY     (root; exit 77 = skipped)
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

e2e_setup "${1:?usage: $0 ROLEGATE-BINARY}" olivia devin audrey nora mallory
# slapd helpers; their cleanup runs before e2e_cleanup (the EXIT trap is chained).
# shellcheck disable=SC2034 # read by tests/ldap/lib.sh
LDAP_LIB_KEEP_OPTIONS=1
# shellcheck source=tests/ldap/lib.sh
. "$E2E_SRC/../ldap/lib.sh"
command -v python3 >/dev/null || e2e_skip "python3 is not installed"

TIMEOUT_MS=$(sed -n 's/^ *timeout_ms = \([0-9]*\);.*/\1/p' "$E2E_SRC/ldap.conf.in")
[ -n "$TIMEOUT_MS" ] || e2e_die "no timeout_ms in ldap.conf.in"

slapd_init org --bind-only --ldif "$E2E_SRC/ldap-org.ldif"
slapd_start org
LDAP_URI=$(slapd_url org)
printf 's3cret-for-tests\n' >"$E2E_DIR/ldap.secret"
chmod 600 "$E2E_DIR/ldap.secret"
sed "s|@LDAP_URI@|$LDAP_URI|g" "$E2E_SRC/ldap.conf.in" >"$E2E_DIR/ldap.conf.in"
e2e_log "e2e: slapd pid ${SLAPD_PID[org]}, $LDAP_URI"
start_rolegate "$E2E_DIR/ldap.conf.in"
RG_PID=$E2E_ROLEGATE_PID
start_dockerd
e2e_import_busybox olivia

e2e_section "roles from LDAP groups"
expect_ok "hello-from-olivia" docker_as olivia run --rm --name e2e-olivia-run busybox echo hello-from-olivia
expect_denied "devin (roles: developer) may not start privileged containers" \
	docker_as devin run --rm --name e2e-devin-priv --privileged busybox true
expect_ok "hello-from-devin" docker_as devin run --rm --name e2e-devin-run busybox echo hello-from-devin
expect_ok "CONTAINER ID" docker_as audrey ps
expect_denied "audrey (roles: auditor) may not use container.create" \
	docker_as audrey run --rm --name e2e-audrey-run busybox true
expect_denied "mallory has no role (groups: none)" docker_as mallory ps
# Round 14: slapd matches uid ignoring case, so a certificate for "OLIVIA"
# found olivia's entry and her groups, under a name that `log query --user
# olivia`, `users` and ownership do not know. The entry must hold the name
# exactly; otherwise it is no such user.
e2e_add_user OLIVIA
expect_denied "OLIVIA has no role (groups: none)" docker_as OLIVIA ps
if grep -q 'looking up OLIVIA: the entry uid=olivia,.* holds uid "olivia", not "OLIVIA"' \
	"$E2E_DIR/rolegate.log"; then
	e2e_pass "the daemon says why OLIVIA is not olivia"
else
	e2e_fail "no warning about OLIVIA's spelling in the daemon's log"
fi
# explain resolves through the same directory, and says where the groups came from.
expect_ok "groups: ... backend, developers (ldap)" \
	"$E2E_ROLEGATE" explain -c "$E2E_CONF" --user devin GET /v1.41/containers/json

e2e_section "slapd stopped: cached users keep working, new ones are denied"
slapd_stop org
if (exec 9<>"/dev/tcp/127.0.0.1/${SLAPD_PORT[org]}") 2>/dev/null; then
	e2e_die "something still answers on slapd's port ${SLAPD_PORT[org]}"
fi
# Let the cached answers age past cache_ttl (1 s), so that the next requests
# must ask the directory and fall back to the stale answers.
sleep 1.2
expect_ok "stale-olivia" docker_as olivia run --rm --name e2e-olivia-stale busybox echo stale-olivia
expect_ok "CONTAINER ID" docker_as audrey ps
expect_denied "audrey (roles: auditor) may not use container.create" \
	docker_as audrey run --rm --name e2e-audrey-stale busybox true
expect_denied "devin (roles: developer) may not start privileged containers" \
	docker_as devin run --rm --name e2e-devin-priv-stale --privileged busybox true
t0=$(date +%s%N)
expect_denied "nora: the directory (LDAP) is unreachable and no cached answer is usable" \
	docker_as nora run --rm --name e2e-nora-outage busybox true
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$ms" -lt $((TIMEOUT_MS + 2000)) ]; then
	e2e_pass "nora was refused in $ms ms (limit: timeout_ms $TIMEOUT_MS + 2000)"
else
	e2e_fail "nora's refusal took $ms ms (limit: timeout_ms $TIMEOUT_MS + 2000)"
fi
# (Logged once per outage and then at most once a minute, naming the
# first user it hit.)
if grep -q "ldap: directory unreachable (looking up [a-z]*): $LDAP_URI" "$E2E_DIR/rolegate.log"; then
	e2e_pass "rolegate's log says the directory is unreachable"
else
	e2e_fail "rolegate's log lacks \"ldap: directory unreachable (looking up USER): $LDAP_URI...\""
fi

e2e_section "slapd restarted: new users work, rolegate untouched"
slapd_start org
expect_ok "hello-from-nora" docker_as nora run --rm --name e2e-nora-run busybox echo hello-from-nora
if grep -q "ldap: directory answering again" "$E2E_DIR/rolegate.log"; then
	e2e_pass "rolegate's log says the directory answers again"
else
	e2e_fail "rolegate's log lacks \"ldap: directory answering again\""
fi
# Cached users are refreshed from the directory again (once the failed
# refresh's back-off, min(cache_ttl, 10) s, is over): poll until olivia's
# latest decision is no longer marked stale.
olivia_fresh() {
	docker_as olivia ps >/dev/null 2>&1 || return 2
	"$E2E_ROLEGATE" log query -c "$E2E_CONF" --user olivia --command container.list --limit 1 --json |
		python3 -c 'import json, sys; sys.exit("note" in json.loads(sys.stdin.readline()))'
}
if e2e_wait_for 10 olivia_fresh; then
	e2e_pass "olivia's groups come fresh from the directory again"
else
	e2e_fail "olivia's decisions are still stale (or her docker ps failed) after slapd's restart"
fi
if [ "$E2E_ROLEGATE_PID" = "$RG_PID" ] && kill -0 "$RG_PID" 2>/dev/null; then
	e2e_pass "the same rolegate serve (pid $RG_PID) served before, during and after the outage"
else
	e2e_fail "rolegate serve (pid $RG_PID) is gone"
fi

e2e_section "the accountability log"
# Each line: USER COMMAND OBJECT DECISION STALE [REASON-PART] [GROUPS]
# There must be a request record of USER for COMMAND on OBJECT with that
# decision, marked stale (note) or not as STALE says (yes/no/any), whose
# reason holds REASON-PART (on deny) and whose groups are GROUPS (a,b; - = any).
cat >"$E2E_DIR/audit-expect" <<'EOF'
olivia container.create e2e-olivia-run allow no - backend,developers
olivia container.create e2e-olivia-run allow no - docker-ops
olivia container.create e2e-olivia-stale allow yes - docker-ops
devin container.create e2e-devin-priv deny no start|privileged backend,developers
devin container.create e2e-devin-run allow no - backend,developers
devin container.create e2e-devin-priv-stale deny yes privileged backend,developers
audrey container.list - allow no - auditors
audrey container.list - allow yes - auditors
audrey container.create e2e-audrey-run deny no use|container.create auditors
audrey container.create e2e-audrey-stale deny yes use|container.create auditors
mallory container.list - deny no has|no|role -
nora system.ping - deny no unreachable|no|cached|answer -
nora container.create e2e-nora-run allow no - docker-ops,oncall
EOF
# The first olivia line above is a deliberate mismatch (wrong groups): the
# checker must report it, or it could not fail. Nora's `docker run` during
# the outage stops at the CLI's first call, GET /_ping, which is what dockerd
# asked about and what is recorded.
cat >"$E2E_DIR/audit-check.py" <<'EOF'
import json, subprocess, sys

rolegate, conf, expect = sys.argv[1:4]
records = {}

def query(user):
    if user not in records:
        p = subprocess.run([rolegate, "log", "query", "-c", conf, "--user", user, "--json"],
                           capture_output=True, text=True)
        if p.returncode != 0:
            print(f"FAIL rolegate log query --user {user} exited {p.returncode}: {p.stderr.strip()}")
            records[user] = []
        else:
            records[user] = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    return records[user]

def matches(r, user, command, obj, decision, stale, reason, groups):
    if r.get("phase") != "request" or r.get("user") != user or r.get("authn") != "TLS":
        return False
    if r.get("command") != command or r.get("decision") != decision:
        return False
    if obj != "-" and r.get("object") != obj:
        return False
    marked = "stale" in r.get("note", "")
    if (stale == "yes" and not marked) or (stale == "no" and marked):
        return False
    if reason != "-" and not all(w in r.get("reason", "") for w in reason.split("|")):
        return False
    if groups != "-" and sorted(r.get("groups", [])) != groups.split(","):
        return False
    if decision == "allow" and not r.get("role"):
        return False
    return True

for n, line in enumerate(open(expect)):
    want = line.split()
    found = any(matches(r, *want) for r in query(want[0]))
    print(("ok" if found else "missing") + " " + line.strip())

# Nothing is marked stale that was not: nora never had a cached answer.
wrong = [r["seq"] for r in query("nora") if "note" in r]
print(("ok" if not wrong else "missing") + " no record of nora is marked stale" +
      ("" if not wrong else f" (seq {wrong})"))
EOF
python3 "$E2E_DIR/audit-check.py" "$E2E_ROLEGATE" "$E2E_CONF" "$E2E_DIR/audit-expect" \
	>"$E2E_DIR/audit-check.out" 2>&1
first=1
while IFS= read -r line; do
	if [ "$first" = 1 ]; then
		first=0
		if [[ $line == "missing "* ]]; then
			e2e_pass "the checker reports a record that is not there (${line#missing })"
		else
			e2e_fail "the checker accepted a record with the wrong groups: $line"
		fi
		continue
	fi
	case $line in
	"ok "*) e2e_pass "audit log: ${line#ok }" ;;
	"missing "*) e2e_fail "audit log has no request record: ${line#missing }" ;;
	*) e2e_fail "audit check: $line" ;;
	esac
done <"$E2E_DIR/audit-check.out"
[ "$first" = 0 ] || e2e_fail "the audit checker printed nothing"
if [ "${E2E_FAILS}" -ne 0 ]; then
	"$E2E_ROLEGATE" log query -c "$E2E_CONF" >"$E2E_DIR/audit-table" 2>&1
	sed 's/^/      | /' "$E2E_DIR/audit-table" | tail -n 40
fi
expect_ok_match "^[0-9]+ records checked" "$E2E_ROLEGATE" log verify -c "$E2E_CONF"

e2e_section "shutdown"
e2e_shutdown
slapd_stop org

e2e_finish
