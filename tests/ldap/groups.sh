#!/usr/bin/env bash
# Group resolution against a real slapd: member, uniqueMember and memberUid
# groups, nested groups (a cycle, a chain deeper than the cap), a user in no
# group, names with special characters, filter injection attempts, invalid
# names, an ambiguous user, the URI list, and the cache's TTL paths.
#
# usage: groups.sh DIRLOOKUP [ROLEGATE]
DIRLOOKUP=$1
ROLEGATE=${2:-}
. "$(dirname "$0")/lib.sh"

slapd_init main
slapd_start main
URL=$(slapd_url main)
LOG=$T/main/slapd.log

rg_conf "$T/default.conf" "$URL" 'timeout_ms = 2000;'
run() { "$DIRLOOKUP" -c "$@" 2>>"$T/stderr" || true; }

out=$(run "$T/default.conf" alice bob carol john.doe dave erin grace nobody)
expect "$out" "alice: ldap: docker-ops
bob: ldap: developers
carol: ldap: backend,developers
john.doe: ldap: Domain Users,backend,developers
dave: ldap: qa
erin: ldap: cyc-a,cyc-b
grace: ldap: 
nobody: ldap: " "member, memberUid (nested into member), uniqueMember, a cycle, no group, unknown user"

out=$(run "$T/default.conf" frank)
expect "$out" "frank: ldap: deep0,deep1,deep2,deep3,deep4,deep5,deep6,deep7,deep8" \
	"nesting is followed RG_LDAP_MAX_DEPTH (8) levels above the direct group, no further"
grep -q "looking up frank: nested groups followed only 8 levels deep" "$T/stderr" ||
	fail "the depth cap is not logged"
ok "the depth cap is logged"

out=$(run "$T/default.conf" "o'neil" zoë "smith, j" 'a*b(c)\d')
expect "$out" "o'neil: ldap: docker-ops
zoë: ldap: équipe
smith, j: ldap: commas
a*b(c)\\d: ldap: literal" "names with ' , non-ASCII, a DN-escaped comma and * ( ) \\ in the name itself"

# Each of these would match other entries if it reached the filter
# unescaped; escaped, it is a name nobody has.
: >"$T/stderr"
out=$(run "$T/default.conf" '*' 'alice)(uid=*' '\2a' 'alice*' '*)(|(uid=*' 'al\2aice' 'alice)(|(objectClass=*')
expect "$out" "*: ldap: 
alice)(uid=*: ldap: 
\\2a: ldap: 
alice*: ldap: 
*)(|(uid=*: ldap: 
al\\2aice: ldap: 
alice)(|(objectClass=*: ldap: " "injection attempts resolve to nothing"

# Round 14: slapd's uid matching ignores case, insignificant spaces and
# (after Unicode preparation) width; each of these found alice's entry and
# her groups under another name. The entry must hold the name byte for byte.
: >"$T/stderr"
out=$(run "$T/default.conf" Alice ALICE "alice " " alice" "ａｌｉｃｅ" alice)
expect "$out" "Alice: ldap: 
ALICE: ldap: 
alice : ldap: 
 alice: ldap: 
ａｌｉｃｅ: ldap: 
alice: ldap: docker-ops" "a name the directory matches only by its folding is no such user"
grep -q 'looking up Alice: the entry uid=alice,ou=people,dc=example,dc=org holds uid "alice", not "Alice"' \
	"$T/stderr" || fail "the spelling mismatch is not logged"
ok "the spelling mismatch is logged"
for f in '(uid=\2A)' '(uid=alice\29\28uid=\2A)' '(uid=\5C2a)' '(uid=alice\2A)' '(uid=al\5C2aice)'; do
	grep -qF "filter=\"(&(objectClass=inetOrgPerson)$f)\"" "$LOG" ||
		fail "slapd did not see the escaped filter $f"
done
ok "slapd received the values escaped (RFC 4515)"

out=$(run "$T/default.conf" $'ali\tce' $'ali\nce' $'\xff\xfe' $'caf\xc3' "$(printf 'x%.0s' $(seq 257))" "" $'\xc2\x85x')
expect "$out" "ali	ce: error: invalid user name
ali
ce: error: invalid user name
$(printf '\xff\xfe'): error: invalid user name
$(printf 'caf\xc3'): error: invalid user name
$(printf 'x%.0s' $(seq 257)): error: invalid user name
: error: invalid user name
$(printf '\xc2\x85x'): error: invalid user name" "control characters, invalid UTF-8, C1 controls, 257 bytes and empty are refused"
out=$(run "$T/default.conf" "$(printf 'x%.0s' $(seq 256))")
expect "$out" "$(printf 'x%.0s' $(seq 256)): ldap: " "a 256-byte name is looked up"

: >"$T/stderr"
out=$(run "$T/default.conf" twin)
expect "$out" "twin: error: the directory (LDAP) lookup failed and no cached answer is usable" \
	"two entries for one name: refused, not guessed"
grep -q "more than one entry matches user_filter" "$T/stderr" || fail "ambiguity not logged"
ok "ambiguity is logged"

rg_conf "$T/flat.conf" "$URL" 'nested = false;'
out=$(run "$T/flat.conf" carol john.doe erin frank)
expect "$out" "carol: ldap: backend
john.doe: ldap: Domain Users,backend
erin: ldap: cyc-a
frank: ldap: deep0" "nested = false: direct groups only"

rg_conf "$T/member.conf" "$URL" 'group_filter = "(&(objectClass=groupOfNames)(member=%d))";' \
	'group_name_attr = "cn";'
out=$(run "$T/member.conf" carol dave alice)
expect "$out" "carol: ldap: 
dave: ldap: 
alice: ldap: docker-ops" "a custom group_filter is used as written"

rg_conf "$T/filter.conf" "$URL" 'user_filter = "(&(objectClass=inetOrgPerson)(|(uid=%u)(cn=%u)))";'
out=$(run "$T/filter.conf" alice 'alice)(cn=*')
expect "$out" "alice: ldap: docker-ops
alice)(cn=*: ldap: " "%u may appear several times in user_filter"

DEAD=$(free_port)
rg_conf "$T/list.conf" "ldap://127.0.0.1:$DEAD $URL"
: >"$T/stderr"
out=$(run "$T/list.conf" --stats alice bob)
expect "$(head -2 <<<"$out")" "alice: ldap: docker-ops
bob: ldap: developers" "the URI list is tried in order: a dead first server is skipped"
grep -q "connects=1 " <<<"$out" || fail "expected one connection: $out"
ok "one connection serves several lookups"

# cache: a second question is answered from memory; cache_ttl = 0 always asks
rg_conf "$T/cache.conf" "$URL" 'cache_ttl = 300;' 'negative_ttl = 1;'
out=$(run "$T/cache.conf" --stats alice alice nobody nobody)
expect "$(head -4 <<<"$out")" "alice: ldap: docker-ops
alice: cache: docker-ops
nobody: ldap: 
nobody: cache: " "answers and unknown users are cached"
grep -q "lookups=2 hits=2 " <<<"$out" || fail "stats: $out"

rg_conf "$T/nocache.conf" "$URL" 'cache_ttl = 0;' 'negative_ttl = 0;'
out=$(run "$T/nocache.conf" --stats alice alice nobody nobody)
expect "$(head -4 <<<"$out")" "alice: ldap: docker-ops
alice: ldap: docker-ops
nobody: ldap: 
nobody: ldap: " "cache_ttl = 0 and negative_ttl = 0 always ask LDAP"
grep -q "lookups=4 hits=0 " <<<"$out" || fail "stats: $out"

# negative_ttl expires: a user created after "no such user" shows up
exec {in}> >("$DIRLOOKUP" -c "$T/cache.conf" --stdin >"$T/late.out" 2>>"$T/stderr")
EXTRA_PIDS+=($!)
echo late >&$in
for i in $(seq 50); do [ -s "$T/late.out" ] && break; sleep 0.1; done
ldapadd -x -H "$URL" -D cn=admin,dc=example,dc=org -w admin-secret >/dev/null <<LDIF
dn: uid=late,ou=people,dc=example,dc=org
objectClass: inetOrgPerson
uid: late
cn: late
sn: Test

dn: cn=latecomers,ou=groups,dc=example,dc=org
objectClass: groupOfNames
cn: latecomers
member: uid=late,ou=people,dc=example,dc=org
LDIF
echo late >&$in
sleep 1.2
echo late >&$in
exec {in}>&-
for i in $(seq 50); do [ "$(wc -l <"$T/late.out")" -ge 3 ] && break; sleep 0.1; done
expect "$(cat "$T/late.out")" "late: ldap: 
late: cache: 
late: ldap: latecomers" "an unknown user is remembered for negative_ttl, then asked again"

if grep -q "s3cret\|admin-secret" "$T/stderr"; then
	fail "a password appeared in the diagnostics"
fi

if [ -n "$ROLEGATE" ]; then
	out=$("$ROLEGATE" explain -c "$T/default.conf" --user carol GET /_ping 2>&1 || true)
	grep -q "^groups: *backend, developers (ldap)" <<<"$out" || fail "explain: $out"
	grep -q "allow" <<<"$out" || fail "explain should allow carol (developer): $out"
	ok "rolegate explain resolves groups through LDAP and names the source"
	out=$("$ROLEGATE" explain -c "$T/default.conf" --user nobody GET /_ping 2>&1 || true)
	grep -q "deny" <<<"$out" || fail "explain should deny an unknown user: $out"
	ok "rolegate explain denies a user the directory does not know"
fi
echo "all passed"
