#!/bin/bash
# Checkpoints (SPEC.md §3 audit.checkpoint, §6) through a real rsyslogd on a
# private /dev/log: the test runs in its own mount namespace with a private
# /dev, so it never touches the host's syslog. Every audit.checkpoint seconds
# `rolegate serve` sends "rolegate checkpoint host=H seq=N hash=HEX" at
# authpriv.info, also with audit.syslog = false; the checkpoint read back
# from rsyslog's file anchors `log verify --anchor`, which then catches a log
# cut back with its head file removed (what root with the key could do). A
# checkpoint never names a record past the log, also after kill -9 under
# load. Before rsyslogd runs (no /dev/log), warnings of `serve --syslog`
# still reach stderr.
if [ -z "${RG_IN_NS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: a private mount namespace needs root"; exit 77; }
	command -v unshare >/dev/null || { echo "SKIP: no unshare"; exit 77; }
	exec unshare -m --propagation private env RG_IN_NS=1 "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
at_setup "$@"
command -v rsyslogd >/dev/null || { echo "SKIP: rsyslogd is not installed"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }

# A private /dev: the device nodes the programs need, and room for /dev/log.
mkdir "$AT/dev"
mount -t tmpfs -o mode=755 tmpfs "$AT/dev"
for n in null zero random urandom full; do
	touch "$AT/dev/$n" && mount --bind "/dev/$n" "$AT/dev/$n"
done
ln -s /proc/self/fd "$AT/dev/fd"
mount --rbind "$AT/dev" /dev
# Undone in this namespace only, before the temp dir goes.
at_mount /dev
at_mount "$AT/dev"
[ ! -e /dev/log ] && pass "a private /dev without /dev/log" || fail "/dev/log is still there"

# --- no /dev/log: warnings of serve --syslog reach stderr ---
at_conf w 'sync = "batch";'
sed -i 's|^plugin = { \(.*\) };$|plugin = { \1 max_body = 1024; };|' "$AT/w.conf"
: >"$AT/ready"
"$RG" serve -c "$AT/w.conf" --socket "$AT/w.sock" --ready-fd 3 --syslog 3>"$AT/ready" \
	2>"$AT/w.err" </dev/null &
WPID=$!
at_track "$WPID"
wait_for 10 test -s "$AT/ready" || fail "serve --syslog did not become ready"
head -c 1500000 /dev/zero | tr '\0' 'z' >"$AT/big"
curl -s --max-time 20 --unix-socket "$AT/w.sock" -X POST --data-binary "@$AT/big" \
	http://plugin/AuthZPlugin.AuthZReq >/dev/null
warned() { grep -q "was not read (recorded)" "$AT/w.err"; }
wait_for 10 warned && pass "without /dev/log, a warning of serve --syslog reached stderr" ||
	fail "the warning was lost (no /dev/log, nothing on stderr)"
kill -TERM "$WPID"; wait "$WPID"

# --- rsyslogd owning the private /dev/log, writing authpriv to a file ---
mkdir -p "$AT/rs"
cat >"$AT/rs.conf" <<EOF2
global(workDirectory="$AT/rs" maxMessageSize="64k")
module(load="imuxsock" SysSock.Name="/dev/log" SysSock.RateLimit.Interval="0")
template(name="line" type="string" string="%syslogfacility-text%.%syslogseverity-text% %programname% %msg:2:\$%\n")
authpriv.* action(type="omfile" file="$AT/central.log" template="line")
EOF2
rsyslogd -n -f "$AT/rs.conf" -i "$AT/rs.pid" >"$AT/rs.out" 2>&1 &
at_track $!
devlog() { [ -S /dev/log ]; }
wait_for 10 devlog || { cat "$AT/rs.out"; fail "rsyslogd did not create /dev/log"; at_finish; }
logger -p authpriv.info -t rolegate-probe "probe $$"
probe() { grep -q "probe $$" "$AT/central.log" 2>/dev/null; }
wait_for 10 probe && pass "rsyslogd writes authpriv to its file" || { fail "the probe did not arrive"; at_finish; }

# The newest checkpoint line in the central file (for host H), as SEQ:HASH.
last_checkpoint() {
	grep '^authpriv.info rolegate rolegate checkpoint ' "$AT/central.log" |
		sed -n 's/.* host=\([^ ]*\) seq=\([0-9]*\) hash=\([0-9a-f]*\)$/\2:\3/p' | tail -n 1
}

# --- serve with audit.syslog = false: checkpoints still go to syslog ---
at_conf c 'sync = "batch"; syslog = false; checkpoint = 1;'
LOG=$AT/c/decisions.log
start_serve "$AT/c.conf" "$AT/c.sock" || { fail "serve did not start"; at_finish; }
for i in $(seq 1 20); do authz "$AT/c.sock" alice "/v1.41/containers/json?i=$i" >/dev/null; done
at20() { [ "$(last_checkpoint | cut -d: -f1)" = 20 ]; }
wait_for 10 at20 && pass "a checkpoint naming seq 20 arrived (syslog = false)" ||
	fail "no checkpoint naming seq 20: $(last_checkpoint)"
check 0 "the checkpoint line has the documented form" \
	grep -Eq "^authpriv.info rolegate rolegate checkpoint host=$(hostname) seq=20 hash=[0-9a-f]{64}\$" "$AT/central.log"
same "$(grep -c '"phase":"request"' "$AT/central.log")" 0 "no records went to syslog (syslog = false)"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"

ANCHOR=$(last_checkpoint)
check 0 "verify --anchor with the checkpoint read from rsyslog's file" \
	"$RG" log verify -c "$AT/c.conf" --anchor "$ANCHOR"
has "anchor: seq 20 found"
# Root with the key cuts the log back and removes (or rewrites) the head file.
head -n 12 "$LOG" >"$LOG.cut" && mv "$LOG.cut" "$LOG" && rm -f "$LOG.head"
check 0 "(cut back to 12 records with its head removed, verify alone passes)" "$RG" log verify -c "$AT/c.conf"
check 1 "the off-host checkpoint catches it" "$RG" log verify -c "$AT/c.conf" --anchor "$ANCHOR"
has "the log ends at seq 12, before the record the anchor names"

# --- records and checkpoints together, and kill -9 under load ---
at_conf k 'sync = "batch"; syslog = true; checkpoint = 1;'
KLOG=$AT/k/decisions.log
: >"$AT/central.log"
"$LOAD" "$AT/k.conf" 2 100000 200 >/dev/null 2>&1 &
KPID=$!
at_track "$KPID"
two() { [ "$(grep -c "checkpoint host=$(hostname) seq=" "$AT/central.log")" -ge 2 ]; }
wait_for 20 two && pass "checkpoints arrive while records are written" || fail "fewer than 2 checkpoints"
kill -KILL "$KPID"; wait "$KPID" 2>/dev/null
ANCHOR=$(last_checkpoint)
# (syslog(3) is sent after the write: kill -9 may fall between the two)
SENT=$(grep -c '^authpriv.info rolegate {"seq":' "$AT/central.log")
[ "$SENT" -ge $(( $(grep -c . "$KLOG") - 4 )) ] && pass "the records went to syslog too ($SENT)" ||
	fail "only $SENT of $(grep -c . "$KLOG") records went to syslog"
check 0 "after kill -9 the last checkpoint ($ANCHOR) names a record in the log" \
	"$RG" log verify -c "$AT/k.conf" --anchor "$ANCHOR"
has "anchor: seq ${ANCHOR%%:*} found"
at_finish
