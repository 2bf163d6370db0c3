#!/usr/bin/env bash
# How the size of the configuration costs (issue 17): `rolegate check` time,
# reload (SIGHUP) time and throughput with the benchmark's own config
# (bench/bench-config.h, 3 static users and 3 roles) and with USERS more
# static users and ROLES more roles that the benchmark's callers do not hold.
# Prints figures; passes or fails nothing (STYLE.md). Targets of the issue:
# check < 1 s, reload < 2 s, throughput >= 0.9x of the small config.
#
# usage: bench/scale.sh BUILD-DIR [USERS [ROLES [COUNT]]]
#        (defaults 100000 10000 50000)
set -euo pipefail
BUILD=$(realpath "${1:?usage: $0 BUILD-DIR [USERS [ROLES [COUNT]]]}")
USERS=${2:-100000}
ROLES=${3:-10000}
COUNT=${4:-50000}
SRC=$(cd "$(dirname "$0")" && pwd)
RG=$BUILD/plugin/rolegate
BENCH=$BUILD/bench/rolegate-bench
T=$(mktemp -d /tmp/rolegate-scale.XXXXXX)
SERVE=
cleanup() {
	[ -z "$SERVE" ] || { kill "$SERVE" 2>/dev/null || true; wait "$SERVE" 2>/dev/null || true; }
	rm -rf "$T"
}
trap cleanup EXIT

python3 "$SRC/scale.py" "$SRC/bench-config.h" "$T/small.tmpl" "$T/large.tmpl" "$USERS" "$ROLES"
for size in small large; do
	sed -e "s|@DIR@|$T|g" -e "s|@SYNC@|none|g" "$T/$size.tmpl" >"$T/$size.conf"
done
echo "configs: small $(wc -c <"$T/small.conf") bytes; large $(wc -c <"$T/large.conf") bytes ($USERS users, $ROLES roles more)"
ms() { echo $(($(date +%s%N) / 1000000)); }

# median of three `rolegate check` runs: "WALL-MS CPU-MS" (CPU: user + system,
# which a busy machine inflates less than the wall clock)
check_ms() {
	local i all=()
	for i in 1 2 3; do
		all+=("$(/usr/bin/time -f '%e %U %S' "$RG" check -c "$1" 2>&1 >/dev/null |
			awk '{printf "%d %d", $1 * 1000, ($2 + $3) * 1000}')")
	done
	printf '%s\n' "${all[@]}" | sort -n | sed -n 2p
}
# CPU time (user + system) of a process so far, in ms
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{printf "%d", ($14 + $15) * 1000 / hz}' "/proc/$1/stat"; }
# median of three reloads of a running serve: SIGHUP until "reloaded" is logged
reload_ms() {
	local conf=$1 t0 i n all=()
	: >"$T/ready"
	"$RG" serve -c "$conf" --socket "$T/scale.sock" --ready-fd 3 --stderr 3>"$T/ready" 2>"$T/serve.log" </dev/null &
	SERVE=$!
	for _ in $(seq 600); do [ -s "$T/ready" ] && break; sleep 0.05; done
	for i in 1 2 3; do
		n=$(grep -c "reloaded" "$T/serve.log" || true)
		c0=$(cpu_ms "$SERVE")
		t0=$(ms)
		kill -HUP "$SERVE"
		while [ "$(grep -c "reloaded" "$T/serve.log" || true)" -le "$n" ]; do sleep 0.005; done
		all+=("$(($(ms) - t0)) $(($(cpu_ms "$SERVE") - c0))")
	done
	kill -TERM "$SERVE"
	wait "$SERVE" || true
	SERVE=
	printf '%s\n' "${all[@]}" | sort -n | sed -n 2p
}
# requests per second, 8 connections, median of 3 rounds (bench/rolegate-bench)
rps() {
	"$BENCH" --servers rolegate --sync none --conns 8 --count "$COUNT" --rounds 3 --template "$1" 2>/dev/null |
		awk '/rolegate sync=none/ {print $3}' | tail -1
}

read -r cs csc <<<"$(check_ms "$T/small.conf")"; read -r cl clc <<<"$(check_ms "$T/large.conf")"
echo "check:      small $cs ms ($csc ms CPU), large $cl ms ($clc ms CPU)   (target: large < 1000 ms)"
read -r rs rsc <<<"$(reload_ms "$T/small.conf")"; read -r rl rlc <<<"$(reload_ms "$T/large.conf")"
echo "reload:     small $rs ms ($rsc ms CPU), large $rl ms ($rlc ms CPU)   (target: large < 2000 ms)"
echo "            (wall clock and CPU time; load average now: $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores)"
ts=$(rps "$T/small.tmpl"); tl=$(rps "$T/large.tmpl")
echo "throughput: small $ts req/s, large $tl req/s, ratio $(awk -v a="$tl" -v b="$ts" 'BEGIN {printf "%.2f", a / b}')   (target: >= 0.90)"
