#!/usr/bin/env bash
# A hung directory is never the reason Docker is slow or down (issue 17).
# The real `rolegate serve` asks a real slapd through a TCP proxy that can
# hang (proxy.py: it keeps accepting, but forwards nothing):
#
#  - an active user's answer is refreshed in the background before it
#    expires, so she never waits for a hung directory;
#  - while 32 lookups of uncached users hang, cached users are answered
#    at once (median under 50 ms): lookups do not hold the HTTP threads;
#  - the hung lookups are denied within timeout_ms (bounded here an order
#    of magnitude above it), saying the directory is unreachable;
#  - the circuit breaker opens after consecutive timeouts: an uncached user
#    is then denied at once, without waiting for timeout_ms; and it closes
#    when the directory answers again, without a restart;
#  - restart during an outage: cached users are allowed from cache_file
#    (stale cache), a user never looked up is denied.
#
# usage: hung.sh DIRLOOKUP ROLEGATE
ROLEGATE=$2
. "$(dirname "$0")/lib.sh"

TIMEOUT=1000
slapd_init main
slapd_start main
python3 "$LDAP_TESTS/proxy.py" "${SLAPD_PORT[main]}" >"$T/proxy.out" &
PROXY=$!
EXTRA_PIDS+=($PROXY)
for _ in $(seq 100); do [ -s "$T/proxy.out" ] && break; sleep 0.05; done
PP=$(head -1 "$T/proxy.out")
[ -n "$PP" ] || fail "the proxy did not start"
# proxy_signal SIG WORD: sends SIG, waits for the proxy to say WORD
proxy_signal() {
	local n
	n=$(grep -c "^$2\$" "$T/proxy.out" || true)
	kill "-$1" "$PROXY"
	for _ in $(seq 100); do
		[ "$(grep -c "^$2\$" "$T/proxy.out" || true)" -gt "$n" ] && return 0
		sleep 0.05
	done
	fail "the proxy did not say $2"
}

SOCK=$T/rg.sock
rg_conf "$T/rg.conf" "ldap://127.0.0.1:$PP" "timeout_ms = $TIMEOUT;" 'cache_ttl = 12;' 'stale_ttl = 600;' \
	"cache_file = \"$T/ldap.cache\";"
cat >>"$T/rg.conf" <<CONF
plugin = { state = "$T/state"; };
audit = { path = "$T/decisions.log"; sync = "none"; };
CONF

start_serve() {
	rg_serve "$T/rg.conf" "$SOCK"
}
stop_serve() {
	kill -TERM "$SERVE"
	wait "$SERVE" || fail "rolegate serve did not exit 0"
}
authz() { python3 "$LDAP_TESTS/authz.py" "$SOCK" "$@"; }
# call USER: one AuthZReq with curl (it starts in milliseconds, python may
# take seconds on a busy machine); prints "USER allow|deny MS MESSAGE"
call() {
	local r
	r=$(curl -s --max-time 60 --unix-socket "$SOCK" -X POST -w '\n%{time_total}' \
		-d "{\"User\":\"$1\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"GET\",\"RequestUri\":\"/v1.41/containers/json\"}" \
		http://plugin/AuthZPlugin.AuthZReq)
	printf '%s %s %s %s\n' "$1" "$(grep -q '"Allow": *true' <<<"$r" && echo allow || echo deny)" \
		"$(tail -1 <<<"$r" | awk '{printf "%.1f", $1 * 1000}')" "$(head -1 <<<"$r")"
}

start_serve
ms_now() { echo $(($(date +%s%N) / 1000000)); }   # wall clock, as in cache_file
# fetched USER: when cache_file says USER's answer was fetched (ms since the epoch)
fetched() {
	python3 -c 'import json, sys
try:
    for line in list(open(sys.argv[1]))[1:]:
        a = json.loads(line)
        if a["user"] == sys.argv[2]:
            print(a["fetched"])
except OSError:
    pass' "$T/ldap.cache" "$1"
}

# --- an active user's answer is refreshed before it expires ------------------
# Times are taken from cache_file (when the directory answered, wall clock):
# on a busy machine a python client alone can take seconds to start.
out=$(call carol)
grep -q "^carol allow" <<<"$out" || fail "warm-up: $out"
for _ in $(seq 100); do [ -n "$(fetched carol)" ] && break; sleep 0.05; done
first=$(fetched carol)
[ -n "$first" ] || fail "carol's answer is not in cache_file"
# into the last quarter of cache_ttl = 12: [9 s, 12 s) after the answer
while [ "$(ms_now)" -lt $((first + 9300)) ]; do sleep 0.05; done
out=$(call carol)
grep -q "^carol allow" <<<"$out" || fail "carol in the last quarter of cache_ttl: $out"
for _ in $(seq 100); do [ "$(fetched carol)" != "$first" ] && break; sleep 0.05; done
second=$(fetched carol)
[ "$second" != "$first" ] || fail "carol's answer was not refreshed"
[ "$second" -lt $((first + 12000)) ] ||
	{ echo "SKIP: the machine is too busy to time the refresh (the call came after the expiry)"; exit 77; }
proxy_signal USR1 hung
while [ "$(ms_now)" -lt $((first + 12300)) ]; do sleep 0.05; done  # past the first answer's expiry
out=$(call carol)
ms=$(awk '{print int($3)}' <<<"$out")
grep -q "^carol allow" <<<"$out" || fail "carol after the refresh: $out"
[ "$ms" -lt $((TIMEOUT / 2)) ] || fail "carol waited $ms ms: her answer was not refreshed before it expired"
proxy_signal USR2 flowing
ok "an active user's answer is refreshed before it expires: no wait for the hung directory ($ms ms)"

out=$(authz alice carol)
grep -q "^alice allow" <<<"$out" && grep -q "^carol allow" <<<"$out" || fail "warm-up: $out"
ok "alice and carol are looked up and allowed"

proxy_signal USR1 hung
ghosts=()
for i in $(seq 32); do ghosts+=("ghost$i"); done
authz --concurrent "${ghosts[@]}" >"$T/ghosts.out" &
GHOSTS=$!
# the uncached calls are in and their lookups hang (serve holds their
# connections and 8 to the proxy) before the cached users are timed
base=$(ls "/proc/$SERVE/fd" | wc -l)
for _ in $(seq 500); do [ "$(ls "/proc/$SERVE/fd" | wc -l)" -ge $((base + 16)) ] && break; sleep 0.01; done
kill -0 "$GHOSTS" 2>/dev/null || fail "the uncached calls were answered before the cached users were timed"
lat=$(authz --latency 40 alice carol 2>"$T/slow.log") ||
	fail "a cached user was denied while the directory hangs: $(cat "$T/slow.log")"
cat "$T/slow.log"
median=$(awk '{print int($2)}' <<<"$lat")
[ "$median" -lt 50 ] || fail "cached users' median latency $lat ms while 32 lookups hang"
ok "while 32 uncached lookups hang, cached users are answered in $lat ms"

wait "$GHOSTS" || fail "the uncached calls failed"
[ "$(grep -c ' deny ' "$T/ghosts.out")" = 32 ] || fail "not every uncached user was denied: $(cat "$T/ghosts.out")"
grep -v -q "unreachable" "$T/ghosts.out" && fail "a denial does not say the directory is unreachable: $(cat "$T/ghosts.out")"
slowest=$(awk '{print int($3)}' "$T/ghosts.out" | sort -n | tail -1)
fastest=$(awk '{print int($3)}' "$T/ghosts.out" | sort -n | head -1)
[ "$fastest" -ge $((TIMEOUT * 9 / 10)) ] || fail "an uncached user was answered in $fastest ms: the lookups did not hang"
[ "$slowest" -lt $((TIMEOUT * 10)) ] || fail "an uncached user waited $slowest ms (timeout_ms = $TIMEOUT)"
ok "the 32 uncached users are denied, the slowest after $slowest ms (timeout_ms = $TIMEOUT)"

grep -q "lookups in a row timed out" "$T/serve.log" || fail "the breaker did not open: $(cat "$T/serve.log")"
out=$(call ghost99)
ms=$(awk '{print int($3)}' <<<"$out")
grep -q "^ghost99 deny .*unreachable" <<<"$out" || fail "breaker open: $out"
[ "$ms" -lt $((TIMEOUT / 2)) ] || fail "breaker open: the denial took $ms ms"
ok "the breaker is open: an uncached user is denied at once ($ms ms)"
sleep 12.1  # past cache_ttl: alice's answer is stale now
out=$(call alice)
ms=$(awk '{print int($3)}' <<<"$out")
grep -q "^alice allow" <<<"$out" || fail "alice, stale: $out"
[ "$ms" -lt $((TIMEOUT / 2)) ] || fail "breaker open: alice's stale answer took $ms ms"
ok "past cache_ttl, alice is allowed at once on her stale groups ($ms ms)"

proxy_signal USR2 flowing
for _ in $(seq 60); do
	out=$(authz bob)
	grep -q "^bob allow" <<<"$out" && break
	sleep 0.5
done
grep -q "^bob allow" <<<"$out" || fail "the breaker did not close once the directory answered: $out"
grep -q "a probe got an answer: lookups resume" "$T/serve.log" || fail "the breaker's closing is not logged"
ok "the directory answers again: the breaker closes, bob is looked up and allowed (no restart)"

# --- restart during an outage ------------------------------------------------
for _ in $(seq 100); do grep -q '"bob"' "$T/ldap.cache" 2>/dev/null && break; sleep 0.05; done
grep -q '"bob"' "$T/ldap.cache" || fail "bob's answer is not in cache_file"
[ "$(stat -c %a "$T/ldap.cache")" = 600 ] || fail "cache_file mode $(stat -c %a "$T/ldap.cache")"
ok "answers are kept in cache_file (mode 0600)"
stop_serve
proxy_signal USR1 hung
start_serve
out=$(authz alice bob dave)
grep -q "^alice allow" <<<"$out" || fail "restarted during the outage: alice: $out"
grep -q "^bob allow" <<<"$out" || fail "restarted during the outage: bob: $out"
grep -q "^dave deny .*unreachable" <<<"$out" || fail "restarted during the outage: dave: $out"
grep -q "answer(s) read from $T/ldap.cache" "$T/serve.log" || fail "serve did not say it read cache_file"
ok "restarted during the outage: alice and bob allowed from cache_file, dave (never looked up) denied"
proxy_signal USR2 flowing
stop_serve
echo "all passed"
