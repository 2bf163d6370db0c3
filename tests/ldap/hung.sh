#!/usr/bin/env bash
# A hung directory is never the reason Docker is slow or down (issue 17).
# The real `rolegate serve` asks a real slapd through a TCP proxy that can
# hang (proxy.py: it keeps accepting, but forwards nothing):
#
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
rg_conf "$T/rg.conf" "ldap://127.0.0.1:$PP" "timeout_ms = $TIMEOUT;" 'cache_ttl = 4;' 'stale_ttl = 600;' \
	"cache_file = \"$T/ldap.cache\";"
cat >>"$T/rg.conf" <<CONF
audit = { path = "$T/decisions.log"; sync = "none"; };
CONF

start_serve() {
	: >"$T/ready"
	"$ROLEGATE" serve -c "$T/rg.conf" --socket "$SOCK" --ready-fd 3 --stderr \
		3>"$T/ready" 2>>"$T/serve.log" </dev/null &
	SERVE=$!
	EXTRA_PIDS+=($SERVE)
	for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
	[ -s "$T/ready" ] || { cat "$T/serve.log" >&2; fail "rolegate serve did not become ready"; }
}
stop_serve() {
	kill -TERM "$SERVE"
	wait "$SERVE" || fail "rolegate serve did not exit 0"
}
authz() { python3 "$LDAP_TESTS/authz.py" "$SOCK" "$@"; }

start_serve
out=$(authz alice carol)
grep -q "^alice allow" <<<"$out" && grep -q "^carol allow" <<<"$out" || fail "warm-up: $out"
ok "alice and carol are looked up and allowed"

proxy_signal USR1 hung
ghosts=()
for i in $(seq 32); do ghosts+=("ghost$i"); done
authz --concurrent "${ghosts[@]}" >"$T/ghosts.out" &
GHOSTS=$!
lat=$(authz --latency 40 alice carol) || fail "a cached user was denied while the directory hangs"
median=$(awk '{print int($2)}' <<<"$lat")
kill -0 "$GHOSTS" 2>/dev/null || fail "the uncached lookups did not hang (the proxy let them through?)"
[ "$median" -lt 50 ] || fail "cached users' median latency $lat ms while 32 lookups hang"
ok "while 32 uncached lookups hang, cached users are answered in $lat ms"

wait "$GHOSTS" || fail "the uncached calls failed"
[ "$(grep -c ' deny ' "$T/ghosts.out")" = 32 ] || fail "not every uncached user was denied: $(cat "$T/ghosts.out")"
grep -v -q "unreachable" "$T/ghosts.out" && fail "a denial does not say the directory is unreachable: $(cat "$T/ghosts.out")"
slowest=$(awk '{print int($3)}' "$T/ghosts.out" | sort -n | tail -1)
[ "$slowest" -lt $((TIMEOUT * 10)) ] || fail "an uncached user waited $slowest ms (timeout_ms = $TIMEOUT)"
ok "the 32 uncached users are denied, the slowest after $slowest ms (timeout_ms = $TIMEOUT)"

grep -q "lookups in a row timed out" "$T/serve.log" || fail "the breaker did not open: $(cat "$T/serve.log")"
out=$(authz ghost99)
ms=$(awk '{print int($3)}' <<<"$out")
grep -q "^ghost99 deny .*unreachable" <<<"$out" || fail "breaker open: $out"
[ "$ms" -lt $((TIMEOUT / 2)) ] || fail "breaker open: the denial took $ms ms"
ok "the breaker is open: an uncached user is denied at once ($ms ms)"
sleep 4.1   # past cache_ttl: alice's answer is stale now
out=$(authz alice)
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
tail -3 "$T/decisions.log" | head -1 | grep -q "stale cache" || fail "alice's record: $(tail -3 "$T/decisions.log")"
ok "restarted during the outage: alice and bob allowed from cache_file (stale cache), dave denied"
proxy_signal USR2 flowing
stop_serve
echo "all passed"
