#!/usr/bin/env bash
# Checkpoints (audit.checkpoint, SPEC §6) keep their pace when the wall clock
# jumps (docs/availability-round8.md). clockjump.so makes serve's wall clock
# read a day early, then jump forward. Before the fix the checkpointer waited
# for wall-clock deadlines: it sent a day's checkpoints back to back (51 060
# syslog lines in 4 s with checkpoint = 1, a busy thread), and a clock set
# back would have sent none for as long. Now about one a second.
#
# usage: clockjump.sh ROLEGATE   (RG_CLOCKJUMP_LIB = clockjump.so)
set -euo pipefail
RG=$(realpath "$1")
. "$(dirname "$0")/../lib/serve.sh"
serve_test_init rolegate-clockjump
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
[ -n "${RG_CLOCKJUMP_LIB:-}" ] || fail "RG_CLOCKJUMP_LIB is not set"
# The shim is not built with the sanitizers; let ASan accept it ahead of its runtime.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

cat >"$T/rg.conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; } ); };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$T/decisions.log"; sync = "batch"; checkpoint = 1; };
plugin = { state = "$T/state"; };
CONF
touch "$T/behind"
export RG_CLOCK_BEHIND=$T/behind RG_CHECKPOINTS=$T/checkpoints
LD_PRELOAD=$RG_CLOCKJUMP_LIB serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
curl -s -m 5 --unix-socket "$T/rg.sock" -d '{"User":"alice","UserAuthNMethod":"TLS","RequestMethod":"GET","RequestUri":"/v1.41/containers/json"}' \
	http://plugin/AuthZPlugin.AuthZReq | grep -q '"Allow": *true' || fail "the call was not allowed"
sleep 1.5
rm "$T/behind"          # the wall clock jumps a day forward
sleep 2.5
kill -TERM "$SERVE"
wait "$SERVE" || fail "serve did not exit 0"
n=$(wc -l <"$T/checkpoints" 2>/dev/null || echo 0)
[ "$n" -ge 2 ] || fail "only $n checkpoints in 4 s with checkpoint = 1"
[ "$n" -le 10 ] || fail "$n checkpoints in 4 s with checkpoint = 1 (a burst after the clock jump)"
ok "wall clock a day forward: $n checkpoints in 4 s (checkpoint = 1)"
echo "all passed"
