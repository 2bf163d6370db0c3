#!/usr/bin/env bash
# One user's flood of copying creates must not leave another user's creates
# unowned (red team round 16, avail16). Each copying create scans /proc/*/
# cgroup for the recorded containers that mount its volume (runs.c), under
# the ownership state's read lock; an answer that records a create waits
# RG_IOLANE_MS (5 s) at most for the write lock, then leaves the object
# unowned. With glibc's readers-first lock, alice's overlapping scans (1 000
# watched containers, a few thousand host processes: ~250 ms each) kept the
# write lock from bob for good: his create's answer took 5 s and his
# container was unowned, his own start refused. Now writers go first.
#
# Here: 1 000 recorded containers mount "vol", SLEEPERS extra processes,
# 3 connections of alice's copying creates for 25 s; bob creates and starts
# 4 containers meanwhile: each start is allowed (his create was recorded)
# and serve never says "cannot record".
#
# usage: copyup-flood.sh ROLEGATE
set -euo pipefail
RG=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/serve.sh"
serve_test_init rolegate-copyup-flood
SLEEPERS=4000
command -v python3 >/dev/null || { echo "1..0 # SKIP python3"; exit 77; }
mkdir "$T/projects"
cat >"$T/rg.conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["dev"]; }, { name = "bob"; groups = ["dev"]; } ); };
roles = { developer = { groups = ["dev"]; allow = ["*"];
  constraints = { privileged = false; host_namespaces = false; devices = false;
    bind_mounts = ["$T/projects"]; cgroup_parent = false; }; }; };
audit = { path = "$T/decisions.log"; sync = "none"; };
plugin = { state = "$T/state"; threads = 4; };
CONF
# the sleepers: one process group of our own, ended by its leader's pid
setsid bash -c "for i in \$(seq $SLEEPERS); do sleep 600 & done; wait" </dev/null >/dev/null 2>&1 &
GROUP=$!
trap 'kill -- -"$GROUP" 2>/dev/null || true; serve_test_cleanup' EXIT
serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
for _ in $(seq 100); do
	[ "$(pgrep -c -g "$GROUP" 2>/dev/null || echo 0)" -ge "$SLEEPERS" ] && break
	sleep 0.2
done
python3 "$HERE/copyup-flood.py" "$T/rg.sock" 1000 3 25 4 >"$T/out" 2>"$T/err" ||
	fail "the flood's driver: $(tail -3 "$T/err")"
[ "$(grep -c '^bob ' "$T/out")" -eq 4 ] || fail "bob's rounds: $(cat "$T/out" "$T/err")"
grep -q "^bob [0-9]* deny" "$T/out" &&
	fail "bob's own containers unowned under alice's copy-up flood: $(tr '\n' ';' <"$T/out")"
grep -q "cannot record" "$T/serve.log" && fail "serve: $(grep "cannot record" "$T/serve.log" | head -2)"
ok "bob's 4 creates recorded beside alice's copying creates (answers in ms: $(awk '{ printf "%s ", $2 }' "$T/out"))"
echo "all passed"
