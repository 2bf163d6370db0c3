#!/bin/bash
# demo/demo.sh — rolegate deciding, live, for a real dockerd.
#
#   sudo bash demo/demo.sh
#
# On a Debian 12 machine, as root: installs the Debian packages it needs
# (only those missing), builds rolegate into build-demo/, starts a throwaway
# `rolegate serve` with the demo's configuration (demo/demo.conf: three
# users and their groups, no directory needed) and a throwaway dockerd
# (private directories under /tmp, TLS on 127.0.0.1, its own containerd;
# your own dockerd, if any, is not touched), then plays a short session as
# three people, each with their own TLS client certificate:
#
#   alice  group docker-ops                  ops        may do anything
#   bob    groups backend, developers        developer  may run containers,
#                                                       but only hardened ones
#   carol  group auditors                    auditor    may look, never touch
#
# With DEMO_LDAP=1 the groups come from LDAP instead: a throwaway slapd holds
# a small organization (demo/directory.ldif: bob is in backend, itself within
# developers; carol a memberUid of auditors), and rolegate asks it.
#
# Every command line is printed with the docker CLI's own output and whether
# rolegate allowed or refused it. Then `rolegate explain` shows why,
# `rolegate list` what bob may do at all, and `rolegate log query` / `rolegate log verify` show the accountability log
# (and what tampering with it looks like). Everything it started is stopped
# and removed at the end, however the demo ends.
#
# Environment:
#   DEMO_NO_APT=1   never runs apt (CI, where the packages are already there);
#                   without root or a package the demo then exits 77 (skipped)
#   ROLEGATE=PATH   use this rolegate binary instead of building one
#   DEMO_KEEP=1     keeps the throwaway directory
#   DEMO_LDAP=1     groups from a throwaway slapd (LDAP) rather than the config
# Exit status: 0 when every step went as scripted (an allowed command
# allowed, a refused one refused, every rolegate command answering as
# expected), 1 when some did not, 2 when the demo could not run, 77 skipped.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# ROLEGATE may be relative to where the demo was started.
[ -z "${ROLEGATE:-}" ] || [[ $ROLEGATE == /* ]] || ROLEGATE=$PWD/$ROLEGATE
cd "$TOP" || exit 2

if [ -t 1 ]; then
	B=$'\e[1m' R=$'\e[31m' G=$'\e[32m' Y=$'\e[33m' C=$'\e[36m' N=$'\e[0m'
else
	B='' R='' G='' Y='' C='' N=''
fi
STEPS=0
SURPRISES=0

header() { printf '\n%s━━ %s ━━%s\n' "$B$C" "$*" "$N"; }
say() { printf '%s\n' "$*" | fold -s -w 100 | sed 's/ *$//'; }
die() {
	printf '%sdemo: %s%s\n' "$R" "$*" "$N" >&2
	exit 2
}
# A missing prerequisite: an error for a person, "skipped" (77) for CI.
cannot_run() {
	if [ "${DEMO_NO_APT:-0}" = 1 ]; then
		printf 'SKIP: demo: %s\n' "$*"
		exit 77
	fi
	die "$*"
}

# The words of a command line, quoted where a shell would need it.
shq() {
	local a out=
	for a in "$@"; do
		if [[ -z $a || $a == *[!A-Za-z0-9_./:=,+@%-]* ]]; then
			a="'${a//\'/\'\\\'\'}'"
		fi
		out+=${out:+ }$a
	done
	printf '%s' "$out"
}

# step allowed|refused USER docker ARGS...  (USER "" = dockerd's Unix socket)
step() {
	local want=$1 user=$2 out rc got shown
	shift 3
	STEPS=$((STEPS + 1))
	if [ -n "$user" ]; then
		printf '\n%s%s$ docker %s%s\n' "$B" "$user" "$(shq "$@")" "$N"
		out=$(docker_as "$user" "$@" 2>&1)
	else
		shown="docker -H unix://$E2E_DOCKER_SOCK"
		printf '\n%sroot$ %s %s%s\n' "$B" "$shown" "$(shq "$@")" "$N"
		out=$(docker_unix "$@" 2>&1)
	fi
	rc=$?
	# The throwaway daemon runs without IP forwarding; its warning is noise here.
	out=$(grep -v '^WARNING: IPv4 forwarding is disabled' <<<"$out")
	[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/    /'
	if grep -q "authorization denied by plugin $E2E_PLUGIN" <<<"$out"; then
		got=refused
		printf '    %s✗ refused by rolegate%s\n' "$R" "$N"
	elif [ "$rc" -eq 0 ]; then
		got=allowed
		printf '    %s✓ allowed%s\n' "$G" "$N"
	else
		got=failed
		printf '    %s! allowed by rolegate, but docker failed (exit %s)%s\n' "$Y" "$rc" "$N"
	fi
	if [ "$got" != "$want" ]; then
		SURPRISES=$((SURPRISES + 1))
		printf '    %s(not as scripted: this step should have been %s)%s\n' "$Y" "$want" "$N"
	fi
}

# run CMD... : prints and runs one command (rolegate, ldapsearch); the wanted
# exit status in WANT_RC, and, if set, an ERE some output line must match in
# WANT_LINE.
run() {
	local rc out
	STEPS=$((STEPS + 1))
	local shown=("$@")
	[ "$1" != "$ROLEGATE" ] || shown[0]=rolegate
	printf '\n%s$ %s%s\n' "$B" "$(shq "${shown[@]}")" "$N"
	out=$("$@" 2>&1)
	rc=$?
	[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/    /'
	if [ "$rc" -ne "${WANT_RC:-0}" ]; then
		SURPRISES=$((SURPRISES + 1))
		printf '    %s(not as scripted: exit status %s, wanted %s)%s\n' "$Y" "$rc" "${WANT_RC:-0}" "$N"
	elif [ -n "${WANT_LINE:-}" ] && ! grep -Eq -- "$WANT_LINE" <<<"$out"; then
		SURPRISES=$((SURPRISES + 1))
		printf '    %s(not as scripted: no line matches /%s/)%s\n' "$Y" "$WANT_LINE" "$N"
	fi
	return 0
}

# ---------------------------------------------------------------------------
header "rolegate demo"
say "rolegate is a Docker Engine authorization plugin: dockerd asks it, for every API call, whether this person may do this thing, and it writes each answer to a hash-chained log."
[ "$(id -u)" -eq 0 ] || cannot_run "run me as root (sudo bash demo/demo.sh): I install packages and start a throwaway dockerd"
if [ -r /etc/os-release ]; then
	. /etc/os-release
	[ "${ID:-}" = debian ] && [ "${VERSION_ID:-}" = 12 ] ||
		say "${Y}note:${N} made for Debian 12; this is ${PRETTY_NAME:-unknown}. Trying anyway."
fi

# ---------------------------------------------------------------------------
header "1. packages"
LDAP=${DEMO_LDAP:-0}
PKGS=(docker.io busybox-static openssl python3)
[ "$LDAP" != 1 ] || PKGS+=(slapd ldap-utils)
if [ -z "${ROLEGATE:-}" ]; then
	PKGS+=(build-essential libmicrohttpd-dev libjansson-dev libldap-dev libconfig-dev
		libssl-dev meson ninja-build pkg-config)
fi
missing=()
for p in "${PKGS[@]}"; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	say "all present: ${PKGS[*]}"
elif [ "${DEMO_NO_APT:-0}" = 1 ]; then
	cannot_run "missing packages (and DEMO_NO_APT=1): ${missing[*]}"
else
	say "installing: ${missing[*]}"
	# No questions (slapd's debconf asks for a domain and a password otherwise).
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null || die "apt-get update failed"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install failed"
	if [[ " ${missing[*]} " == *" slapd "* ]]; then
		# The package also starts a system-wide slapd (an empty directory on
		# port 389); the demo needs only the program and runs its own.
		if [ -d /run/systemd/system ]; then
			systemctl disable --now slapd >/dev/null 2>&1
		else
			service slapd stop >/dev/null 2>&1
		fi
		say "stopped the system slapd service the package started (the demo runs its own)"
	fi
fi

# ---------------------------------------------------------------------------
header "2. build"
if [ -n "${ROLEGATE:-}" ]; then
	[ -x "$ROLEGATE" ] || die "ROLEGATE=$ROLEGATE is not an executable"
	say "using $ROLEGATE (ROLEGATE)"
else
	BUILD=$TOP/build-demo
	if [ ! -f "$BUILD/build.ninja" ]; then
		meson setup "$BUILD" >"$TOP/build-demo.log" 2>&1 ||
			{ tail -n 20 "$TOP/build-demo.log"; die "meson setup failed (log: build-demo.log)"; }
	fi
	ninja -C "$BUILD" >"$TOP/build-demo.log" 2>&1 ||
		{ tail -n 30 "$TOP/build-demo.log"; die "the build failed (log: build-demo.log)"; }
	rm -f "$TOP/build-demo.log"
	ROLEGATE=$BUILD/plugin/rolegate
	say "built $ROLEGATE"
fi
"$ROLEGATE" version | sed 's/^/    /'

# ---------------------------------------------------------------------------
header "3. who is in which group"
# The plumbing (certificates, slapd, rolegate serve, dockerd, cleanup by pid
# on exit) is the test suites' harnesses: tests/e2e/lib.sh, tests/ldap/lib.sh.
E2E_QUIET=1
E2E_KEEP=${DEMO_KEEP:-0}
if [ ! -e /etc/docker/plugins/rolegate-demo.spec ] && [ ! -e /run/docker/plugins/rolegate-demo.sock ]; then
	E2E_PLUGIN_NAME=rolegate-demo
fi
. "$TOP/tests/e2e/lib.sh"
e2e_setup "$ROLEGATE" alice bob carol
mkdir -p "$E2E_DIR/projects"
echo "bob's project notes" >"$E2E_DIR/projects/notes.txt"

if [ "$LDAP" = 1 ]; then
	# slapd on 127.0.0.1 (a free port), its database in a directory of its own,
	# readable only by rolegate's service account; stopped on exit.
	# shellcheck disable=SC2034 # read by tests/ldap/lib.sh
	LDAP_LIB_KEEP_OPTIONS=1
	# shellcheck source=tests/ldap/lib.sh
	. "$TOP/tests/ldap/lib.sh"
	slapd_init demo --bind-only --ldif "$TOP/demo/directory.ldif"
	slapd_start demo
	LDAP_URI=$(slapd_url demo)
	# The service account's password (demo/directory.ldif), as bind_password_file
	# and ldapsearch -y read it: the whole file, mode 0600.
	printf 'demo-secret' >"$E2E_DIR/ldap.secret"
	chmod 600 "$E2E_DIR/ldap.secret"
	say "slapd            pid ${SLAPD_PID[demo]}, $LDAP_URI, dc=example,dc=org (demo/directory.ldif)"
	say "The groups, as rolegate's service account reads them:"
	WANT_RC=0 run ldapsearch -x -LLL -o ldif-wrap=no -H "$LDAP_URI" \
		-D cn=rolegate,ou=services,dc=example,dc=org -y "$E2E_DIR/ldap.secret" \
		-b ou=groups,dc=example,dc=org '(cn=*)' member memberUid
	GROUPS_FROM=ldap
else
	say "Everyone's groups are in the configuration (identity.users in demo/demo.conf):"
	sed -n '/^identity = {/,/^};/p' "$TOP/demo/demo.conf" | sed 's/^/    /'
	say "(DEMO_LDAP=1 runs the same demo with the groups in a throwaway slapd.)"
	GROUPS_FROM=static
fi

# ---------------------------------------------------------------------------
header "4. a throwaway dockerd that asks rolegate"
if [ "$LDAP" = 1 ]; then
	# demo.conf with its identity group replaced by demo/identity-ldap.conf
	awk -v ldap="$TOP/demo/identity-ldap.conf" '
		/^# identity: begin/ { while ((getline l < ldap) > 0) print l; skip = 1; next }
		/^# identity: end/ { skip = 0; next }
		!skip' "$TOP/demo/demo.conf" | sed "s|@LDAP_URI@|$LDAP_URI|g" >"$E2E_DIR/demo.conf.in"
else
	cp "$TOP/demo/demo.conf" "$E2E_DIR/demo.conf.in"
fi
start_rolegate "$E2E_DIR/demo.conf.in"
start_dockerd
e2e_import_busybox alice
say "rolegate serve   pid $E2E_ROLEGATE_PID, socket $E2E_SOCK"
say "dockerd          pid $E2E_DOCKERD_PID, tcp://127.0.0.1:$E2E_PORT (TLS, client certificates required)"
say "                 started with --authorization-plugin=$E2E_PLUGIN"
say "configuration    $E2E_CONF (demo/demo.conf):"
if [ "$LDAP" = 1 ]; then
	say "                 groups from LDAP ($LDAP_URI), no static users"
else
	say "                 groups from identity.users (static), no directory"
fi
row() { printf '    %-6s %-17s %-3s %-15s %s\n' "$@"; }
row alice "group docker-ops" "->" "role ops" "allow *"
row bob "group developers" "->" "role developer" "container.*, exec.*, volume.*, ... with constraints:"
row "" "(via backend)" "" "" "no privileged, no host namespaces, no devices,"
row "" "" "" "" "bind mounts only under $E2E_DIR/projects,"
row "" "" "" "" "images only from docker.io/library and registry.example.org,"
row "" "" "" "" "--memory and --pids-limit required, no exec as root"
row carol "group auditors" "->" "role auditor" "*.list, *.inspect, system.info/version/ping/events/df"
echo
printf '%s$ rolegate check -c %s%s\n' "$B" "$E2E_CONF" "$N"
"$ROLEGATE" check -c "$E2E_CONF" 2>&1 | sed 's/^/    /'

lim=(--memory 64m --pids-limit 100)

# ---------------------------------------------------------------------------
header "5. alice (ops) may do anything"
step allowed alice docker run --rm busybox echo "hello from alice"
step allowed alice docker run -d --name web "${lim[@]}" busybox sleep 600
step allowed alice docker volume create team-data
step allowed alice docker tag busybox evil.example.org/busybox:latest

header "6. bob (developer) runs hardened containers, and nothing else"
step allowed bob docker run --rm "${lim[@]}" busybox echo "hello from bob's container"
step allowed bob docker run --rm "${lim[@]}" -v "$E2E_DIR/projects:/src:ro" busybox cat /src/notes.txt
step allowed bob docker exec -u 65534 web id
step refused bob docker run --rm busybox echo "no limits"
step refused bob docker run --rm "${lim[@]}" --privileged busybox true
step refused bob docker run --rm "${lim[@]}" -v /:/host busybox true
step refused bob docker run --rm "${lim[@]}" --pid host busybox true
step refused bob docker run --rm "${lim[@]}" --cap-add SYS_ADMIN busybox true
step refused bob docker run --rm "${lim[@]}" evil.example.org/busybox true
step refused bob docker volume create -o type=none -o o=bind -o device=/etc sneaky
step refused bob docker exec web id
step refused bob docker commit web

header "7. carol (auditor) looks, never touches"
step allowed carol docker ps
step allowed carol docker inspect --format '{{.Name}}: image {{.Config.Image}}, memory {{.HostConfig.Memory}}' web
step refused carol docker stop web
step refused carol docker run --rm busybox true

header "8. dockerd's Unix socket carries no identity"
step refused "" docker ps

# ---------------------------------------------------------------------------
header "9. why? rolegate explain"
say "explain decides a hypothetical request through the same code as serve."
say "Like serve, it finds the person's groups (identity.users, or the directory), and says where they came from."
WANT_RC=1 WANT_LINE="^groups: +backend, developers \\($GROUPS_FROM\\)\$" \
	run "$ROLEGATE" explain -c "$E2E_CONF" --user bob -- docker run --privileged -v /:/host busybox
WANT_RC=0 WANT_LINE="^groups: +auditors \\($GROUPS_FROM\\)\$" \
	run "$ROLEGATE" explain -c "$E2E_CONF" --user carol GET /v1.41/containers/json
say ""
say "And what may bob do at all? list answers the way sudo -l does: his roles, the"
say "commands each allows, and its constraints in plain words."
WANT_RC=0 WANT_LINE='^  constraints: no privileged containers' \
	run "$ROLEGATE" list -c "$E2E_CONF" --user bob

# ---------------------------------------------------------------------------
header "10. the accountability log"
say "Every decision above is a line in $E2E_AUDIT, chained by SHA-256."
WANT_RC=0 run "$ROLEGATE" log query -c "$E2E_CONF" --decision deny
WANT_RC=0 run "$ROLEGATE" log query -c "$E2E_CONF" --user bob --command container.create
say ""
say "Each record says what was asked for (details), so 'who asked for a privileged"
say "container?' is one query, refused attempts included:"
WANT_RC=0 WANT_LINE='bob .*container\.create' \
	run "$ROLEGATE" log query -c "$E2E_CONF" --detail privileged=true
WANT_RC=0 run "$ROLEGATE" log verify -c "$E2E_CONF"

say ""
say "Now someone edits a refusal of bob's into an allow, to cover their tracks:"
tampered=$E2E_DIR/tampered.log
if grep -q '"decision": *"deny"' "$E2E_AUDIT" 2>/dev/null; then
	awk '!done && /"user": *"bob"/ && /"decision": *"deny"/ {
		sub(/"decision": *"deny"/, "\"decision\":\"allow\""); done = 1 } { print }' \
		"$E2E_AUDIT" >"$tampered"
	WANT_RC=1 run "$ROLEGATE" log verify -c "$E2E_CONF" --file "$tampered"
else
	SURPRISES=$((SURPRISES + 1))
	say "    ${Y}(not as scripted: no deny record found in $E2E_AUDIT)${N}"
fi

# ---------------------------------------------------------------------------
header "11. cleaning up"
stop_dockerd
if ! stop_rolegate; then
	SURPRISES=$((SURPRISES + 1))
	say "    ${Y}(not as scripted: rolegate serve did not exit 0 on SIGTERM)${N}"
fi
if [ "$LDAP" = 1 ]; then
	slapd_stop demo
	say "stopped dockerd, rolegate and slapd; the throwaway directories and the plugin spec go on exit."
else
	say "stopped dockerd and rolegate; the throwaway directories and the plugin spec go on exit."
fi
if [ "$SURPRISES" -eq 0 ]; then
	printf '\n%sdemo: all %s steps went as scripted.%s\n' "$G" "$STEPS" "$N"
	exit 0
fi
printf '\n%sdemo: %s of %s steps did not go as scripted (see above).%s\n' "$Y" "$SURPRISES" "$STEPS" "$N"
exit 1
