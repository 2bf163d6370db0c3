#!/usr/bin/env bash
# The real `rolegate serve` with groups from a real slapd, driven with the
# AuthZReq calls dockerd makes: roles through LDAP (nested) groups, an
# unknown user denied, then slapd stopped (cached users allowed on stale
# groups, and the log record says so; uncached users denied promptly with
# the reason) and restarted (fresh lookups resume without restarting
# rolegate); the service account's password rotated and rolegate reloaded
# with SIGHUP (the cache survives, new connections use the new password).
#
# usage: serve.sh DIRLOOKUP ROLEGATE
ROLEGATE=$2
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }

slapd_init main --bind-only
slapd_start main
URL=$(slapd_url main)
SOCK=$T/rolegate.sock
AUDIT=$T/decisions.log

printf 's3cret-for-tests\n' >"$T/ldap.secret"
chmod 600 "$T/ldap.secret"
rg_conf "$T/rg.conf" "$URL" 'timeout_ms = 1000;' 'cache_ttl = 1;' 'stale_ttl = 60;' \
	'bind_dn = "cn=rolegate,ou=services,dc=example,dc=org";' "bind_password_file = \"$T/ldap.secret\";"
cat >>"$T/rg.conf" <<CONF
plugin = { state = "$T/state"; };
audit = {
  path = "$AUDIT";
  sync = "none";
};
CONF

rg_serve "$T/rg.conf" "$SOCK"

# authz USER URI [METHOD]: one AuthZReq; sets R (the answer) and MS (how long it took)
authz() {
	local t0 t1
	t0=$(date +%s%N)
	R=$(curl -s --max-time 20 --unix-socket "$SOCK" -X POST -H 'Content-Type: application/json' \
		-d "{\"User\":\"$1\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"${3:-GET}\",\"RequestUri\":\"$2\"}" \
		http://plugin/AuthZPlugin.AuthZReq)
	t1=$(date +%s%N)
	MS=$(((t1 - t0) / 1000000))
}
allowed() { grep -q '"Allow": *true' <<<"$R" || fail "$1: expected allow, got $R"; ok "$1"; }
denied() { grep -q '"Allow": *false' <<<"$R" || fail "$1: expected deny, got $R"; ok "$1"; }
last_record() { tail -1 "$AUDIT"; }

authz carol /v1.45/containers/json
allowed "carol (developers through backend, a nested memberUid group) may list containers"
last_record | grep -q '"groups":\["backend","developers"\],"roles":\["developer"\],"command":"container.list"' ||
	fail "record: $(last_record)"
ok "the record holds the LDAP groups"
authz carol /v1.45/containers/x/start POST
denied "carol may not start containers (developer role)"
authz alice /v1.45/containers/x/start POST
allowed "alice (docker-ops) may"
authz nobody /v1.45/_ping
denied "a user the directory does not know has no role"
grep -q "no role" <<<"$R" || grep -q "roles: none" <<<"$R" || fail "message: $R"

slapd_stop main
sleep 1.2
authz carol /v1.45/containers/json
allowed "slapd stopped: carol still allowed on her stale groups"
last_record | grep -q 'stale cache' || fail "the record does not say the groups were stale: $(last_record)"
ok "the record says the groups came from the stale cache"
authz bob /v1.45/containers/json
denied "slapd stopped: bob (never looked up) is denied"
grep -q "the directory (LDAP) is unreachable and no cached answer is usable" <<<"$R" || fail "message: $R"
ok "the deny message says why ($MS ms)"
[ "$MS" -lt 1000 ] || fail "took $MS ms"

slapd_start main
authz bob /v1.45/containers/json
allowed "slapd restarted: bob is looked up and allowed, without restarting rolegate"

# Rotate the service account's password, then reload.
rotate_service_password "$URL" rotated-s3cret "$T/ldap.secret"
kill -HUP "$SERVE"
for i in $(seq 50); do grep -q "reload" "$T/serve.log" && break; sleep 0.1; done
grep -q "reload" "$T/serve.log" || fail "no reload in the log: $(cat "$T/serve.log")"
slapd_stop main
slapd_start main   # the kept connections are gone: the next lookup binds anew
sleep 1.1          # past cache_ttl
authz dave /v1.45/containers/json
denied "after the reload: dave (qa, no role) is looked up with the new password and denied for lack of a role"
grep -q "no role" <<<"$R" || fail "dave should be denied for having no role, not an LDAP failure: $R"
authz bob /v1.45/containers/json
allowed "after the reload: bob's groups are fresh from LDAP"
last_record | grep -q 'stale' && fail "bob's groups should not be stale: $(last_record)"
ok "the lookups after the reload are fresh (new password accepted)"

kill -TERM "$SERVE"
wait "$SERVE" || fail "rolegate serve did not exit cleanly"
ok "rolegate serve exits 0 on SIGTERM"
echo "all passed"
