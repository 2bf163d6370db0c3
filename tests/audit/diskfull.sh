#!/bin/bash
# A full disk under `rolegate serve`: the log lives on a 64 KiB tmpfs and is
# filled by the requests themselves. With on_error = "deny" the first request
# whose record cannot be written is denied with a message that says why, no
# half record is left in the file, and serving resumes by itself once space
# is freed. With on_error = "allow" (after a SIGHUP reload) requests pass
# unrecorded while the disk is full. The chain verifies throughout.
. "$(dirname "$0")/lib.sh"
at_setup "$@"
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
at_tmpfs "$AT/full" 64k

at_conf d 'sync = "batch"; on_error = "deny";'
sed -i "s|$AT/d/decisions.log|$AT/full/decisions.log|" "$AT/d.conf"
LOG=$AT/full/decisions.log
SOCK=$AT/d.sock
dd if=/dev/zero of="$AT/full/reserve" bs=1k count=16 status=none
start_serve "$AT/d.conf" "$SOCK" || { fail "serve did not start"; at_finish; }

allowed() { printf '%s\n' "$1" | grep -q '"Allow": *true'; }

# Fill the disk with decisions until one cannot be recorded.
N=0
while [ $N -lt 2000 ]; do
	N=$((N + 1))
	A=$(authz "$SOCK" alice "/v1.41/containers/json?n=$N")
	allowed "$A" || break
done
[ $N -gt 20 ] && [ $N -lt 2000 ] && pass "the disk filled up after $((N - 1)) recorded decisions" ||
	fail "the disk did not fill up as expected (N=$N)"
OUT=$A
has '"Allow":false'
has "cannot be recorded in the audit log"
has 'audit.on_error = \"deny\"'
OUT=$(authz "$SOCK" alice "/v1.41/containers/json?again")
allowed "$OUT" && fail "a second request while full must be denied too" || pass "still denied while the disk is full"
has "cannot be recorded"
OUT=$(cat "$AT/serve.log")
has "cannot write or flush the audit log"
same "$(tail -c 1 "$LOG" | od -An -c | tr -d ' ')" '\n' "the log ends with a complete line (no half record)"
check 0 "verify while full" "$RG" log verify --file "$LOG"
has "$((N - 1)) records checked, chain intact"
same "$(grep -c "containers/json?n=$N\"" "$LOG")" 0 "the denied request left no record"

# Space returns: serving resumes by itself.
rm "$AT/full/reserve"
OUT=$(authz "$SOCK" alice "/v1.41/containers/json?after=free")
allowed "$OUT" && pass "allowed again once space was freed" || fail "still denied after freeing space"
same "$(tail -n 1 "$LOG" | grep -c 'after=free')" 1 "and recorded"
same "$(tail -n 1 "$LOG" | sed -n 's/^{"seq":\([0-9]*\),.*/\1/p')" "$N" "seq has no gap"
check 0 "verify after recovery" "$RG" log verify --file "$LOG"
has "$N records checked, chain intact"

# on_error = "allow": requests pass, unrecorded, while the disk is full.
dd if=/dev/zero of="$AT/full/filler" bs=1k count=1000 status=none 2>/dev/null
sed -i 's/on_error = "deny";/on_error = "allow";/' "$AT/d.conf"
kill -HUP "$SERVE_PID"
reloaded() { grep -q "reloaded" "$AT/serve.log"; }
wait_for 10 reloaded || fail "serve did not reload"
# (the log's last tmpfs page may still have room for a record or two)
ALL_ALLOWED=1
UNRECORDED=
for i in $(seq 1 50); do
	OUT=$(authz "$SOCK" alice "/v1.41/containers/json?unrecorded=$i")
	allowed "$OUT" || ALL_ALLOWED=0
	if ! grep -q "unrecorded=$i\"" "$LOG"; then UNRECORDED=$i; break; fi
done
same "$ALL_ALLOWED" 1 "on_error=allow: allowed while full"
[ -n "$UNRECORDED" ] && pass "on_error=allow: request $UNRECORDED passed unrecorded" ||
	fail "on_error=allow: every request was recorded: the disk never filled"
OUT=$(authz "$SOCK" mallory "/v1.41/containers/json")
allowed "$OUT" && fail "on_error=allow must not turn a deny into an allow" || pass "a deny stays a deny"
rm "$AT/full/filler"
OUT=$(authz "$SOCK" alice "/v1.41/containers/json?last")
allowed "$OUT" && pass "allowed and recorded after freeing space" || fail "after freeing space"
same "$(tail -n 1 "$LOG" | grep -c 'json?last')" 1 "recorded again"
check 0 "verify at the end" "$RG" log verify --file "$LOG"
has "$(wc -l <"$LOG") records checked, chain intact"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"

at_finish
