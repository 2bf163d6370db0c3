#!/bin/bash
# audit.syslog: every record also goes to syslog(3) with facility authpriv,
# priority info, ident rolegate, as the real writer sends it to /dev/log.
# The test runs two real rsyslogd: a host one that owns /dev/log (only when
# nothing else does: otherwise skipped, exit 77) and forwards authpriv over
# TCP on loopback to a "central collector" rsyslogd, which writes what it
# receives to a file. Every record line must arrive there intact.
. "$(dirname "$0")/lib.sh"
at_setup "$@"
command -v rsyslogd >/dev/null || { echo "SKIP: rsyslogd is not installed"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP: owning /dev/log needs root"; exit 77; }
if [ -e /dev/log ]; then
	echo "SKIP: /dev/log already exists (a syslog daemon owns it); this test needs to own it"
	exit 77
fi
RSYSLOGD=$(command -v rsyslogd)

# Leave /dev/log as it was found: absent.
at_remove_devlog() { rm -f /dev/log; }
trap 'at_cleanup; at_remove_devlog' EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$AT/rs-collector" "$AT/rs-host"
cat >"$AT/collector.conf" <<EOF
global(workDirectory="$AT/rs-collector" maxMessageSize="64k")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$PORT")
template(name="line" type="string" string="%syslogfacility-text%.%syslogseverity-text% %programname% %msg:2:\$%\n")
action(type="omfile" file="$AT/collected.log" template="line")
EOF
cat >"$AT/host.conf" <<EOF
global(workDirectory="$AT/rs-host" maxMessageSize="64k")
module(load="imuxsock" SysSock.Name="/dev/log" SysSock.RateLimit.Interval="0")
authpriv.* action(type="omfwd" target="127.0.0.1" port="$PORT" protocol="tcp"
                  queue.type="LinkedList" action.resumeRetryCount="-1")
EOF

"$RSYSLOGD" -n -f "$AT/collector.conf" -i "$AT/collector.pid" >"$AT/collector.out" 2>&1 &
at_track $!
COLLECTOR=$!
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
wait_for 10 listening || { cat "$AT/collector.out"; fail "the collector rsyslogd did not listen on $PORT"; at_finish; }
"$RSYSLOGD" -n -f "$AT/host.conf" -i "$AT/host.pid" >"$AT/host.out" 2>&1 &
at_track $!
devlog() { [ -S /dev/log ]; }
wait_for 10 devlog || { cat "$AT/host.out"; fail "the host rsyslogd did not create /dev/log"; at_finish; }
# Both up: a probe through the whole path before the real thing.
logger -p authpriv.info -t rolegate-probe "probe $$"
probe() { grep -q "probe $$" "$AT/collected.log" 2>/dev/null; }
wait_for 10 probe && pass "rsyslog path /dev/log -> TCP 127.0.0.1:$PORT -> collector works" ||
	{ fail "the probe did not arrive"; at_finish; }

# The writer, from two threads, with audit.syslog.
at_conf s 'sync = "batch"; syslog = true;'
LOG=$AT/s/decisions.log
check 0 "writer with syslog = true: 2 threads x 100" "$LOAD" "$AT/s.conf" 2 100
arrived() { [ "$(grep -c '^authpriv.info rolegate ' "$AT/collected.log")" -ge 200 ]; }
wait_for 20 arrived && pass "200 records arrived at the collector" ||
	fail "$(grep -c '^authpriv.info rolegate ' "$AT/collected.log") of 200 records arrived"
check 0 "every record arrived intact, as authpriv.info from rolegate" python3 - "$LOG" "$AT/collected.log" <<'EOF'
import sys
logged = [l.rstrip("\n") for l in open(sys.argv[1])]
got = set()
for l in open(sys.argv[2]):
    if l.startswith("authpriv.info rolegate "):
        got.add(l.rstrip("\n").split(" ", 2)[2])
missing = [l for l in logged if l not in got]
print(f"{len(logged)} records in the log, {len(missing)} not received")
sys.exit(1 if missing or not logged else 0)
EOF
has "200 records in the log, 0 not received"

# The daemon: rolegate serve with syslog = true records a decision there too.
if command -v curl >/dev/null; then
	at_conf v 'sync = "batch"; syslog = true;'
	start_serve "$AT/v.conf" "$AT/v.sock" || fail "serve did not start"
	OUT=$(authz "$AT/v.sock" alice "/v1.41/containers/json?via=serve")
	has '"Allow":true'
	via_serve() { grep -q '^authpriv.info rolegate .*via=serve' "$AT/collected.log"; }
	wait_for 10 via_serve && pass "serve's record arrived at the collector" || fail "serve's record did not arrive"
	kill -TERM "$SERVE_PID"
	wait "$SERVE_PID"
fi

at_finish
