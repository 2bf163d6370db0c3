# shellcheck shell=bash
# tests/e2e/lib.sh — harness for rolegate's end-to-end tests: the real
# `rolegate serve`, a real dockerd (private data root, TLS on loopback, our
# plugin under a unique name) and the real docker CLI with per-user client
# certificates. Source it from a bash test script:
#
#   . "$(dirname "$0")/lib.sh"
#   e2e_setup "$1" alice bob           # rolegate binary, users that get certs
#   start_rolegate "$E2E_SRC/basic.conf"
#   start_dockerd
#   e2e_import_busybox alice           # a user allowed to import images
#   expect_ok     "hi"         docker_as alice run --rm busybox echo hi
#   expect_denied "may not"    docker_as bob run --rm busybox echo hi
#   e2e_finish                         # summary; exits 1 if any check failed
#
# The private dockerd, the certificates and the busybox image are
# tests/lib/dockerd.sh's (shared with the benchmarks); this file adds rolegate
# and the checks. Everything a test starts is stopped by pid in an EXIT trap
# (dockerd, and with it its containerd and shims; rolegate; anything else
# whose command line names the private directory), mounts under it are
# removed, the plugin spec file is deleted, the directory is removed (unless
# E2E_KEEP=1).
#
# Functions
#   e2e_setup ROLEGATE [USER...]  temp dir $E2E_DIR, CA + dockerd server cert +
#                                 one client cert per USER (CN=USER) made by
#                                 examples/make-client-cert.sh. Skips the test
#                                 (exit 77) unless root with dockerd, docker,
#                                 openssl and busybox-static available.
#   e2e_add_user USER...          more client certificates later on.
#   e2e_render TEMPLATE [OUT]     copies a config template replacing @DIR@
#                                 with $E2E_DIR (default OUT: $E2E_CONF).
#   start_rolegate TEMPLATE [ARG...]
#                                 renders TEMPLATE to $E2E_CONF, runs
#                                 `rolegate serve -c $E2E_CONF --socket
#                                 $E2E_SOCK --ready-fd 3 --stderr ARG...` and
#                                 waits for the readiness byte. Log:
#                                 $E2E_DIR/rolegate.log.
#   reload_rolegate TEMPLATE      renders TEMPLATE over $E2E_CONF, sends SIGHUP
#                                 and waits for the daemon's "reloaded" or
#                                 "reload ... failed" line; returns 0 / 1.
#   stop_rolegate                 SIGTERM, wait; returns rolegate's exit status.
#   start_dockerd [ARG...]        writes /etc/docker/plugins/$E2E_PLUGIN.spec,
#                                 starts dockerd with
#                                 --authorization-plugin=$E2E_PLUGIN on
#                                 unix://$E2E_DOCKER_SOCK and TLS
#                                 tcp://127.0.0.1:$E2E_PORT, waits for it
#                                 (dockerd_start).
#   stop_dockerd                  SIGTERM by pid, wait (SIGKILL after 30 s),
#                                 removes the spec file (dockerd_stop).
#   docker_as USER ARG...         the docker CLI over TLS with USER's cert.
#   docker_unix ARG...            the docker CLI over the Unix socket (no identity).
#   e2e_import_busybox USER [REF...]
#                                 `docker import`s a busybox rootfs as
#                                 busybox:latest (and tags it REF...), as USER.
#   expect_ok TEXT CMD...         check: CMD exits 0 and its output (stdout +
#                                 stderr) contains TEXT. In every TEXT, " ... "
#                                 stands for anything: "may not ... memory"
#                                 wants both pieces, in that order, on a line.
#   expect_denied TEXT CMD...     check: CMD exits non-zero and its output has
#                                 "authorization denied by plugin $E2E_PLUGIN: "
#                                 on a line that also contains TEXT.
#   expect_ok_match ERE CMD...    check: CMD exits 0, an output line matches ERE.
#   expect_fail TEXT CMD...       check: CMD exits non-zero, output contains TEXT.
#   expect_status RC TEXT CMD...  check: CMD exits RC, output contains TEXT.
#   e2e_pass MSG / e2e_fail MSG   record a check done by hand.
#   e2e_section TITLE             a heading in the test output.
#   e2e_finish                    prints the summary; exit 0, or 1 on failures.
#
# Variables: E2E_ROLEGATE, E2E_DIR, E2E_SRC (this directory), E2E_TOP (the
# source tree), E2E_PLUGIN, E2E_SOCK, E2E_CONF, E2E_AUDIT (the audit path the
# templates should use: @DIR@/decisions.log), E2E_PORT, E2E_DOCKERD_PID,
# E2E_DOCKER_SOCK, E2E_CERTS, E2E_OUT (output of the last checked command).
# Environment: E2E_KEEP=1 keeps $E2E_DIR; E2E_CMD_TIMEOUT (default 60) bounds
# each docker command; E2E_VERBOSE=1 prints every command's output;
# E2E_QUIET=1 silences the harness's own progress lines; E2E_PLUGIN_NAME
# replaces the generated plugin name (it must not be in use).

E2E_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_TOP=$(cd "$E2E_SRC/../.." && pwd)
# shellcheck source=tests/lib/dockerd.sh
. "$E2E_TOP/tests/lib/dockerd.sh"
E2E_PASSES=0
E2E_FAILS=0
E2E_DIR=
E2E_ROLEGATE_PID=
E2E_DOCKERD_PID=
E2E_CMD_TIMEOUT=${E2E_CMD_TIMEOUT:-60}
DOCKERD_CMD_TIMEOUT=$E2E_CMD_TIMEOUT
# e2e_die shows the end of dockerd.log.
DOCKERD_TAIL=0
E2E_START=$(date +%s.%N)

if [ -t 1 ]; then
	E2E_B=$'\e[1m' E2E_R=$'\e[31m' E2E_G=$'\e[32m' E2E_N=$'\e[0m'
else
	E2E_B='' E2E_R='' E2E_G='' E2E_N=''
fi

e2e_log() { [ "${E2E_QUIET:-0}" = 1 ] || printf '%s\n' "$*"; }
e2e_section() { printf '\n%s== %s ==%s\n' "$E2E_B" "$*" "$E2E_N"; }

e2e_skip() {
	echo "SKIP: $*"
	exit 77
}

e2e_die() {
	echo "${E2E_R}ERROR:${E2E_N} $*" >&2
	e2e_dump_logs >&2
	exit 1
}

e2e_pass() {
	E2E_PASSES=$((E2E_PASSES + 1))
	printf '%sPASS%s %s\n' "$E2E_G" "$E2E_N" "$*"
}

e2e_fail() {
	E2E_FAILS=$((E2E_FAILS + 1))
	printf '%sFAIL%s %s\n' "$E2E_R" "$E2E_N" "$*"
}

# The user-facing spelling of a checked command: "alice$ docker run ...".
e2e_cmdline() {
	local who=
	case $1 in
	docker_as) who="$2"; shift 2; set -- docker "$@" ;;
	docker_unix) who="unix-socket"; shift; set -- docker "$@" ;;
	esac
	printf '%s$ %s' "$who" "$*"
}

# Runs CMD... with stdout+stderr in $E2E_OUT and its status in E2E_RC.
e2e_run() {
	E2E_OUT=$("$@" 2>&1)
	E2E_RC=$?
	if [ "${E2E_VERBOSE:-0}" = 1 ]; then
		printf '    | %s\n' "$(e2e_cmdline "$@")"
		printf '%s\n' "$E2E_OUT" | sed 's/^/    | /'
	fi
}

# Whether some line of $1 holds the pieces of TEXT $2 (split at " ... ") in order.
e2e_contains() {
	local out=$1 text=$2 line rest piece
	[ -n "$text" ] || return 0
	while IFS= read -r line; do
		rest=$line
		text=$2
		while :; do
			piece=${text%%" ... "*}
			[[ $rest == *"$piece"* ]] || continue 2
			rest=${rest#*"$piece"}
			[ "$piece" != "$text" ] || return 0
			text=${text#*" ... "}
		done
	done <<<"$out"
	return 1
}

e2e_report_output() {
	printf '      exit status %s, output:\n' "$E2E_RC"
	printf '%s\n' "$E2E_OUT" | sed 's/^/      > /'
}

expect_status() {
	local want=$1 text=$2
	shift 2
	local desc
	desc=$(e2e_cmdline "$@")
	e2e_run "$@"
	if [ "$E2E_RC" -ne "$want" ]; then
		e2e_fail "$desc  (want exit $want and \"$text\")"
		e2e_report_output
	elif ! e2e_contains "$E2E_OUT" "$text"; then
		e2e_fail "$desc  (exit $want as wanted, but the output lacks \"$text\")"
		e2e_report_output
	else
		e2e_pass "$desc  => exit $want, \"$text\""
	fi
}

expect_ok() {
	expect_status 0 "$@"
}

# check: CMD exits 0 and some line of its output matches the extended regex ERE.
expect_ok_match() {
	local re=$1
	shift
	local desc
	desc=$(e2e_cmdline "$@")
	e2e_run "$@"
	if [ "$E2E_RC" -ne 0 ]; then
		e2e_fail "$desc  (want exit 0 and a line matching /$re/)"
		e2e_report_output
	elif ! grep -Eq -- "$re" <<<"$E2E_OUT"; then
		e2e_fail "$desc  (exit 0 as wanted, but no line matches /$re/)"
		e2e_report_output
	else
		e2e_pass "$desc  => exit 0, /$re/"
	fi
}

# check: CMD exits 0 and prints exactly WANT (one name a line, "" = none):
# what is left after refused requests. PASS says so; WHAT names what was listed.
expect_only() {
	local want=$1 pass=$2 what=$3
	shift 3
	expect_ok "$want" "$@"
	if [ "$E2E_OUT" = "$want" ]; then
		e2e_pass "$pass"
	else
		e2e_fail "$what: ${E2E_OUT//$'\n'/ } (want ${want:-none})"
	fi
}

expect_fail() {
	local text=$1
	shift
	local desc
	desc=$(e2e_cmdline "$@")
	e2e_run "$@"
	if [ "$E2E_RC" -eq 0 ]; then
		e2e_fail "$desc  (succeeded; want a failure with \"$text\")"
		e2e_report_output
	elif ! e2e_contains "$E2E_OUT" "$text"; then
		e2e_fail "$desc  (failed, but the output lacks \"$text\")"
		e2e_report_output
	else
		e2e_pass "$desc  => failed, \"$text\""
	fi
}

expect_denied() {
	local text=$1 prefix="authorization denied by plugin $E2E_PLUGIN: " line found=0
	shift
	local desc
	desc=$(e2e_cmdline "$@")
	e2e_run "$@"
	while IFS= read -r line; do
		if [[ $line == *"$prefix"* ]] && e2e_contains "${line#*"$prefix"}" "$text"; then
			found=1
			break
		fi
	done <<<"$E2E_OUT"
	if [ "$E2E_RC" -eq 0 ]; then
		e2e_fail "$desc  (succeeded; want it denied with \"$text\")"
		e2e_report_output
	elif [ "$found" -ne 1 ]; then
		e2e_fail "$desc  (failed, but not with \"${prefix}...$text...\")"
		e2e_report_output
	else
		e2e_pass "$desc  => denied: ${line#*"$prefix"}"
	fi
}

# --- setup -----------------------------------------------------------------

e2e_setup() {
	[ $# -ge 1 ] || e2e_die "e2e_setup: the rolegate binary is required"
	E2E_ROLEGATE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
	shift
	[ -x "$E2E_ROLEGATE" ] || e2e_die "$E2E_ROLEGATE is not an executable"
	[ "$(id -u)" -eq 0 ] || e2e_skip "the end-to-end tests start dockerd and must run as root"
	local tool
	for tool in dockerd docker openssl timeout; do
		command -v "$tool" >/dev/null 2>&1 || e2e_skip "$tool is not installed"
	done
	DOCKERD_BUSYBOX=${E2E_BUSYBOX:-/bin/busybox}
	dockerd_static_busybox ||
		e2e_skip "a static busybox (Debian: busybox-static) is needed at $DOCKERD_BUSYBOX"

	# Short: socket paths must stay under 108 bytes.
	E2E_DIR=$(mktemp -d /tmp/rge2e.XXXXXX) || e2e_die "mktemp failed"
	trap e2e_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	chmod 0755 "$E2E_DIR"
	E2E_PLUGIN=${E2E_PLUGIN_NAME:-rolegate-e2e-$$-${E2E_DIR##*.}}
	E2E_SOCK=$E2E_DIR/rg.sock
	E2E_CONF=$E2E_DIR/rolegate.conf
	E2E_AUDIT=$E2E_DIR/decisions.log
	dockerd_init "$E2E_DIR" "$E2E_PLUGIN"
	# shellcheck disable=SC2034 # for the tests
	E2E_DOCKER_SOCK=$DOCKERD_SOCK E2E_CERTS=$DOCKERD_CERTS
	dockerd_certs "$@" || e2e_die "cannot create the certificates"
	e2e_log "e2e: directory $E2E_DIR, plugin name $E2E_PLUGIN"
}

e2e_add_user() {
	dockerd_client_certs "$@" || e2e_die "cannot create client certificates for $*"
}

e2e_render() {
	local out=${2:-$E2E_CONF}
	[ -r "$1" ] || e2e_die "no config template $1"
	sed "s|@DIR@|$E2E_DIR|g" "$1" >"$out.tmp" && mv "$out.tmp" "$out" ||
		e2e_die "cannot render $1"
}

# Polls CMD... every 0.1 s until it succeeds (status 0); gives up after
# SECONDS, or at once when CMD returns 2 (what it waits for cannot happen).
e2e_wait_for() {
	local seconds=$1 i rc
	shift
	for ((i = 0; i < seconds * 10; i++)); do
		"$@"
		rc=$?
		[ "$rc" -eq 0 ] && return 0
		[ "$rc" -eq 2 ] && return 1
		sleep 0.1
	done
	return 1
}

start_rolegate() {
	local template=$1
	shift
	e2e_render "$template"
	if ! "$E2E_ROLEGATE" check -c "$E2E_CONF" >"$E2E_DIR/check.out" 2>&1; then
		cat "$E2E_DIR/check.out" >&2
		e2e_die "rolegate check refused $template"
	fi
	: >"$E2E_DIR/rolegate.ready"
	"$E2E_ROLEGATE" serve -c "$E2E_CONF" --socket "$E2E_SOCK" --ready-fd 3 --stderr "$@" \
		3>"$E2E_DIR/rolegate.ready" 2>>"$E2E_DIR/rolegate.log" </dev/null &
	E2E_ROLEGATE_PID=$!
	if ! e2e_wait_for 10 e2e_rolegate_ready; then
		e2e_die "rolegate serve did not become ready (pid $E2E_ROLEGATE_PID)"
	fi
	[ -S "$E2E_SOCK" ] || e2e_die "rolegate said it was ready but $E2E_SOCK is not a socket"
	e2e_log "e2e: rolegate serve ready (pid $E2E_ROLEGATE_PID, $E2E_SOCK)"
}

e2e_rolegate_ready() {
	[ -s "$E2E_DIR/rolegate.ready" ] && return 0
	kill -0 "$E2E_ROLEGATE_PID" 2>/dev/null || e2e_die "rolegate serve exited before it was ready"
	return 1
}

reload_rolegate() {
	local before
	before=$(grep -c -e 'reloaded ' -e 'reload of .* failed' "$E2E_DIR/rolegate.log")
	e2e_render "$1"
	kill -HUP "$E2E_ROLEGATE_PID" || e2e_die "rolegate serve is not running"
	e2e_wait_for 10 e2e_reload_seen "$before" || e2e_die "rolegate serve did not answer SIGHUP"
	if [ "$(grep -e 'reloaded ' -e 'reload of .* failed' "$E2E_DIR/rolegate.log" | tail -n 1 |
		grep -c 'failed')" -ne 0 ]; then
		return 1
	fi
	return 0
}

e2e_reload_seen() {
	[ "$(grep -c -e 'reloaded ' -e 'reload of .* failed' "$E2E_DIR/rolegate.log")" -gt "$1" ]
}

# Stops rolegate with SIGTERM; returns its exit status (0 expected).
stop_rolegate() {
	local pid=$E2E_ROLEGATE_PID rc
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	if ! e2e_wait_for 40 e2e_gone "$pid"; then
		echo "e2e: rolegate $pid did not stop in 40 s; killing it" >&2
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid"
	rc=$?
	E2E_ROLEGATE_PID=
	return "$rc"
}

e2e_gone() {
	! kill -0 "$1" 2>/dev/null
}

# check: dockerd stops, then rolegate serve exits 0 on SIGTERM (the end of
# every test with a dockerd).
e2e_shutdown() {
	local rc=0
	stop_dockerd
	stop_rolegate || rc=$?
	if [ "$rc" = 0 ]; then
		e2e_pass "rolegate serve exited 0 on SIGTERM"
	else
		e2e_fail "rolegate serve exited $rc on SIGTERM"
	fi
}

start_dockerd() {
	dockerd_start --authz "$E2E_SOCK" "$@" || e2e_die "dockerd did not start"
	E2E_DOCKERD_PID=$DOCKERD_PID
	E2E_PORT=$DOCKERD_PORT
	e2e_log "e2e: dockerd ready (pid $E2E_DOCKERD_PID, tcp://127.0.0.1:$E2E_PORT)"
}

stop_dockerd() {
	dockerd_stop
	E2E_DOCKERD_PID=$DOCKERD_PID
}

docker_as() {
	dockerd_as "$@"
}

docker_unix() {
	dockerd_unix "$@"
}

e2e_import_busybox() {
	local user=$1 out
	out=$(dockerd_import_busybox "$@" 2>&1) ||
		e2e_die "cannot import the busybox image as $user: $out"
}

# --- teardown ----------------------------------------------------------------

e2e_dump_logs() {
	[ -n "$E2E_DIR" ] || return 0
	local f
	for f in rolegate.log dockerd.log; do
		if [ -s "$E2E_DIR/$f" ]; then
			echo "---- last lines of $f ----"
			tail -n 25 "$E2E_DIR/$f"
		fi
	done
}

# Pids of processes (other than this shell) whose command line names $E2E_DIR.
e2e_leftovers() {
	local p cmd
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = "$$" ] || [ "$p" = "$BASHPID" ] && continue
		cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline") || continue
		[[ $cmd == *"$E2E_DIR/"* ]] && echo "$p"
	done
	return 0
}

# e2e_start_registry: Debian's docker-registry on a free loopback port, its
# storage under $E2E_DIR/registry: sets REGISTRY (host:port) and
# REGISTRY_PID; e2e_cleanup stops it (by pid) before it looks for processes
# left behind. Dies if it does not answer.
REGISTRY=
REGISTRY_PID=
e2e_stop_registry() {
	[ -n "$REGISTRY_PID" ] || return 0
	kill -TERM "$REGISTRY_PID" 2>/dev/null
	e2e_wait_for 20 e2e_gone "$REGISTRY_PID" || kill -KILL "$REGISTRY_PID" 2>/dev/null
	wait "$REGISTRY_PID" 2>/dev/null
	REGISTRY_PID=
}

e2e_registry_ready() {
	kill -0 "$REGISTRY_PID" 2>/dev/null || return 2
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY/v2/")" = 200 ]
}

e2e_start_registry() {
	local try
	mkdir -p "$E2E_DIR/registry/data"
	for try in 1 2 3 4 5; do
		REGISTRY=127.0.0.1:$(dockerd_free_port)
		printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
			"$E2E_DIR/registry/data" "$REGISTRY" >"$E2E_DIR/registry/config.yml"
		docker-registry serve "$E2E_DIR/registry/config.yml" >>"$E2E_DIR/registry/log" 2>&1 &
		REGISTRY_PID=$!
		if e2e_wait_for 20 e2e_registry_ready; then
			e2e_log "e2e: registry ready (pid $REGISTRY_PID, http://$REGISTRY)"
			return 0
		fi
		e2e_stop_registry
	done
	tail -n 20 "$E2E_DIR/registry/log" >&2
	e2e_die "the registry did not start"
}

e2e_cleanup() {
	local rc=$? left p
	# Finish cleaning up even when interrupted again.
	trap - EXIT
	trap '' INT TERM
	[ -n "$E2E_DIR" ] || exit "$rc"
	e2e_stop_registry
	stop_dockerd
	if [ -n "$E2E_ROLEGATE_PID" ]; then
		stop_rolegate
	fi
	left=$(e2e_leftovers)
	if [ -n "$left" ]; then
		echo "${E2E_R}FAIL${E2E_N} processes left behind:" >&2
		for p in $left; do
			echo "  $p $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")" >&2
		done
		for p in $left; do kill -KILL "$p" 2>/dev/null; done
		rc=1
	fi
	dockerd_unmount
	if [ "${E2E_KEEP:-0}" = 1 ]; then
		echo "e2e: kept $E2E_DIR"
	else
		rm -rf "$E2E_DIR"
	fi
	exit "$rc"
}

e2e_finish() {
	if [ "$E2E_FAILS" -ne 0 ]; then
		e2e_dump_logs
	fi
	printf '\n%s passed, %s failed (%s s)\n' "$E2E_PASSES" "$E2E_FAILS" \
		"$(awk -v a="$E2E_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
	[ "$E2E_FAILS" -eq 0 ] || exit 1
	exit 0
}
