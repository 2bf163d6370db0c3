#!/usr/bin/env bash
# TLS against a slapd that refuses to work without it (security tls=1),
# with a CA and server certificate made here: StartTLS on ldap://, ldaps://,
# certificate checks (an unrelated CA, a host name the certificate does not
# carry), and an unreadable ca_file found at startup.
#
# usage: tls.sh DIRLOOKUP
DIRLOOKUP=$1
. "$(dirname "$0")/lib.sh"

slapd_init tls --require-tls
slapd_start tls
URL=$(slapd_url tls)
TLSPORT=${SLAPD_TLSPORT[tls]}
LOG=$T/tls/slapd.log
run() { "$DIRLOOKUP" -c "$@" 2>>"$T/stderr" || true; }

rg_conf "$T/plain.conf" "$URL"
out=$(run "$T/plain.conf" alice)
expect "$out" "alice: error: the directory (LDAP) is unreachable and no cached answer is usable" \
	"without TLS the server refuses to answer (the test server really requires TLS)"
grep -q "Confidentiality required" "$T/stderr" || fail "expected the server's refusal: $(cat "$T/stderr")"

rg_conf "$T/starttls.conf" "$URL" 'starttls = true;' "ca_file = \"$T/pki/ca.crt\";"
out=$(run "$T/starttls.conf" alice carol)
expect "$out" "alice: ldap: docker-ops
carol: ldap: backend,developers" "StartTLS with the test CA"
grep -q " op=0 STARTTLS" "$LOG" || fail "slapd saw no STARTTLS"
grep -q "TLS established tls_ssf=" "$LOG" || fail "slapd established no TLS session"
ok "slapd saw StartTLS and established TLS"

rg_conf "$T/ldaps.conf" "ldaps://127.0.0.1:$TLSPORT" "ca_file = \"$T/pki/ca.crt\";"
out=$(run "$T/ldaps.conf" alice)
expect "$out" "alice: ldap: docker-ops" "ldaps:// with the test CA"

rg_conf "$T/rogue.conf" "$URL" 'starttls = true;' "ca_file = \"$T/pki/rogue.crt\";"
: >"$T/stderr"
out=$(run "$T/rogue.conf" alice)
expect "$out" "alice: error: the directory (LDAP) is unreachable and no cached answer is usable" \
	"StartTLS to a server whose certificate another CA signed: refused"
grep -q "StartTLS: Connect error" "$T/stderr" || fail "not logged: $(cat "$T/stderr")"
ok "the certificate failure is logged"

rg_conf "$T/rogue-ldaps.conf" "ldaps://127.0.0.1:$TLSPORT" "ca_file = \"$T/pki/rogue.crt\";"
out=$(run "$T/rogue-ldaps.conf" alice)
expect "$out" "alice: error: the directory (LDAP) is unreachable and no cached answer is usable" \
	"ldaps:// to a server whose certificate another CA signed: refused"

rg_conf "$T/name.conf" "ldaps://127.0.0.2:$TLSPORT" "ca_file = \"$T/pki/ca.crt\";"
out=$(run "$T/name.conf" alice)
expect "$out" "alice: error: the directory (LDAP) is unreachable and no cached answer is usable" \
	"ldaps:// to an address the certificate does not name: refused"
rg_conf "$T/name2.conf" "ldap://127.0.0.2:${SLAPD_PORT[tls]}" 'starttls = true;' "ca_file = \"$T/pki/ca.crt\";"
out=$(run "$T/name2.conf" alice)
expect "$out" "alice: error: the directory (LDAP) is unreachable and no cached answer is usable" \
	"StartTLS to an address the certificate does not name: refused"

rg_conf "$T/noca.conf" "$URL" 'starttls = true;' "ca_file = \"$T/pki/missing.crt\";"
if err=$("$DIRLOOKUP" -c "$T/noca.conf" alice 2>&1); then
	fail "an unreadable ca_file was accepted: $err"
fi
grep -q "cannot set up TLS with $T/pki/missing.crt" <<<"$err" || fail "unclear message: $err"
ok "an unreadable ca_file is reported when the client is created"
echo "all passed"
