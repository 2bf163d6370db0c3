#!/bin/bash
# kill -9 under concurrent load, with sync = "batch" and "always":
#  - the writer alone (audit-load, 4 threads): every append that returned has
#    its record;
#  - the real `rolegate serve` on its Unix socket, driven by concurrent curl
#    clients POSTing AuthZReq calls: after kill -9 and a restart, `log verify`
#    passes, seq continues, and every request that got an answer (allow or
#    deny) has its record in the log.
. "$(dirname "$0")/lib.sh"
at_setup "$@"
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }

lines() { { wc -l <"$1"; } 2>/dev/null || echo 0; }
has_lines() { [ "$(lines "$1")" -ge "$2" ]; }

# Every "ok T I" acknowledgment must have its record (object obj-T-I).
acked_recorded() {  # acked_recorded ACKS LOG
	python3 - "$1" "$2" <<'EOF'
import json, sys
acked = {tuple(l.split()[1:]) for l in open(sys.argv[1]) if l.startswith("ok ")}
seen = set()
for line in open(sys.argv[2], "rb"):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if r.get("object", "").startswith("obj-"):
        seen.add(tuple(r["object"][4:].split("-")))
missing = acked - seen
print(f"{len(acked)} acknowledged, {len(missing)} missing")
sys.exit(1 if missing or not acked else 0)
EOF
}

for sync in batch always; do
	# --- the writer alone ---
	at_conf "w-$sync" "sync = \"$sync\";"
	LOG=$AT/w-$sync/decisions.log
	"$LOAD" "$AT/w-$sync.conf" 4 100000 >"$AT/w-$sync.acks" 2>/dev/null &
	PID=$!
	at_track "$PID"
	wait_for 20 has_lines "$LOG" 500 || fail "$sync: the writer did not get going"
	kill -9 "$PID"
	wait "$PID" 2>/dev/null
	check 0 "writer, sync=$sync, kill -9: verify" "$RG" log verify --file "$LOG"
	has "chain intact"
	check 0 "writer, sync=$sync: every acknowledged append is in the log" acked_recorded "$AT/w-$sync.acks" "$LOG"
	check 0 "writer, sync=$sync: restart continues" "$LOAD" "$AT/w-$sync.conf" 1 10
	check 0 "writer, sync=$sync: verify after restart" "$RG" log verify --file "$LOG"
	has "chain intact"

	# --- rolegate serve under concurrent curl clients ---
	at_conf "s-$sync" "sync = \"$sync\"; responses = \"all\";"
	LOG=$AT/s-$sync/decisions.log
	SOCK=$AT/s-$sync.sock
	start_serve "$AT/s-$sync.conf" "$SOCK" || { fail "serve ($sync) did not start"; continue; }
	WORKERS=6
	PER=3000
	for w in $(seq 1 $WORKERS); do
		user=alice
		[ $((w % 3)) -eq 0 ] && user=mallory   # no roles: denied, recorded too
		for i in $(seq 1 $PER); do
			printf 'unix-socket = "%s"\nsilent\nheader = "Content-Type: application/json"\n' "$SOCK"
			printf 'data = "{\\"User\\":\\"%s\\",\\"UserAuthNMethod\\":\\"TLS\\",\\"RequestMethod\\":\\"GET\\",\\"RequestUri\\":\\"/v1.41/containers/json?w=%d&i=%d\\"}"\n' "$user" "$w" "$i"
			printf 'write-out = " w=%d&i=%d\\n"\nurl = "http://plugin/AuthZPlugin.AuthZReq"\nnext\n' "$w" "$i"
		done >"$AT/curl-$w.cfg"
	done
	CURLS=()
	for w in $(seq 1 $WORKERS); do
		curl -K "$AT/curl-$w.cfg" >"$AT/answers-$sync-$w" 2>/dev/null &
		CURLS+=($!)
		at_track $!
	done
	wait_for 30 has_lines "$LOG" 1500 || fail "serve ($sync): the load did not get going"
	kill -9 "$SERVE_PID"
	wait "$SERVE_PID" 2>/dev/null
	for p in "${CURLS[@]}"; do wait "$p" 2>/dev/null; done
	ANSWERED=$(cat "$AT"/answers-"$sync"-* | grep -c '"Allow"')
	DENIED=$(cat "$AT"/answers-"$sync"-* | grep -c '"Allow": *false')
	[ "$ANSWERED" -gt 0 ] && [ "$DENIED" -gt 0 ] && pass "serve ($sync): $ANSWERED answered ($DENIED denied) before kill -9" ||
		fail "serve ($sync): answered $ANSWERED, denied $DENIED"
	check 0 "serve ($sync) after kill -9: verify" "$RG" log verify --file "$LOG"
	has "chain intact"
	# every answered call has its request record, with the decision it got
	check 0 "serve ($sync): every answered request has its record" python3 - "$LOG" "$AT"/answers-"$sync"-* <<'EOF'
import json, re, sys
recs = {}
for line in open(sys.argv[1], "rb"):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if r.get("phase") == "request":
        q = r["uri"].split("?", 1)[-1]
        recs[q] = r["decision"]
answered = missing = wrong = 0
for path in sys.argv[2:]:
    for line in open(path):
        m = re.match(r'(\{.*\}) (w=\d+&i=\d+)$', line.strip())
        if not m:
            continue
        answered += 1
        allow = json.loads(m.group(1))["Allow"]
        got = recs.get(m.group(2))
        if got is None:
            missing += 1
        elif got != ("allow" if allow else "deny"):
            wrong += 1
print(f"{answered} answered, {missing} without a record, {wrong} recorded differently")
sys.exit(1 if missing or wrong or not answered else 0)
EOF
	has " 0 without a record, 0 recorded differently"
	LAST=$(tail -n 1 "$LOG" | sed -n 's/^{"seq":\([0-9]*\),.*/\1/p')
	start_serve "$AT/s-$sync.conf" "$SOCK" || { fail "serve ($sync) did not restart over the log"; continue; }
	OUT=$(authz "$SOCK" alice /v1.41/containers/json?after=restart)
	printf '%s\n' "$OUT" | grep -q '"Allow": *true' && pass "serve ($sync) answers after restart" || fail "serve ($sync) answers after restart"
	wait_for 5 grep -q 'after=restart' "$LOG" || fail "the request after restart was not recorded"
	same "$(grep 'after=restart' "$LOG" | sed -n 's/^{"seq":\([0-9]*\),.*/\1/p')" "$((LAST + 1))" \
		"serve ($sync): seq continues after the crash"
	kill -TERM "$SERVE_PID"
	wait "$SERVE_PID"
	same "$?" 0 "serve ($sync) stops cleanly on SIGTERM"
	check 0 "serve ($sync): verify at the end" "$RG" log verify --file "$LOG"
	has "chain intact"
done

at_finish
