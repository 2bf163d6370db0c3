#!/bin/bash
# The deployment as shipped on Debian (issue 19): examples/daemon.json (no
# "hosts") plus the systemd drop-in
# examples/systemd/docker.service.d/rolegate.conf. The dockerd command line is
# taken from the drop-in's ExecStart= (line continuations joined), only the
# host's paths swapped for private ones:
#
#   -H fd://                       -> -H unix://$E2E_DIR/docker.sock
#   -H tcp://0.0.0.0:2376          -> -H tcp://127.0.0.1:<free port>
#   /etc/docker/tls/*.pem          -> the test's certificates
#   --containerd=/run/containerd/… -> dropped (dockerd runs its own containerd,
#                                     in private namespaces)
#   $DOCKER_OPTS                   -> empty (/etc/default/docker)
#   "rolegate" in daemon.json      -> this test's plugin name
#
# plus what keeps it off the host's state: --config-file, --data-root,
# --exec-root, --pidfile, containerd namespaces, no iptables/bridge, vfs.
# dockerd must start with the plugin, serve an allowed call and refuse a
# denied one (with rolegate's message) over TLS, and refuse the Unix socket.
# It also shows why the drop-in exists: the old daemon.json with "hosts"
# makes dockerd refuse to start when -H is on the command line.
#
# usage: dropin.sh ROLEGATE-BINARY     (root; exit 77 = skipped)
. "$(dirname "$0")/lib.sh"

e2e_setup "${1:?usage: $0 ROLEGATE-BINARY}" alice bob
DROPIN=$E2E_TOP/examples/systemd/docker.service.d/rolegate.conf
DAEMON_JSON=$E2E_TOP/examples/daemon.json

e2e_section "the drop-in"
# The unit part: docker is ordered after, and requires, the plugin's socket.
grep -qx 'Requires=rolegate.socket' "$DROPIN" && grep -qx 'After=rolegate.socket' "$DROPIN" &&
	e2e_pass "drop-in: Requires= and After=rolegate.socket" || e2e_fail "drop-in lacks Requires/After=rolegate.socket"
# ExecStart= reset first, then exactly one command line.
starts=$(sed -n 's/^ExecStart=//p' "$DROPIN")
[ "$(head -n 1 <<<"$starts")" = "" ] && [ "$(grep -c '^ExecStart=' "$DROPIN")" -eq 2 ] &&
	e2e_pass "drop-in: ExecStart= is reset, then set once" || e2e_fail "drop-in: ExecStart= not reset then set"
if ! grep -q '"hosts"' "$DAEMON_JSON" && python3 -m json.tool "$DAEMON_JSON" >/dev/null; then
	e2e_pass "examples/daemon.json is JSON without \"hosts\""
else
	e2e_fail "examples/daemon.json has \"hosts\" or is not JSON"
fi
if command -v systemd-analyze >/dev/null; then
	# systemd reads the unit with the drop-in applied (a throwaway copy of
	# Debian's unit if the host has none, and stubs for rolegate's units).
	mkdir -p "$E2E_DIR/units/docker.service.d"
	cp "$DROPIN" "$E2E_DIR/units/docker.service.d/"
	cp "$E2E_TOP/examples/systemd/rolegate.socket" "$E2E_TOP/examples/systemd/rolegate.service" "$E2E_DIR/units/"
	printf '[Unit]\nDescription=Docker\n[Service]\nExecStart=/usr/sbin/dockerd -H fd://\n' \
		>"$E2E_DIR/units/docker.service"
	out=$(cd "$E2E_DIR/units" && SYSTEMD_UNIT_PATH="$E2E_DIR/units:" systemd-analyze verify \
		--man=no "$E2E_DIR/units/docker.service" 2>&1 | grep -v -e 'docker.socket' -e 'containerd' \
		-e 'Command .* is not executable' -e 'rolegate.service' -e '^$')
	[ -z "$out" ] && e2e_pass "systemd-analyze verify: the drop-in parses" ||
		e2e_fail "systemd-analyze verify: $out"
fi

# The command line, continuations joined.
line=$(awk '/^ExecStart=./ { sub(/^ExecStart=/, ""); l = $0; while (l ~ /\\$/) { sub(/\\$/, "", l); getline nx; l = l " " nx } print l }' "$DROPIN")
[ -n "$line" ] || e2e_die "no ExecStart command line in $DROPIN"
e2e_log "drop-in command: $line"
read -r -a argv <<<"$line"
[ "${argv[0]}" = /usr/sbin/dockerd ] && e2e_pass "it runs /usr/sbin/dockerd" || e2e_fail "it runs ${argv[0]}"

start_rolegate "$E2E_SRC/basic.conf"
mkdir -p /etc/docker/plugins
DOCKERD_SPEC=/etc/docker/plugins/$E2E_PLUGIN.spec
echo "unix://$E2E_SOCK" >"$DOCKERD_SPEC"
sed "s/\"rolegate\"/\"$E2E_PLUGIN\"/" "$DAEMON_JSON" >"$E2E_DIR/daemon.json"
grep -q "\"$E2E_PLUGIN\"" "$E2E_DIR/daemon.json" || e2e_die "examples/daemon.json does not name the plugin rolegate"

# Runs the drop-in's command with the private paths; 0 once both listeners are up.
run_dropin_dockerd() {
	local cmd=() a i
	DOCKERD_PORT=$(dockerd_free_port) || e2e_die "no free port"
	for a in "${argv[@]}"; do
		case $a in
		fd://) a="unix://$DOCKERD_SOCK" ;;
		tcp://0.0.0.0:2376) a="tcp://127.0.0.1:$DOCKERD_PORT" ;;
		--containerd=*) continue ;;
		'$DOCKER_OPTS') continue ;;
		--tls*=/etc/docker/tls/*) a="${a%%=*}=$E2E_CERTS/${a##*/}" ;;
		esac
		cmd+=("$a")
	done
	e2e_log "running: ${cmd[*]} (+ private state)"
	"${cmd[@]}" --config-file "$1" \
		--data-root "$E2E_DIR/root" --exec-root "$E2E_DIR/exec" --pidfile "$E2E_DIR/dockerd.pid" \
		--containerd-namespace "$E2E_PLUGIN" --containerd-plugins-namespace "$E2E_PLUGIN-p" \
		--iptables=false --bridge=none --ip-forward=false --ip-masq=false --storage-driver=vfs \
		>"$DOCKERD_LOG" 2>&1 </dev/null &
	DOCKERD_PID=$!
	for ((i = 0; i < 600; i++)); do
		if grep -q "API listen on 127.0.0.1:$DOCKERD_PORT" "$DOCKERD_LOG" &&
			grep -q "API listen on $DOCKERD_SOCK" "$DOCKERD_LOG"; then
			E2E_PORT=$DOCKERD_PORT
			return 0
		fi
		kill -0 "$DOCKERD_PID" 2>/dev/null || { wait "$DOCKERD_PID"; DOCKERD_PID=; return 1; }
		sleep 0.1
	done
	return 1
}

e2e_section "why: daemon.json with \"hosts\" and -H on the command line"
printf '{"authorization-plugins": ["%s"], "hosts": ["unix:///var/run/docker.sock"]}\n' "$E2E_PLUGIN" \
	>"$E2E_DIR/old-daemon.json"
if run_dropin_dockerd "$E2E_DIR/old-daemon.json"; then
	e2e_fail "dockerd started with hosts in daemon.json and -H flags (expected the conflict)"
	dockerd_stop_pid
elif grep -q 'hosts' "$DOCKERD_LOG" && grep -qi 'both as a flag and in the configuration file' "$DOCKERD_LOG"; then
	e2e_pass "dockerd refuses: $(grep -o 'the following directives are specified both as a flag.*' "$DOCKERD_LOG" | head -n 1)"
else
	e2e_fail "dockerd did not start, but not for the hosts conflict: $(tail -n 3 "$DOCKERD_LOG")"
fi

e2e_section "the drop-in's dockerd with examples/daemon.json"
run_dropin_dockerd "$E2E_DIR/daemon.json" || { tail -n 20 "$DOCKERD_LOG"; e2e_die "the drop-in's dockerd did not start"; }
# shellcheck disable=SC2034 # lib.sh's cleanup reads it
E2E_DOCKERD_PID=$DOCKERD_PID
e2e_pass "dockerd started from the drop-in's command line (pid $DOCKERD_PID, tcp://127.0.0.1:$E2E_PORT)"
expect_ok "Server:" docker_as alice version
expect_ok "CONTAINER ID" docker_as bob ps
expect_denied "bob (roles: auditor) may not use volume.create" docker_as bob volume create dropin-vol
expect_denied "requests without a TLS client certificate are denied" docker_unix ps
# Both decisions went through the plugin: rolegate recorded them.
grep -q '"user":"bob".*"command":"volume.create".*"decision":"deny"' "$E2E_AUDIT" &&
	e2e_pass "rolegate recorded bob's denied volume.create" || e2e_fail "no deny record for bob's volume.create"
grep -q '"user":"alice".*"command":"system.version".*"decision":"allow"' "$E2E_AUDIT" &&
	e2e_pass "rolegate recorded alice's allowed system.version" || e2e_fail "no allow record for alice"
# A container created without --cgroupns gets a private cgroup namespace, not
# the host's (dockerd's default on cgroup v1 hosts; docs/redteam-round2.md).
e2e_import_busybox alice
expect_ok "private" docker_as alice container inspect --format '{{.HostConfig.CgroupnsMode}}' \
	"$(docker_as alice create busybox true)"

e2e_finish
