#!/usr/bin/env bash
# A FIFO at identity.ldap.ca_file never hangs serve (docs/redteam-round12-avail.md).
# OpenSSL reads ca_file with a plain fopen() whenever libldap makes a TLS
# context: at start, at every reload, at every new directory connection.
# Before the fix:
#
#  1. a reload (SIGHUP) to a configuration whose ca_file is a FIFO blocked
#     the main thread in open(2) for good: no later SIGHUP or SIGTERM was
#     handled (systemctl stop waited for SIGKILL);
#  2. the same at start: serve never became ready;
#  3. ca_file replaced by a FIFO while serving: each new directory
#     connection blocked its lookup thread for good.
#
# Now ca_file must be a regular file, looked at without waiting: the start
# and the reload are refused saying so, a lookup fails as an unreachable
# directory does (denied), and SIGTERM ends serve. No LDAP server is needed:
# ldaps://127.0.0.1:1 refuses connections after the TLS options are set.
#
# usage: ldap-cafile.sh ROLEGATE
set -euo pipefail
RG=$(realpath "$1")
. "$(dirname "$0")/../lib/serve.sh"
serve_test_init rolegate-ldap-cafile
# a serve hung in open(2) (before the fix) does not end on SIGTERM
trap 'for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; serve_test_cleanup' EXIT
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }

conf() {
	cat <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; } );
  ldap = { uri = "ldaps://127.0.0.1:1"; ca_file = "$1";
    user_base = "ou=people,dc=example,dc=org"; user_filter = "(uid=%u)";
    group_base = "ou=groups,dc=example,dc=org"; group_filter = "(member=%d)";
    group_name_attr = "cn"; timeout_ms = 500; }; };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$T/decisions.log"; sync = "none"; };
plugin = { state = "$T/state"; };
CONF
}
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.pem" -days 1 \
	-subj /CN=rolegate-test-ca >/dev/null 2>&1 || { echo "SKIP: openssl cannot make a CA"; exit 77; }
mkfifo "$T/ca.fifo"
conf "$T/ca.pem" >"$T/good.conf"
conf "$T/ca.fifo" >"$T/fifo.conf"
decide() {
	curl -s -m 5 --unix-socket "$T/rg.sock" -d "{\"User\":\"$1\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"GET\",\"RequestUri\":\"/v1.41/containers/json\"}" \
		http://plugin/AuthZPlugin.AuthZReq
}
reloads() { grep -c -e 'reloaded ' -e 'reload of .* failed' "$T/serve.log" || true; }
stop() {
	kill -TERM "$SERVE"
	for _ in $(seq 50); do kill -0 "$SERVE" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$SERVE" 2>/dev/null && fail "$1: serve did not stop within 5 s of SIGTERM"
	wait "$SERVE" || fail "$1: serve did not exit 0"
}

rc=0
timeout -s KILL 5 "$RG" serve -c "$T/fifo.conf" --socket "$T/x.sock" --stderr </dev/null >"$T/start.out" 2>&1 || rc=$?
[ "$rc" -ne 137 ] || fail "start: serve hung on the FIFO (killed after 5 s)"
[ "$rc" -ne 0 ] || fail "start: serve exited 0"
grep -q "ca_file $T/ca.fifo is not a regular file" "$T/start.out" || fail "start: $(cat "$T/start.out")"
ok "a FIFO at ca_file at start: refused (exit $rc), saying so"

cp "$T/good.conf" "$T/rg.conf"
serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
decide alice | grep -q '"Allow": *true' || fail "alice was not allowed"
cp "$T/fifo.conf" "$T/rg.conf"
n=$(reloads)
kill -HUP "$SERVE"
for _ in $(seq 50); do [ "$(reloads)" -gt "$n" ] && break; sleep 0.1; done
[ "$(reloads)" -gt "$n" ] || fail "reload: never finished (the main thread is blocked)"
grep -q "ca_file $T/ca.fifo is not a regular file" "$T/serve.log" || fail "reload: no reason: $(tail -2 "$T/serve.log")"
decide alice | grep -q '"Allow": *true' || fail "reload: the old configuration is not in force"
ok "a FIFO at ca_file on reload: refused at once, the old configuration in force"

stop "after the reload"
ok "SIGTERM exits 0"

# started with ca.pem (read once at start), which is then a FIFO when the
# first lookup opens a connection
cp "$T/good.conf" "$T/rg.conf"
serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
mv "$T/ca.pem" "$T/ca.pem.real"
mkfifo "$T/ca.pem"
out=$(decide bob)
printf '%s' "$out" | grep -q '"Allow": *false' || fail "bob (directory user) with a FIFO at ca_file: $out"
for _ in $(seq 20); do grep -q "ca_file $T/ca.pem is not a regular" "$T/serve.log" && break; sleep 0.1; done
grep -q "ca_file $T/ca.pem is not a regular file" "$T/serve.log" || fail "lookup: no reason: $(tail -2 "$T/serve.log")"
ok "ca_file replaced by a FIFO while serving: the lookup fails, bob is denied"
stop "FIFO at ca_file while serving"
ok "SIGTERM exits 0"
echo "all passed"
