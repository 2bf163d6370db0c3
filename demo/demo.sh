#!/bin/bash
# demo/demo.sh — rolegate deciding, live, for a real dockerd.
#
#   sudo bash demo/demo.sh
#
# On a Debian 12 machine, as root: installs the Debian packages it needs
# (only those missing), builds rolegate into build-demo/, starts a throwaway
# `rolegate serve` and a throwaway dockerd (private directories under /tmp,
# TLS on 127.0.0.1, its own containerd; your own dockerd, if any, is not
# touched), then plays a short session as three people, each with their own
# TLS client certificate:
#
#   alice  ops        may do anything
#   bob    developer  may run containers, but only hardened ones
#   carol  auditor    may look, never touch
#
# Every command line is printed with the docker CLI's own output and whether
# rolegate allowed or refused it. Then `rolegate explain` shows why, and
# `rolegate log query` / `rolegate log verify` show the accountability log
# (and what tampering with it looks like). Everything it started is stopped
# and removed at the end, however the demo ends.
#
# Environment: DEMO_NO_APT=1 skips the package step; DEMO_KEEP=1 keeps the
# throwaway directory. Exit status: 0 when every step went as scripted.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP" || exit 2

if [ -t 1 ]; then
	B=$'\e[1m' D=$'\e[2m' R=$'\e[31m' G=$'\e[32m' Y=$'\e[33m' C=$'\e[36m' N=$'\e[0m'
else
	B='' D='' R='' G='' Y='' C='' N=''
fi
STEPS=0
SURPRISES=0

header() { printf '\n%s━━ %s ━━%s\n' "$B$C" "$*" "$N"; }
say() { printf '%s\n' "$*" | fold -s -w 100 | sed 's/ *$//'; }
die() {
	printf '%sdemo: %s%s\n' "$R" "$*" "$N" >&2
	exit 2
}

# ---------------------------------------------------------------------------
header "rolegate demo"
say "rolegate is a Docker Engine authorization plugin: dockerd asks it, for every API call, whether this person may do this thing, and it writes each answer to a hash-chained log."
[ "$(id -u)" -eq 0 ] || die "run me as root (sudo bash demo/demo.sh): I install packages and start a throwaway dockerd"
if [ -r /etc/os-release ]; then
	. /etc/os-release
	[ "${ID:-}" = debian ] && [ "${VERSION_ID:-}" = 12 ] ||
		say "${Y}note:${N} made for Debian 12; this is ${PRETTY_NAME:-unknown}. Trying anyway."
fi

# ---------------------------------------------------------------------------
header "1. packages"
PKGS=(docker.io busybox-static openssl build-essential libmicrohttpd-dev libjansson-dev
	libldap-dev libconfig-dev libssl-dev meson ninja-build pkg-config slapd ldap-utils curl)
missing=()
for p in "${PKGS[@]}"; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	say "all present: ${PKGS[*]}"
elif [ "${DEMO_NO_APT:-0}" = 1 ]; then
	die "missing packages (and DEMO_NO_APT=1): ${missing[*]}"
else
	say "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null || die "apt-get update failed"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install failed"
fi

# ---------------------------------------------------------------------------
header "2. build"
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
"$ROLEGATE" version | sed 's/^/    /'

# ---------------------------------------------------------------------------
header "3. a throwaway dockerd that asks rolegate"
# The plumbing (certificates, rolegate serve, dockerd, cleanup by pid on exit)
# is the end-to-end tests' harness.
E2E_QUIET=1
E2E_KEEP=${DEMO_KEEP:-0}
if [ ! -e /etc/docker/plugins/rolegate-demo.spec ] && [ ! -e /run/docker/plugins/rolegate-demo.sock ]; then
	E2E_PLUGIN_NAME=rolegate-demo
fi
. "$TOP/tests/e2e/lib.sh"
e2e_setup "$ROLEGATE" alice bob carol
mkdir -p "$E2E_DIR/projects"
echo "bob's project notes" >"$E2E_DIR/projects/notes.txt"

# ---- LDAP (next version of the demo) --------------------------------------
# Start a throwaway slapd with a small organization here (helpers from
# tests/ldap/: slapd on loopback, an LDIF with people and groups), then
# render demo.conf with identity.ldap pointing at it and drop the static
# identity.users, so alice, bob and carol come from the directory.
# ---------------------------------------------------------------------------

start_rolegate "$TOP/demo/demo.conf"
start_dockerd
e2e_import_busybox alice
say "rolegate serve   pid $E2E_ROLEGATE_PID, socket $E2E_SOCK"
say "dockerd          pid $E2E_DOCKERD_PID, tcp://127.0.0.1:$E2E_PORT (TLS, client certificates required)"
say "                 started with --authorization-plugin=$E2E_PLUGIN"
say "configuration    $E2E_CONF (demo/demo.conf):"
row() { printf '    %-6s %-17s %-3s %-15s %s\n' "$@"; }
row alice "group docker-ops" "->" "role ops" "allow *"
row bob "group developers" "->" "role developer" "container.*, exec.*, volume.*, ... with constraints:"
row "" "" "" "" "no privileged, no host namespaces, no devices,"
row "" "" "" "" "bind mounts only under $E2E_DIR/projects,"
row "" "" "" "" "images only from docker.io/library and registry.example.org,"
row "" "" "" "" "--memory and --pids-limit required, no exec as root"
row carol "group auditors" "->" "role auditor" "*.list, *.inspect, system.info/version/ping/events/df"
echo
printf '%s$ rolegate check -c %s%s\n' "$B" "$E2E_CONF" "$N"
"$ROLEGATE" check -c "$E2E_CONF" 2>&1 | sed 's/^/    /'

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

# run CMD... : prints and runs one rolegate command; wanted exit status in WANT_RC.
run() {
	local rc
	STEPS=$((STEPS + 1))
	local shown=("$@")
	[ "$1" != "$ROLEGATE" ] || shown[0]=rolegate
	printf '\n%s$ %s%s\n' "$B" "$(shq "${shown[@]}")" "$N"
	"$@" 2>&1 | sed 's/^/    /'
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne "${WANT_RC:-0}" ]; then
		SURPRISES=$((SURPRISES + 1))
		printf '    %s(not as scripted: exit status %s, wanted %s)%s\n' "$Y" "$rc" "${WANT_RC:-0}" "$N"
	fi
	return 0
}

lim=(--memory 64m --pids-limit 100)

# ---------------------------------------------------------------------------
header "4. alice (ops) may do anything"
step allowed alice docker run --rm busybox echo "hello from alice"
step allowed alice docker run -d --name web "${lim[@]}" busybox sleep 600
step allowed alice docker volume create team-data
step allowed alice docker tag busybox evil.example.org/busybox:latest

header "5. bob (developer) runs hardened containers, and nothing else"
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

header "6. carol (auditor) looks, never touches"
step allowed carol docker ps
step allowed carol docker inspect --format '{{.Name}}: image {{.Config.Image}}, memory {{.HostConfig.Memory}}' web
step refused carol docker stop web
step refused carol docker run --rm busybox true

header "7. dockerd's Unix socket carries no identity"
step refused "" docker ps

# ---------------------------------------------------------------------------
header "8. why? rolegate explain"
say "explain decides a hypothetical request through the same code as serve."
printf '\n%s$ rolegate explain -c %s --user bob -- docker run --privileged -v /:/host busybox%s\n' \
	"$B" "$E2E_CONF" "$N"
STEPS=$((STEPS + 1))
out=$("$ROLEGATE" explain -c "$E2E_CONF" --user bob -- docker run --privileged -v /:/host busybox 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/    /'
if [ "$rc" -eq 2 ]; then
	# A rolegate without docker command line translation: ask the raw API question.
	printf '{"Image":"busybox","HostConfig":{"Privileged":true,"Binds":["/:/host"]}}\n' \
		>"$E2E_DIR/create.json"
	say "    ${D}(this build does not translate docker command lines yet; the same question as an API request:)${N}"
	WANT_RC=1 run "$ROLEGATE" explain -c "$E2E_CONF" --user bob POST /v1.41/containers/create \
		"$E2E_DIR/create.json"
elif [ "$rc" -ne 1 ]; then
	SURPRISES=$((SURPRISES + 1))
	printf '    %s(not as scripted: exit status %s, wanted 1: deny)%s\n' "$Y" "$rc" "$N"
fi
WANT_RC=0 run "$ROLEGATE" explain -c "$E2E_CONF" --user carol GET /v1.41/containers/json

# ---------------------------------------------------------------------------
header "9. the accountability log"
say "Every decision above is a line in $E2E_AUDIT, chained by SHA-256."
WANT_RC=0 run "$ROLEGATE" log query -c "$E2E_CONF" --decision deny
WANT_RC=0 run "$ROLEGATE" log query -c "$E2E_CONF" --user bob --command container.create
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
header "10. cleaning up"
stop_dockerd
stop_rolegate || say "    ${Y}rolegate serve did not exit 0 on SIGTERM${N}"
say "stopped dockerd and rolegate; the throwaway directory and the plugin spec go on exit."
if [ "$SURPRISES" -eq 0 ]; then
	printf '\n%sdemo: all %s steps went as scripted.%s\n' "$G" "$STEPS" "$N"
	exit 0
fi
printf '\n%sdemo: %s of %s steps did not go as scripted (see above).%s\n' "$Y" "$SURPRISES" "$STEPS" "$N"
exit 1
