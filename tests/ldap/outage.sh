#!/usr/bin/env bash
# Outages. One long-lived client (dirlookup --stdin, i.e. one cache) while
# slapd is stopped, restarted, frozen (SIGSTOP: connections accepted,
# nothing answered) and replaced by a server that accepts and never
# answers; plus a server that drops idle connections.
#
#   - cached users keep working within stale_ttl, marked stale;
#   - uncached users are denied promptly: at once when the server refuses
#     connections, within timeout_ms when it does not answer;
#   - after a restart, fresh lookups resume in the same client;
#   - a stale answer older than stale_ttl is not used.
#
# usage: outage.sh DIRLOOKUP
DIRLOOKUP=$1
. "$(dirname "$0")/lib.sh"

TIMEOUT=1000
# How late an answer may come on a loaded test machine, beyond the timeout.
SLACK=700

slapd_init main --idle 1
slapd_start main
URL=$(slapd_url main)

stats() {
	echo '!stats' >&"${DL[1]}"
	IFS= read -r -t 20 S <&"${DL[0]}" || fail "no stats"
}
within() { # within MIN MAX WHAT: $MS in [MIN, MAX)
	[ "$MS" -ge "$1" ] && [ "$MS" -lt "$2" ] || fail "$3: took $MS ms, expected $1..$2 ms"
	ok "$3 ($MS ms)"
}

# --- slapd stopped and restarted -------------------------------------------
rg_conf "$T/a.conf" "$URL" "timeout_ms = $TIMEOUT;" 'cache_ttl = 1;' 'negative_ttl = 1;' 'stale_ttl = 30;'
dirlookup_client "$T/a.conf"
ask alice; expect "$A" "alice: ldap: docker-ops" "first lookup asks LDAP"
ask alice; expect "$A" "alice: cache: docker-ops" "second lookup is cached"
ask stale; expect "$A" "stale: ldap: backend,developers,docker-ops" "another user, nested"

slapd_stop main
sleep 1.2   # past cache_ttl
ask alice
expect "$A" "alice: stale cache: docker-ops" "slapd stopped: a cached user keeps the stale answer"
within 0 "$TIMEOUT" "the stale answer comes at once (connection refused)"
ask bob
expect "$A" "bob: error: the directory (LDAP) is unreachable and no cached answer is usable" \
	"slapd stopped: an uncached user is denied"
within 0 "$TIMEOUT" "the denial comes at once (connection refused)"
ask stale
expect "$A" "stale: stale cache: backend,developers,docker-ops" "every cached user keeps working"
grep -q "directory unreachable (looking up alice): .*Can't contact LDAP server" "$T/stderr" ||
	fail "the outage is not logged"
ok "the outage is logged"

slapd_start main
ask bob
expect "$A" "bob: ldap: developers" "slapd restarted: fresh lookups resume in the same client"
sleep 1.1   # past the retry pause after the failed refresh (min(cache_ttl, 10 s))
ask alice
expect "$A" "alice: ldap: docker-ops" "slapd restarted: cached users are refreshed"
grep -q "directory answering again" "$T/stderr" || fail "the end of the outage is not logged"
ok "the end of the outage is logged"

# --- stale_ttl runs out ----------------------------------------------------
rg_conf "$T/b.conf" "$URL" "timeout_ms = $TIMEOUT;" 'cache_ttl = 1;' 'stale_ttl = 2;'
dirlookup_client "$T/b.conf"
ask alice; expect "$A" "alice: ldap: docker-ops" "stale_ttl = 2: first lookup"
slapd_stop main
sleep 1.2
ask alice; expect "$A" "alice: stale cache: docker-ops" "1.2 s old: stale but usable"
sleep 1.0
ask alice
expect "$A" "alice: error: the directory (LDAP) is unreachable and no cached answer is usable" \
	"2.2 s old, stale_ttl = 2: no longer used, denied"
slapd_start main

# --- slapd frozen: it accepts, but answers nothing -------------------------
rg_conf "$T/c.conf" "$URL" "timeout_ms = $TIMEOUT;" 'cache_ttl = 0;' 'stale_ttl = 60;'
dirlookup_client "$T/c.conf"
ask alice; expect "$A" "alice: ldap: docker-ops" "cache_ttl = 0: asks LDAP"
slapd_freeze main
ask alice
expect "$A" "alice: stale cache: docker-ops" "slapd frozen: the search times out, the stale answer is used"
within $((TIMEOUT - 100)) $((TIMEOUT + SLACK)) "it waited for timeout_ms, no longer"
ask bob
expect "$A" "bob: error: the directory (LDAP) is unreachable and no cached answer is usable" \
	"slapd frozen: an uncached user is denied"
within $((TIMEOUT - 100)) $((TIMEOUT + SLACK)) "the denial comes within timeout_ms (connect, then bind times out)"
slapd_thaw main
ask alice; expect "$A" "alice: ldap: docker-ops" "slapd thawed: lookups resume"

# --- the server drops idle connections (idletimeout 1) ---------------------
stats; before=$(sed 's/.*connects=\([0-9]*\).*/\1/' <<<"$S")
sleep 2.5
ask carol; expect "$A" "carol: ldap: backend,developers" "after the server closed the idle connection"
stats; after=$(sed 's/.*connects=\([0-9]*\).*/\1/' <<<"$S")
[ "$after" -eq $((before + 1)) ] || fail "expected one reconnect: $before -> $after ($S)"
grep -q "closed (idletimeout)" "$T/main/slapd.log" || fail "slapd did not drop the idle connection"
ok "the dropped connection was replaced transparently (one reconnect, no failure)"
exec {DL[1]}>&-

# --- servers that never answer: one accepts and is silent, one never even
# completes the TCP handshake (its accept queue is full, SYNs are dropped)
for mode in silent full; do
	python3 "$LDAP_TESTS/hang.py" $([ $mode = full ] && echo --full) >"$T/hang.$mode" &
	EXTRA_PIDS+=($!)
	for i in $(seq 50); do [ -s "$T/hang.$mode" ] && break; sleep 0.1; done
	HP=$(head -1 "$T/hang.$mode")
	[ -n "$HP" ] || fail "hang.py $mode did not start"
	[ $mode = silent ] && SILENT=$HP

	for variant in plain starttls ldaps; do
		case $variant in
		plain) rg_conf "$T/h.conf" "ldap://127.0.0.1:$HP" "timeout_ms = $TIMEOUT;" ;;
		starttls) rg_conf "$T/h.conf" "ldap://127.0.0.1:$HP" "timeout_ms = $TIMEOUT;" 'starttls = true;' ;;
		ldaps) rg_conf "$T/h.conf" "ldaps://127.0.0.1:$HP" "timeout_ms = $TIMEOUT;" ;;
		esac
		line=$(timeout 30 "$DIRLOOKUP" -c "$T/h.conf" --time alice 2>>"$T/stderr" || true)
		A=$(answer "$line"); MS=$(elapsed_ms "$line")
		expect "$A" "alice: error: the directory (LDAP) is unreachable and no cached answer is usable" \
			"$mode server, $variant: denied"
		within $((TIMEOUT - 100)) $((TIMEOUT + SLACK)) "$mode server, $variant: held for timeout_ms, no longer"
	done
done
HP=$SILENT

# a silent first server, then the real one: the lookup moves on after timeout_ms
rg_conf "$T/h2.conf" "ldap://127.0.0.1:$HP $URL" "timeout_ms = $TIMEOUT;"
line=$("$DIRLOOKUP" -c "$T/h2.conf" --time alice 2>>"$T/stderr" || true)
A=$(answer "$line"); MS=$(elapsed_ms "$line")
expect "$A" "alice: ldap: docker-ops" "a silent first URI: the second one answers"
within $((TIMEOUT - 100)) $((TIMEOUT + SLACK)) "after one timeout"
echo "all passed"
