#!/bin/sh
# bench/profile.sh: what one call costs rolegate, counted rather than timed:
# instructions (if the CPU exposes them), system calls, context switches and
# CPU time per call, for reads and creates with audit.sync none and batch,
# one connection.
#
#   bench/profile.sh [BUILD-DIR] [ROLEGATE-BINARY]
#   PROFILE_STRACE=1 bench/profile.sh     # also `strace -c -f`: calls by name
#   PROFILE_CALLGRIND=0 bench/profile.sh  # skip the instructions (valgrind)
#
# rolegate-bench starts rolegate through a wrapper that runs it under
# `perf stat` (all threads, inherited). Each shape is run twice, with
# PROFILE_SMALL and PROFILE_LARGE calls after a fixed --warmup, and the
# difference of the counters is divided by the difference of the calls: what
# start, warm-up and shutdown cost cancels out. Where perf has no
# instructions counter (this VM), they come from `valgrind --tool=callgrind`
# (two more runs per shape, with PROFILE_CG_SMALL / PROFILE_CG_LARGE calls:
# rolegate is some 50 times slower under it). It prints figures; nothing
# here passes or fails on time.
set -eu

build=${1:-build}
rolegate=${2:-$build/plugin/rolegate}
bench=$build/bench/rolegate-bench
small=${PROFILE_SMALL:-2000}
large=${PROFILE_LARGE:-12000}
warmup=${PROFILE_WARMUP:-500}

[ -x "$bench" ] || { echo "profile.sh: no $bench (ninja -C $build)" >&2; exit 2; }
[ -x "$rolegate" ] || { echo "profile.sh: no $rolegate" >&2; exit 2; }
command -v perf >/dev/null || { echo "profile.sh: perf is not installed" >&2; exit 2; }
rolegate=$(readlink -f "$rolegate")

tmp=$(mktemp -d /tmp/rgprofile.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

events=task-clock,context-switches,raw_syscalls:sys_enter
callgrind=
if ! perf stat -x, -e instructions true 2>&1 | grep -q 'not supported'; then
	events=$events,instructions
elif [ "${PROFILE_CALLGRIND:-1}" != 0 ] && command -v valgrind >/dev/null; then
	callgrind=1
	echo "(perf has no instructions counter here: instructions from callgrind)"
else
	echo "(perf has no instructions counter here, and callgrind is off or missing: none printed)"
fi
cg_small=${PROFILE_CG_SMALL:-300}
cg_large=${PROFILE_CG_LARGE:-1300}

# The wrapper rolegate-bench runs as "rolegate". The bench stops its server
# with SIGTERM, which would kill perf/strace without their summary: the
# wrapper passes it on to rolegate itself, and they print when it exits.
cat >"$tmp/wrap" <<EOF
#!/bin/sh
if [ -n "\${PROFILE_STRACE_OUT:-}" ]; then
	strace -c -f -o "\$PROFILE_STRACE_OUT" -- "$rolegate" "\$@" &
elif [ -n "\${PROFILE_CG_OUT:-}" ]; then
	valgrind -q --tool=callgrind --callgrind-out-file="\$PROFILE_CG_OUT" -- "$rolegate" "\$@" &
else
	perf stat -x, -o "\$PROFILE_OUT" -e $events -- "$rolegate" "\$@" &
fi
p=\$!
if [ -n "\${PROFILE_CG_OUT:-}" ]; then
	trap 'kill -TERM \$p' TERM           # valgrind runs rolegate in its own process
else
	trap 'kill -TERM \$(cat /proc/\$p/task/\$p/children) 2>/dev/null' TERM
fi
wait \$p || wait \$p
EOF
chmod +x "$tmp/wrap"

# counter NAME FILE: its value in a perf stat -x, file.
counter() {
	awk -F, -v n="$1" '$3 == n || index($3, n ":") == 1 { print $1; exit }' "$2"
}

run() { # sync mode count out
	PROFILE_OUT=$4 "$bench" --rolegate "$tmp/wrap" --servers rolegate --sync "$1" --mode "$2" \
		--conns 1 --rounds 1 --count "$3" --max-time 0 --warmup "$warmup" >/dev/null 2>"$4.err" ||
		{ echo "profile.sh: rolegate-bench failed:" >&2; cat "$4.err" >&2; exit 1; }
}

printf '%-8s %-6s %14s %12s %12s %14s\n' shape sync instr/call syscalls/call csw/call "cpu µs/call"
for mode in reads creates; do
	for sync in none batch; do
		run "$sync" "$mode" "$small" "$tmp/s"
		run "$sync" "$mode" "$large" "$tmp/l"
		calls=$((large - small))
		per() {
			a=$(counter "$1" "$tmp/s"); b=$(counter "$1" "$tmp/l")
			case "$a$b" in *[!0-9.]*|'') echo -;; *) echo "$a $b $calls $2" |
				awk '{ printf "%.*f", $4, ($2 - $1) / $3 }';; esac
		}
		instr=$(per instructions 0)
		if [ -n "$callgrind" ]; then
			PROFILE_CG_OUT=$tmp/cs run "$sync" "$mode" "$cg_small" "$tmp/y"
			PROFILE_CG_OUT=$tmp/cl run "$sync" "$mode" "$cg_large" "$tmp/y"
			instr=$(awk '/^summary:/ { print $2; nextfile }' "$tmp/cs" "$tmp/cl" | tr '\n' ' ' |
				awk -v n=$((cg_large - cg_small)) '{ printf "%.0f", ($2 - $1) / n }')
		fi
		printf '%-8s %-6s %14s %12s %12s %14s\n' "$mode" "$sync" "$instr" \
			"$(per raw_syscalls:sys_enter 2)" "$(per context-switches 2)" \
			"$(per task-clock 6 | awk '{ printf "%.1f", $1 * 1000 }')"
		if [ -n "${PROFILE_STRACE:-}" ]; then
			PROFILE_STRACE_OUT=$tmp/strace run "$sync" "$mode" "$large" "$tmp/x"
			echo "  strace -c -f, $large calls + start, warm-up and shutdown:"
			sed -n '1,/^------ ---/d; /^------/Q; p' "$tmp/strace" | sort -k4 -n -r | head -12 |
				awk '{ printf "    %-20s %8s\n", $NF, $4 }'
		fi
	done
done
