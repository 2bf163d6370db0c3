#!/usr/bin/env bash
# The LDAP answer cache (cache_file) on a filesystem that freezes (fsfreeze
# on a loop-device ext4; red team round 14). serve saved it at exit in its
# main thread (mkdir(2) of its directory, mkstemp, fsync, rename: each
# sleeps until the thaw), after joining the cache writer without a bound:
# SIGTERM left serve running, and a restart waiting, for as long as the
# freeze lasted. Now the writer makes the last save itself and is waited for
# 5 s at most: SIGTERM ends serve's main thread within 15 s (root).
#
# usage: frozen-cache.sh DIRLOOKUP ROLEGATE
ROLEGATE=$2
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../lib/frozen.sh"
frozen_require losetup mkfs.ext4 fsfreeze curl
# serve stops without the cache writer still in the frozen filesystem, nor
# what it may touch: under ASan, LeakSanitizer would stop every thread at
# exit (ptrace), and that one never stops while asleep there
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
unmount() {
	frozen_thaw_quietly
	# serve (still in the frozen filesystem before the thaw) ends first
	[ -n "${SERVE:-}" ] && { kill -9 "$SERVE" 2>/dev/null || true; wait "$SERVE" 2>/dev/null || true; }
	frozen_unmount
}
trap 'rc=$?; unmount; cleanup; exit $rc' EXIT
frozen_mount

slapd_init main
slapd_start main
SOCK=$T/rg.sock
rg_conf "$T/rg.conf" "$(slapd_url main)" "cache_file = \"$T/mnt/cache/ldap.cache\";"
cat >>"$T/rg.conf" <<CONF
plugin = { state = "$T/state"; };
audit = { path = "$T/decisions.log"; sync = "none"; };
CONF
rg_serve "$T/rg.conf" "$SOCK"
call() {
	curl -s --max-time 20 --unix-socket "$SOCK" -X POST \
		-d "{\"User\":\"$1\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"GET\",\"RequestUri\":\"/v1.41/containers/json\"}" \
		http://plugin/AuthZPlugin.AuthZReq
}
call alice | grep -q '"Allow": *true' || fail "alice's read before the freeze"
sync
frozen_freeze
# a new answer the cache has to keep, then a stop while it cannot
call bob >/dev/null || true
kill -TERM "$SERVE"
# ended: gone, or a zombie kept by its threads still in the frozen
# filesystem (a main thread asleep there shows D, not ended)
ended() { [ ! -e "/proc/$SERVE/status" ] || grep -q '^State:.*Z' "/proc/$SERVE/status" 2>/dev/null; }
for _ in $(seq 150); do
	ended && break
	sleep 0.1
done
ended ||
	fail "frozen cache_file: serve's main thread still runs 15 s after SIGTERM: $(tail -3 "$T/serve.log")"
ok "frozen cache_file: SIGTERM ends serve's main thread"
frozen_thaw
wait "$SERVE" || fail "serve exited $? after the thaw: $(tail -3 "$T/serve.log")"
SERVE=""
ok "thawed: serve exited 0"
echo "all passed"
