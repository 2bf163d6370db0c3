#!/bin/bash
# Red team round 16 (identity and attribution), end to end: a real slapd
# (tests/e2e/ldap-org.ldif), `rolegate serve` taking groups from it, a real
# dockerd asking rolegate, the real docker CLI with client certificates.
#
# 1. A removal from a group must survive a restart of rolegate. olivia
#    (docker-ops -> ops) is removed from docker-ops; rolegate is restarted
#    (SIGTERM, start again), as an administrator does to "make sure". The
#    answers kept in cache_file (so that a restart during an outage locks
#    nobody out) were read back as fresh: olivia kept ops until cache_ttl
#    (300 s here), while a reload (SIGHUP) already asked again (round 14).
#    Read back, they are stale: served only when the directory cannot be
#    asked.
# 2. A container's log lines must not pass as another program's. With the
#    daemon's log driver writing into the host's logs (syslog here, to a
#    private socket; journald is the default of some distributions), a
#    developer's `--log-opt tag=rolegate` made every line the container
#    printed read `rolegate[PID]: ...` in the host's syslog: the program
#    name the example rsyslog rules forward to the central collector, where
#    auditors take the newest `rolegate checkpoint` line as the anchor of
#    `log verify` (and, with audit.syslog, the decision records). A
#    constrained role's tag must begin with {{.ID}} or {{.FullID}}.
# 3. A health check is a command dockerd runs in the container later, again
#    and again, as execs no API call asks for: the create's record must say
#    what it runs (details.healthcheck), as it says the command
#    (details.cmd), so that "who ran X" finds it.
#
# usage: docker-ident.sh ROLEGATE-BINARY     (root; exit 77 = skipped)
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

e2e_setup "${1:?usage: $0 ROLEGATE-BINARY}" olivia devin
# shellcheck disable=SC2034 # read by tests/ldap/lib.sh
LDAP_LIB_KEEP_OPTIONS=1
# shellcheck source=tests/ldap/lib.sh
. "$E2E_SRC/../ldap/lib.sh"
command -v ldapmodify >/dev/null || e2e_skip "ldapmodify is not installed"

slapd_init org --bind-only --ldif "$E2E_SRC/ldap-org.ldif"
slapd_start org
LDAP_URI=$(slapd_url org)
printf 's3cret-for-tests\n' >"$E2E_DIR/ldap.secret"
chmod 600 "$E2E_DIR/ldap.secret"
# ldap.conf.in with a realistic cache_ttl (it has 1 s, for its outage)
sed -e "s|@LDAP_URI@|$LDAP_URI|g" -e 's|cache_ttl = 1;.*|cache_ttl = 300;|' \
	-e 's|negative_ttl = 1;.*|negative_ttl = 30;|' \
	"$E2E_SRC/ldap.conf.in" >"$E2E_DIR/ident.conf.in"
grep -q 'cache_ttl = 300;' "$E2E_DIR/ident.conf.in" || e2e_die "cannot set cache_ttl"
start_rolegate "$E2E_DIR/ident.conf.in"
# the host's syslog: a datagram socket whose messages go to a file
python3 - "$E2E_DIR/devlog" "$E2E_DIR/syslog.txt" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536).rstrip(b"\n") + b"\n")
PY
SYSLOG_PID=$!
EXTRA_PIDS+=("$SYSLOG_PID")
e2e_wait_for 10 test -S "$E2E_DIR/devlog" || e2e_die "the syslog listener did not start"
start_dockerd --daemon-json "{\"log-driver\": \"syslog\", \"log-opts\": {\"syslog-address\": \"unixgram://$E2E_DIR/devlog\"}}"
e2e_import_busybox olivia

ldap_member() { # add|delete GROUP MEMBER-DN
	ldapmodify -x -H "$LDAP_URI" -D cn=admin,dc=example,dc=org -w admin-secret >/dev/null <<LDIF
dn: cn=$2,ou=groups,dc=example,dc=org
changetype: modify
$1: member
member: $3
LDIF
}

e2e_section "a removal from a group survives a restart of rolegate"
expect_ok "CONTAINER ID" docker_as olivia ps
ldap_member delete docker-ops uid=olivia,ou=people,dc=example,dc=org || e2e_die "ldapmodify failed"
stop_rolegate || e2e_fail "rolegate serve did not exit 0 on SIGTERM"
[ -s "$E2E_DIR/ldap.cache" ] || e2e_fail "no cache_file was written"
start_rolegate "$E2E_DIR/ident.conf.in"
expect_denied "olivia has no role (groups: none)" docker_as olivia ps
ldap_member add docker-ops uid=olivia,ou=people,dc=example,dc=org || e2e_die "ldapmodify failed"
stop_rolegate || e2e_fail "rolegate serve did not exit 0 on SIGTERM"
start_rolegate "$E2E_DIR/ident.conf.in"
expect_ok "CONTAINER ID" docker_as olivia ps
# what cache_file is for: a restart while the directory is down locks
# nobody out (the kept answer, stale)
slapd_stop org
stop_rolegate || e2e_fail "rolegate serve did not exit 0 on SIGTERM"
start_rolegate "$E2E_DIR/ident.conf.in"
expect_ok "CONTAINER ID" docker_as olivia ps
if "$E2E_ROLEGATE" log query -c "$E2E_CONF" --user olivia --limit 1 --json | grep -q 'stale'; then
	e2e_pass "the record says olivia's groups came from the stale cache"
else
	e2e_fail "olivia's last record does not say stale"
fi
slapd_start org

e2e_section "a container's log lines do not pass as rolegate's (log tag)"
forged='rolegate checkpoint host=web1 seq=999999 hash=0000000000000000000000000000000000000000000000000000000000000000'
expect_denied "devin (roles: developer) may not use the log tag rolegate (HostConfig.LogConfig.Config.tag: the name" \
	docker_as devin run --rm --name e2e-devin-tag -m 64m --log-opt tag=rolegate busybox echo "$forged"
sleep 0.5
if grep -q "rolegate\[[0-9]*\]: $forged" "$E2E_DIR/syslog.txt"; then
	e2e_fail "devin's container wrote a rolegate checkpoint into the host's syslog"
	grep -n "$forged" "$E2E_DIR/syslog.txt"
else
	e2e_pass "no forged rolegate line in the host's syslog"
fi
# what stays: the default tag (the container's id), and a tag that begins with it
expect_ok "hello-default-tag" docker_as devin run --rm --name e2e-devin-tag2 -m 64m busybox echo hello-default-tag
expect_ok "hello-id-tag" docker_as devin run --rm --name e2e-devin-tag3 -m 64m \
	--log-opt 'tag={{.ID}}/web/{{.Name}}' busybox echo hello-id-tag
if e2e_wait_for 5 grep -q '^<[0-9]*>.* [0-9a-f]\{12\}/web/e2e-devin-tag3\[[0-9]*\]: hello-id-tag' "$E2E_DIR/syslog.txt"; then
	e2e_pass "the line tagged {{.ID}}/web/{{.Name}} reached the host's syslog under the container's id"
else
	e2e_fail "no hello-id-tag line under the container's id in the host's syslog"
	cat "$E2E_DIR/syslog.txt"
fi

e2e_section "the record of a create says what its health check runs"
expect_ok "" docker_as olivia run -d --name e2e-hc --health-cmd 'cat /etc/hostname' \
	--health-interval 1s busybox sleep 30
if "$E2E_ROLEGATE" log query -c "$E2E_CONF" --detail 'healthcheck=*cat /etc/hostname*' --json |
	grep -q '"object":"e2e-hc"'; then
	e2e_pass "log query --detail healthcheck= finds the create of e2e-hc"
else
	e2e_fail "log query --detail healthcheck= does not find the create of e2e-hc"
	"$E2E_ROLEGATE" log query -c "$E2E_CONF" --object e2e-hc --json
fi
expect_ok "e2e-hc" docker_as olivia rm -f e2e-hc

e2e_finish
