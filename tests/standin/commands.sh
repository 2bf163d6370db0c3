#!/bin/bash
# Every line of standin/commands.txt through `rolegate explain --json --
# docker ARGS` (the installed client against the stand-in daemon), as a role
# that allows everything: the deciding request must be the command the line
# names, or the client must fail with the message it names (exit 2).
#
# usage: commands.sh ROLEGATE-BINARY STANDIN-DIR    (exit 77 = no docker client)
set -u
rolegate=$(realpath "${1:?usage: $0 ROLEGATE-BINARY STANDIN-DIR}")
dir=$(realpath "${2:?usage: $0 ROLEGATE-BINARY STANDIN-DIR}")
command -v docker >/dev/null 2>&1 || { echo "docker client not installed: skipped"; exit 77; }

tmp=$(mktemp -d /tmp/rolegate-standin-commands.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/rolegate.conf" <<CONF
identity = { users = ( { name = "alice"; groups = ["ops"]; } ); };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
audit = { path = "$tmp/audit.log"; };
CONF
# The files the command lines name, and one variable for `-e NAME`.
mkdir -p "$tmp/work/project"
printf 'A=1\n# a comment\n\n  B=two words \nUNSET_IN_ENV\nFROM_ENV\n' >"$tmp/work/app.env"
printf 'team=ops\ntier=web\n' >"$tmp/work/labels"
printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [ ]\n}\n' >"$tmp/work/seccomp.json"
echo 'FROM busybox' >"$tmp/work/project/Dockerfile"
echo 'data' >"$tmp/work/data.tar"
cd "$tmp/work" || exit 2
export FROM_ENV=from-the-environment
unset UNSET_IN_ENV

pass=0 fail=0
while IFS= read -r line; do
	case $line in '' | '#'*) continue ;; esac
	want=${line%% | *}
	words=${line#* | }
	eval "set -- $words"
	start=$EPOCHREALTIME
	out=$("$rolegate" explain -c "$tmp/rolegate.conf" --user alice --json -- docker "$@" 2>"$tmp/err")
	rc=$?
	took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	awk -v t="$took" 'BEGIN { exit !(t > 3) }' && echo "slow: docker $words took ${took}s"
	case $want in
	'!error '*)
		text=${want#!error }
		if [ "$rc" -eq 2 ] && grep -qF -- "$text" "$tmp/err"; then
			pass=$((pass + 1))
		else
			echo "FAIL docker $words: want exit 2 and \"$text\", got exit $rc: $(head -c 300 "$tmp/err")"
			fail=$((fail + 1))
		fi
		continue
		;;
	esac
	# The deciding request's fields come first, its "requests" array last.
	got=$(grep -o '"command":"[^"]*"' <<<"$out" | head -n 1 | cut -d'"' -f4)
	if [ "$rc" -eq 0 ] && [ "$got" = "$want" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL docker $words: want $want, got exit $rc, command \"$got\": $(head -c 300 "$tmp/err")"
		fail=$((fail + 1))
	fi
done <"$dir/commands.txt"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -ge 150 ]
