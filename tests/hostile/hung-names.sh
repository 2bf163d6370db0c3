#!/usr/bin/env bash
# One hung filesystem must not take every path helper (red team round 16,
# avail16). On an NFS hard mount whose server went away the root's
# attributes answer from the cache and each name under it is a lookup of
# its own that hangs (lookuphang.c plays it). Before: a stuck lookup barred
# only its own path and those under it, so alice's creates binding 16
# distinct names under that one mount stuck all 16 helpers (in 8 s), and
# from then on every other user's path on any other filesystem that is not
# local by the mount table (here a fusectl mount, which answers) was
# refused, "cannot be examined", for as long as the mount hung. Now a stuck
# lookup bars its whole mount: alice's names cost one helper per concurrent
# call, and bob's create on the healthy mount is allowed.
#
# usage: hung-names.sh ROLEGATE LOOKUPHANG
set -euo pipefail
RG=$(realpath "$1")
HANG=$(realpath "$2")
. "$(dirname "$0")/../lib/serve.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (mount)"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
serve_test_init rolegate-hung-names
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
P=$T/projects
mkdir -p "$P/nfs" "$P/net"
mount -t fusectl none "$P/net" 2>"$T/fusectl.err" || { echo "SKIP: cannot mount fusectl: $(cat "$T/fusectl.err")"; exit 77; }
"$HANG" "$P/nfs" >"$T/hang.out" 2>&1 &
HPID=$!
trap 'kill $HPID 2>/dev/null || true; wait $HPID 2>/dev/null || true; umount -l "$P/net" 2>/dev/null || true; serve_test_cleanup' EXIT
for _ in $(seq 50); do grep -q ready "$T/hang.out" 2>/dev/null && break; kill -0 $HPID 2>/dev/null || break; sleep 0.1; done
if ! grep -q ready "$T/hang.out"; then
	wait $HPID && rc=0 || rc=$?
	[ "$rc" = 77 ] && { echo "SKIP: FUSE is not available: $(cat "$T/hang.out")"; exit 77; }
	fail "lookuphang did not mount: $(cat "$T/hang.out")"
fi

cat >"$T/rg.conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["dev"]; }, { name = "bob"; groups = ["dev"]; } ); };
roles = { dev = { groups = ["dev"]; allow = ["*"]; constraints = { bind_mounts = ["$P"]; }; }; };
audit = { path = "$T/decisions.log"; sync = "none"; };
plugin = { state = "$T/state"; threads = 4; };
CONF
b64() { printf '%s' "$1" | base64 -w0; }
create() { # USER HOST-PATH
	printf '{"User":"%s","UserAuthNMethod":"TLS","RequestMethod":"POST","RequestUri":"/v1.41/containers/create","RequestBody":"%s","RequestHeaders":{"Content-Type":"application/json"}}' \
		"$1" "$(b64 "{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"$2:/data\"]}}")"
}
call() { curl -s -m 20 --unix-socket "$T/rg.sock" -d "$2" "http://plugin/AuthZPlugin.$1"; }

serve_start "$T/ready" "$T/serve.log" -c "$T/rg.conf" --socket "$T/rg.sock"
call AuthZReq "$(create bob "$P/net")" | grep -q '"Allow": *true' || fail "bob's create on the healthy mount, before"
ok "before: bob's create on the healthy non-local mount allowed"

# alice: 20 distinct names under the hung mount, 4 at a time
for i in $(seq 20); do
	call AuthZReq "$(create alice "$P/nfs/a$i")" >"$T/alice.$i" &
	PIDS+=($!)
	[ $((i % 4)) = 0 ] && { for p in "${PIDS[@]}"; do [ "$p" = "$SERVE" ] || wait "$p" || true; done; PIDS=("$SERVE"); }
done
for i in $(seq 20); do
	grep -q '"Allow": *false' "$T/alice.$i" || fail "alice's create $i on the hung mount: $(cat "$T/alice.$i")"
done
ok "alice's 20 creates on the hung mount refused"

for i in 1 2 3; do
	ans=$(call AuthZReq "$(create bob "$P/net")")
	grep -q '"Allow": *true' <<<"$ans" ||
		fail "bob's create on the healthy mount refused after alice's names took the helpers: $ans"
done
ok "after: bob's create on the healthy non-local mount still allowed"

# a lookup that the FUSE daemon read and never answers holds its thread
# past SIGKILL (the kernel waits for the answer): the main thread ends, the
# process stays a zombie until the mount goes (as on a frozen disk)
kill -TERM "$SERVE"
ended() { [ ! -e "/proc/$SERVE/status" ] || grep -q '^State:.*Z' "/proc/$SERVE/status" 2>/dev/null; }
for _ in $(seq 100); do ended && break; sleep 0.1; done
ended || fail "serve's main thread still runs 10 s after SIGTERM"
kill $HPID
wait $HPID || true
wait "$SERVE" || true
PIDS=()
ok "SIGTERM ends serve's main thread; the rest once the mount goes"
echo "all passed"
