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

# median of three `rolegate check` runs
check_ms() {
	local t0 i all=()
	for i in 1 2 3; do
		t0=$(ms)
		"$RG" check -c "$1" >/dev/null
		all+=($(($(ms) - t0)))
	done
	printf '%s\n' "${all[@]}" | sort -n | sed -n 2p
}
# median of three reloads of a running serve: SIGHUP until "reloaded" is logged
reload_ms() {
	local conf=$1 t0 i n all=()
	: >"$T/ready"
	"$RG" serve -c "$conf" --socket "$T/scale.sock" --ready-fd 3 --stderr 3>"$T/ready" 2>"$T/serve.log" </dev/null &
	SERVE=$!
	for _ in $(seq 600); do [ -s "$T/ready" ] && break; sleep 0.05; done
	for i in 1 2 3; do
		n=$(grep -c "reloaded" "$T/serve.log" || true)
		t0=$(ms)
		kill -HUP "$SERVE"
		while [ "$(grep -c "reloaded" "$T/serve.log" || true)" -le "$n" ]; do sleep 0.005; done
		all+=($(($(ms) - t0)))
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

cs=$(check_ms "$T/small.conf"); cl=$(check_ms "$T/large.conf")
echo "check:      small $cs ms, large $cl ms   (target: large < 1000 ms)"
rs=$(reload_ms "$T/small.conf"); rl=$(reload_ms "$T/large.conf")
echo "reload:     small $rs ms, large $rl ms   (target: large < 2000 ms)"
ts=$(rps "$T/small.tmpl"); tl=$(rps "$T/large.tmpl")
echo "throughput: small $ts req/s, large $tl req/s, ratio $(awk -v a="$tl" -v b="$ts" 'BEGIN {printf "%.2f", a / b}')   (target: >= 0.90)"
