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
# shellcheck source=tests/lib/dockerd.sh
. "$top/tests/lib/dockerd.sh"
rolegate=$build/plugin/rolegate
bench=$build/bench/rolegate-bench
for tool in dockerd docker openssl; do
	command -v "$tool" >/dev/null || { echo "docker-e2e: $tool is not installed" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "docker-e2e: must run as root (dockerd)" >&2; exit 2; }
[ -x "$rolegate" ] && [ -x "$bench" ] || { echo "docker-e2e: build $build first" >&2; exit 2; }

dir=$(mktemp -d /tmp/rgdps.XXXXXX) || exit 2
dockerd_init "$dir" "rolegate-bench-$$"
rg_pid=

trap 'dockerd_cleanup "$rg_pid"' EXIT
trap 'exit 130' INT TERM

dockerd_certs alice || { echo "docker-e2e: cannot make certificates" >&2; exit 2; }

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

# start_dockerd [--authz ROLEGATE-SOCKET]: a fresh dockerd; a plain `docker` is alice's.
start_dockerd() {
	dockerd_start "$@" || { echo "docker-e2e: dockerd did not start" >&2; exit 2; }
	dockerd_use alice
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
	dockerd_stop
	start_dockerd --authz "$dir/rg.sock"
	measure with-rolegate
	dockerd_stop
done
calls=$(grep -c '"phase":"request"' "$dir/decisions.log")
without=$(sort -n "$dir/without" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
with=$(sort -n "$dir/with-rolegate" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
awk -v a="$without" -v b="$with" -v n="$calls" 'BEGIN {
	printf "median docker ps: %.2f ms without a plugin, %.2f ms with rolegate: overhead %.2f ms = %.1f %% (target <= 10 %%)\n", a, b, b - a, (b - a) / a * 100
	printf "rolegate decided %d requests (audit log records, phase request)\n", n
}'
