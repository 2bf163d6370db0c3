#!/usr/bin/env bash
# Concurrency: many threads asking for the same uncached user cause exactly
# one LDAP search (counted by the cache and in slapd's own log); the others
# wait for it and share its answer; when that lookup fails they all fail
# together, after one timeout, not one each. Many threads over many users
# get consistent answers through a bounded connection pool.
#
# usage: stampede.sh DIRLOOKUP
DIRLOOKUP=$1
. "$(dirname "$0")/lib.sh"

slapd_init main
slapd_start main
URL=$(slapd_url main)
LOG=$T/main/slapd.log
searches() { # searches USER: user searches slapd received for USER
	grep -cF "filter=\"(&(objectClass=inetOrgPerson)(uid=$1))\"" "$LOG" || true
}
ms_now() { echo $(($(date +%s%N) / 1000000)); }

rg_conf "$T/a.conf" "$URL" 'timeout_ms = 5000;'
out=$("$DIRLOOKUP" -c "$T/a.conf" --concurrency 64 stampede 2>>"$T/stderr")
grep -q "errors=0 mismatches=0" <<<"$out" || fail "$out"
grep -q "lookups=1 " <<<"$out" || fail "the cache counted more than one lookup: $out"
expect "$(searches stampede)" 1 "64 threads at once, one user: one search reaches slapd"

# Freeze slapd so that the first lookup is surely still running when the
# other threads arrive: they must wait for it, not ask themselves.
slapd_freeze main
"$DIRLOOKUP" -c "$T/a.conf" --concurrency 32 dave >"$T/frozen.out" 2>>"$T/stderr" &
DL=$!
EXTRA_PIDS+=($DL)
sleep 1
slapd_thaw main
wait $DL || fail "$(cat "$T/frozen.out")"
out=$(cat "$T/frozen.out")
grep -q "^ldap=32 errors=0 mismatches=0" <<<"$out" || fail "$out"
grep -q "lookups=1 hits=0 shared=31 " <<<"$out" || fail "$out"
ok "32 threads during a slow lookup: 1 asks, 31 wait and share its answer"
expect "$(searches dave)" 1 "one search reached slapd for them"

# The same, but the lookup fails: all are denied after one timeout.
rg_conf "$T/b.conf" "$URL" 'timeout_ms = 1000;'
slapd_freeze main
t0=$(ms_now)
out=$("$DIRLOOKUP" -c "$T/b.conf" --concurrency 32 erin 2>>"$T/stderr" || true)
t1=$(ms_now)
slapd_thaw main
grep -q "^errors=32 mismatches=0" <<<"$out" || fail "$out"
grep -q "lookups=1 " <<<"$out" || fail "$out"
[ $((t1 - t0)) -lt 1900 ] || fail "32 denials took $((t1 - t0)) ms"
ok "32 threads, directory frozen: one lookup, all denied after one timeout ($((t1 - t0)) ms)"

# Many threads, many users, no cache: every call asks LDAP, concurrently.
rg_conf "$T/c.conf" "$URL" 'cache_ttl = 0;' 'negative_ttl = 0;'
out=$("$DIRLOOKUP" -c "$T/c.conf" --concurrency 16 --repeat 40 \
	alice bob carol john.doe dave erin zoë "o'neil" grace nobody 2>>"$T/stderr")
grep -q "errors=0 mismatches=0" <<<"$out" || fail "$out"
conns=$(sed -n 's/.*connects=\([0-9]*\).*/\1/p' <<<"$out")
[ "$conns" -ge 1 ] && [ "$conns" -le 8 ] || fail "connections: $conns (pool bound 8): $out"
ok "16 threads x 40 uncached lookups over 10 users: consistent answers, $conns connection(s) (at most 8)"
echo "all passed"
