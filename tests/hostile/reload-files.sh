#!/usr/bin/env bash
# A reload never takes serve down (docs/availability-round8.md): SIGHUP
# while the configuration path names
#
#  1. a FIFO: before the fix the main thread blocked in open(2) for good,
#     so no later SIGHUP or SIGTERM was ever handled (systemctl stop hung
#     until SIGKILL);
#  2. /dev/zero (a symlink to it): before the fix the reload read it until
#     the OOM killer came (about 200 MB a second);
#
# each reload is refused with "not a regular file", the old configuration
# stays in force (calls answered allow), RSS stays small, and SIGTERM
# still ends serve with status 0.
#
# usage: reload-files.sh ROLEGATE
set -euo pipefail
RG=$(realpath "$1")
. "$(dirname "$0")/../lib/serve.sh"
serve_test_init rolegate-reload-files
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }

cat >"$T/good.conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; } ); };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$T/decisions.log"; sync = "none"; };
plugin = { state = "$T/state"; };
CONF
cp "$T/good.conf" "$T/rg.conf"

allowed() {
	curl -s -m 5 --unix-socket "$T/rg.sock" -d '{"User":"alice","UserAuthNMethod":"TLS","RequestMethod":"GET","RequestUri":"/v1.41/containers/json"}' \
		http://plugin/AuthZPlugin.AuthZReq | grep -q '"Allow": *true'
}
# reloaded_or_refused N: waits until the log has more than N reload lines
reloads() { grep -c -e 'reloaded ' -e 'reload of .* failed' "$T/serve.log" || true; }
wait_reload() {
	for _ in $(seq 50); do
		[ "$(reloads)" -gt "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
# a serve stuck on the FIFO (a build without the fix) handles no SIGTERM
trap 'kill -9 "$SERVE" 2>/dev/null || true; serve_test_cleanup' EXIT
allowed || fail "the first call was not allowed"

rm "$T/rg.conf"
mkfifo "$T/rg.conf"
n=$(reloads)
kill -HUP "$SERVE"
wait_reload "$n" || fail "FIFO: the reload never finished (the main thread is blocked): $(tail -2 "$T/serve.log")"
grep -q "cannot read the file: not a regular file" "$T/serve.log" || fail "FIFO: no reason logged"
allowed || fail "FIFO: the old configuration is not in force"
ok "a FIFO at the configuration path: reload refused at once, old configuration in force"

rm "$T/rg.conf"
ln -s /dev/zero "$T/rg.conf"
n=$(reloads)
kill -HUP "$SERVE"
wait_reload "$n" || fail "/dev/zero: the reload never finished: $(tail -2 "$T/serve.log")"
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$SERVE/status")
[ "$rss" -lt 102400 ] || fail "/dev/zero: RSS is $rss kB"
allowed || fail "/dev/zero: the old configuration is not in force"
ok "/dev/zero at the configuration path: reload refused, RSS $rss kB"

rm "$T/rg.conf"
cp "$T/good.conf" "$T/rg.conf"
n=$(reloads)
kill -HUP "$SERVE"
wait_reload "$n" || fail "the good configuration was not reloaded"
grep -q "reloaded $T/rg.conf" "$T/serve.log" || fail "no 'reloaded' line"
kill -TERM "$SERVE"
for _ in $(seq 50); do kill -0 "$SERVE" 2>/dev/null || break; sleep 0.1; done
kill -0 "$SERVE" 2>/dev/null && fail "serve did not stop within 5 s of SIGTERM"
wait "$SERVE" || fail "serve did not exit 0"
ok "a good configuration reloads again, and SIGTERM ends serve with status 0"
echo "all passed"
