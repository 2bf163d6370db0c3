#!/bin/bash
# The auditor's questions (SPEC.md §2 log query, §6 details/host/policy),
# through the real `rolegate serve`: creates with privileged, binds (one
# through a symlink: recorded as the kernel resolves it), named volumes, caps,
# devices, namespaces and limits are recorded in `details`, and
# `log query --detail KEY=GLOB` finds them (a list matches when any element
# does; several --detail must all match). Text output escapes control, bidi
# and line-separator characters from the network; --json escapes the latter.
. "$(dirname "$0")/lib.sh"
at_setup "$@"
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }

at_conf d 'sync = "batch";'
LOG=$AT/d/decisions.log
SOCK=$AT/d.sock
mkdir -p "$AT/srv/data"
ln -s "$AT/srv/data" "$AT/link"
start_serve "$AT/d.conf" "$SOCK" || { fail "serve did not start"; at_finish; }

create() {  # create USER NAME JSON-BODY
	local b64
	b64=$(printf '%s' "$3" | base64 -w0)
	curl -s --max-time 10 --unix-socket "$SOCK" -X POST -H 'Content-Type: application/json' \
		-d "{\"User\":\"$1\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.41/containers/create?name=$2\",\"RequestBody\":\"$b64\",\"RequestHeaders\":{\"Content-Type\":\"application/json\"}}" \
		http://plugin/AuthZPlugin.AuthZReq
}
OUT=$(create alice priv '{"Image":"busybox","HostConfig":{"Privileged":true,"Binds":["'"$AT"'/link:/data:ro","named:/v"],"CapAdd":["NET_ADMIN","SYS_TIME"],"Devices":[{"PathOnHost":"/dev/fuse","PathInContainer":"/dev/fuse"}],"NetworkMode":"host","PidMode":"host","Memory":268435456,"PidsLimit":100,"NanoCpus":1500000000,"SecurityOpt":["seccomp=unconfined"]},"User":"0:0"}')
has '"Allow":true'
OUT=$(create alice plain '{"Image":"docker.io/library/alpine:3.19","HostConfig":{"Mounts":[{"Type":"bind","Source":"/srv/www","Target":"/www"}]}}')
has '"Allow":true'
OUT=$(create dave devs '{"Image":"busybox"}')
has '"Allow":true'
OUT=$(authz "$SOCK" 'ev\u202eil\u001b[2J' "/v1.41/info")
# Round 14: names that read as "alice" in a table: a right-to-left mark and
# a zero-width space (U+200F, U+200B), a trailing space; and "-", the
# table's mark for "none".
OUT=$(authz "$SOCK" 'al\u200fi\u200bce' "/v1.41/version")
OUT=$(authz "$SOCK" 'alice ' "/v1.41/version")
OUT=$(authz "$SOCK" '-' "/v1.41/version")
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"

Q() { "$RG" log query -c "$AT/d.conf" "$@"; }
check 0 "--detail privileged=true" Q --detail privileged=true --json
same "$(printf '%s\n' "$OUT" | grep -c .)" 1 "  one record: the privileged create"
check 0 "  its details, as dockerd will apply them" python3 -c '
import json, sys
d = json.loads(sys.argv[1])["details"]
want = {"image": "docker.io/library/busybox:latest", "privileged": True, "binds": [sys.argv[2] + "/srv/data"], "volumes": ["named"],
        "caps": ["CAP_NET_ADMIN", "CAP_SYS_TIME"], "devices": ["/dev/fuse"], "network": "host", "pid": "host",
        "user": "0:0", "security_opt": ["seccomp=unconfined"],
        "limits": {"memory": 268435456, "pids": 100, "cpus": 1.5}}
print(d)
sys.exit(0 if d == want else 1)' "$OUT" "$AT"
check 0 "--detail bind=GLOB matches the resolved path (any element of the list)" Q --detail "bind=$AT/srv/*"
has "priv"
lacks "plain"
check 0 "--detail image=docker.io/library/alpine*" Q --detail 'image=docker.io/library/alpine*'
has "plain"
lacks "priv"
check 0 "--detail image=docker.io/library/busybox* (SPEC.md §2): Image busybox, as dockerd applies it" \
	Q --detail 'image=docker.io/library/busybox*'
has "priv"
lacks "plain"
check 0 "--detail binds=/srv/* (Mounts of type bind)" Q --detail 'binds=/srv/*'
has "plain"
check 0 "--detail limits.memory=268435456" Q --detail limits.memory=268435456
has "priv"
check 0 "--detail cap=SYS_* and privileged=true together" Q --detail 'cap=SYS_*' --detail privileged=true
has "priv"
check 1 "several --detail must all match" Q --detail privileged=true --detail 'image=alpine*'
check 1 "a create without such details does not match" Q --detail privileged=true --user dave
check 2 "--detail without = is a usage error" Q --detail privileged
check 0 "--host" Q --host "$(hostname)" --detail privileged=true
has "priv"
check 1 "--host of another machine matches nothing" Q --host elsewhere
check 0 "records name host and policy" grep -q "\"host\":\"$(hostname)\",\"policy\":\"$("$RG" check -c "$AT/d.conf" | sed -n 's/^policy revision: //p')\"" "$LOG"

# Escaping: the user name came from the network with U+202E and ESC.
check 0 "query prints the hostile user name" Q --decision deny
has 'ev\u202eil\x1b[2J'
if printf '%s' "$OUT" | grep -qP '\x1b|\xe2\x80\xae'; then fail "  raw ESC or U+202E on the terminal"; else pass "  no raw ESC or U+202E"; fi
check 0 "--json escapes U+202E too" Q --decision deny --json
has 'ev\u202eil\u001b[2J'
if printf '%s' "$OUT" | grep -qP '\xe2\x80\xae'; then fail "  raw U+202E in --json"; else pass "  no raw U+202E in --json"; fi
check 0 "names that would read as alice, or as none, are escaped in the table" Q --command system.version
has 'al\u200fi\u200bce'
has 'alice\x20'
has '\x2d'
if printf '%s' "$OUT" | grep -qP '\xe2\x80[\x8b\x8f]'; then fail "  raw U+200B or U+200F"; else pass "  no raw U+200B or U+200F"; fi
check 0 "--json escapes U+200F and U+200B too" Q --command system.version --json
has 'al\u200fi\u200bce'
at_finish
