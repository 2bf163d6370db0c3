#!/usr/bin/env bash
# Memory for calls being received is bounded across connections (red team
# round 13). Each connection may send a call of up to call_max bytes (6.6 MB
# with the default max_body) and serve held every one whole until it was
# decided: 400 connections sending 1.4 MB calls (what dockerd sends for a
# 1 MiB body, its largest) took serve to 560 MB, and more connections to
# more, until the OOM killer chose a process, maybe dockerd. Now serve holds
# at most RG_CALLS_BUFFER_MAX (256 MiB) of calls at once: a call past it is
# not read, is recorded, and is denied as busy. Small calls are answered
# meanwhile, and every held call is answered.
#
# usage: call-budget.sh ROLEGATE
set -euo pipefail
RG=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/serve.sh"
serve_test_init rolegate-call-budget
CONNS=400
SIZE=1400000

cat >"$T/rg.conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; } ); };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$T/decisions.log"; sync = "none"; };
plugin = { state = "$T/state"; };
CONF
serve_start --nofile 1024 1024 "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
python3 "$HERE/bigcalls.py" "$T/rg.sock" "$CONNS" "$SIZE" 3 >"$T/big" 2>&1 &
big=$!
PIDS+=("$big")
for _ in $(seq 300); do grep -q '^sent' "$T/big" && break; sleep 0.1; done
grep -q '^sent' "$T/big" || fail "the $CONNS calls were not all sent in 30 s: $(cat "$T/big")"
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$SERVE/status")
python3 "$HERE/frozen-disk.py" "$T/rg.sock" 5 rd >"$T/small"
grep -q '^r [0-9.]* allow' "$T/small" && grep -q '^d [0-9.]* deny' "$T/small" ||
	fail "small calls while $CONNS large ones are held: $(tr '\n' ';' <"$T/small")"
wait "$big" || fail "bigcalls: $(cat "$T/big")"
# Under ASan, freed calls sit in its quarantine (256 MB by default) and every
# block has redzones: the peak says nothing of serve's own bound there.
if grep -q libasan <<<"$(ldd "$RG" 2>/dev/null)"; then
	ok "(ASan build: serve's peak of $((hwm / 1024)) MB not judged)"
else
	[ "$hwm" -lt 380000 ] || fail "serve held $((hwm / 1024)) MB for $CONNS calls of $SIZE bytes"
fi
ok "$CONNS calls of $SIZE bytes held: serve peaked at $((hwm / 1024)) MB; small calls answered"
read -r _ answered _ busy < <(grep '^answered' "$T/big")
[ "$answered" -eq "$CONNS" ] || fail "$answered of $CONNS held calls answered"
[ "$busy" -gt 0 ] || fail "no call was denied as busy"
grep -q 'calls in flight already hold 256 MiB' "$T/serve.log" || fail "no word of the busy calls: $(tail -3 "$T/serve.log")"
records=$(grep -c '"user":"mallory"' "$T/decisions.log" || true)
[ "$records" -eq $((CONNS + 1)) ] || fail "$records records of mallory's $((CONNS + 1)) calls"
ok "all $CONNS answered ($busy denied as busy), each recorded"
echo "all passed"
