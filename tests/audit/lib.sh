# shellcheck shell=bash
# tests/audit/lib.sh — harness for the audit log tests. Source it:
#
#   . "$(dirname "$0")/lib.sh"
#   at_setup "$@"                 # ROLEGATE AUDIT-LOAD: $RG, $LOAD, temp dir $AT
#   at_conf NAME 'sync = "batch";'      # writes $AT/NAME.conf, audit.path $AT/NAME/decisions.log
#   check 0 "verify passes" "$RG" log verify -c "$AT/NAME.conf"
#   has "chain intact"            # the last check's output contains this
#   at_finish                     # summary; exit 1 if any check failed
#
# Everything a test starts is registered with at_track PID and stopped by pid
# in the EXIT trap; mounts registered with at_mount are unmounted; the temp
# dir is removed unless AT_KEEP=1.

AT_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
AT_TOP=$(cd "$AT_SRC/../.." && pwd)
AT_PASS=0
AT_FAIL=0
AT_PIDS=()
AT_MOUNTS=()
AT=
OUT=
RC=0

at_cleanup() {
	local pid m
	for pid in "${AT_PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null
			for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
	done
	for m in "${AT_MOUNTS[@]}"; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	if [ -n "$AT" ] && [ "${AT_KEEP:-0}" != 1 ]; then
		rm -rf "$AT"
	elif [ -n "$AT" ]; then
		echo "kept $AT" >&2
	fi
}

at_setup() {
	RG=$(realpath "$1")
	LOAD=$(realpath "$2")
	[ -x "$RG" ] && [ -x "$LOAD" ] || { echo "usage: $0 ROLEGATE AUDIT-LOAD" >&2; exit 2; }
	AT=$(mktemp -d /tmp/rolegate-audit.XXXXXX)
	trap at_cleanup EXIT
}

at_track() { AT_PIDS+=("$1"); }
at_mount() { AT_MOUNTS+=("$1"); }

# at_tmpfs DIR SIZE: a private tmpfs of SIZE at DIR (a disk to fill or to
# remount read-only), unmounted at exit; skips the test (exit 77) without
# root or when no tmpfs can be mounted.
at_tmpfs() {
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: mounting a tmpfs needs root"; exit 77; }
	mkdir -p "$1"
	mount -t tmpfs -o "size=$2,mode=0700" rolegate-audit-test "$1" ||
		{ echo "SKIP: cannot mount a tmpfs here"; exit 77; }
	at_mount "$1"
}

# at_conf NAME [AUDIT-SETTINGS...]: a config whose audit.path is $AT/NAME/decisions.log.
at_conf() {
	local name=$1
	shift
	cat >"$AT/$name.conf" <<EOF
plugin = { state = "$AT/$name/state"; };
identity = {
  unauthenticated = "root";
  users = (
    { name = "alice"; groups = ["docker-ops"]; },
    { name = "dave"; groups = ["developers"]; }
  );
};
roles = {
  ops = { groups = ["docker-ops"]; users = ["root"]; allow = ["*"]; };
  developer = { groups = ["developers"]; allow = ["container.*", "system.*"];
                deny = ["container.commit"]; };
};
audit = {
  path = "$AT/$name/decisions.log";
  $*
};
EOF
}

pass() { AT_PASS=$((AT_PASS + 1)); echo "ok - $*"; }
fail() { AT_FAIL=$((AT_FAIL + 1)); echo "FAIL - $*"; [ -n "$OUT" ] && printf '%s\n' "$OUT" | sed 's/^/    | /' | head -n 20; }

# check WANT-RC DESCRIPTION CMD...: runs CMD, keeps its output in $OUT.
check() {
	local want=$1 desc=$2
	shift 2
	OUT=$("$@" 2>&1)
	RC=$?
	if [ "$RC" -eq "$want" ]; then
		pass "$desc"
	else
		fail "$desc (exit $RC, wanted $want)"
	fi
}

# has TEXT / lacks TEXT: about the last check's output.
has() {
	if printf '%s\n' "$OUT" | grep -qF -- "$1"; then pass "  output has: $1"; else fail "  output lacks: $1"; fi
}
lacks() {
	if printf '%s\n' "$OUT" | grep -qF -- "$1"; then fail "  output has: $1"; else pass "  output lacks: $1"; fi
}

# same A B DESCRIPTION: string equality as a check.
same() {
	if [ "$1" = "$2" ]; then pass "$3"; else OUT="got '$1', wanted '$2'"; fail "$3"; fi
}

# wait_for SECONDS CMD...: polls CMD every 20 ms until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.02
	done
}

# start_serve CONF SOCKET: the real `rolegate serve`, ready when it says so on fd 3.
# Sets SERVE_PID. Its stderr goes to $AT/serve.log.
start_serve() {
	local conf=$1 sock=$2
	: >"$AT/ready"
	"$RG" serve -c "$conf" --socket "$sock" --ready-fd 3 --stderr \
		3>"$AT/ready" 2>>"$AT/serve.log" </dev/null &
	SERVE_PID=$!
	at_track "$SERVE_PID"
	if ! wait_for 10 serve_ready; then
		echo "rolegate serve did not become ready:" >&2
		tail -n 20 "$AT/serve.log" >&2
		return 1
	fi
}

serve_ready() {
	[ -s "$AT/ready" ] && return 0
	kill -0 "$SERVE_PID" 2>/dev/null || return 2
	return 1
}

# authz SOCKET USER URI [METHOD]: one AuthZReq; prints dockerd's view of the answer.
authz() {
	local sock=$1 user=$2 uri=$3 method=${4:-GET}
	curl -s --max-time 10 --unix-socket "$sock" -X POST \
		-H 'Content-Type: application/json' \
		-d "{\"User\":\"$user\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"$method\",\"RequestUri\":\"$uri\"}" \
		http://plugin/AuthZPlugin.AuthZReq
}

at_finish() {
	echo "# $AT_PASS passed, $AT_FAIL failed"
	[ "$AT_FAIL" -eq 0 ]
	exit $?
}
