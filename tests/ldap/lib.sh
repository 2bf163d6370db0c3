# Shared by the LDAP integration tests (sourced, bash). Starts real slapd
# instances on loopback ports in a temporary directory and cleans up
# everything it started when the test exits, however it exits.
#
#   slapd_init NAME [--tls] [--require-tls] [--bind-only] [--idle SECONDS]
#              [--sizelimit N|unlimited]   (slapd's default is 500)
#              [--ldif FILE]   (default: directory.ldif beside this file)
#   slapd_start NAME        starts (or restarts) it; waits until it answers
#   slapd_stop NAME         SIGTERM, waits for the exit
#   rg_conf FILE URI [LDAP-SETTINGS...]   writes a rolegate config
#   dirlookup_client CONF   (re)starts one `$DIRLOOKUP -c CONF --stdin --time`
#                           as coproc DL; ask USER then sets $A (its answer)
#                           and $MS (how long it took)
#   rotate_service_password URL PASSWORD FILE
#                           gives rolegate's service account (the bind DN
#                           of rg_conf) PASSWORD in the directory and in FILE
#   expect "ACTUAL" "EXPECTED" "WHAT"     compares, exits 1 on a mismatch
#
# Callers with their own harness (tests/e2e/, demo/demo.sh) may source it
# after setting their EXIT trap: that trap is kept and runs after this
# file's cleanup, with the exit status the shell is leaving with. They set
# LDAP_LIB_KEEP_OPTIONS=1 to keep their shell options (otherwise: set -euo
# pipefail).

[ "${LDAP_LIB_KEEP_OPTIONS:-0}" = 1 ] || set -euo pipefail

PATH=$PATH:/usr/sbin:/sbin
for prog in slapd slapadd ldapsearch ldapadd openssl python3; do
	if ! command -v "$prog" >/dev/null; then
		echo "SKIP: $prog is not installed (Debian: slapd ldap-utils openssl python3)"
		exit 77
	fi
done

LDAP_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/rolegate-ldap.XXXXXX")
declare -A SLAPD_PID=() SLAPD_PORT=() SLAPD_TLSPORT=()
EXTRA_PIDS=()

cleanup() {
	local pid
	for pid in "${SLAPD_PID[@]}" "${EXTRA_PIDS[@]}"; do
		[ -n "$pid" ] || continue
		kill -CONT "$pid" 2>/dev/null || true
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$T"
}
# The caller's EXIT trap, if any, as the command string it runs.
LDAP_PREV_EXIT_TRAP=$(trap -p EXIT)
LDAP_PREV_EXIT_TRAP=${LDAP_PREV_EXIT_TRAP#"trap -- "}
eval "LDAP_PREV_EXIT_TRAP=${LDAP_PREV_EXIT_TRAP%" EXIT"}"
ldap_status() { return "$1"; }
ldap_exit() {
	local rc=$?
	cleanup
	[ -n "$LDAP_PREV_EXIT_TRAP" ] || exit "$rc"
	# Run the caller's trap with $? = rc (without tripping set -e).
	if [ "$rc" -eq 0 ]; then
		eval "$LDAP_PREV_EXIT_TRAP"
	else
		ldap_status "$rc" || eval "$LDAP_PREV_EXIT_TRAP"
	fi
	exit "$rc"
}
trap ldap_exit EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

ok() {
	echo "ok - $*"
}

expect() {
	if [ "$1" != "$2" ]; then
		printf 'FAIL: %s\n  expected: %s\n  actual:   %s\n' "$3" "$2" "$1" >&2
		exit 1
	fi
	ok "$3"
}

# A TCP port nobody listens on right now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Milliseconds of a " (N.N ms)" suffix printed by dirlookup --time, as an integer.
elapsed_ms() {
	sed -n 's/.*(\([0-9]*\)\.[0-9] ms)$/\1/p' <<<"$1"
}

# The answer without its timing suffix.
answer() {
	sed 's/ ([0-9.]* ms)$//' <<<"$1"
}

slapd_init() {
	local name=$1 tls="" acl="access to * by * read" idle=0 sizelimit=500
	local ldif=$LDAP_TESTS/directory.ldif
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--tls) tls=tls ;;
		--require-tls) tls=require ;;
		--bind-only)
			acl='access to * by dn.exact="cn=rolegate,ou=services,dc=example,dc=org" read by * none' ;;
		--idle) idle=$2; shift ;;
		--sizelimit) sizelimit=$2; shift ;;
		--ldif) ldif=$2; shift ;;
		*) fail "slapd_init: unknown option $1" ;;
		esac
		shift
	done
	local dir=$T/$name tlsconf=""
	mkdir -p "$dir/db"
	if [ -n "$tls" ]; then
		make_pki
		tlsconf="TLSCACertificateFile $T/pki/ca.crt
TLSCertificateFile $T/pki/server.crt
TLSCertificateKeyFile $T/pki/server.key"
		[ "$tls" = require ] && tlsconf="$tlsconf
security tls=1"
		SLAPD_TLSPORT[$name]=$(free_port)
	fi
	awk -v dir="$dir" -v tls="$tlsconf" -v acl="$acl" -v idle="$idle" -v size="$sizelimit" '{
		gsub(/@DIR@/, dir); gsub(/@IDLE@/, idle); gsub(/@SIZELIMIT@/, size)
		if ($0 == "@TLS@") $0 = tls
		if ($0 == "@ACL@") $0 = acl
		print
	}' "$LDAP_TESTS/slapd.conf.in" >"$dir/slapd.conf"
	slapadd -q -f "$dir/slapd.conf" -l "$ldif" >"$dir/slapadd.log" 2>&1 ||
		{ cat "$dir/slapadd.log" >&2; fail "slapadd $name"; }
	SLAPD_PORT[$name]=$(free_port)
	SLAPD_PID[$name]=""
}

slapd_url() {
	echo "ldap://127.0.0.1:${SLAPD_PORT[$1]}"
}

slapd_start() {
	local name=$1 dir=$T/$1 urls
	urls="ldap://127.0.0.1:${SLAPD_PORT[$name]}/"
	if [ -n "${SLAPD_TLSPORT[$name]:-}" ]; then
		# 127.0.0.2 is loopback too, but not a name the certificate carries
		urls="$urls ldaps://127.0.0.1:${SLAPD_TLSPORT[$name]}/ ldaps://127.0.0.2:${SLAPD_TLSPORT[$name]}/"
	fi
	# -d stats: stay in the foreground and log every operation (the
	# stampede test counts searches in this log)
	slapd -f "$dir/slapd.conf" -h "$urls" -d stats >>"$dir/slapd.log" 2>&1 &
	SLAPD_PID[$name]=$!
	local i tls=()
	[ -n "${SLAPD_TLSPORT[$name]:-}" ] && tls=(-ZZ)
	for i in $(seq 100); do
		if LDAPTLS_CACERT=$T/pki/ca.crt ldapsearch -x "${tls[@]}" -H "ldap://127.0.0.1:${SLAPD_PORT[$name]}" \
			-D cn=admin,dc=example,dc=org -w admin-secret -b dc=example,dc=org -s base dn >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "${SLAPD_PID[$name]}" 2>/dev/null || { tail -20 "$dir/slapd.log" >&2; fail "slapd $name exited"; }
		sleep 0.1
	done
	tail -20 "$dir/slapd.log" >&2
	fail "slapd $name did not answer within 10 s"
}

slapd_stop() {
	local name=$1 pid=${SLAPD_PID[$1]}
	[ -n "$pid" ] || return 0
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	SLAPD_PID[$name]=""
}

# A test CA, a server certificate for 127.0.0.1/localhost signed by it, and
# an unrelated "rogue" CA.
dirlookup_client() {
	if [ -n "${DL_PID:-}" ]; then
		exec {DL[1]}>&-
		wait "$DL_PID" 2>/dev/null || true
	fi
	coproc DL { exec "$DIRLOOKUP" -c "$1" --stdin --time 2>>"$T/stderr"; }
	EXTRA_PIDS+=("$DL_PID")
}

ask() {
	local line
	echo "$1" >&"${DL[1]}"
	IFS= read -r -t 20 line <&"${DL[0]}" || fail "no answer for $1"
	A=$(answer "$line")
	MS=$(elapsed_ms "$line")
}

rotate_service_password() {
	local url=$1 password=$2 file=$3
	ldapmodify -x -H "$url" -D cn=admin,dc=example,dc=org -w admin-secret >/dev/null <<LDIF
dn: cn=rolegate,ou=services,dc=example,dc=org
changetype: modify
replace: userPassword
userPassword: $password
LDIF
	printf '%s\n' "$password" >"$file"
}

make_pki() {
	[ -f "$T/pki/server.crt" ] && return 0
	local p=$T/pki
	mkdir -p "$p"
	(
		cd "$p"
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
			-subj "/CN=rolegate test CA" -keyout ca.key -out ca.crt
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
			-subj "/CN=rogue CA" -keyout rogue.key -out rogue.crt
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-subj "/CN=localhost" -keyout server.key -out server.csr
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >ext.cnf
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
			-extfile ext.cnf -out server.crt
	) >"$T/pki.log" 2>&1 || { cat "$T/pki.log" >&2; fail "openssl"; }
}

# rg_conf FILE URI [SETTING...]: identity.ldap for the test directory, plus
# any settings given ("nested = false;"), and two roles for explain.
rg_conf() {
	local file=$1 uri=$2
	shift 2
	{
		echo 'identity = {'
		echo '  ldap = {'
		echo "    uri = \"$uri\";"
		echo '    user_base = "ou=people,dc=example,dc=org";'
		echo '    group_base = "ou=groups,dc=example,dc=org";'
		local s
		for s in "$@"; do
			echo "    $s"
		done
		# answers in memory only, unless the test names a cache file: never
		# the shared default under /var/lib
		[[ "$*" == *cache_file* ]] || echo '    cache_file = "";'
		echo '  };'
		echo '};'
		echo 'roles = {'
		echo '  ops = { groups = ["docker-ops"]; allow = ["*"]; };'
		echo '  developer = { groups = ["developers"]; allow = ["container.list", "system.*"]; };'
		echo '};'
	} >"$file"
}

# rg_serve CONF SOCKET: starts `rolegate serve` (its pid in SERVE and in
# EXTRA_PIDS, its log appended to $T/serve.log) and waits until it is ready.
rg_serve() {
	: >"$T/ready"
	"$ROLEGATE" serve -c "$1" --socket "$2" --ready-fd 3 --stderr \
		3>"$T/ready" 2>>"$T/serve.log" </dev/null &
	SERVE=$!
	EXTRA_PIDS+=($SERVE)
	for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
	[ -s "$T/ready" ] || { cat "$T/serve.log" >&2; fail "rolegate serve did not become ready"; }
}

# slapd_freeze NAME / slapd_thaw NAME: SIGSTOP/SIGCONT the server. kill(1)
# returns before every thread has stopped; wait until the kernel shows each
# of them stopped, or a request sent right after could still be answered.
slapd_freeze() {
	local pid=${SLAPD_PID[$1]} t state stopped
	kill -STOP "$pid"
	for _ in $(seq 200); do
		stopped=1
		for t in /proc/"$pid"/task/*/stat; do
			state=$(sed 's/^.*) \(.\).*/\1/' "$t" 2>/dev/null) || continue
			[ "$state" = T ] || stopped=0
		done
		[ "$stopped" = 1 ] && return 0
		sleep 0.01
	done
	echo "slapd $1 (pid $pid) did not stop" >&2
	return 1
}
slapd_thaw() { kill -CONT "${SLAPD_PID[$1]}"; }
