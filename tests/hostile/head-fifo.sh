#!/usr/bin/env bash
# A FIFO planted at the audit head file's temporary name (PATH.head.tmp)
# never keeps serve from stopping (docs/availability-round8.md). Before the
# fix the head thread blocked in open(2) on it for good, and SIGTERM then
# waited for that thread: serve never exited. Now the leftover is removed
# and a fresh file made; the head still names the newest record.
#
# usage: head-fifo.sh ROLEGATE
set -euo pipefail
RG=$(realpath "$1")
. "$(dirname "$0")/../lib/serve.sh"
serve_test_init rolegate-head-fifo
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }

cat >"$T/rg.conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; } ); };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$T/decisions.log"; sync = "batch"; };
plugin = { state = "$T/state"; };
CONF
call() {
	curl -s -m 5 --unix-socket "$T/rg.sock" -d '{"User":"alice","UserAuthNMethod":"TLS","RequestMethod":"GET","RequestUri":"/v1.41/containers/json"}' \
		http://plugin/AuthZPlugin.AuthZReq | grep -q '"Allow": *true'
}

serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
trap 'kill -9 "$SERVE" 2>/dev/null || true; serve_test_cleanup' EXIT
call || fail "the first call was not allowed"
sleep 0.2
mkfifo "$T/decisions.log.head.tmp"
for _ in 1 2 3; do call || fail "a call after the FIFO was not allowed"; done
sleep 0.2
kill -TERM "$SERVE"
for _ in $(seq 50); do kill -0 "$SERVE" 2>/dev/null || break; sleep 0.1; done
kill -0 "$SERVE" 2>/dev/null && fail "serve did not stop within 5 s of SIGTERM (the head thread is stuck)"
wait "$SERVE" || fail "serve did not exit 0"
[ -p "$T/decisions.log.head.tmp" ] && fail "the FIFO is still there"
"$RG" log verify -c "$T/rg.conf" >/dev/null || fail "log verify failed: $("$RG" log verify -c "$T/rg.conf" 2>&1)"
ok "a FIFO at PATH.head.tmp: replaced, the head kept up to date, SIGTERM exits 0"
echo "all passed"
