#!/usr/bin/env bash
# One validation (SPEC.md §4, "Configuration changes"): `rolegate check` and
# a reload by `serve` accept exactly the same configurations. The real
# `rolegate serve` is reloaded (SIGHUP) with an empty file, a truncated one,
# one with a URI libldap does not parse (ldsp://) and one whose key file is
# group-readable: each is refused (the old configuration keeps answering,
# the log says so at LOG_ERR's wording) and `check` refuses each too. Then
# the CLI's runtime errors: explain and test against a directory that
# refuses or drops connections exit 2 with one line on stderr, never 141
# (SIGPIPE).
#
# usage: reload.sh ROLEGATE
set -euo pipefail
RG=$(realpath "$1")
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
. "$(dirname "$0")/../lib/serve.sh"
serve_test_init rolegate-validate

SOCK=$T/rg.sock
good() {
	cat <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; } ); };
roles = {
  ops = { groups = ["ops"]; allow = ["*"]; };
};
plugin = { state = "$T/state"; };
audit = { path = "$T/decisions.log"; sync = "none"; };
CONF
}
good >"$T/rg.conf"
"$RG" check -c "$T/rg.conf" >/dev/null || fail "the good config does not pass check"

serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$SOCK"

allowed() {
	local r
	r=$(curl -s --max-time 10 --unix-socket "$SOCK" -X POST \
		-d '{"User":"alice","UserAuthNMethod":"TLS","RequestMethod":"GET","RequestUri":"/v1.41/containers/json"}' \
		http://plugin/AuthZPlugin.AuthZReq)
	grep -q '"Allow": *true' <<<"$r" || fail "$1: alice is not allowed: $r"
}
allowed "before any reload"

# reload_refused NAME WHAT: $T/rg.conf holds a bad config; check refuses it,
# and so does serve on SIGHUP, keeping the old one.
n=0
reload_refused() {
	local out rc=0
	out=$("$RG" check -c "$T/rg.conf" 2>&1) || rc=$?
	[ "$rc" = 1 ] || fail "$1: check exited $rc, expected 1: $out"
	grep -qF "$2" <<<"$out" || fail "$1: check does not say '$2': $out"
	n=$((n + 1))
	kill -HUP "$SERVE"
	for _ in $(seq 100); do
		[ "$(grep -c 'failed; the previous configuration stays in force' "$T/serve.log")" -ge "$n" ] && break
		sleep 0.05
	done
	[ "$(grep -c 'failed; the previous configuration stays in force' "$T/serve.log")" -ge "$n" ] ||
		{ cat "$T/serve.log" >&2; fail "$1: serve did not refuse the reload"; }
	grep -qF "$2" "$T/serve.log" || fail "$1: serve's log does not say '$2'"
	allowed "$1: after the refused reload"
	ok "$1: refused by check (exit 1) and by the reload; the old configuration answers"
}

: >"$T/rg.conf"
reload_refused "an empty file" "no roles are defined"
good | head -c 40 >"$T/rg.conf"
reload_refused "a truncated file" "syntax error"
good | sed 's/^identity = .*/identity = { ldap = { uri = "ldap:\/\/127.0.0.1 ldsp:\/\/127.0.0.1"; user_base = "dc=x"; group_base = "dc=x"; cache_file = ""; }; };/' >"$T/rg.conf"
reload_refused "an ldsp:// URI" "'ldsp://127.0.0.1' is not an LDAP URI"
head -c 32 /dev/urandom | base64 >"$T/audit.key"
chmod 640 "$T/audit.key"
good | sed "s|sync = \"none\";|sync = \"none\"; key_file = \"$T/audit.key\";|" >"$T/rg.conf"
reload_refused "a group-readable key file" "group or others have access to it"
chmod 600 "$T/audit.key"
out=$("$RG" check -c "$T/rg.conf" 2>&1) || fail "check refuses the fixed key file: $out"
ok "the same key file with mode 0600 passes check"
good | sed "s|sync = \"none\";|sync = \"none\"; key_file = \"$T/no-such.key\";|" >"$T/rg.conf"
rc=0; out=$("$RG" check -c "$T/rg.conf" 2>&1) || rc=$?
[ "$rc" = 2 ] || fail "an unreadable key file: check exited $rc, expected 2: $out"
out=$("$RG" check --offline -c "$T/rg.conf" 2>&1) || fail "check --offline reads the key file: $out"
ok "an unreadable key file is exit 2; --offline does not read it"

# serve at start refuses what check refuses
good | sed 's/^identity = .*/identity = { ldap = { uri = "ldsp:\/\/127.0.0.1"; user_base = "dc=x"; group_base = "dc=x"; cache_file = ""; }; };/' >"$T/ldsp.conf"
rc=0; "$RG" serve -c "$T/ldsp.conf" --socket "$T/other.sock" --stderr 2>"$T/start.log" </dev/null || rc=$?
[ "$rc" = 1 ] || fail "serve started with an ldsp:// URI (exit $rc)"
grep -q "is not an LDAP URI" "$T/start.log" || fail "serve's start message: $(cat "$T/start.log")"
ok "serve refuses to start with the ldsp:// URI check refuses"

good >"$T/rg.conf"
kill -HUP "$SERVE"
for _ in $(seq 100); do grep -q "reloaded $T/rg.conf" "$T/serve.log" && break; sleep 0.05; done
grep -q "reloaded $T/rg.conf" "$T/serve.log" || fail "the good config did not reload"
allowed "after a good reload"
ok "a good configuration reloads"

# The CLI against a directory that refuses connections, and one that
# accepts and drops them: one line on stderr, exit 2, never SIGPIPE (141).
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(64); print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    c.close()
' >"$T/drop.port" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$T/drop.port" ] && break; sleep 0.05; done
DROP=$(head -1 "$T/drop.port")
for uri in "ldap://127.0.0.1:$PORT" "ldap://127.0.0.1:$DROP"; do
	cat >"$T/ldap.conf" <<CONF
identity = { ldap = { uri = "$uri"; user_base = "dc=x"; group_base = "dc=x"; timeout_ms = 500; cache_file = ""; }; };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
CONF
	rc=0
	"$RG" explain -c "$T/ldap.conf" --user bob GET /v1.41/containers/json >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" = 2 ] || fail "explain with $uri: exit $rc (expected 2): $(cat "$T/err")"
	[ "$(wc -l <"$T/err")" = 1 ] || fail "explain with $uri: stderr is not one line: $(cat "$T/err")"
	grep -q "directory (LDAP)" "$T/err" || fail "explain with $uri: $(cat "$T/err")"
	echo 'bob GET /v1.41/containers/json => deny' >"$T/cases"
	rc=0
	"$RG" test -c "$T/ldap.conf" "$T/cases" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" = 2 ] || fail "test with $uri: exit $rc (expected 2): $(cat "$T/err")"
	grep -q "directory (LDAP)" "$T/err" || fail "test with $uri: $(cat "$T/err")"
	ok "explain and test with $uri: exit 2, one line naming the directory"
done

kill -TERM "$SERVE"
wait "$SERVE" || fail "serve did not exit 0"
PIDS=("${PIDS[@]:1}")
echo "all passed"
