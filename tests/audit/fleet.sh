#!/bin/bash
# The fleet example (issue 19): examples/rsyslog.d/rolegate.conf on a Docker
# host forwards rolegate's records (authpriv) and checkpoint lines to a
# central collector running examples/rsyslog.d/rolegate-collector.conf, which
# files them; `rolegate log verify` and `log query` then work on the
# collected file. Two real rsyslogd on loopback, each with a private config,
# work directory, pid file and sockets (nothing of the host's syslog is
# touched): the "host" reads a private /dev/log-like socket, its rules are
# the example's (only the collector's address swapped for 127.0.0.1 and a
# free port); the "central" one is the collector example (its files moved
# into the test's directory). Records are the real writer's (audit-load),
# sent as rolegate sends them (ident rolegate, authpriv.info).
#
# usage: fleet.sh ROLEGATE AUDIT-LOAD
. "$(dirname "$0")/lib.sh"
at_setup "$@"
command -v rsyslogd >/dev/null || { echo "SKIP: rsyslogd is not installed"; exit 77; }
command -v logger >/dev/null || { echo "SKIP: logger is not installed"; exit 77; }
RSYSLOGD=$(command -v rsyslogd)
EX=$AT_TOP/examples/rsyslog.d
SOCK=$AT/log.sock
FLEET=$AT/fleet
HOST=$(hostname)

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$AT/rs-central" "$AT/rs-host"
# The collector example, its port and files private.
{
	echo "global(workDirectory=\"$AT/rs-central\" maxMessageSize=\"64k\")"
	sed -e "s|input(type=\"imtcp\" port=\"514\"|input(type=\"imtcp\" address=\"127.0.0.1\" port=\"$PORT\"|" \
		-e "s|/var/log/rolegate/fleet|$FLEET|g" "$EX/rolegate-collector.conf"
} >"$AT/central.conf"
grep -q "port=\"$PORT\"" "$AT/central.conf" || { fail "could not adapt rolegate-collector.conf"; at_finish; }
# The host: a private log socket, the example's rule, then a catch-all file
# that shows what the example lets through to the rest of rsyslog.conf.
{
	echo "global(workDirectory=\"$AT/rs-host\" maxMessageSize=\"64k\")"
	echo "module(load=\"imuxsock\" SysSock.Use=\"off\")"
	echo "input(type=\"imuxsock\" Socket=\"$SOCK\" RateLimit.Interval=\"0\")"
	sed -e "s|target=\"logs.example.org\" port=\"514\"|target=\"127.0.0.1\" port=\"$PORT\"|" "$EX/rolegate.conf"
	echo "*.* action(type=\"omfile\" file=\"$AT/host-local.log\")"
} >"$AT/host.conf"
grep -q "port=\"$PORT\"" "$AT/host.conf" || { fail "could not adapt rsyslog.d/rolegate.conf"; at_finish; }
check 0 "rsyslogd -N1 accepts the host config" "$RSYSLOGD" -N1 -f "$AT/host.conf"
check 0 "rsyslogd -N1 accepts the collector config" "$RSYSLOGD" -N1 -f "$AT/central.conf"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
start_central() {
	"$RSYSLOGD" -n -f "$AT/central.conf" -i "$AT/central.pid" >>"$AT/central.out" 2>&1 &
	CENTRAL=$!
	at_track "$CENTRAL"
	wait_for 10 listening || { cat "$AT/central.out"; fail "the central rsyslogd did not listen on $PORT"; at_finish; }
}
start_central
"$RSYSLOGD" -n -f "$AT/host.conf" -i "$AT/host.pid" >"$AT/host.out" 2>&1 &
at_track $!
sock_up() { [ -S "$SOCK" ]; }
wait_for 10 sock_up || { cat "$AT/host.out"; fail "the host rsyslogd did not create $SOCK"; at_finish; }

# send LEVEL TAG < lines: one syslog message per line, as syslog(3) sends them.
send() { logger -u "$SOCK" --size 65536 -p "$1" -t "$2" --id=4242; }
count() { [ -f "$1" ] && wc -l <"$1" || echo 0; }
arrived() { [ "$(count "$FLEET/decisions.log")" -ge "$1" ]; }

# Records of the real writer: 2 threads x 50.
at_conf s 'sync = "always";'
LOG=$AT/s/decisions.log
check 0 "the writer wrote 100 records" "$LOAD" "$AT/s.conf" 2 50
send authpriv.info rolegate <"$LOG"
wait_for 20 arrived 100 && pass "100 records arrived at the collector" ||
	fail "$(count "$FLEET/decisions.log") of 100 records arrived"
check 0 "the collected file is the host's log, byte for byte" cmp "$LOG" "$FLEET/decisions.log"
check 0 "log verify over the collected file" "$RG" log verify -c "$AT/s.conf" --file "$FLEET/decisions.log"
has "100 records"
check 0 "log query over the collected file" "$RG" log query -c "$AT/s.conf" --file "$FLEET/decisions.log" --user load-1 --json
same "$(printf '%s\n' "$OUT" | grep -c '"user":"load-1"')" 50 "50 records of load-1 found"

# Checkpoints (whatever facility they come with) go to their own file.
last=$(tail -n 1 "$LOG")
seq=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["seq"])' "$last")
hash=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["hash"])' "$last")
echo "rolegate checkpoint host=$HOST seq=$seq hash=$hash" | send authpriv.info rolegate
echo "rolegate checkpoint host=$HOST seq=$seq hash=$hash" | send daemon.notice rolegate
# What must not leave the host: another program's authpriv message, and
# rolegate's own warnings.
echo "Accepted publickey for fleet-$$" | send authpriv.info sshd
echo "warning: fleet-$$ something" | send daemon.warning rolegate
# A marker behind them all, through the same rule: once it is in, the
# messages before it were handled.
tail -n 1 "$LOG" | send authpriv.info rolegate
wait_for 20 arrived 101 || fail "the marker did not arrive"
cps=$(count "$FLEET/checkpoints.log")
same "$cps" 2 "both checkpoint lines reached checkpoints.log"
check 0 "a checkpoint line names the host, the seq and the hash" \
	grep -E " rolegate checkpoint host=$HOST seq=$seq hash=$hash\$" "$FLEET/checkpoints.log"
if "$RG" log verify --help 2>&1 | grep -q -- --anchor; then
	check 0 "log verify --anchor with the collected checkpoint" \
		"$RG" log verify -c "$AT/s.conf" --file "$LOG" --anchor "$seq:$hash"
else
	echo "note: this rolegate has no log verify --anchor yet; the anchor is not checked"
fi
check 1 "sshd's authpriv message was not forwarded" grep -q "fleet-$$" "$FLEET/decisions.log" "$FLEET/checkpoints.log"
check 0 "  ... it went on to the host's other rules" grep -q "Accepted publickey for fleet-$$" "$AT/host-local.log"
check 0 "rolegate's own warning stayed on the host" grep -q "warning: fleet-$$" "$AT/host-local.log"
check 1 "rolegate's records stayed out of the host's other files (stop)" grep -q '"seq":' "$AT/host-local.log"
head -n 100 "$FLEET/decisions.log" >"$AT/first100" && mv "$AT/first100" "$FLEET/decisions.log"

# The collector goes away: the host queues, and delivers once it is back.
kill -TERM "$CENTRAL"
wait "$CENTRAL"
check 0 "the writer wrote 20 more records" "$LOAD" "$AT/s.conf" 1 20
tail -n 20 "$LOG" | send authpriv.info rolegate
start_central
wait_for 60 arrived 120 && pass "the 20 records queued during the outage arrived" ||
	fail "$(count "$FLEET/decisions.log") of 120 records after the outage"
check 0 "the collected file is still the host's log, byte for byte" cmp "$LOG" "$FLEET/decisions.log"
check 0 "log verify over the collected file after the outage" "$RG" log verify -c "$AT/s.conf" --file "$FLEET/decisions.log"
has "120 records"

at_finish
