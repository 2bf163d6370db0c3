# shellcheck shell=bash
# tests/lib/dockerd.sh — a private dockerd for the tests, the benchmarks and
# the demo (sourced, bash): TLS certificates made by
# examples/make-client-cert.sh, a dockerd that shares nothing with the host's
# (vfs, no networking, its own data root, exec root, pidfile and containerd
# namespaces) listening on a Unix socket and on TLS loopback, the docker CLI
# as a TLS user or over the Unix socket, and a busybox image.
#
#   . "$top/tests/lib/dockerd.sh"
#   dockerd_init "$dir" "rolegate-bench-$$"   # the caller's private directory
#   dockerd_certs alice || exit 2
#   dockerd_start --authz "$dir/rg.sock" || exit 2
#   dockerd_import_busybox alice >/dev/null || exit 2
#   dockerd_as alice run --rm busybox echo hi
#   dockerd_stop                              # in the caller's EXIT trap
#
# The functions never exit; they return 0, or 1 after saying why on stderr.
# Call them from the caller's shell, not a subshell: dockerd is its child.
# One dockerd at a time per shell. The caller's EXIT trap stops dockerd
# (dockerd_stop, which also removes the plugin spec file) and whatever else
# it started, then runs dockerd_unmount and removes the directory; or, for a
# script with nothing else to do, is `dockerd_cleanup $pid...`.
#
# Functions
#   dockerd_init DIR NAME     DIR: where everything goes (short: socket paths
#                             must stay under 108 bytes). NAME: unique to the
#                             run; the containerd namespaces NAME and NAME-p
#                             and the plugin name. Gives the docker CLI a
#                             private DOCKER_CONFIG and unsets DOCKER_HOST,
#                             DOCKER_CONTEXT, DOCKER_TLS_VERIFY,
#                             DOCKER_CERT_PATH and DOCKER_API_VERSION.
#   dockerd_certs [USER...]   a CA and dockerd's server certificate in
#                             $DOCKERD_CERTS, and dockerd_client_certs USER...
#   dockerd_client_certs USER...
#                             one client certificate per USER (CN=USER) in
#                             $DOCKERD_CERTS/users/USER/.
#   dockerd_start [--authz SOCKET] [--daemon-json JSON] [DOCKERD-ARG...]
#                             starts dockerd on unix://$DOCKERD_SOCK and TLS
#                             tcp://127.0.0.1:$DOCKERD_PORT (a free port;
#                             another one if it was taken meanwhile) and waits
#                             until it says "API listen on" both (at most
#                             $DOCKERD_START_TIMEOUT s, default 60); on failure
#                             prints the last $DOCKERD_TAIL (20) lines of its
#                             log. --authz: writes the plugin spec
#                             /etc/docker/plugins/NAME.spec (unix://SOCKET)
#                             and passes --authorization-plugin=NAME.
#                             --daemon-json: the daemon.json it reads
#                             (default {}). Log: $DOCKERD_LOG.
#   dockerd_stop              SIGTERM, waits (SIGKILL after 30 s), removes the
#                             plugin spec file. Does nothing if none runs.
#   dockerd_unmount           unmounts whatever is still mounted under DIR
#                             (dockerd's netns, a stuck container).
#   dockerd_cleanup [PID...]  an EXIT trap: dockerd_stop, SIGTERM to each PID
#                             (the caller's other children; empty ones are
#                             skipped) and wait, dockerd_unmount, removes DIR.
#   dockerd_as USER ARG...    the docker CLI over TLS with USER's certificate,
#                             under `timeout $DOCKERD_CMD_TIMEOUT` (60).
#   dockerd_unix ARG...       the docker CLI over the Unix socket (no identity).
#   dockerd_use USER          exports DOCKER_HOST, DOCKER_TLS_VERIFY and
#                             DOCKER_CERT_PATH so that a plain `docker` is
#                             USER over TLS (again after each dockerd_start).
#   dockerd_static_busybox    whether $DOCKERD_BUSYBOX (default /bin/busybox)
#                             is a static busybox (Debian: busybox-static), the
#                             only kind that runs in the image.
#   dockerd_import_busybox USER|- [REF...]
#                             imports a busybox image as busybox:latest (and
#                             tags it REF...), as USER or (-) over the Unix
#                             socket; its rootfs tar is $DOCKERD_DIR/busybox.tar.
#
# Variables: DOCKERD_DIR, DOCKERD_NAME, DOCKERD_CERTS, DOCKERD_SOCK,
# DOCKERD_LOG, DOCKERD_PORT and DOCKERD_PID (empty when none runs).

DOCKERD_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DOCKERD_MKCERT=$(cd "$DOCKERD_LIB/../.." && pwd)/examples/make-client-cert.sh
DOCKERD_BUSYBOX=${DOCKERD_BUSYBOX:-/bin/busybox}
DOCKERD_CMD_TIMEOUT=${DOCKERD_CMD_TIMEOUT:-60}
DOCKERD_START_TIMEOUT=${DOCKERD_START_TIMEOUT:-60}
DOCKERD_TAIL=${DOCKERD_TAIL:-20}
DOCKERD_DIR=
DOCKERD_PID=
DOCKERD_PORT=
DOCKERD_SPEC=

dockerd_init() {
	DOCKERD_DIR=$1
	DOCKERD_NAME=$2
	DOCKERD_CERTS=$1/certs
	DOCKERD_SOCK=$1/docker.sock
	DOCKERD_LOG=$1/dockerd.log
	export DOCKER_CONFIG=$1/docker-config
	mkdir -p "$DOCKER_CONFIG"
	unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_API_VERSION
}

dockerd_certs() {
	if ! sh "$DOCKERD_MKCERT" -d "$DOCKERD_CERTS" ca >/dev/null ||
		! sh "$DOCKERD_MKCERT" -d "$DOCKERD_CERTS" server >/dev/null; then
		echo "dockerd.sh: cannot make the CA and the server certificate" >&2
		return 1
	fi
	[ $# -eq 0 ] || dockerd_client_certs "$@"
}

dockerd_client_certs() {
	sh "$DOCKERD_MKCERT" -d "$DOCKERD_CERTS" client "$@" >/dev/null ||
		{ echo "dockerd.sh: cannot make client certificates for $*" >&2; return 1; }
}

# A loopback TCP port nobody listens on right now.
dockerd_free_port() {
	local port i
	for ((i = 0; i < 100; i++)); do
		port=$((20000 + RANDOM % 40000))
		if ! (exec 9<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

dockerd_start() {
	local json='{}' authz=() try i why
	while [ $# -gt 0 ]; do
		case $1 in
		--authz)
			mkdir -p /etc/docker/plugins
			# A run killed before its clean-up (a test timeout) leaves its
			# spec file: dockerd then retries that plugin's socket at every
			# volume-driver lookup, and an 800-volume create took minutes.
			local f s
			for f in /etc/docker/plugins/rolegate-*.spec; do
				[ -f "$f" ] || continue
				s=$(sed -n 's|^unix://||p' "$f")
				[ -n "$s" ] && [ ! -S "$s" ] && rm -f "$f"
			done
			DOCKERD_SPEC=/etc/docker/plugins/$DOCKERD_NAME.spec
			echo "unix://$2" >"$DOCKERD_SPEC"
			authz=(--authorization-plugin="$DOCKERD_NAME")
			shift 2
			;;
		--daemon-json) json=$2; shift 2 ;;
		*) break ;;
		esac
	done
	echo "$json" >"$DOCKERD_DIR/daemon.json"
	# The host's bridges before: a network the test creates makes one
	# (br-ID) that dockerd leaves behind when it stops, and the default
	# address pools (about 30) run out across test runs. dockerd_stop_pid
	# removes this dockerd's, never one that was there before.
	DOCKERD_BRIDGES=$(ip -br link 2>/dev/null | awk '/^br-/{print $1}' | tr '\n' ' ')
	for try in 1 2 3; do
		DOCKERD_PORT=$(dockerd_free_port) || { echo "dockerd.sh: no free TCP port" >&2; return 1; }
		dockerd --config-file "$DOCKERD_DIR/daemon.json" \
			--data-root "$DOCKERD_DIR/root" --exec-root "$DOCKERD_DIR/exec" \
			--pidfile "$DOCKERD_DIR/dockerd.pid" \
			--containerd-namespace "$DOCKERD_NAME" \
			--containerd-plugins-namespace "$DOCKERD_NAME-p" \
			--iptables=false --bridge=none --ip-forward=false --ip-masq=false \
			--storage-driver=vfs "${authz[@]}" \
			-H "unix://$DOCKERD_SOCK" -H "tcp://127.0.0.1:$DOCKERD_PORT" \
			--tlsverify --tlscacert "$DOCKERD_CERTS/ca.pem" \
			--tlscert "$DOCKERD_CERTS/server.pem" --tlskey "$DOCKERD_CERTS/server-key.pem" \
			"$@" >"$DOCKERD_LOG" 2>&1 </dev/null &
		DOCKERD_PID=$!
		why="did not listen on both sockets within $DOCKERD_START_TIMEOUT s"
		for ((i = 0; i < DOCKERD_START_TIMEOUT * 10; i++)); do
			if grep -q "API listen on 127.0.0.1:$DOCKERD_PORT" "$DOCKERD_LOG" &&
				grep -q "API listen on $DOCKERD_SOCK" "$DOCKERD_LOG"; then
				return 0
			fi
			kill -0 "$DOCKERD_PID" 2>/dev/null || { why="exited before it listened"; break; }
			sleep 0.1
		done
		dockerd_stop_pid
		# Another port only if this one was taken meanwhile.
		if [ "$try" -eq 3 ] || ! grep -q 'address already in use' "$DOCKERD_LOG"; then
			break
		fi
	done
	echo "dockerd.sh: dockerd $why (log: $DOCKERD_LOG)" >&2
	if [ "$DOCKERD_TAIL" -gt 0 ]; then
		echo "---- last lines of dockerd.log ----" >&2
		tail -n "$DOCKERD_TAIL" "$DOCKERD_LOG" >&2
	fi
	return 1
}

# SIGTERM to $DOCKERD_PID, SIGKILL after 30 s, and wait.
dockerd_stop_pid() {
	local pid=$DOCKERD_PID i
	[ -n "$pid" ] || return 0
	if [ -s "$DOCKERD_DIR/dockerd.pid" ] && [ "$(cat "$DOCKERD_DIR/dockerd.pid")" != "$pid" ]; then
		echo "dockerd.sh: warning: $DOCKERD_DIR/dockerd.pid does not name our dockerd ($pid)" >&2
	fi
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "dockerd.sh: dockerd $pid did not stop in 30 s; killing it" >&2
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	dockerd_remove_bridges
	# Forgotten only once gone: an interrupted stop is finished by the EXIT trap.
	DOCKERD_PID=
}

# Removes the bridges this dockerd made: the names its bridge driver keeps
# in its network store ("BridgeName"), less any that existed before
# dockerd_start. Only its own: another dockerd on the host (a second test
# session) keeps its live bridges.
dockerd_remove_bridges() {
	local b db=$DOCKERD_DIR/root/network/files/local-kv.db
	command -v ip >/dev/null && [ -f "$db" ] || return 0
	for b in $(grep -aoE '"BridgeName":"[^"]+"' "$db" | cut -d'"' -f4 | sort -u); do
		case " ${DOCKERD_BRIDGES:-} " in
		*" $b "*) ;;
		*) ip link del "$b" 2>/dev/null ;;
		esac
	done
	return 0
}

dockerd_stop() {
	dockerd_stop_pid
	[ -z "$DOCKERD_SPEC" ] || rm -f "$DOCKERD_SPEC"
	DOCKERD_SPEC=
	return 0
}

dockerd_unmount() {
	local m
	[ -n "$DOCKERD_DIR" ] || return 0
	# Deepest first.
	while read -r m; do
		umount -l "$m" 2>/dev/null
	done < <(awk -v d="$DOCKERD_DIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
	return 0
}

dockerd_cleanup() {
	local pid
	# Finish even when interrupted again.
	trap '' INT TERM
	dockerd_stop
	for pid in "$@"; do
		[ -n "$pid" ] || continue
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	dockerd_unmount
	[ -z "$DOCKERD_DIR" ] || rm -rf "$DOCKERD_DIR"
}

dockerd_as() {
	local d=$DOCKERD_CERTS/users/$1
	shift
	timeout "$DOCKERD_CMD_TIMEOUT" docker --tlsverify --tlscacert "$d/ca.pem" \
		--tlscert "$d/cert.pem" --tlskey "$d/key.pem" -H "tcp://127.0.0.1:$DOCKERD_PORT" "$@"
}

dockerd_unix() {
	timeout "$DOCKERD_CMD_TIMEOUT" docker -H "unix://$DOCKERD_SOCK" "$@"
}

dockerd_use() {
	export DOCKER_HOST=tcp://127.0.0.1:$DOCKERD_PORT DOCKER_TLS_VERIFY=1
	export DOCKER_CERT_PATH=$DOCKERD_CERTS/users/$1
}

dockerd_static_busybox() {
	[ -x "$DOCKERD_BUSYBOX" ] && ! file -L "$DOCKERD_BUSYBOX" 2>/dev/null | grep -q 'dynamically linked'
}

dockerd_import_busybox() {
	local tar=$DOCKERD_DIR/busybox.tar root=$DOCKERD_DIR/busybox-root cli ref l
	if [ "$1" = - ]; then
		cli=(dockerd_unix)
	else
		cli=(dockerd_as "$1")
	fi
	shift
	if [ ! -s "$tar" ]; then
		mkdir -p "$root/bin" "$root/tmp" "$root/etc" &&
			cp "$DOCKERD_BUSYBOX" "$root/bin/busybox" || return 1
		for l in sh echo true sleep cat id ls ps hostname; do
			ln -s busybox "$root/bin/$l"
		done
		echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
		echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>"$root/etc/passwd"
		tar -C "$root" -cf "$tar" . || { rm -rf "$root" "$tar"; return 1; }
		rm -rf "$root"
	fi
	"${cli[@]}" import "$tar" busybox:latest || return 1
	for ref in "$@"; do
		"${cli[@]}" tag busybox:latest "$ref" || return 1
	done
}
