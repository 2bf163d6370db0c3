#!/usr/bin/env bash
# A directory that only a service account may read: bind with bind_dn and
# bind_password_file, a wrong password, and the password file checks
# (permissions, owner, empty, missing), and a rotated password read again
# on reload. The password never shows up in any output.
#
# usage: bind.sh DIRLOOKUP
DIRLOOKUP=$1
. "$(dirname "$0")/lib.sh"

slapd_init locked --bind-only
slapd_start locked
URL=$(slapd_url locked)
BIND='bind_dn = "cn=rolegate,ou=services,dc=example,dc=org";'
run() { "$DIRLOOKUP" -c "$@" 2>>"$T/stderr" || true; }

printf 's3cret-for-tests\n' >"$T/secret"
chmod 600 "$T/secret"
rg_conf "$T/bind.conf" "$URL" "$BIND" "bind_password_file = \"$T/secret\";"
out=$(run "$T/bind.conf" alice carol)
expect "$out" "alice: ldap: docker-ops
carol: ldap: backend,developers" "simple bind with bind_dn and the password file (trailing newline ignored)"
grep -q 'BIND dn="cn=rolegate,ou=services,dc=example,dc=org" method=128' "$T/locked/slapd.log" ||
	fail "slapd saw no simple bind as the service account"
conn=$(sed -n 's/.* \(conn=[0-9]*\) op=0 BIND dn="cn=rolegate,ou=services,dc=example,dc=org" method=128$/\1/p' \
	"$T/locked/slapd.log" | head -1)
[ -n "$conn" ] && grep -q " $conn op=0 RESULT tag=97 err=0 " "$T/locked/slapd.log" ||
	fail "the bind did not succeed on the server"
ok "slapd saw a successful simple bind as the service account"

rg_conf "$T/anon.conf" "$URL"
out=$(run "$T/anon.conf" alice)
expect "$out" "alice: error: the directory (LDAP) lookup failed and no cached answer is usable" \
	"anonymous: the directory hides everything, which is no answer"

printf 'wrong-password' >"$T/wrong"
chmod 600 "$T/wrong"
rg_conf "$T/wrong.conf" "$URL" "$BIND" "bind_password_file = \"$T/wrong\";"
: >"$T/stderr"
out=$(run "$T/wrong.conf" alice)
expect "$out" "alice: error: the directory (LDAP) is unreachable and no cached answer is usable" \
	"a rejected bind is no answer: deny"
grep -q "bind: Invalid credentials" "$T/stderr" || fail "the bind failure is not logged: $(cat "$T/stderr")"
ok "the rejected bind is logged with the server's reason"

setup_fails() {
	local conf=$1 want=$2 what=$3 err
	if err=$("$DIRLOOKUP" -c "$conf" alice 2>&1); then
		fail "$what: the client was created: $err"
	fi
	grep -qF -- "$want" <<<"$err" || fail "$what: expected '$want' in: $err"
	ok "$what"
	echo "$err" >>"$T/stderr"
}

chmod 640 "$T/secret"
setup_fails "$T/bind.conf" "group or others have access to it (mode 0640); it holds a secret: chmod 600 $T/secret" \
	"a password file readable by the group is refused"
chmod 604 "$T/secret"
setup_fails "$T/bind.conf" "(mode 0604)" "a password file readable by others is refused"
chmod 600 "$T/secret"
if [ "$(id -u)" = 0 ]; then
	chown 4242 "$T/secret"
	setup_fails "$T/bind.conf" "owned by uid 4242; it must be owned by root or by the user rolegate runs as" \
		"a password file owned by someone else is refused"
	chown 0 "$T/secret"
else
	echo "skip - the owner check needs root to give the file away"
fi
: >"$T/empty"
chmod 600 "$T/empty"
rg_conf "$T/empty.conf" "$URL" "$BIND" "bind_password_file = \"$T/empty\";"
setup_fails "$T/empty.conf" "is empty" "an empty password file is refused (it would bind anonymously)"
rg_conf "$T/missing.conf" "$URL" "$BIND" "bind_password_file = \"$T/nonexistent\";"
setup_fails "$T/missing.conf" "$T/nonexistent: No such file or directory" "a missing password file is refused"
mkdir "$T/dir.secret"
chmod 700 "$T/dir.secret"
rg_conf "$T/dir.conf" "$URL" "$BIND" "bind_password_file = \"$T/dir.secret\";"
setup_fails "$T/dir.conf" "not a regular file" "a directory as password file is refused"

# Password rotation: the server's password and the file change; a reload
# (here "!reread", in the daemon SIGHUP) makes new connections use it.
rg_conf "$T/rot.conf" "$URL" "$BIND" "bind_password_file = \"$T/secret\";" 'cache_ttl = 0;' 'stale_ttl = 0;'
dirlookup_client "$T/rot.conf"
ask alice; expect "$A" "alice: ldap: docker-ops" "rotation: bound with the first password"
rotate_service_password "$URL" rotated-s3cret "$T/secret"
slapd_stop locked
slapd_start locked
ask alice
expect "$A" "alice: error: the directory (LDAP) is unreachable and no cached answer is usable" \
	"rotation: a new connection with the old password is refused"
chmod 644 "$T/secret"
ask '!reread'
expect "$A" "reread: bind_password_file $T/secret: group or others have access to it (mode 0644); it holds a secret: chmod 600 $T/secret" \
	"rotation: a reload refuses a file others can read, and says why"
chmod 600 "$T/secret"
ask '!reread'; expect "$A" "reread: ok" "rotation: the reload reads the new password"
ask alice; expect "$A" "alice: ldap: docker-ops" "rotation: new connections bind with it"
exec {DL[1]}>&-

if grep -q "s3cret-for-tests\|wrong-password\|rotated-s3cret" "$T/stderr"; then
	fail "a password appeared in the diagnostics"
fi
ok "no password in any diagnostic"
echo "all passed"
