#!/usr/bin/env bash
# The named limits: RG_DIRECTORY_MAX_USERS (4096 cached users, least
# recently used evicted), RG_LDAP_MAX_GROUPS (1024 groups, then cut with a
# warning), RG_LDAP_FILTER_BATCH (16 group DNs per nested search: 40 direct
# groups take 3 searches for the next level), RG_LDAP_SECRET_MAX (1024-byte
# password file), RG_LDAP_URI_HOLDOFF (a URI that just failed is tried last).
#
# usage: limits.sh DIRLOOKUP
DIRLOOKUP=$1
. "$(dirname "$0")/lib.sh"

# "many": a member of 1100 groups. "wide": a member of 40 groups, all in "top".
{
	printf 'dn: uid=many,ou=people,dc=example,dc=org\nobjectClass: inetOrgPerson\nuid: many\ncn: many\nsn: T\n\n'
	printf 'dn: uid=wide,ou=people,dc=example,dc=org\nobjectClass: inetOrgPerson\nuid: wide\ncn: wide\nsn: T\n\n'
	for i in $(seq -w 1 1100); do
		printf 'dn: cn=m%s,ou=groups,dc=example,dc=org\nobjectClass: groupOfNames\ncn: m%s\nmember: uid=many,ou=people,dc=example,dc=org\n\n' "$i" "$i"
	done
	printf 'dn: cn=top,ou=groups,dc=example,dc=org\nobjectClass: groupOfNames\ncn: top\n'
	for i in $(seq -w 1 40); do
		printf 'member: cn=w%s,ou=groups,dc=example,dc=org\n' "$i"
	done
	printf '\n'
	for i in $(seq -w 1 40); do
		printf 'dn: cn=w%s,ou=groups,dc=example,dc=org\nobjectClass: groupOfNames\ncn: w%s\nmember: uid=wide,ou=people,dc=example,dc=org\n\n' "$i" "$i"
	done
} >"$T/extra.ldif"

# Two directories: slapd's default size limit (500 entries per search), and
# none, so that rolegate's own cap shows.
slapd_init small
slapd_init main --sizelimit unlimited
for s in small main; do
	slapd_start $s
	ldapadd -x -H "$(slapd_url $s)" -D cn=admin,dc=example,dc=org -w admin-secret -f "$T/extra.ldif" >/dev/null
done
URL=$(slapd_url main)
LOG=$T/main/slapd.log
count_m() { sed 's/^many: ldap: //' <<<"$1" | tr ',' '\n' | grep -c '^m[0-9]*$'; }

rg_conf "$T/small.conf" "$(slapd_url small)"
out=$("$DIRLOOKUP" -c "$T/small.conf" many 2>"$T/stderr")
expect "$(count_m "$out")" 500 "the server's size limit (500) cuts the list of a member of 1100 groups"
grep -q "group list cut at 1024 groups (or at the server's size limit)" "$T/stderr" ||
	fail "the cut is not logged: $(cat "$T/stderr")"
ok "the cut is logged"

rg_conf "$T/a.conf" "$URL"
out=$("$DIRLOOKUP" -c "$T/a.conf" many 2>"$T/stderr")
expect "$(count_m "$out")" 1024 "without a server limit: the first 1024 (RG_LDAP_MAX_GROUPS)"
grep -q "group list cut at 1024 groups" "$T/stderr" || fail "the cut is not logged: $(cat "$T/stderr")"
ok "the cut is logged"

before=$(grep -c 'SRCH base="ou=groups' "$LOG")
out=$("$DIRLOOKUP" -c "$T/a.conf" wide 2>>"$T/stderr")
after=$(grep -c 'SRCH base="ou=groups' "$LOG")
expect "$(tr ',' '\n' <<<"${out#wide: ldap: }" | wc -l)" 41 "40 direct groups and the group holding them all"
grep -q ',top,' <<<",${out#wide: ldap: }," || fail "top is missing: $out"
# level 0: 1 search; level 1: 40 DNs in batches of 16 = 3; level 2: top = 1
expect "$((after - before))" 5 "nested level of 40 groups: 3 searches of at most 16 DNs (RG_LDAP_FILTER_BATCH)"

# The cache keeps at most 4096 users; the least recently used go first.
{
	echo alice
	for i in $(seq 1 4100); do echo "ghost$i"; done
	echo '!stats'
	echo alice
	echo ghost4100
	echo ghost1
} | "$DIRLOOKUP" -c "$T/a.conf" --stdin >"$T/evict.out" 2>>"$T/stderr"
grep -q "^stats: .*evictions=5 .*users=4096 " "$T/evict.out" || fail "$(grep stats "$T/evict.out")"
ok "4101 users looked up: 4096 cached, 5 evicted (RG_DIRECTORY_MAX_USERS)"
expect "$(tail -3 "$T/evict.out")" "alice: ldap: docker-ops
ghost4100: cache: 
ghost1: ldap: " "the oldest were evicted (asked again), the newest are cached"

# The bind password file: at most 1024 bytes.
head -c 1024 /dev/zero | tr '\0' x >"$T/secret.ok"
head -c 1025 /dev/zero | tr '\0' x >"$T/secret.big"
chmod 600 "$T/secret.ok" "$T/secret.big"
rg_conf "$T/ok.conf" "$URL" 'bind_dn = "cn=rolegate,ou=services,dc=example,dc=org";' "bind_password_file = \"$T/secret.ok\";"
rg_conf "$T/big.conf" "$URL" 'bind_dn = "cn=rolegate,ou=services,dc=example,dc=org";' "bind_password_file = \"$T/secret.big\";"
err=$("$DIRLOOKUP" -c "$T/ok.conf" alice 2>&1 || true)
grep -q "alice: error: the directory (LDAP) is unreachable" <<<"$err" || fail "a 1024-byte password: $err"
grep -q "Invalid credentials" <<<"$err" || fail "a 1024-byte password was not sent: $err"
ok "a 1024-byte password is read and sent (and rejected by the server)"
if err=$("$DIRLOOKUP" -c "$T/big.conf" alice 2>&1); then fail "a 1025-byte password file was accepted"; fi
grep -q "longer than 1024 bytes" <<<"$err" || fail "message: $err"
ok "a 1025-byte password file is refused (RG_LDAP_SECRET_MAX)"

# A URI that just failed is tried after the others (RG_LDAP_URI_HOLDOFF).
python3 "$LDAP_TESTS/hang.py" >"$T/hang.out" &
EXTRA_PIDS+=($!)
for i in $(seq 50); do [ -s "$T/hang.out" ] && break; sleep 0.1; done
HP=$(head -1 "$T/hang.out")
rg_conf "$T/h.conf" "ldap://127.0.0.1:$HP $URL" 'timeout_ms = 1000;' 'cache_ttl = 0;'
dirlookup_client "$T/h.conf"
ask alice
expect "$A" "alice: ldap: docker-ops" "first URI silent: the second answers"
[ "$MS" -ge 900 ] || fail "the first connection should have waited for the silent URI: $MS ms"
slapd_stop main
slapd_start main
ask alice
expect "$A" "alice: ldap: docker-ops" "slapd restarted: reconnected"
[ "$MS" -lt 500 ] || fail "the silent URI was tried first again: $MS ms"
ok "the reconnect went to the working URI first ($MS ms)"
echo "all passed"
