#!/bin/bash
# Black-box acceptance test of shared/SPEC.md (round 16): only the interface
# SPEC names — subcommands, flags, exit statuses, configuration keys, JSON
# field names, the log record — driven as an outsider would, with the real
# docker CLI against a real private dockerd (tests/e2e/lib.sh) that consults
# `rolegate serve`, and a docker-registry on loopback for login/push/pull.
#
#   1. the command line: every subcommand's --help, bad flags and operands
#      (exit 2, message on stderr, nothing on stdout), missing/unreadable/
#      invalid configuration (2, 2, 1 with FILE:LINE);
#   2. every configuration key of SPEC §3: accepted as SPEC shows it, refused
#      (exit 1, FILE:LINE naming the key's line) with a wrong type; unknown
#      keys in every group; empty file;
#   3. `explain -- docker ...` against what the live plugin decided for the
#      same user and command line (run, exec, cp, build, compose, pull, push,
#      login, network, volume, system prune, swarm, service...);
#   4. the log record's fields, by name and type, for allow and deny, request
#      and response, and per command class; `log query`/`stats` flags;
#   5. reload: a bad file keeps the old configuration (same decisions, same
#      `policy` in records); SIGTERM exits 0;
#   6. `log verify` on the intact log, a truncated tail, an edited record and
#      a deleted record.
#
# usage: acceptance.sh ROLEGATE-BINARY     (root; exit 77 = skipped)
. "$(dirname "$0")/lib.sh"

e2e_setup "${1:?usage: $0 ROLEGATE-BINARY}" alice dave bob carol
RG=$E2E_ROLEGATE
command -v jq >/dev/null 2>&1 || e2e_skip "jq is not installed"
command -v setpriv >/dev/null 2>&1 || e2e_skip "setpriv is not installed"
mkdir -p "$E2E_DIR/projects/app"
echo "project file" >"$E2E_DIR/projects/app/README"
T=$E2E_DIR/t
mkdir -p "$T"

# rc_of CMD...: runs CMD with stdout in $T/out, stderr in $T/err; sets RC.
rc_of() {
	"$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# want_rc RC DESC STDOUT-EMPTY(0/1) CMD...: exit status RC; on an error (RC 2,
# or 1 for a refused configuration) a message on stderr; with STDOUT-EMPTY=1
# nothing on stdout.
want_rc() {
	local want=$1 desc=$2 quiet=$3
	shift 3
	rc_of "$@"
	if [ "$RC" -ne "$want" ]; then
		e2e_fail "$desc: exit $RC, want $want"
		sed 's/^/      out> /' "$T/out" | head -n 5
		sed 's/^/      err> /' "$T/err" | head -n 5
	elif [ "$want" -eq 2 ] && [ ! -s "$T/err" ]; then
		e2e_fail "$desc: exit 2 but nothing on stderr"
	elif [ "$quiet" = 1 ] && [ -s "$T/out" ]; then
		e2e_fail "$desc: exit $want but stdout is not empty: $(head -c 200 "$T/out")"
	else
		e2e_pass "$desc => exit $want"
	fi
}

# ---------------------------------------------------------------------------
# configuration helpers: the template with one tagged line replaced
# ---------------------------------------------------------------------------
BASE=$T/base.conf
e2e_render "$E2E_SRC/acceptance.conf" "$BASE"
# variant TAG NEWLINE [OUT]: BASE with the line tagged "#@TAG" replaced.
variant() {
	local out=${3:-$T/v.conf}
	awk -v tag="#@$1" -v repl="$2" '
		index($0, tag) && !done { print repl "  " tag; done = 1; next } { print }
		END { if (!done) exit 3 }' "$BASE" >"$out" || e2e_die "no line tagged $1"
}
# line_of TAG FILE: the line number of the tagged line.
line_of() { grep -n -F -- "#@$1" "$2" | head -n 1 | cut -d: -f1; }

# ---------------------------------------------------------------------------
e2e_section "1. command line: --help, bad flags, bad operands, the -c FILE"
# ---------------------------------------------------------------------------
GOOD=$T/good.conf
cp "$BASE" "$GOOD"
BADTYPE=$T/badtype.conf
variant plugin.threads '  threads = "four";' "$BADTYPE"
BADLINE=$(line_of plugin.threads "$BADTYPE")
SUBS=("serve" "check" "explain" "test" "log query" "log verify" "log stats" "list" "state" "version")
for sub in "${SUBS[@]}"; do
	# shellcheck disable=SC2086 # "log query" is two words
	want_rc 0 "rolegate $sub --help" 0 "$RG" $sub --help
	[ -s "$T/out" ] || [ -s "$T/err" ] || e2e_fail "rolegate $sub --help printed nothing"
	# shellcheck disable=SC2086
	want_rc 2 "rolegate $sub --bogus" 1 "$RG" $sub --bogus
	[ "$sub" = version ] && continue
	# shellcheck disable=SC2086
	want_rc 2 "rolegate $sub -c (no value)" 1 "$RG" $sub -c
	# A missing configuration: exit 2, one line naming the file.
	case $sub in
	explain | list) extra=(--user alice GET /_ping) ;;
	test) extra=("$T/none.cases") ;;
	*) extra=() ;;
	esac
	[ "$sub" = list ] && extra=(--user alice)
	# shellcheck disable=SC2086
	want_rc 2 "rolegate $sub -c /nonexistent/rg.conf" 1 "$RG" $sub -c /nonexistent/rg.conf "${extra[@]}"
	if [ "$(wc -l <"$T/err")" -ne 1 ] || ! grep -q /nonexistent/rg.conf "$T/err"; then
		e2e_fail "rolegate $sub -c /nonexistent/rg.conf: want one line naming the file, got: $(cat "$T/err")"
	fi
	# An invalid configuration: exit 1, FILE:LINE: message.
	[ "$sub" = serve ] && extra=(--socket "$T/never.sock")
	# shellcheck disable=SC2086
	want_rc 1 "rolegate $sub -c (a wrong-typed key)" 0 "$RG" $sub -c "$BADTYPE" "${extra[@]}"
	grep -Eq "(^|^rolegate: )$BADTYPE:$BADLINE: " "$T/err" "$T/out" ||
		e2e_fail "rolegate $sub -c BADTYPE: no \"$BADTYPE:$BADLINE: \" line: $(cat "$T/err" "$T/out")"
	# An unreadable configuration (not root): exit 2, one line.
	chmod 0600 "$GOOD"
	# shellcheck disable=SC2086
	want_rc 2 "rolegate $sub -c (unreadable to the caller)" 1 \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$RG" $sub -c "$GOOD" "${extra[@]}"
	[ "$(wc -l <"$T/err")" -eq 1 ] ||
		e2e_fail "rolegate $sub, unreadable config: want one line on stderr, got: $(cat "$T/err")"
done
[ ! -e "$T/never.sock" ] && [ ! -e "$E2E_DIR/decisions.log" ] && [ ! -e "$E2E_DIR/state" ] &&
	e2e_pass "bad input changed nothing (no socket, no log, no state)" ||
	e2e_fail "bad input left files behind: $(ls "$T/never.sock" "$E2E_DIR/decisions.log" "$E2E_DIR/state" 2>&1)"

want_rc 2 "rolegate (no command)" 1 "$RG"
want_rc 2 "rolegate frobnicate" 1 "$RG" frobnicate
want_rc 2 "rolegate log bogus" 1 "$RG" log bogus
want_rc 0 "rolegate version" 0 "$RG" version
grep -qi jansson "$T/out" && grep -qi libconfig "$T/out" || e2e_fail "version names no libraries: $(cat "$T/out")"
want_rc 2 "explain without --user" 1 "$RG" explain -c "$GOOD" GET /_ping
want_rc 2 "explain without METHOD URI" 1 "$RG" explain -c "$GOOD" --user alice
want_rc 2 "explain with too many operands" 1 "$RG" explain -c "$GOOD" --user alice GET /_ping "$T/x" extra
want_rc 2 "explain with a missing BODY-FILE" 1 "$RG" explain -c "$GOOD" --user alice POST /containers/create "$T/nonexistent.json"
want_rc 2 "explain --api-version 1.x" 1 "$RG" explain -c "$GOOD" --api-version 1.x --user alice -- docker ps
for refused in "-H tcp://127.0.0.1:1 ps" "--host=unix:///x ps" "--context default ps" "context ls" \
	"--tlsverify ps" "--tlscacert /x ps" "build --builder x ."; do
	# shellcheck disable=SC2086
	want_rc 2 "explain -- docker $refused (chooses another daemon)" 1 \
		"$RG" explain -c "$GOOD" --user alice -- docker $refused
done
want_rc 2 "explain -- docker with no docker on PATH" 1 env PATH=/nonexistent "$RG" explain -c "$GOOD" --user alice -- docker ps
grep -qi docker "$T/err" || e2e_fail "no docker on PATH: the message does not say so: $(cat "$T/err")"
want_rc 2 "list without --user" 1 "$RG" list -c "$GOOD"
want_rc 2 "test without CASES-FILE" 1 "$RG" test -c "$GOOD"
want_rc 2 "test with a missing CASES-FILE" 1 "$RG" test -c "$GOOD" "$T/nonexistent.cases"
printf 'alice GET /_ping => maybe\n' >"$T/bad.cases"
want_rc 2 "test with a malformed case" 0 "$RG" test -c "$GOOD" "$T/bad.cases"
want_rc 2 "serve --ready-fd x" 1 "$RG" serve -c "$GOOD" --socket "$T/never.sock" --ready-fd x
for q in "--decision maybe" "--limit x" "--limit 0" "--since bogus" "--until yesterday" "--detail privileged" "--file"; do
	# shellcheck disable=SC2086
	want_rc 2 "log query $q" 1 "$RG" log query -c "$GOOD" --file "$T/none.log" $q
done
want_rc 2 "log verify --anchor bad" 1 "$RG" log verify -c "$GOOD" --file "$T/none.log" --anchor bad
want_rc 2 "log verify of a missing file" 1 "$RG" log verify -c "$GOOD" --file "$T/none.log"
want_rc 2 "log stats of a missing file" 1 "$RG" log stats -c "$GOOD" --file "$T/none.log"
want_rc 2 "log stats --since bogus" 1 "$RG" log stats -c "$GOOD" --file "$T/none.log" --since bogus

# ---------------------------------------------------------------------------
e2e_section "2. configuration: every key of SPEC §3, wrong types, unknown keys"
# ---------------------------------------------------------------------------
printf 's3cret\n' >"$T/ldap.secret"
chmod 0600 "$T/ldap.secret"
# BASE with SPEC's identity.ldap block (every key; nothing contacts it).
awk -v dir="$T" '/#@LDAP/ {
	print "  ldap = {"
	print "    uri = \"ldap://127.0.0.1:9 ldap://127.0.0.1:10\";  #@ldap.uri"
	print "    starttls = false;                 #@ldap.starttls"
	print "    ca_file = \"/etc/ssl/certs/ca-certificates.crt\";  #@ldap.ca_file"
	print "    bind_dn = \"cn=rolegate,ou=services,dc=example,dc=org\";  #@ldap.bind_dn"
	print "    bind_password_file = \"" dir "/ldap.secret\";  #@ldap.bind_password_file"
	print "    user_base = \"ou=people,dc=example,dc=org\";  #@ldap.user_base"
	print "    user_filter = \"(&(objectClass=inetOrgPerson)(uid=%u))\";  #@ldap.user_filter"
	print "    group_base = \"ou=groups,dc=example,dc=org\";  #@ldap.group_base"
	print "    group_filter = \"(|(member=%d)(uniqueMember=%d)(memberUid=%u))\";  #@ldap.group_filter"
	print "    group_name_attr = \"cn\";          #@ldap.group_name_attr"
	print "    nested = true;                    #@ldap.nested"
	print "    timeout_ms = 2000;                #@ldap.timeout_ms"
	print "    cache_ttl = 300;                  #@ldap.cache_ttl"
	print "    negative_ttl = 30;                #@ldap.negative_ttl"
	print "    stale_ttl = 3600;                 #@ldap.stale_ttl"
	print "    cache_file = \"" dir "/ldap.cache\";  #@ldap.cache_file"
	print "  };"
	next } { print }' "$BASE" >"$T/ldap.conf"
[ -r /etc/ssl/certs/ca-certificates.crt ] || sed -i 's|/etc/ssl/certs/ca-certificates.crt||' "$T/ldap.conf"
want_rc 0 "check: SPEC's block with every key, LDAP included" 0 "$RG" check -c "$T/ldap.conf"
want_rc 0 "check: the base configuration" 0 "$RG" check -c "$GOOD"
REV=$(sha256sum "$GOOD" | cut -c1-12)
grep -q "$REV" "$T/out" && e2e_pass "check prints the policy revision $REV (sha256 of the file)" ||
	e2e_fail "check does not print the revision $REV: $(cat "$T/out")"
want_rc 0 "check --offline" 0 "$RG" check -c "$GOOD" --offline

# key TAG WRONG-VALUE-LINE: the variant must be refused, exit 1, FILE:LINE at that line.
wrong() {
	local tag=$1 repl=$2 base=${3:-$BASE} f=$T/wrong.conf ln
	awk -v tag="#@$tag" -v repl="$repl" '
		index($0, tag) && !done { print repl "  " tag; done = 1; next } { print }
		END { if (!done) exit 3 }' "$base" >"$f" || e2e_die "no line tagged $tag"
	ln=$(line_of "$tag" "$f")
	rc_of "$RG" check -c "$f"
	if [ "$RC" -ne 1 ]; then
		e2e_fail "check: $tag as \`${repl# *}\`: exit $RC, want 1 ($(head -n 3 "$T/err" "$T/out" | tr '\n' ' '))"
	elif ! grep -q "^$f:$ln: " "$T/err" "$T/out"; then
		e2e_fail "check: $tag as \`${repl# *}\`: exit 1 but no \"FILE:$ln: \" line ($(head -n 3 "$T/err" "$T/out" | tr '\n' ' '))"
	else
		e2e_pass "check: $tag as \`$(sed 's/^ *//' <<<"$repl")\` => exit 1, FILE:$ln"
	fi
}
wrong plugin.socket '  socket = 1;'
wrong plugin.socket '  socket = "relative.sock";'
wrong plugin.socket_group '  socket_group = 0;'
wrong plugin.socket_group '  socket_group = "no-such-group-xyz";'
wrong plugin.max_body '  max_body = true;'
wrong plugin.max_body '  max_body = -1;'
wrong plugin.threads '  threads = "0";'
wrong plugin.threads '  threads = -2;'
wrong plugin.max_connections '  max_connections = [1];'
wrong plugin.idle_timeout '  idle_timeout = "300";'
wrong plugin.state '  state = 7;'
wrong plugin.state '  state = "var/state";'
wrong plugin.state '  bogus_key = 1;'
wrong identity.unauthenticated '  unauthenticated = false;'
wrong identity.users '  users = "alice"; bad = ('
wrong identity.users '  users = ( { name = 5; groups = []; } ); bad = ('
wrong identity.users '  users = ( { name = "x"; groups = "g"; } ); bad = ('
wrong identity.users '  users = ( { name = "x"; groups = []; shell = "/bin/sh"; } ); bad = ('
wrong identity.unauthenticated '  unauthenticated = ""; bogus_key = 1;'
for k in uri ca_file bind_dn bind_password_file user_base user_filter group_base group_filter group_name_attr cache_file; do
	wrong "ldap.$k" "    $k = 42;" "$T/ldap.conf"
done
for k in starttls nested; do wrong "ldap.$k" "    $k = \"yes\";" "$T/ldap.conf"; done
for k in timeout_ms cache_ttl negative_ttl stale_ttl; do wrong "ldap.$k" "    $k = \"10\";" "$T/ldap.conf"; done
wrong ldap.uri '    uri = "http://ldap.example.org";' "$T/ldap.conf"
wrong ldap.nested '    nested = true; bogus_key = 1;' "$T/ldap.conf"
wrong ops.groups '    groups = "docker-ops";'
wrong ops.users '    users = "alice";'
wrong ops.allow '    allow = "*";'
wrong ops.allow '    allow = ["nosuch.command"];'
wrong ops.allow '    allow = ["*"]; bogus_key = 1;'
wrong developer.deny '    deny = "container.commit";'
wrong c.privileged '      privileged = "no";'
wrong c.host_namespaces '      host_namespaces = 0;'
wrong c.capabilities '      capabilities = "NET_BIND_SERVICE";'
wrong c.capabilities '      capabilities = ["NOT_A_CAPABILITY"];'
wrong c.devices '      devices = [];'
wrong c.unconfined '      unconfined = "false";'
wrong c.bind_mounts '      bind_mounts = "/srv";'
wrong c.bind_mounts '      bind_mounts = ["srv/relative"];'
wrong c.registries '      registries = 1;'
wrong c.require_limits '      require_limits = ["memory", "bogus"];'
wrong c.require_limits '      require_limits = "memory";'
wrong c.exec_user '      exec_user = "!root";'
wrong c.max_limits '      max_limits = { memory = [1]; };'
wrong c.max_limits '      max_limits = { memory = "8q"; };'
wrong c.max_limits '      max_limits = { pids = "many"; };'
wrong c.max_limits '      max_limits = { cpus = "four"; };'
wrong c.max_limits '      max_limits = { disk = "1g"; };'
wrong c.runtimes '      runtimes = "runc";'
wrong c.cgroup_parent '      cgroup_parent = "/x";'
wrong c.sysctls '      sysctls = "net.*";'
wrong c.log_drivers '      log_drivers = 1;'
wrong c.image_targets '      image_targets = "registry.example.org";'
wrong c.pinned_images '      pinned_images = 1;'
wrong c.pinned_images '      pinned_images = false; approved_images = 5;'
wrong c.networks '      networks = "bridge";'
wrong c.network_drivers '      network_drivers = true;'
wrong c.owner '      owner = "me";'
wrong c.owner '      owner = 1;'
wrong c.owner '      owner = "self"; bogus_key = 1;'
wrong audit.path '  path = 1;'
wrong audit.path '  path = "decisions.log";'
wrong audit.sync '  sync = "sometimes";'
wrong audit.sync '  sync = true;'
wrong audit.responses '  responses = "some";'
wrong audit.key_file '  key_file = false;'
wrong audit.syslog '  syslog = "yes";'
wrong audit.on_error '  on_error = "ignore";'
wrong audit.checkpoint '  checkpoint = "60";'
wrong audit.checkpoint '  checkpoint = -1;'
wrong audit.checkpoint '  checkpoint = 60; bogus_key = 1;'
# A top-level unknown group.
{ cat "$BASE"; echo 'bogus = { x = 1; };'; } >"$T/top.conf"
want_rc 1 "check: an unknown top-level group" 0 "$RG" check -c "$T/top.conf"
grep -q "^$T/top.conf:$(wc -l <"$T/top.conf"): " "$T/err" "$T/out" ||
	e2e_fail "unknown top-level group: no FILE:LINE: $(cat "$T/err" "$T/out")"
# All problems, not just the first.
sed -e 's/#@plugin.threads/#/; s/^  threads = 0;/  threads = "x";/' \
	-e 's/^  sync = "batch";/  sync = "x";/' "$BASE" >"$T/two.conf"
rc_of "$RG" check -c "$T/two.conf"
[ "$RC" = 1 ] && [ "$(grep -c "^$T/two.conf:[0-9]*: " "$T/err" "$T/out" | awk -F: '{s+=$NF} END {print s}')" -ge 2 ] &&
	e2e_pass "check reports every problem (two wrong keys, two FILE:LINE lines)" ||
	e2e_fail "check with two wrong keys: $(cat "$T/err" "$T/out")"
: >"$T/empty.conf"
want_rc 1 "check: an empty file" 0 "$RG" check -c "$T/empty.conf"
head -c $(($(wc -c <"$BASE") / 2)) "$BASE" >"$T/trunc.conf"
want_rc 1 "check: a truncated file" 0 "$RG" check -c "$T/trunc.conf"
# Secret, key and approved-images files, read as serve reads them.
head -c 32 /dev/urandom >"$T/key"
chmod 0600 "$T/key"
variant audit.key_file "  key_file = \"$T/key\";" "$T/key.conf"
want_rc 0 "check: key_file 0600 root" 0 "$RG" check -c "$T/key.conf"
chmod 0644 "$T/key"
want_rc 1 "check: key_file others can read (0644)" 0 "$RG" check -c "$T/key.conf"
rm -f "$T/key"
want_rc 2 "check: key_file missing" 0 "$RG" check -c "$T/key.conf"
want_rc 0 "check --offline: key_file missing is not read" 0 "$RG" check --offline -c "$T/key.conf"
printf 'sha256:%064d\n' 0 >"$T/approved"
chmod 0644 "$T/approved"
variant c.pinned_images "      pinned_images = false; approved_images = \"$T/approved\";" "$T/appr.conf"
want_rc 0 "check: approved_images readable" 0 "$RG" check -c "$T/appr.conf"
printf 'not a digest\n' >>"$T/approved"
want_rc 0 "check: approved_images malformed (a warning)" 0 "$RG" check -c "$T/appr.conf"
grep -qi warn "$T/err" "$T/out" || e2e_fail "malformed approved_images: no warning: $(cat "$T/err" "$T/out")"
chmod 0666 "$T/approved"
want_rc 1 "check: approved_images others can write" 0 "$RG" check -c "$T/appr.conf"
rm -f "$T/approved"
want_rc 2 "check: approved_images missing" 0 "$RG" check -c "$T/appr.conf"
chmod 0644 "$T/ldap.secret"
want_rc 1 "check: bind_password_file others can read" 0 "$RG" check -c "$T/ldap.conf"
chmod 0600 "$T/ldap.secret"

# ---------------------------------------------------------------------------
e2e_section "3. explain -- docker ... against the live plugin (real dockerd)"
# ---------------------------------------------------------------------------
command -v docker-registry >/dev/null 2>&1 || e2e_skip "docker-registry is not installed"
command -v curl >/dev/null 2>&1 || e2e_skip "curl is not installed"
e2e_start_registry

start_rolegate "$E2E_SRC/acceptance.conf"
start_dockerd
e2e_import_busybox alice
REV=$(sha256sum "$E2E_CONF" | cut -c1-12)

CASES=0 ALLOWS=0 DENIES=0
# compare USER ARGS...: the live verdict (deny = the CLI shows "authorization
# denied by plugin NAME: MSG") and explain's (exit 0 / 1) must agree, and on a
# deny the messages must be equal. USER "" = the Unix socket.
compare() {
	local user=$1 real msg ex ex_rc ex_out ex_msg who prefix="authorization denied by plugin $E2E_PLUGIN: "
	shift
	who=${user:-unix-socket}
	# explain first, from a copy of serve's ownership state as it is
	# before the command runs (a remove would otherwise have gone already)
	ex_out=$("$RG" explain -c "$E2E_CONF" --state "$E2E_DIR/state" --user "$user" -- docker "$@" 2>&1)
	ex_rc=$?
	if [ -n "$user" ]; then e2e_run docker_as "$user" "$@"; else e2e_run docker_unix "$@"; fi
	msg=$(grep -F -- "$prefix" <<<"$E2E_OUT" | head -n 1)
	if [ -n "$msg" ]; then real=deny msg=${msg#*"$prefix"}; else real=allow; fi
	CASES=$((CASES + 1))
	case $ex_rc in
	0) ex=allow ;;
	1) ex=deny ;;
	*)
		e2e_fail "$who\$ docker $*  (dockerd: $real; explain exited $ex_rc)"
		printf '%s\n' "$ex_out" | tail -n 8 | sed 's/^/      explain> /'
		return
		;;
	esac
	if [ "$real" != "$ex" ]; then
		e2e_fail "$who\$ docker $*  (dockerd: $real, explain: $ex)"
		[ -z "$msg" ] || echo "      dockerd> $msg"
		[ "$real" = deny ] || printf '%s\n' "$E2E_OUT" | tail -n 3 | sed 's/^/      docker> /'
		printf '%s\n' "$ex_out" | tail -n 8 | sed 's/^/      explain> /'
		return
	fi
	if [ "$real" = allow ]; then
		ALLOWS=$((ALLOWS + 1))
		e2e_pass "$who\$ docker $*  => allow (dockerd and explain agree)"
		return
	fi
	DENIES=$((DENIES + 1))
	# The answer's message is the first deny's. The docker CLI shows no
	# message for a denied HEAD (cp's stat) or a request whose failure it
	# ignores (service create's image.distribution) and goes on: then what it
	# shows is a later request's, which explain printed as well.
	ex_msg=$(sed -n 's/^message: *//p' <<<"$ex_out" | tail -n 1)
	if [ "$ex_msg" = "$msg" ]; then
		e2e_pass "$who\$ docker $*  => deny, same message: $msg"
	elif grep -qxF -- "message:  $msg" <<<"$ex_out" &&
		! grep -q -e "authorization denied by plugin $E2E_PLUGIN: $ex_msg" <<<"$E2E_OUT"; then
		e2e_pass "$who\$ docker $*  => deny; the CLI showed a later request's message, which explain also printed: $msg"
	else
		e2e_fail "$who\$ docker $*  denied by both, messages differ: dockerd \"$msg\", explain \"$ex_msg\""
	fi
}

mkdir -p "$T/ctx"
printf 'FROM busybox\nLABEL acceptance=1\n' >"$T/ctx/Dockerfile"
echo "a file" >"$T/file.txt"
lim=(--memory 64m --pids-limit 100 --cpus 1)
R=$REGISTRY/acc/bb:1

e2e_section "ops (alice): everyday commands"
compare alice version
compare alice info
compare alice ps -a
compare alice run -d --name web busybox sleep 300
compare alice exec web true
compare alice exec -u 0 web id
compare alice logs web
compare alice top web
compare alice cp web:/etc/passwd "$T/passwd.out"
# again, now over the existing local file (round 16: explain's client failed)
compare alice cp web:/etc/passwd "$T/passwd.out"
compare alice cp "$T/file.txt" web:/tmp/file.txt
compare alice build -q -t accbuild:1 "$T/ctx"
compare alice tag busybox "$R"
compare alice login -u acc -p acc "$REGISTRY"
compare alice push "$R"
compare alice pull "$R"
compare alice network create team-a
compare alice network connect team-a web
compare alice network disconnect team-a web
compare alice network ls
compare alice volume create v1
compare alice volume create alicevol
compare alice volume inspect v1
compare alice volume ls
# compose-ish: the calls docker-compose makes (labelled network, volume, container)
compare alice network create --label com.docker.compose.project=acc acc_default
compare alice volume create --label com.docker.compose.project=acc acc_data
compare alice create --name acc_app_1 --label com.docker.compose.project=acc \
	--network acc_default -v acc_data:/data busybox sleep 300
compare alice start acc_app_1
compare alice stop -t 0 acc_app_1
compare alice rm acc_app_1
compare alice volume rm acc_data
compare alice network rm acc_default
compare alice restart -t 0 web
compare alice pause web
compare alice unpause web
compare alice update --memory 128m --memory-swap 256m web
compare alice rename web web2
compare alice rename web2 web
compare alice diff web
compare alice port web
compare alice export -o "$T/web.tar" web
compare alice kill web
compare alice start web
compare alice events --since 1s --until 1s
compare alice system df
compare alice image inspect busybox
compare alice history busybox
compare alice save -o "$T/bb.tar" busybox
compare alice load -i "$T/bb.tar"
compare alice import "$T/web.tar" imported:1
compare alice rmi imported:1
compare alice builder prune -f
compare alice rm -f web
compare alice network rm team-a
compare alice system prune -f
compare alice image prune -f
compare alice volume prune -f
swarm_port=$(dockerd_free_port)
compare alice swarm init --advertise-addr 127.0.0.1 --listen-addr "127.0.0.1:$swarm_port"
compare alice service create -d --name s1 "$R" sleep 300
compare alice service ls
compare alice node ls
compare alice swarm update --task-history-limit 2
compare alice swarm unlock-key
compare alice secret create accsecret "$T/file.txt"
compare alice config create accconfig "$T/file.txt"
compare alice secret ls
compare alice secret rm accsecret
compare alice config rm accconfig
compare alice service inspect s1
compare alice service rm s1
compare alice swarm leave --force

e2e_section "developer (dave): allowed and refused"
compare dave ps
compare dave images
compare dave run --rm "${lim[@]}" busybox true
compare dave run -d "${lim[@]}" --name dbox --user 65534 busybox sleep 300
compare dave exec dbox id
compare dave exec -u root dbox id
compare dave exec -u 65534:0 dbox id
compare dave logs dbox
compare dave restart -t 0 dbox
compare dave pause dbox
compare dave unpause dbox
compare dave update --memory 128m --memory-swap 256m dbox
compare dave update --memory 4g --memory-swap 8g dbox
compare dave top dbox
compare dave inspect alice-web-gone
compare dave run --rm "${lim[@]}" --volumes-from dbox busybox true
compare dave run -d "${lim[@]}" --name dnet --network team-a busybox true
compare dave volume create dvol2
compare dave run --rm "${lim[@]}" -v dvol2:/data busybox true
compare dave run --rm "${lim[@]}" -v alicevol:/data busybox true
compare dave cp dbox:/etc/passwd "$T/passwd2.out"
compare dave cp "$T/file.txt" dbox:/tmp/file.txt
compare dave run --rm "${lim[@]}" --privileged busybox true
compare dave run --rm "${lim[@]}" -v /etc:/x busybox true
compare dave run --rm "${lim[@]}" -v "$E2E_DIR/projects/app:/src:ro" busybox cat /src/README
compare dave run --rm "${lim[@]}" --network host busybox true
compare dave run --rm "${lim[@]}" --cap-add SYS_ADMIN busybox true
compare dave run --rm "${lim[@]}" --sysctl net.ipv4.ip_forward=1 busybox true
compare dave run --rm --memory 2g --pids-limit 100 --cpus 1 busybox true
compare dave run --rm busybox true
compare dave build -q -t accbuild:2 "$T/ctx"
compare dave pull "$R"
compare dave push "$R"
compare dave login -u acc -p acc "$REGISTRY"
compare dave network create team-b
compare dave volume create dvol
compare dave volume rm dvol
compare dave system prune -f
compare dave container prune -f
compare dave swarm init --advertise-addr 127.0.0.1
compare dave service create -d --name s2 "$R" true
compare dave commit dbox
compare dave stop -t 0 dbox
compare alice rm -f dbox
compare dave rm -f dbox

e2e_section "auditor (bob), no role (carol), the Unix socket"
compare bob ps -a
compare bob info
compare bob network ls
compare bob run --rm busybox true
compare bob volume create bobvol
compare bob system prune -f
compare carol ps
compare carol version
compare "" ps
compare "" run --rm busybox true
# SPEC §4: the deny message names the user, the command and the reason,
# also for a caller with no role or no identity.
expect_denied "carol has no role (groups: none), so may not use container.list" docker_as carol ps
expect_denied "unauthenticated caller: requests without a TLS client certificate are denied ... so may not use container.list" \
	docker_unix ps
if [ "$CASES" -ge 60 ] && [ "$ALLOWS" -ge 25 ] && [ "$DENIES" -ge 20 ]; then
	e2e_pass "$CASES command lines compared ($ALLOWS allowed and $DENIES denied by both)"
else
	e2e_fail "$CASES command lines, $ALLOWS agreed allows, $DENIES agreed denies (want >= 60, >= 25, >= 20)"
fi

# ---------------------------------------------------------------------------
e2e_section "4. the log record: SPEC §6 fields for allow, deny, request, response"
# ---------------------------------------------------------------------------
LOG=$E2E_AUDIT
# Records are durable within 10 ms under sync = "batch": wait for the last
# command's records rather than sleeping.
log_has() { jq -e -s "$1" "$LOG" >/dev/null 2>&1; }
e2e_wait_for 10 log_has 'map(select(.phase == "request" and .authn == "none" and .command == "container.list")) | length > 0' ||
	e2e_fail "the Unix socket's run has no record"
# check_jq DESC FILTER: FILTER over the whole log (slurped) must be true.
check_jq() {
	local out
	if out=$(jq -e -s "$2" "$LOG" 2>&1); then
		e2e_pass "log: $1"
	else
		e2e_fail "log: $1 ($(head -c 400 <<<"$out"))"
	fi
}
req='map(select(.phase == "request"))'
resp='map(select(.phase == "response"))'
common='["seq","time","phase","user","authn","groups","roles","command","object","method","uri","decision","host","policy","prev","hash"]'
check_jq "every record is JSON with seq 1, 2, 3... in order" \
	'[.[].seq] == [range(1; length + 1)]'
check_jq "request and response records carry every field SPEC §6 names" \
	"map(select(.phase == \"request\" or .phase == \"response\")) | all(. as \$r | $common | all(. as \$k | \$r | has(\$k)))"
check_jq "time is RFC 3339 UTC with microseconds" \
	'all(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$"))'
check_jq "types: seq number, groups/roles arrays, strings elsewhere" \
	"$req | all((.seq|type) == \"number\" and (.groups|type) == \"array\" and (.roles|type) == \"array\" and ([.user,.authn,.command,.object,.method,.uri,.decision,.host,.policy]|all(type == \"string\")))"
check_jq "prev and hash are hex SHA-256; each prev is the previous hash" \
	'all(.hash | test("^[0-9a-f]{64}$")) and ([range(1; length)] as $i | . as $a | $i | all($a[.].prev == $a[. - 1].hash))'
check_jq "decision is allow or deny" 'all(.phase == "system" or (.decision == "allow" or .decision == "deny"))'
check_jq "allow: role set, no reason" "$req | map(select(.decision == \"allow\")) | length > 0 and all(has(\"role\") and (.role|type) == \"string\" and (has(\"reason\")|not))"
check_jq "deny: reason set, no role" "$req | map(select(.decision == \"deny\")) | length > 0 and all(has(\"reason\") and (.reason|length) > 0 and (has(\"role\")|not))"
check_jq "status only on responses (a number), role on allowed responses" \
	"($req | all(has(\"status\")|not)) and ($resp | length > 0 and all((.status|type) == \"number\"))"
check_jq "responses = \"mutating\": no response record for a read-only command (SPEC §5 verbs)" \
	"$resp | length > 0 and all(.command | test(\"[.](list|inspect|top|logs|changes|stats|wait|resize|ping|version|info|events|df|history|search|distribution)\$\") | not)"
check_jq "policy is the configuration's revision ($REV)" "$req | all(.policy == \"$REV\")"
check_jq "host is this host's name" "all(.host == \"$(hostname)\")"
check_jq "TLS callers: authn TLS, user = the certificate's CN" \
	"$req | map(select(.user == \"alice\" or .user == \"dave\")) | length > 0 and all(.authn == \"TLS\")"
check_jq "the Unix socket: user \"\", authn none" \
	"$req | map(select(.authn == \"none\")) | length > 0 and all(.user == \"\")"
check_jq "method and uri as dockerd sent them" \
	"$req | map(select(.command == \"container.create\" and .user == \"alice\")) | .[0] | .method == \"POST\" and (.uri | test(\"^/v1\\\\.[0-9]+/containers/create\"))"
check_jq "object of a named create is the name (?name=web)" \
	"$req | any(.command == \"container.create\" and .object == \"web\" and .user == \"alice\")"
check_jq "the create's response record carries the id" \
	"$resp | any(.command == \"container.create\" and .object == \"web\" and (.id | test(\"^[0-9a-f]{64}$\")))"
check_jq "a pull's object is fromImage+tag" "$req | any(.command == \"image.pull\" and .object == \"$R\")"
check_jq "a user with no roles: denied, the reason says so" \
	"$req | any(.user == \"carol\" and .decision == \"deny\" and (.reason | test(\"no role\")))"
check_jq "details.privileged on a privileged create (deny)" \
	"$req | any(.user == \"dave\" and .command == \"container.create\" and .decision == \"deny\" and .details.privileged == true)"
check_jq "details.binds: an array of resolved host paths" \
	"$req | any(.command == \"container.create\" and (.details.binds | type) == \"array\" and (.details.binds | index(\"/etc\")))"
check_jq "details.caps: an array" \
	"$req | any(.command == \"container.create\" and (.details.caps | type) == \"array\" and (.details.caps | map(test(\"SYS_ADMIN\")) | any))"
check_jq "details.limits {memory: BYTES, pids: N}" \
	"$req | any(.command == \"container.create\" and .user == \"dave\" and .details.limits.memory == 67108864 and .details.limits.pids == 100)"
check_jq "details.image on a create" \
	"$req | any(.command == \"container.create\" and (.details.image | type) == \"string\" and (.details.image | test(\"busybox\")))"
check_jq "details.user on a create with --user" \
	"$req | any(.command == \"container.create\" and .details.user == \"65534\")"
check_jq "details only when set (an object)" "all(has(\"details\") | not) or (map(select(has(\"details\"))) | all(.details | type == \"object\" and length > 0))"
# Every command name logged is one of SPEC §5's.
NAMES=" container.list container.create container.inspect container.top container.logs container.changes
container.export container.stats container.resize container.start container.stop container.restart
container.kill container.update container.rename container.pause container.unpause container.attach
container.wait container.remove container.archive.get container.archive.put container.prune
container.commit container.checkpoint exec.create exec.start exec.resize exec.inspect image.list
image.build image.build.prune image.build.cancel image.pull image.import image.inspect image.history
image.push image.tag image.remove image.search image.prune image.save image.load image.distribution
volume.list volume.create volume.inspect volume.update volume.remove volume.prune network.list
network.inspect network.create network.connect network.disconnect network.remove network.prune
plugin.list plugin.privileges plugin.install plugin.inspect plugin.remove plugin.enable plugin.disable
plugin.upgrade plugin.create plugin.push plugin.set system.ping system.version system.info
system.events system.df system.auth system.session system.grpc swarm.inspect swarm.init swarm.join
swarm.leave swarm.update swarm.unlockkey swarm.unlock service.logs task.logs "
for o in node service task secret config; do
	for v in list inspect create update remove; do NAMES+="$o.$v "; done
done
NAMES=$(tr '\n' ' ' <<<"$NAMES")
bad=
seen=
for c in $(jq -r 'select(.phase == "request") | .command' "$LOG" | sort -u); do
	[[ $NAMES == *" $c "* ]] || bad+=" $c"
	seen+=" $c"
done
[ -z "$bad" ] && e2e_pass "log: every command name is one of SPEC §5's ($(wc -w <<<"$seen") distinct)" ||
	e2e_fail "log: command names not in SPEC §5:$bad"
for cls in container.create container.start exec.create exec.start container.archive.get container.archive.put \
	image.build image.tag image.push image.pull system.auth network.create network.connect volume.create \
	container.prune swarm.init service.create service.remove swarm.leave; do
	check_jq "$cls: allowed and recorded with its role" "$req | any(.command == \"$cls\" and .decision == \"allow\" and .role == \"ops\")"
done
for cls in container.create exec.create container.archive.put image.build image.push system.auth \
	network.create container.prune swarm.init service.create container.commit; do
	check_jq "$cls: a deny recorded with its reason" "$req | any(.command == \"$cls\" and .decision == \"deny\" and (.reason | length) > 0)"
done

e2e_section "4b. explain --json field names (SPEC §2)"
rc_of "$RG" explain -c "$E2E_CONF" --json --user alice GET /containers/json
if [ "$RC" = 0 ] && jq -e '(["user","groups","roles","command","object","method","uri","decision","role","mutating"] | all(. as $k | input_line_number >= 0)) and has("user") and has("groups") and has("roles") and has("command") and has("object") and has("method") and has("uri") and .decision == "allow" and .role == "ops" and .command == "container.list" and .mutating == false and (.groups|type) == "array" and (has("reason")|not)' "$T/out" >/dev/null; then
	e2e_pass "explain --json (allow): user groups roles command object method uri decision role mutating"
else
	e2e_fail "explain --json (allow): exit $RC $(cat "$T/out" "$T/err")"
fi
printf '{"Image":"busybox","HostConfig":{"Privileged":true,"Memory":67108864,"PidsLimit":100}}' >"$T/priv.json"
rc_of "$RG" explain -c "$E2E_CONF" --json --user dave POST /v1.41/containers/create "$T/priv.json"
if [ "$RC" = 1 ] && jq -e '.decision == "deny" and (.reason | test("privileged")) and .command == "container.create" and .uri == "/v1.41/containers/create" and .method == "POST" and .mutating == true and (has("role")|not)' "$T/out" >/dev/null; then
	e2e_pass "explain --json (deny): exit 1, reason, no role"
else
	e2e_fail "explain --json (deny): exit $RC $(cat "$T/out" "$T/err")"
fi
rc_of "$RG" explain -c "$E2E_CONF" --user dave POST /v1.41/containers/create - <"$T/priv.json"
[ "$RC" = 1 ] && grep -q privileged "$T/out" && e2e_pass "explain BODY-FILE - (stdin): deny, exit 1" ||
	e2e_fail "explain BODY-FILE -: exit $RC $(cat "$T/out" "$T/err")"
for f in command object groups roles decision reason; do
	grep -qi "^$f" "$T/out" || e2e_fail "explain text output lacks \"$f\": $(cat "$T/out")"
done
rc_of "$RG" explain -c "$E2E_CONF" --json --user alice -- docker run -d --name j1 busybox true
if [ "$RC" = 0 ] && jq -e '.command == "container.create" and .decision == "allow" and (.requests|type) == "array" and (.requests | map(.command) | index("container.create")) != null and (.requests | all(has("user") and has("decision") and has("command") and has("uri")))' "$T/out" >/dev/null; then
	e2e_pass "explain --json -- docker run: deciding = the create, requests[] in order"
else
	e2e_fail "explain --json -- docker run: exit $RC $(head -c 600 "$T/out") $(cat "$T/err")"
fi
rc_of "$RG" explain -c "$E2E_CONF" --json --user dave --groups auditors -- docker ps
[ "$RC" = 0 ] && jq -e '.groups == ["auditors"] and .roles == ["auditor"]' "$T/out" >/dev/null &&
	e2e_pass "explain --groups replaces the lookup" || e2e_fail "explain --groups: exit $RC $(head -c 400 "$T/out")"
rc_of "$RG" list -c "$E2E_CONF" --user dave --json
[ "$RC" = 0 ] && jq -e '.' "$T/out" >/dev/null && grep -q container.create "$T/out" &&
	e2e_pass "list --json: valid JSON naming the commands" || e2e_fail "list --json: exit $RC $(head -c 300 "$T/out")"
want_rc 0 "list --user dave (text)" 0 "$RG" list -c "$E2E_CONF" --user dave
want_rc 1 "list --user carol (no roles: a negative answer)" 0 "$RG" list -c "$E2E_CONF" --user carol
want_rc 0 "state (text)" 0 "$RG" state -c "$E2E_CONF"
rc_of "$RG" state -c "$E2E_CONF" --json
[ "$RC" = 0 ] && jq -e -s 'length >= 0' "$T/out" >/dev/null && e2e_pass "state --json parses" ||
	e2e_fail "state --json: exit $RC $(head -c 300 "$T/out")"
cat >"$T/policy.cases" <<CASES
# SPEC §2's case forms
alice GET /containers/json => allow
dave:developers POST /v1.41/containers/create $T/priv.json => deny
john:"Domain Users",developers GET /_ping => allow
carol GET /containers/json => deny
dave -- docker ps => allow
dave -- docker run --privileged --memory 64m --pids-limit 100 busybox => deny
CASES
want_rc 0 "test CASES-FILE (all pass)" 0 "$RG" test -c "$E2E_CONF" --junit "$T/junit.xml" "$T/policy.cases"
grep -q "6 passed, 0 failed" "$T/out" && grep -q "<testsuite" "$T/junit.xml" &&
	e2e_pass "test: \"6 passed, 0 failed\", JUnit XML written" || e2e_fail "test: $(cat "$T/out") / junit: $(head -c 200 "$T/junit.xml")"
echo 'alice GET /containers/json => deny' >>"$T/policy.cases"
want_rc 1 "test with a failing case: exit 1" 0 "$RG" test -c "$E2E_CONF" "$T/policy.cases"
grep -q "6 passed, 1 failed" "$T/out" || e2e_fail "test summary: $(cat "$T/out")"

e2e_section "4c. log query and log stats flags"
q() { "$RG" log query -c "$E2E_CONF" "$@"; }
want_rc 0 "log query (table)" 0 q
for col in TIME USER ROLES COMMAND OBJECT DECISION REASON; do
	head -n 1 "$T/out" | grep -q "$col" || e2e_fail "log query table header lacks $col: $(head -n 1 "$T/out")"
done
want_rc 0 "log query --user dave --decision deny --json" 0 q --user dave --decision deny --json
jq -e -s 'length > 0 and all(.user == "dave" and .decision == "deny")' "$T/out" >/dev/null ||
	e2e_fail "log query --user dave --decision deny: $(head -c 300 "$T/out")"
want_rc 0 "log query --command 'container.*' --json" 0 q --command 'container.*' --json
jq -e -s 'length > 0 and all(.command | startswith("container."))' "$T/out" >/dev/null || e2e_fail "--command glob"
want_rc 0 "log query --object web --json" 0 q --object web --json
WEBID=$(jq -r -s 'map(select(.phase == "response" and .command == "container.create" and .object == "web")) | .[0].id' "$LOG")
jq -e -s --arg id "$WEBID" 'any(.uri | contains($id[0:12]) or contains("/web/"))' "$T/out" >/dev/null &&
	e2e_pass "log query --object web finds the requests that named its id or name" ||
	e2e_fail "log query --object web: $(head -c 300 "$T/out")"
want_rc 0 "log query --object ID-PREFIX --json" 0 q --object "${WEBID:0:12}" --json
want_rc 0 "log query --detail privileged=true --json" 0 q --detail privileged=true --json
jq -e -s 'length > 0 and all(.details.privileged == true)' "$T/out" >/dev/null || e2e_fail "--detail privileged=true"
want_rc 0 "log query --detail 'bind=/etc*'" 0 q --detail 'bind=/etc*' --json
want_rc 0 "log query --detail 'image=docker.io/library/busybox*'" 0 q --detail 'image=docker.io/library/busybox*' --json
want_rc 0 "log query --host H --since 15m --until 0s --limit 2 --json" 0 q --host "$(hostname)" --since 15m --until 0s --limit 2 --json
[ "$(wc -l <"$T/out")" = 2 ] || e2e_fail "--limit 2 printed $(wc -l <"$T/out") lines"
want_rc 0 "log query --since RFC 3339" 0 q --since "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)" --limit 1
for rel in 30s 15m 2h 7d; do
	want_rc 0 "log query --since $rel (relative TIME)" 0 q --since "$rel" --limit 1
done
want_rc 1 "log query with no match (exit 1)" 0 q --user nobody-at-all
want_rc 0 "log query --file LOG" 0 q --file "$LOG" --limit 1
want_rc 0 "log stats" 0 "$RG" log stats -c "$E2E_CONF"
grep -q dave "$T/out" && grep -q deny "$T/out" && grep -q container.create "$T/out" ||
	e2e_fail "log stats lacks users/commands/decisions: $(head -c 300 "$T/out")"
want_rc 0 "log stats --since 1h" 0 "$RG" log stats -c "$E2E_CONF" --since 1h
# --follow: prints a new record as it is written (waited for, not slept).
"$RG" log query -c "$E2E_CONF" --follow --json --user bob >"$T/follow.out" 2>"$T/follow.err" &
FOLLOW_PID=$!
e2e_wait_for 10 grep -q '"user":"bob"' "$T/follow.out"
docker_as bob version --format '{{.Server.Version}}' >/dev/null 2>&1
n_bob=$(jq -s 'map(select(.user == "bob")) | length' "$LOG")
follow_caught() { [ "$(grep -c '"user":"bob"' "$T/follow.out")" -ge "$n_bob" ]; }
if e2e_wait_for 20 follow_caught; then
	e2e_pass "log query --follow printed bob's new records"
else
	e2e_fail "log query --follow: $(grep -c '"user":"bob"' "$T/follow.out") of $n_bob bob records"
fi
kill -TERM "$FOLLOW_PID" 2>/dev/null
wait "$FOLLOW_PID" 2>/dev/null

e2e_section "4d. log query: --object follows renames; text output escapes control characters"
expect_ok "" docker_as alice create --name ren1 busybox true
expect_ok "" docker_as alice rename ren1 ren2
expect_ok "" docker_as alice rm ren2
log_has 'any(.command == "container.remove" and .object == "ren2")' || e2e_wait_for 10 log_has 'any(.command == "container.remove" and .object == "ren2")'
want_rc 0 "log query --object ren2 --json" 0 q --object ren2 --json
jq -e -s 'any(.command == "container.create" and .object == "ren1") and any(.command == "container.rename") and any(.command == "container.remove")' "$T/out" >/dev/null &&
	e2e_pass "log query --object ren2: the create under the old name ren1, the rename and the remove" ||
	e2e_fail "log query --object ren2 does not follow the rename: $(jq -c -s 'map([.command,.object])' "$T/out")"
want_rc 0 "log query --object ren1 --json" 0 q --object ren1 --json
jq -e -s 'any(.command == "container.remove")' "$T/out" >/dev/null &&
	e2e_pass "log query --object ren1 (the old name) finds the remove of ren2" ||
	e2e_fail "log query --object ren1: $(jq -c -s 'map([.command,.object])' "$T/out")"
# dockerd refuses these names, after the plugin allowed and recorded the create.
docker_as alice create --name $'evil\u202egnp.exe' busybox true >/dev/null 2>&1
docker_as alice create --name $'x\e[31mred\u2028y' busybox true >/dev/null 2>&1
e2e_wait_for 10 log_has 'any(.object | test("red"))'
want_rc 0 "log query --command container.create (text)" 0 q --command container.create
if LC_ALL=C grep -q -P '\x1b|\xe2\x80\xae|\xe2\x80\xa8' "$T/out"; then
	e2e_fail "log query prints an escape, bidi or line-separator character raw"
else
	grep -q 'gnp' "$T/out" && e2e_pass "log query text escapes ESC, U+202E and U+2028 (names still shown)" ||
		e2e_fail "log query lost the names: $(grep -a evil "$T/out")"
fi
check_jq "a create dockerd refused: its response record has status 0" \
	'any(.phase == "response" and .command == "container.create" and (.object | test("red")) and .status == 0)'
rc_of "$RG" state -c "$E2E_CONF" --json
jq -e -s 'length > 0 and all(has("kind") and has("id") and has("name") and has("owner") and has("role") and has("created") and has("host_paths"))' "$T/out" >/dev/null &&
	e2e_pass "state --json: kind id name owner role created host_paths" || e2e_fail "state --json fields: $(head -n 1 "$T/out")"
rc_of "$RG" explain -c "$E2E_CONF" --api-version 1.24 --json --user alice -- docker ps
jq -e '.requests | map(.uri) | .[1:] | all(startswith("/v1.24/"))' "$T/out" >/dev/null &&
	e2e_pass "explain --api-version 1.24: the client speaks 1.24" || e2e_fail "explain --api-version: $(head -c 300 "$T/out")"
sed 's/"system.info", "system.version", "system.ping"\]/"system.info", "system.version"]/' "$E2E_CONF" >"$T/noping.conf"
rc_of "$RG" check -c "$T/noping.conf"
[ "$RC" = 0 ] && grep -q 'system.ping' "$T/err" "$T/out" && e2e_pass "check warns about a role without system.ping (exit 0)" ||
	e2e_fail "check, role without system.ping: exit $RC $(cat "$T/out" "$T/err")"
sed 's/"exec.\*"\];/"exec.*", "system.*"];/' "$E2E_CONF" >"$T/sysall.conf"
rc_of "$RG" check -c "$T/sysall.conf"
[ "$RC" = 0 ] && grep -q 'system.session\|system.grpc' "$T/err" "$T/out" &&
	e2e_pass "check warns when a constrained role's patterns match system.session/grpc" ||
	e2e_fail "check, constrained role with system.*: exit $RC $(cat "$T/out" "$T/err")"

# ---------------------------------------------------------------------------
e2e_section "5. serve: the socket, SIGHUP with a bad file keeps the old configuration"
# ---------------------------------------------------------------------------
[ "$(stat -c '%a %U' "$E2E_SOCK")" = "600 root" ] && e2e_pass "socket_group \"\": the socket is 0600 root" ||
	e2e_fail "socket mode: $(stat -c '%a %U:%G' "$E2E_SOCK")"
# hup_refused DESC: SIGHUP now must be refused, logged, the old revision kept.
hup_refused() {
	local before
	before=$(grep -c -e 'reloaded ' -e 'reload of .* failed' "$E2E_DIR/rolegate.log")
	kill -HUP "$E2E_ROLEGATE_PID"
	if ! e2e_wait_for 20 e2e_reload_seen "$before"; then
		e2e_fail "reload ($1): serve did not answer SIGHUP"
		return
	fi
	if grep -e 'reloaded ' -e 'reload of .* failed' "$E2E_DIR/rolegate.log" | tail -n 1 | grep -q failed; then
		e2e_pass "reload ($1): refused and reported"
	else
		e2e_fail "reload ($1): accepted"
	fi
	kill -0 "$E2E_ROLEGATE_PID" 2>/dev/null || e2e_die "serve died on a bad reload ($1)"
	expect_denied "dave (roles: developer) may not start privileged containers" \
		docker_as dave run --rm "${lim[@]}" --privileged busybox true
	expect_ok "" docker_as alice ps -q
	local n
	n=$(jq -r -s --arg p "$REV" 'map(select(.phase == "request")) | .[-1] | .policy == $p' "$LOG")
	[ "$n" = true ] && e2e_pass "reload ($1): records still name revision $REV" ||
		e2e_fail "reload ($1): the last record names another revision"
}
cp "$E2E_CONF" "$T/serve.conf.good"
cp "$BADTYPE" "$E2E_CONF"
hup_refused "a wrong-typed key"
: >"$E2E_CONF"
hup_refused "an empty file"
head -c 300 "$T/serve.conf.good" >"$E2E_CONF"
hup_refused "a truncated file"
rm -f "$E2E_CONF"
hup_refused "a missing file"
mkdir "$E2E_CONF"
hup_refused "a directory (unreadable as a file)"
rmdir "$E2E_CONF"
cp "$T/serve.conf.good" "$E2E_CONF"
sed -i 's/#@developer.deny/#/; s/^    deny = \["container.commit", "container.archive.put"\];/    deny = ["container.commit", "container.archive.put", "volume.list"];/' "$E2E_CONF"
before=$(grep -c 'reloaded ' "$E2E_DIR/rolegate.log")
kill -HUP "$E2E_ROLEGATE_PID"
reload_ok() { [ "$(grep -c 'reloaded ' "$E2E_DIR/rolegate.log")" -gt "$before" ]; }
e2e_wait_for 20 reload_ok && e2e_pass "reload of a good file: accepted" || e2e_fail "reload of a good file: not reported"
REV2=$(sha256sum "$E2E_CONF" | cut -c1-12)
expect_denied "dave (roles: developer) may not use volume.list" docker_as dave volume ls
jq -e -s --arg p "$REV2" 'map(select(.phase == "request")) | .[-1].policy == $p' "$LOG" >/dev/null &&
	e2e_pass "after a good reload records name the new revision $REV2" ||
	e2e_fail "after a good reload: the last record's policy is not $REV2"

e2e_section "6. shutdown, then log verify: intact, truncated, edited, deleted"
e2e_shutdown
want_rc 0 "log verify (intact log and its head)" 0 "$RG" log verify -c "$E2E_CONF"
N=$(wc -l <"$LOG")
grep -q "$N" "$T/out" && e2e_pass "log verify prints the number of records checked ($N)" ||
	e2e_fail "log verify does not print $N: $(cat "$T/out")"
[ -s "$LOG.head" ] && e2e_pass "the head file $LOG.head exists (sync = batch)" || e2e_fail "no $LOG.head"
HEAD_SEQ=$(grep -o 'seq=[0-9]*' "$LOG.head" | cut -d= -f2)
HEAD_HASH=$(grep -o 'hash=[0-9a-f]*' "$LOG.head" | cut -d= -f2)
[ "$HEAD_SEQ" = "$(tail -n 1 "$LOG" | jq .seq)" ] && [ "$HEAD_HASH" = "$(tail -n 1 "$LOG" | jq -r .hash)" ] &&
	e2e_pass "after SIGTERM the head names the last record (seq $HEAD_SEQ and its hash)" ||
	e2e_fail "head $(cat "$LOG.head") vs last record $(tail -n 1 "$LOG" | jq -c '[.seq,.hash]')"
V=$T/verify
mkdir -p "$V"
# copy NAME: the log and its head as $V/NAME(.head)
copy() { cp "$LOG" "$V/$1" && cp "$LOG.head" "$V/$1.head"; }
copy intact
want_rc 0 "log verify --file (a copy with its head)" 0 "$RG" log verify -c "$E2E_CONF" --file "$V/intact"
copy trunc
head -n $((N - 3)) "$LOG" >"$V/trunc"
want_rc 1 "log verify: the last 3 records cut (the head names a later one)" 0 "$RG" log verify -c "$E2E_CONF" --file "$V/trunc"
copy torn
head -c $(($(wc -c <"$LOG") - 20)) "$LOG" >"$V/torn"
want_rc 1 "log verify: a torn last line and the head past it" 0 "$RG" log verify -c "$E2E_CONF" --file "$V/torn"
head -c $(($(wc -c <"$LOG") - 20)) "$LOG" >"$V/torn-nohead"
rc_of "$RG" log verify -c "$E2E_CONF" --file "$V/torn-nohead"
[ "$RC" = 0 ] && grep -qi torn "$T/out" "$T/err" && e2e_pass "log verify: a torn last line without a head is reported, not tampering (exit 0)" ||
	e2e_fail "log verify torn without head: exit $RC $(cat "$T/out" "$T/err")"
MID=$((N / 2))
copy edited
awk -v m="$MID" 'NR == m { sub(/"decision":"[a-z]*"/, "\"decision\":\"allow\""); sub(/"user":"[^"]*"/, "\"user\":\"mallory\"") } { print }' "$LOG" >"$V/edited"
cmp -s "$LOG" "$V/edited" && e2e_die "the edit changed nothing"
want_rc 1 "log verify: record $MID edited" 0 "$RG" log verify -c "$E2E_CONF" --file "$V/edited"
grep -q ":$MID" "$T/out" "$T/err" && e2e_pass "log verify names line $MID" ||
	e2e_fail "log verify of the edited log does not name line $MID: $(cat "$T/out" "$T/err")"
copy deleted
sed "${MID}d" "$LOG" >"$V/deleted"
want_rc 1 "log verify: record $MID deleted" 0 "$RG" log verify -c "$E2E_CONF" --file "$V/deleted"
copy lastedit
sed "\$s/\"host\":\"[^\"]*\"/\"host\":\"elsewhere\"/" "$LOG" >"$V/lastedit"
rm -f "$V/lastedit.head"
want_rc 1 "log verify: the complete last record edited (no head)" 0 "$RG" log verify -c "$E2E_CONF" --file "$V/lastedit"
LAST_SEQ=$(tail -n 1 "$LOG" | jq .seq)
LAST_HASH=$(tail -n 1 "$LOG" | jq -r .hash)
want_rc 0 "log verify --anchor SEQ:HASH at the end" 0 "$RG" log verify -c "$E2E_CONF" --anchor "$LAST_SEQ:$LAST_HASH"
head -n $((N - 1)) "$LOG" >"$V/anchor-trunc"
want_rc 1 "log verify --anchor past the end of a truncated copy" 0 "$RG" log verify -c "$E2E_CONF" --file "$V/anchor-trunc" --anchor "$LAST_SEQ:$LAST_HASH"
want_rc 1 "log verify --anchor with another hash" 0 "$RG" log verify -c "$E2E_CONF" --anchor "$LAST_SEQ:$(printf '%064d' 0)"
want_rc 0 "log verify --host H" 0 "$RG" log verify -c "$E2E_CONF" --host "$(hostname)"
: >"$V/empty"
cp "$LOG.head" "$V/empty.head"
want_rc 1 "log verify: an empty log with a head" 0 "$RG" log verify -c "$E2E_CONF" --file "$V/empty"
# Two rotated files, given in any order, are one chain.
head -n "$MID" "$LOG" >"$V/rot.1"
tail -n +$((MID + 1)) "$LOG" >"$V/rot"
cp "$LOG.head" "$V/rot.head"
want_rc 0 "log verify --file NEW --file OLD (rotated, any order)" 0 "$RG" log verify -c "$E2E_CONF" --file "$V/rot" --file "$V/rot.1"
sed 1d "$V/rot" >"$V/rotgap"
cp "$LOG.head" "$V/rotgap.head"
want_rc 1 "log verify: rotated files with a gap in seq" 0 "$RG" log verify -c "$E2E_CONF" --file "$V/rotgap" --file "$V/rot.1"
cmp -s "$LOG" "$V/intact" && e2e_pass "log verify changed nothing in the log" || e2e_fail "the log changed under verify"

e2e_finish
