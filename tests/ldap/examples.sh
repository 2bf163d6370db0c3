#!/usr/bin/env bash
# The example configurations: both pass `rolegate check`, and the OpenLDAP
# one, pointed at a test slapd (same DNs as the example: StartTLS, the
# service account bind, the default filters), resolves groups as written.
#
# usage: examples.sh DIRLOOKUP ROLEGATE
DIRLOOKUP=$1
ROLEGATE=$2
. "$(dirname "$0")/lib.sh"
EXAMPLES=$LDAP_TESTS/../../examples

for ex in rolegate-openldap.conf rolegate-ad.conf; do
	out=$("$ROLEGATE" check --offline -c "$EXAMPLES/$ex" 2>&1) || fail "rolegate check $ex: $out"
	grep -q "LDAP" <<<"$out" || fail "$ex: no LDAP in: $out"
	ok "rolegate check examples/$ex"
done

slapd_init ex --require-tls --bind-only
slapd_start ex
printf 's3cret-for-tests\n' >"$T/ldap.secret"
chmod 600 "$T/ldap.secret"
sed -e "s|^    uri = .*|    uri = \"ldap://127.0.0.1:${SLAPD_PORT[ex]}\";|" \
	-e "s|^    ca_file = .*|    ca_file = \"$T/pki/ca.crt\";|" \
	-e "s|^    bind_password_file = .*|    bind_password_file = \"$T/ldap.secret\";|" \
	"$EXAMPLES/rolegate-openldap.conf" >"$T/openldap.conf"
changed=$(diff "$EXAMPLES/rolegate-openldap.conf" "$T/openldap.conf" | grep -c '^>' || true)
[ "$changed" = 3 ] || fail "the example's uri, ca_file and bind_password_file lines were not all found"
out=$("$DIRLOOKUP" -c "$T/openldap.conf" alice carol dave nobody)
expect "$out" "alice: ldap: docker-ops
carol: ldap: backend,developers
dave: ldap: qa
nobody: ldap: " "examples/rolegate-openldap.conf works against slapd as written (StartTLS, bind, filters)"
out=$("$ROLEGATE" explain -c "$T/openldap.conf" --user carol GET /containers/json 2>&1 || true)
grep -q "^groups: *backend, developers (ldap)" <<<"$out" || fail "explain: $out"
grep -q "developer" <<<"$out" || fail "explain: $out"
ok "rolegate explain with the example: carol is a developer through nested LDAP groups"
echo "all passed"
