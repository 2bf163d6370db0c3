#!/bin/bash
# docker-e2e.sh — what rolegate adds to real docker commands, against what
# any authorization plugin adds.
#
#   bench/docker-e2e.sh BUILD-DIR [PS-RUNS] [ROUNDS] [RUN-RUNS] [API-PAIRS]
#                               (default 100 runs, 2 rounds, 20 runs, 500 pairs)
#
# Starts, in turn, a private dockerd (vfs, no networking, TLS on loopback
# with client certificates; tests/lib/dockerd.sh) in three setups:
#   none      no authorization plugin;
#   null      the null responder (`rolegate-bench serve-null`: answers
#             {"Allow":true} without reading the call) as the plugin: the cost
#             of dockerd's plugin protocol itself, the floor of any plugin;
#   rolegate  `rolegate serve` (BUILD-DIR/plugin/rolegate, static users, audit
#             log on with sync = batch) as the plugin.
# In each it times, as "alice" over TLS with `rolegate-bench time-cmd` (after
# a few unmeasured runs), PS-RUNS `docker ps` and RUN-RUNS `docker run --rm
# busybox true` (skipped without a static busybox to import), ROUNDS times
# with the setups interleaved, and API-PAIRS times the two API calls a
# `docker ps` makes over one kept-alive TLS connection (curl), which
# resolves what a plugin adds to them; then prints the median of each over the rounds,
# each plugin's added time over `none`, and rolegate's added time as a ratio
# of the null responder's (issue 18's target for docker ps: <= 1.2).
#
# Needs root, dockerd, docker and openssl. Everything started is stopped by
# pid on exit; the plugin spec file is removed. Prints figures; not a test.
set -u

build=$(cd "${1:?usage: $0 BUILD-DIR [PS-RUNS] [ROUNDS] [RUN-RUNS]}" && pwd)
runs=${2:-100}
rounds=${3:-2}
run_runs=${4:-20}
api_runs=${5:-500}
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
null_pid=

trap 'dockerd_cleanup "$rg_pid" "$null_pid"' EXIT
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

# start_plugin NAME PIDVAR CMD...: a plugin server that writes a byte to fd 3 when ready.
start_plugin() {
	local name=$1 var=$2 i
	shift 2
	"$@" 3>"$dir/$name.ready" 2>"$dir/$name.log" </dev/null &
	printf -v "$var" '%s' "$!"
	for ((i = 0; i < 100; i++)); do
		[ -s "$dir/$name.ready" ] && return 0
		sleep 0.1
	done
	echo "docker-e2e: $name did not start" >&2
	cat "$dir/$name.log" >&2
	exit 2
}
start_plugin rolegate rg_pid "$rolegate" serve -c "$dir/rolegate.conf" --socket "$dir/rg.sock" \
	--ready-fd 3 --stderr
start_plugin null null_pid "$bench" serve-null "$dir/null.sock" 3

# start_dockerd SETUP: a fresh dockerd with that setup's plugin; a plain `docker` is alice's.
start_dockerd() {
	case $1 in
	none) dockerd_start ;;
	null) dockerd_start --authz "$dir/null.sock" ;;
	rolegate) dockerd_start --authz "$dir/rg.sock" ;;
	esac || { echo "docker-e2e: dockerd did not start ($1)" >&2; exit 2; }
	dockerd_use alice
}

# measure SETUP WHAT N CMD...: prints the time-cmd line, appends the median to $dir/SETUP.WHAT
measure() {
	local setup=$1 what=$2 n=$3 out
	shift 3
	out=$("$bench" time-cmd -n "$n" -w 5 -- "$@") ||
		{ echo "docker-e2e: $* failed ($setup)" >&2; "$@" >&2; exit 2; }
	printf '  %-9s %-14s %s\n' "$setup" "$what" "$out"
	echo "$out" | sed 's/.*median \([0-9.]*\) ms.*/\1/' >>"$dir/$setup.$what"
}

# measure_api SETUP N: the two API calls of a `docker ps` (GET /_ping, GET
# /v1.41/containers/json), N times over one kept-alive TLS connection as
# alice (one curl, so no process start in the figure): appends the median
# time of a pair, in ms, to $dir/SETUP.api. A docker CLI's own start (about
# 40 ms here, ±7 ms between rounds) hides the plugin's ~0.1 ms; this does not.
measure_api() {
	local setup=$1 n=$2 base=https://127.0.0.1:$DOCKERD_PORT urls=() i out
	for ((i = 0; i < n + 10; i++)); do
		urls+=(-o /dev/null "$base/_ping" -o /dev/null "$base/v1.41/containers/json")
	done
	out=$(curl -sS --cacert "$DOCKER_CERT_PATH/ca.pem" --cert "$DOCKER_CERT_PATH/cert.pem" \
		--key "$DOCKER_CERT_PATH/key.pem" -w '%{http_code} %{time_total}\n' \
		"${urls[@]}") || { echo "docker-e2e: curl failed ($setup)" >&2; exit 2; }
	if echo "$out" | awk '$1 != 200 { bad = 1 } END { exit !bad }'; then
		echo "docker-e2e: API calls not answered 200 ($setup):" >&2
		echo "$out" | grep -v "^200 " | sort | uniq -c | head -5 >&2
		exit 2
	fi
	# the first 10 pairs warm up (the TLS handshake is in the first)
	out=$(echo "$out" | awk 'NR > 20 && NR % 2 == 1 { t = $2 }
		NR > 20 && NR % 2 == 0 { printf "%.4f\n", (t + $2) * 1000 }' | sort -n | awk '
		{ p[NR] = $1 }
		END { printf "n=%d median %.3f ms p10 %.3f p90 %.3f\n", NR,
			(NR % 2 ? p[(NR + 1) / 2] : (p[NR / 2] + p[NR / 2 + 1]) / 2), p[int(NR * 0.1) + 1], p[int(NR * 0.9)] }')
	printf '  %-9s %-14s %s\n' "$setup" "api-ps" "$out"
	echo "$out" | sed 's/.*median \([0-9.]*\) ms.*/\1/' >>"$dir/$setup.api"
}

median() {
	sort -n "$1" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}

whats="ps"
if dockerd_static_busybox; then
	whats="ps run"
else
	echo "docker-e2e: no static busybox at $DOCKERD_BUSYBOX: docker run is not measured" >&2
fi
echo "as alice over TLS: docker ps x $runs, docker run --rm x $run_runs per measurement," \
	"$rounds round(s), $(nproc) CPUs, dockerd $(dockerd --version | cut -d' ' -f3 | tr -d ,)"
imported=false
for r in $(seq "$rounds"); do
	for setup in none null rolegate; do
		start_dockerd "$setup"
		if [ "$imported" = false ] && [ "$whats" != ps ]; then
			# over the Unix socket (automation, ops); the data root keeps it
			dockerd_import_busybox - >/dev/null || { echo "docker-e2e: cannot import busybox" >&2; exit 2; }
			imported=true
		fi
		measure_api "$setup" "$api_runs"
		measure "$setup" "docker-ps" "$runs" docker ps
		case $whats in *run*)
			measure "$setup" "docker-run" "$run_runs" docker run --rm -m 64m busybox true ;;
		esac
		dockerd_stop
	done
done
calls=$(grep -c '"phase":"request"' "$dir/decisions.log")
for what in api $whats; do
	case $what in
	api) f=api w="API calls of docker ps" ;;
	*) f=docker-$what w="docker $what" ;;
	esac
	none=$(median "$dir/none.$f")
	null=$(median "$dir/null.$f")
	rg=$(median "$dir/rolegate.$f")
	awk -v w="$w" -v a="$none" -v n="$null" -v r="$rg" -v t="$([ "$what" != run ] && echo ' (target <= 1.2)')" 'BEGIN {
	printf "median %s: %.3f ms without a plugin, %.3f ms with the null responder (%+.3f ms), %.3f ms with rolegate (%+.3f ms)\n", w, a, n, n - a, r, r - a
	if (n - a > 0)
		printf "  rolegate added / null responder added: %.3f / %.3f ms = %.2f%s; rolegate vs no plugin: %+.1f %%\n", r - a, n - a, (r - a) / (n - a), t, (r - a) / a * 100
	else
		printf "  the null responder added nothing measurable (%.2f ms): no ratio; rolegate vs no plugin: %+.1f %%\n", n - a, (r - a) / a * 100
	}'
done
echo "rolegate decided $calls requests (audit log records, phase request)"
