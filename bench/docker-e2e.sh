#!/bin/bash
# docker-e2e.sh — what rolegate adds to a real `docker ps`.
#
#   bench/docker-e2e.sh BUILD-DIR [RUNS] [ROUNDS]     (default 200 runs, 2 rounds)
#
# Starts `rolegate serve` (BUILD-DIR/plugin/rolegate, the benchmark's config:
# static users, audit log on with sync = batch) and, in turn, a private
# dockerd (vfs, no networking, TLS on loopback with client certificates)
# without any authorization plugin and with rolegate, ROUNDS times
# alternately. Each time it runs `docker ps` RUNS times as "alice" over TLS
# (after 10 unmeasured runs) with `rolegate-bench time-cmd` and prints the
# median; then the median of each side over the rounds and the overhead.
# Prints figures; the target (issue 8) is an overhead of at most 10 %.
#
# Needs root, dockerd, docker and openssl. Everything started is stopped by
# pid on exit; the plugin spec file is removed.
set -u

build=$(cd "${1:?usage: $0 BUILD-DIR [RUNS] [ROUNDS]}" && pwd)
runs=${2:-200}
rounds=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
rolegate=$build/plugin/rolegate
bench=$build/bench/rolegate-bench
for tool in dockerd docker openssl; do
	command -v "$tool" >/dev/null || { echo "docker-e2e: $tool is not installed" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "docker-e2e: must run as root (dockerd)" >&2; exit 2; }
[ -x "$rolegate" ] && [ -x "$bench" ] || { echo "docker-e2e: build $build first" >&2; exit 2; }

dir=$(mktemp -d /tmp/rgdps.XXXXXX) || exit 2
plugin=rolegate-bench-$$
spec=/etc/docker/plugins/$plugin.spec
rg_pid= dockerd_pid=

stop_dockerd() {
	[ -n "$dockerd_pid" ] || return 0
	kill -TERM "$dockerd_pid" 2>/dev/null
	for _ in $(seq 300); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$dockerd_pid" 2>/dev/null
	wait "$dockerd_pid" 2>/dev/null
	dockerd_pid=
}

cleanup() {
	stop_dockerd
	if [ -n "$rg_pid" ]; then
		kill -TERM "$rg_pid" 2>/dev/null
		wait "$rg_pid" 2>/dev/null
	fi
	rm -f "$spec"
	grep -o " $dir/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount "$m" 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

sh "$top/examples/make-client-cert.sh" -d "$dir/certs" ca >/dev/null &&
	sh "$top/examples/make-client-cert.sh" -d "$dir/certs" server >/dev/null &&
	sh "$top/examples/make-client-cert.sh" -d "$dir/certs" client alice >/dev/null ||
	{ echo "docker-e2e: cannot make certificates" >&2; exit 2; }

cat >"$dir/rolegate.conf" <<EOF
identity = {
  unauthenticated = "automation";
  users = (
    { name = "automation"; groups = ["docker-ops"]; },
    { name = "alice"; groups = ["developers"]; }
  );
};
roles = {
  ops = { groups = ["docker-ops"]; allow = ["*"]; };
  developer = {
    groups = ["developers"];
    allow = ["container.*", "image.list", "image.inspect", "system.*"];
    constraints = { privileged = false; host_namespaces = false; require_limits = ["memory"]; };
  };
};
audit = { path = "$dir/decisions.log"; sync = "batch"; };
EOF
"$rolegate" serve -c "$dir/rolegate.conf" --socket "$dir/rg.sock" --ready-fd 3 --stderr \
	3>"$dir/rg.ready" 2>"$dir/rolegate.log" </dev/null &
rg_pid=$!
for _ in $(seq 100); do [ -s "$dir/rg.ready" ] && break; sleep 0.1; done
[ -s "$dir/rg.ready" ] || { echo "docker-e2e: rolegate did not start" >&2; cat "$dir/rolegate.log" >&2; exit 2; }
mkdir -p /etc/docker/plugins
echo "unix://$dir/rg.sock" >"$spec"

export DOCKER_CONFIG=$dir/docker-config DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$dir/certs/users/alice
unset DOCKER_CONTEXT DOCKER_API_VERSION

# start_dockerd [--authorization-plugin=NAME]
start_dockerd() {
	local port=$((20000 + RANDOM % 40000))
	echo '{}' >"$dir/daemon.json"
	: >"$dir/dockerd.log"
	dockerd --config-file "$dir/daemon.json" --data-root "$dir/root" --exec-root "$dir/exec" \
		--pidfile "$dir/dockerd.pid" \
		--containerd-namespace "$plugin" --containerd-plugins-namespace "$plugin-p" \
		--iptables=false --bridge=none --ip-forward=false --ip-masq=false --storage-driver=vfs \
		-H "unix://$dir/docker.sock" -H "tcp://127.0.0.1:$port" \
		--tlsverify --tlscacert "$dir/certs/ca.pem" \
		--tlscert "$dir/certs/server.pem" --tlskey "$dir/certs/server-key.pem" \
		"$@" >"$dir/dockerd.log" 2>&1 </dev/null &
	dockerd_pid=$!
	for _ in $(seq 600); do
		grep -q "API listen on 127.0.0.1:$port" "$dir/dockerd.log" && break
		kill -0 "$dockerd_pid" 2>/dev/null || break
		sleep 0.1
	done
	grep -q "API listen on 127.0.0.1:$port" "$dir/dockerd.log" ||
		{ echo "docker-e2e: dockerd did not start" >&2; tail "$dir/dockerd.log" >&2; exit 2; }
	export DOCKER_HOST=tcp://127.0.0.1:$port
}

# measure LABEL: prints the time-cmd line, and appends the median to $dir/LABEL
measure() {
	local out
	out=$("$bench" time-cmd -n "$runs" -w 10 -- docker ps) ||
		{ echo "docker-e2e: docker ps failed ($1)" >&2; docker ps >&2; exit 2; }
	printf '  %-16s %s\n' "$1" "$out"
	echo "$out" | sed 's/.*median \([0-9.]*\) ms.*/\1/' >>"$dir/$1"
}

echo "docker ps as alice over TLS, $runs runs per measurement, $rounds round(s)," \
	"$(nproc) CPUs, dockerd $(dockerd --version | cut -d' ' -f3 | tr -d ,)"
for r in $(seq "$rounds"); do
	start_dockerd
	measure without
	stop_dockerd
	start_dockerd --authorization-plugin="$plugin"
	measure with-rolegate
	stop_dockerd
done
calls=$(grep -c '"phase":"request"' "$dir/decisions.log")
without=$(sort -n "$dir/without" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
with=$(sort -n "$dir/with-rolegate" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
awk -v a="$without" -v b="$with" -v n="$calls" 'BEGIN {
	printf "median docker ps: %.2f ms without a plugin, %.2f ms with rolegate: overhead %.2f ms = %.1f %% (target <= 10 %%)\n", a, b, b - a, (b - a) / a * 100
	printf "rolegate decided %d requests (audit log records, phase request)\n", n
}'
