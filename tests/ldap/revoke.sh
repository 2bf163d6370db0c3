#!/usr/bin/env bash
# Red team round 14: how soon a removal from a group reaches Docker. The
# real `rolegate serve` with groups from a real slapd: alice (docker-ops ->
# ops) is removed from docker-ops in the directory. Without a reload she
# keeps ops until her answer is older than cache_ttl, as documented; a
# reload (SIGHUP) makes every cached answer be asked again, so the removal
# applies from the next request on (it used to last until cache_ttl even
# across a reload: no way to lock out a user whose role comes from a group).
# With the directory down, the reload does not lock anyone out: the kept
# answer is still served, marked stale.
#
# usage: revoke.sh DIRLOOKUP ROLEGATE
ROLEGATE=$2
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
command -v ldapmodify >/dev/null || { echo "SKIP: ldapmodify is not installed"; exit 77; }

slapd_init main
slapd_start main
URL=$(slapd_url main)
SOCK=$T/rolegate.sock
AUDIT=$T/decisions.log

rg_conf "$T/rg.conf" "$URL" 'timeout_ms = 1000;' 'cache_ttl = 300;' 'stale_ttl = 3600;'
cat >>"$T/rg.conf" <<CONF
plugin = { state = "$T/state"; };
audit = {
  path = "$AUDIT";
  sync = "none";
};
CONF

rg_serve "$T/rg.conf" "$SOCK"

authz() {
	R=$(curl -s --max-time 20 --unix-socket "$SOCK" -X POST -H 'Content-Type: application/json' \
		-d "{\"User\":\"$1\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"${3:-GET}\",\"RequestUri\":\"$2\"}" \
		http://plugin/AuthZPlugin.AuthZReq)
}
allowed() { grep -q '"Allow": *true' <<<"$R" || fail "$1: expected allow, got $R"; ok "$1"; }
denied() { grep -q '"Allow": *false' <<<"$R" || fail "$1: expected deny, got $R"; ok "$1"; }
reload() {
	local n
	n=$(grep -c "reloaded" "$T/serve.log" || true)
	kill -HUP "$SERVE"
	for i in $(seq 50); do [ "$(grep -c "reloaded" "$T/serve.log" || true)" -gt "$n" ] && return 0; sleep 0.1; done
	fail "no reload in the log: $(cat "$T/serve.log")"
}
group_member() { # add|delete DN
	ldapmodify -x -H "$URL" -D cn=admin,dc=example,dc=org -w admin-secret >/dev/null <<LDIF
dn: cn=docker-ops,ou=groups,dc=example,dc=org
changetype: modify
$1: member
member: uid=alice,ou=people,dc=example,dc=org
LDIF
}

authz alice /v1.45/containers/x/start POST
allowed "alice (docker-ops) may start containers"
group_member delete || fail "ldapmodify failed"
authz alice /v1.45/containers/x/start POST
allowed "removed from docker-ops: still allowed from the cache (cache_ttl = 300, documented)"
reload
authz alice /v1.45/containers/x/start POST
denied "after a reload: alice is asked again and has no role"
grep -q "alice has no role" <<<"$R" || fail "message: $R"

group_member add || fail "ldapmodify failed"
reload
authz alice /v1.45/containers/x/start POST
allowed "back in docker-ops, after a reload: allowed"
slapd_stop main
reload
authz alice /v1.45/containers/x/start POST
allowed "the directory down: a reload locks nobody out (the kept answer, stale)"
tail -1 "$AUDIT" | grep -q 'stale cache' || fail "the record does not say stale: $(tail -1 "$AUDIT")"
ok "the record says the groups came from the stale cache"

kill -TERM "$SERVE"
wait "$SERVE" || fail "serve exited $?"
ok "serve exits 0 on SIGTERM"
