#!/bin/bash
# Points of the command-line contract (SPEC.md §2) found by the SPEC audit
# (docs/spec-audit.md) that no other test holds: every subcommand takes -c;
# a runtime error is one line on stderr; log query --object follows renames.
#
# usage: contract.sh ROLEGATE-BINARY
set -u
rg=${1:?usage: $0 ROLEGATE-BINARY}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0 passed=0

fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
pass() { echo "ok: $*"; passed=$((passed + 1)); }
# the "seq" of each JSON line in $out, space-separated
seqs_of_out() {
	printf '%s\n' "$out" | python3 -c 'import json, sys; print(" ".join(str(json.loads(l)["seq"]) for l in sys.stdin))'
}

# run WANT-RC ARGS...: runs rolegate ARGS; stdout in $out, stderr in $err.
run() {
	local want=$1
	shift
	"$rg" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
	if [ "$rc" -ne "$want" ]; then
		fail "rolegate $* exited $rc, want $want (stderr: $err)"
		return 1
	fi
	pass "rolegate $* exits $want"
}

# version: -c FILE like every subcommand; a usage error is exit 2 on stderr.
run 0 version -c "$tmp/unused.conf" && { [[ $out == "rolegate "* ]] || fail "version -c printed: $out"; }
run 0 version --help && { [[ $out == usage:* ]] || fail "version --help printed: $out"; }
run 2 version --no-such-option && { [ -z "$out" ] || fail "a usage error printed on stdout: $out"; }
run 2 version extra

# The directory unreachable: one line on stderr naming what failed.
cat >"$tmp/ldap.conf" <<CONF
identity = {
  ldap = { uri = "ldap://127.0.0.1:1"; user_base = "ou=people,dc=x"; group_base = "ou=groups,dc=x";
           cache_file = ""; timeout_ms = 500; };
};
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$tmp/unused.log"; };
CONF
for cmd in list explain; do
	args=(--user bob)
	[ "$cmd" = explain ] && args+=(GET /containers/json)
	run 2 "$cmd" -c "$tmp/ldap.conf" "${args[@]}" && {
		n=$(printf '%s\n' "$err" | grep -c .)
		if [ "$n" -eq 1 ] && grep -q "127.0.0.1:1" <<<"$err"; then
			pass "$cmd: one line on stderr naming the directory"
		else
			fail "$cmd: want one line naming ldap://127.0.0.1:1 on stderr, got $n: $err"
		fi
	}
done

# log query --object follows renames: asked for the last name of a → b → c,
# it also finds the create of a and a request naming the id the create returned.
python3 - "$tmp/q.log" <<'PY'
import json, sys
zero = "0" * 64
oid = "ab" * 32
def rec(seq, phase, user, cmd, obj, uri, status=None, id=None):
    d = {"seq": seq, "time": "2026-12-06T10:00:%02d.000000Z" % seq, "phase": phase, "user": user,
         "authn": "TLS", "groups": [], "roles": ["ops"], "command": cmd, "object": obj, "method": "POST",
         "uri": uri, "decision": "allow", "role": "ops"}
    if status is not None:
        d["status"] = status
    if id:
        d["id"] = id
    d.update({"host": "h", "policy": "abcdefabcdef", "prev": zero, "hash": zero})
    return json.dumps(d, separators=(",", ":"))
lines = [rec(1, "request", "bob", "container.create", "a", "/v1.41/containers/create?name=a"),
         rec(2, "response", "bob", "container.create", "a", "/v1.41/containers/create?name=a", 201, oid),
         rec(3, "request", "bob", "container.rename", "a", "/v1.41/containers/a/rename?name=b"),
         rec(4, "response", "bob", "container.rename", "a", "/v1.41/containers/a/rename?name=b", 204),
         rec(5, "request", "bob", "container.rename", "b", "/v1.41/containers/b/rename?name=c"),
         rec(6, "response", "bob", "container.rename", "b", "/v1.41/containers/b/rename?name=c", 204),
         rec(7, "request", "alice", "container.kill", oid[:12], "/v1.41/containers/%s/kill" % oid[:12]),
         rec(8, "request", "carol", "container.kill", "other", "/v1.41/containers/other/kill")]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
printf 'roles = { ops = { users = ["root"]; allow = ["*"]; }; };\naudit = { path = "%s"; };\n' \
	"$tmp/q.log" >"$tmp/q.conf"
for name in a b c abababababab; do
	run 0 log query -c "$tmp/q.conf" --object "$name" --json && {
		seqs=$(seqs_of_out)
		if [ "$seqs" = "1 2 3 4 5 6 7" ]; then
			pass "--object $name: the whole history of the object"
		else
			fail "--object $name matched records $seqs, want 1 2 3 4 5 6 7"
		fi
	}
done

# --object matches an image as the user names it: records hold the full
# reference (SPEC.md §5), "who touched busybox" is --object busybox.
python3 - "$tmp/i.log" <<'PY'
import json, sys
def rec(seq, obj):
    return json.dumps({"seq": seq, "time": "2026-12-06T10:00:%02d.000000Z" % seq, "phase": "request",
                       "user": "bob", "authn": "TLS", "groups": [], "roles": ["ops"], "command": "image.pull",
                       "object": obj, "method": "POST", "uri": "/v1.41/images/create", "decision": "allow",
                       "role": "ops", "host": "h", "policy": "abcdefabcdef", "prev": "0" * 64,
                       "hash": "0" * 64}, separators=(",", ":"))
open(sys.argv[1], "w").write(rec(1, "docker.io/library/busybox:latest") + "\n" +
                             rec(2, "docker.io/library/busybox:1.36") + "\n")
PY
for name in busybox docker.io/library/busybox:latest; do
	run 0 log query -c "$tmp/q.conf" --file "$tmp/i.log" --object "$name" --json && {
		seqs=$(seqs_of_out)
		if [ "$seqs" = "1" ]; then
			pass "--object $name: the image's records"
		else
			fail "--object $name matched records $seqs, want 1"
		fi
	}
done

# log stats prints user names from the log escaped, as log query does: a
# name with ESC or U+202E must not rewrite the auditor's screen.
python3 - "$tmp/h.log" <<'PY'
import json, sys
d = {"seq": 1, "time": "2026-12-06T10:00:01.000000Z", "phase": "request", "user": "ev\u202eil\u001b[2J",
     "authn": "TLS", "groups": [], "roles": [], "command": "container.list", "object": "", "method": "GET",
     "uri": "/x", "decision": "deny", "reason": "r", "host": "h", "policy": "abcdefabcdef",
     "prev": "0" * 64, "hash": "0" * 64}
open(sys.argv[1], "w").write(json.dumps(d, separators=(",", ":")) + "\n")
PY
for sub in query stats; do
	run 0 log "$sub" -c "$tmp/q.conf" --file "$tmp/h.log" && {
		if LC_ALL=C grep -q $'\x1b\|\xe2\x80\xae' <<<"$out"; then
			fail "log $sub printed a control or bidi character raw: $out"
		elif grep -qF 'ev\u202eil\x1b[2J' <<<"$out"; then
			pass "log $sub escapes the user name"
		else
			fail "log $sub: no escaped user name in: $out"
		fi
	}
done

# The deny message reads "USER (roles: R) may not REASON" (SPEC.md §4): a path
# that cannot be decoded is a phrase there too, not a sentence after "may not".
cat >"$tmp/p.conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; } ); };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$tmp/unused.log"; };
CONF
run 1 explain -c "$tmp/p.conf" --user alice GET '/v1.41/containers/%zz/json' && {
	if grep -qxF "message:  alice (roles: ops) may not send a request whose path cannot be decoded (the request path has an invalid percent-encoding)" <<<"$out"; then
		pass "a path that cannot be decoded: the message reads as a sentence"
	else
		fail "explain of an undecodable path printed: $out"
	fi
}

# explain takes its options after METHOD URI too, as every other command
# does; a docker command line's flags stay docker's.
run 0 explain -c "$tmp/p.conf" --user alice GET /v1.41/info --json && {
	if python3 -c 'import json, sys; d = json.loads(sys.argv[1]); sys.exit(0 if d["command"] == "system.info" and d["decision"] == "allow" else 1)' "$out"; then
		pass "explain METHOD URI --json: one JSON object"
	else
		fail "explain METHOD URI --json printed: $out"
	fi
}

# A configuration that cannot be read is a runtime error (exit 2: "an
# unreadable file", SPEC.md §2), one that reads but is wrong an invalid
# one (exit 1), in every command that loads it.
printf 'roles = { x = ;\n' >"$tmp/syntax.conf"
for cmd in check "state" "list --user alice" "explain --user alice GET /_ping" "test /dev/null" \
		"log query"; do
	# shellcheck disable=SC2086 # cmd is words
	run 2 $cmd -c "$tmp/no-such.conf"
	# shellcheck disable=SC2086
	run 2 $cmd -c "$tmp"
done
for cmd in check "state" "list --user alice" "explain --user alice GET /_ping" "test /dev/null" \
		"log query"; do
	# shellcheck disable=SC2086
	run 1 $cmd -c "$tmp/syntax.conf"
done

# serve --ready-fd N: N that is not a descriptor number is a usage error
# (exit 2) before anything starts; it was read with atoi(), so "abc" wrote the
# readiness byte to fd 0 and "-1" was ignored.
for fd in abc -1 3x ''; do
	# (bounded: before the fix, serve ran)
	timeout 10 "$rg" serve -c "$tmp/p.conf" --socket "$tmp/rg.sock" --stderr --ready-fd "$fd" \
		</dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	err=$(cat "$tmp/err")
	if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q -- "--ready-fd" <<<"$err" &&
			! grep -q serving <<<"$err"; then
		pass "serve --ready-fd '$fd': a usage error naming the flag, nothing started"
	else
		fail "serve --ready-fd '$fd': exit $rc, stderr: $err"
	fi
done

# Whoever can write the configuration decides who may do what on Docker:
# check (but not --offline) and serve, at start and on SIGHUP, refuse one
# that group or others can write, or that sits in such a directory.
cat >"$tmp/trust.conf" <<CONF
plugin = { state = "$tmp/trust-state"; };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$tmp/trust.log"; sync = "none"; };
CONF
chmod 666 "$tmp/trust.conf"
run 1 check -c "$tmp/trust.conf" && { grep -qF "writable by group or others (mode 0666)" <<<"$err" ||
	fail "check of a mode 0666 config: $err"; }
run 0 check --offline -c "$tmp/trust.conf"
# All problems, not just the first (SPEC.md §2): with an unknown key too,
# both are reported (the ownership was checked only once the file was valid).
cp "$tmp/trust.conf" "$tmp/trust2.conf" && echo 'bogus = 1;' >>"$tmp/trust2.conf" && chmod 666 "$tmp/trust2.conf"
run 1 check -c "$tmp/trust2.conf" && { grep -qF "writable by group or others (mode 0666)" <<<"$err" &&
	grep -qF "trust2.conf:4: unknown setting 'bogus'" <<<"$err" ||
	fail "check of a mode 0666 config with an unknown key: want both problems, got: $err"; }
timeout 10 "$rg" serve -c "$tmp/trust.conf" --socket "$tmp/trust.sock" --stderr </dev/null \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -qF "writable by group or others" "$tmp/err"; then
	pass "serve refuses a configuration others can write"
else
	fail "serve with a mode 0666 config: exit $rc: $(cat "$tmp/err")"
fi
chmod 644 "$tmp/trust.conf"
mkdir -m 0777 "$tmp/open" && cp "$tmp/trust.conf" "$tmp/open/trust.conf" && chmod 0777 "$tmp/open"
run 1 check -c "$tmp/open/trust.conf" && { grep -qF "the directory $tmp/open is writable" <<<"$err" ||
	fail "check of a config in a mode 0777 directory: $err"; }
# A symbolic link in a safe directory to a configuration in one that others
# can write: the directory of the file read counts (it was not checked).
mkdir -m 0755 "$tmp/safe" && ln -s "$tmp/open/trust.conf" "$tmp/safe/trust.conf"
run 1 check -c "$tmp/safe/trust.conf" && { grep -qF "the directory $tmp/open is writable" <<<"$err" ||
	fail "check of a link to a config in a mode 0777 directory: $err"; }
chmod 1777 "$tmp/open"
run 0 check -c "$tmp/open/trust.conf"
run 0 check -c "$tmp/safe/trust.conf"
: >"$tmp/ready"
"$rg" serve -c "$tmp/trust.conf" --socket "$tmp/trust.sock" --stderr --ready-fd 3 3>"$tmp/ready" \
	</dev/null >/dev/null 2>"$tmp/serve.err" &
spid=$!
for _ in $(seq 1 100); do [ -s "$tmp/ready" ] && break; sleep 0.05; done
sed -i 's/allow = \["\*"\]/allow = ["system.*"]/' "$tmp/trust.conf"
chmod 666 "$tmp/trust.conf"
kill -HUP "$spid"
for _ in $(seq 1 100); do grep -q "previous configuration stays" "$tmp/serve.err" && break; sleep 0.05; done
if grep -qF "writable by group or others" "$tmp/serve.err" &&
		grep -qF "previous configuration stays" "$tmp/serve.err" && kill -0 "$spid" 2>/dev/null; then
	pass "SIGHUP with a config others can write: refused, the old one stays, serve runs"
else
	fail "SIGHUP with a mode 0666 config: $(cat "$tmp/serve.err")"
fi
kill -TERM "$spid"; wait "$spid" 2>/dev/null

# log verify reads audit.key_file as check does, with check's statuses
# (SPEC.md §2): wrong mode, owner or size makes the configuration invalid
# (exit 1, CONF:LINE like check); a key file that cannot be read is a
# runtime error (exit 2). verify said 2 for all of them while check said 1.
head -c 32 /dev/urandom | base64 >"$tmp/verify.key"
chmod 600 "$tmp/verify.key"
cat >"$tmp/keyed.conf" <<CONF
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$tmp/keyed.log";
  key_file = "$tmp/verify.key"; };
CONF
: >"$tmp/keyed.log"
run 0 log verify -c "$tmp/keyed.conf"
chmod 644 "$tmp/verify.key"
run 1 check -c "$tmp/keyed.conf"
run 1 log verify -c "$tmp/keyed.conf" && { grep -qF "$tmp/keyed.conf:3: audit.key_file" <<<"$err" ||
	fail "log verify with a mode 0644 key: want CONF:LINE on stderr, got: $err"; }
chmod 600 "$tmp/verify.key"
chown 65534 "$tmp/verify.key" 2>/dev/null && {
	run 1 check -c "$tmp/keyed.conf"
	run 1 log verify -c "$tmp/keyed.conf"
	chown "$(id -u)" "$tmp/verify.key"
}
: >"$tmp/verify.key"
run 1 check -c "$tmp/keyed.conf"
run 1 log verify -c "$tmp/keyed.conf"
rm "$tmp/verify.key"
run 2 check -c "$tmp/keyed.conf"
run 2 log verify -c "$tmp/keyed.conf"
# A key in a directory others can write: anyone can put their own key in
# its place (the file's mode was checked, its directory was not).
mkdir -m 0777 "$tmp/keydir" && chmod 0777 "$tmp/keydir"
head -c 32 /dev/urandom | base64 >"$tmp/keydir/verify.key" && chmod 600 "$tmp/keydir/verify.key"
sed "s|$tmp/verify.key|$tmp/keydir/verify.key|" "$tmp/keyed.conf" >"$tmp/keyed2.conf"
run 1 check -c "$tmp/keyed2.conf" && { grep -qF "the directory $tmp/keydir is writable" <<<"$err" ||
	fail "check of a key in a mode 0777 directory: $err"; }
run 1 log verify -c "$tmp/keyed2.conf"
chmod 0755 "$tmp/keydir"
run 0 check -c "$tmp/keyed2.conf"

# libconfig's @include would open a file that escapes the ownership check
# and the policy revision (and resolves from each process's working
# directory): refused at its line, even by --offline.
printf 'ok = 1;\n' >"$tmp/inc.conf"
printf '# an include\n  @include "%s"\nroles = { ops = { groups = ["ops"]; allow = ["*"]; }; };\n' \
	"$tmp/inc.conf" >"$tmp/including.conf"
run 1 check --offline -c "$tmp/including.conf" && { grep -qF "$tmp/including.conf:2: @include is not supported" <<<"$err" ||
	fail "check of a config with @include: $err"; }

# A service that names secrets and configs, explained through the docker
# client (SPEC.md §2): the client looks each name up before the create; the
# stand-in answers with the id the simulated ownership state holds for it,
# so the create is decided as serve decides it (owner: the caller's own
# secret, never another user's). The lookup answered [] and the client
# failed, "secret not found", before sending the create.
if command -v docker >/dev/null; then
	mkdir -m 0700 "$tmp/swarm-state"
	cat >"$tmp/swarm.conf" <<CONF
plugin = { state = "$tmp/swarm-state"; };
identity = { users = ( { name = "u1"; groups = ["devs"]; }, { name = "u2"; groups = ["devs"]; } ); };
roles = { dev = { groups = ["devs"];
  allow = ["secret.*", "config.*", "service.*", "image.distribution", "system.ping", "system.version"];
  constraints = { owner = "self"; }; }; };
audit = { path = "$tmp/swarm.log"; };
CONF
	echo data >"$tmp/swarm.data"
	cat >"$tmp/swarm.cases" <<CASES
u1 -- docker secret create s1 swarm.data => allow
u1 -- docker config create c1 swarm.data => allow
u1 -- docker service create -d --name a --secret s1 --config c1 busybox => allow
u2 -- docker service create -d --name b --secret s1 busybox => deny
u2 -- docker service create -d --name b --config c1 busybox => deny
u2 -- docker service create -d --name b --secret nosuch busybox => deny
CASES
	run 0 test -c "$tmp/swarm.conf" "$tmp/swarm.cases" && { grep -qF "6 passed, 0 failed" <<<"$out" ||
		fail "secrets and configs named by a service: $out"; }
else
	echo "skip: no docker client (secrets and configs named by a service)"
fi

# --detail caps=NAME finds a capability however it was spelled: dockerd reads
# "sys_admin", "cap_\u017fys_admin" and "SYS_ADMIN" all as CAP_SYS_ADMIN, and
# records now hold the CAP_ form; an older record may hold it without CAP_.
python3 - "$tmp/caps.log" <<'PY'
import json, sys
def rec(seq, caps):
    return json.dumps({"seq": seq, "time": "2026-12-06T10:00:%02d.000000Z" % seq, "phase": "request",
                       "user": "bob", "authn": "TLS", "groups": [], "roles": ["ops"], "command": "container.create",
                       "object": "c%d" % seq, "method": "POST", "uri": "/v1.41/containers/create", "decision": "allow",
                       "role": "ops", "host": "h", "policy": "abcdefabcdef", "details": {"caps": caps},
                       "prev": "0" * 64, "hash": "0" * 64}, separators=(",", ":"))
open(sys.argv[1], "w").write(rec(1, ["CAP_SYS_ADMIN"]) + "\n" + rec(2, ["SYS_ADMIN"]) + "\n" +
                             rec(3, ["CAP_NET_ADMIN"]) + "\n")
PY
for q in SYS_ADMIN sys_admin CAP_SYS_ADMIN 'cap_sys_*' '*SYS_ADMIN'; do
	run 0 log query -c "$tmp/q.conf" --file "$tmp/caps.log" --detail "caps=$q" --json && {
		seqs=$(seqs_of_out)
		if [ "$seqs" = "1 2" ]; then
			pass "--detail caps=$q: both spellings of SYS_ADMIN"
		else
			fail "--detail caps=$q matched records $seqs, want 1 2"
		fi
	}
done
run 1 log query -c "$tmp/q.conf" --file "$tmp/caps.log" --detail caps=ADMIN

# A runtime error is one line on stderr (SPEC.md §2): log stats of a log that
# cannot be opened printed an empty table ("by decision:" ...) on stdout too.
for sub in stats query verify; do
	run 2 log "$sub" -c "$tmp/q.conf" --file "$tmp/no-such.log" && {
		if [ -z "$out" ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]; then
			pass "log $sub of a missing file: one line on stderr, nothing on stdout"
		else
			fail "log $sub of a missing file: stdout '$out', stderr '$err'"
		fi
	}
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
