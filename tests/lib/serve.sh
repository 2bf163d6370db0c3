# shellcheck shell=bash
# tests/lib/serve.sh — for the scripts that drive the real `rolegate serve`
# on its own socket, without dockerd (sourced, bash, after `set -euo
# pipefail` and RG=path of the rolegate executable).
#
#   . "$(dirname "$0")/../lib/serve.sh"
#   serve_test_init rolegate-NAME   # T, PIDS, fail, ok and the EXIT trap
#   serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
#   kill -HUP "$SERVE"
#
# serve_test_init PREFIX: T is a new private directory /tmp/PREFIX.XXXXXX;
#   every pid added to PIDS is killed and waited for on exit, then T is
#   removed. fail MESSAGE exits 1 saying so; ok MESSAGE prints "ok - ...".
# serve_start [--nofile SOFT HARD] READY LOG SERVE-ARG...: starts `rolegate
#   serve SERVE-ARG... --ready-fd 3 --stderr` (under those open-file limits),
#   its stderr appended to LOG, and waits up to 10 s for its readiness byte
#   in READY; sets SERVE to its pid and adds it to PIDS. Fails (showing LOG)
#   when serve exits or is not ready in time.

serve_test_init() {
	T=$(mktemp -d "/tmp/$1.XXXXXX")
	PIDS=()
	trap serve_test_cleanup EXIT
}

serve_test_cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	rm -rf "$T"
}

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

serve_start() {
	local soft="" hard="" ready log
	if [ "$1" = --nofile ]; then
		soft=$2 hard=$3
		shift 3
	fi
	ready=$1 log=$2
	shift 2
	: >"$ready"
	(
		if [ -n "$soft" ]; then
			ulimit -Sn "$soft"
			ulimit -Hn "$hard"
		fi
		exec "$RG" serve "$@" --ready-fd 3 --stderr 3>"$ready" 2>>"$log" </dev/null
	) &
	SERVE=$!
	PIDS+=("$SERVE")
	for _ in $(seq 100); do
		[ -s "$ready" ] && return 0
		kill -0 "$SERVE" 2>/dev/null || break
		sleep 0.1
	done
	cat "$log" >&2
	fail "serve did not become ready ($*)"
}
