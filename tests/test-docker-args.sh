#!/bin/bash
# The docker command lines of docker-args/cases.txt, translated by rolegate
# (docker-args-dump, i.e. rg_docker_translate as `rolegate explain -- docker`
# and `rolegate test` use it), against what the real docker CLI sends for the
# same lines to a fake dockerd (docker-args/fake-dockerd.py). The comparison
# is docker-args/compare.py's.
#
# usage: test-docker-args.sh DOCKER-ARGS-DUMP DOCKER-ARGS-DIR
# Exit 77 (skipped) when the docker CLI is not installed.
set -u
dump=${1:?usage: $0 DOCKER-ARGS-DUMP DOCKER-ARGS-DIR}
dir=${2:?usage: $0 DOCKER-ARGS-DUMP DOCKER-ARGS-DIR}

if ! command -v docker >/dev/null 2>&1; then
	echo "docker CLI not installed: skipped"
	exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "python3 is required"; exit 2; }
# The cases run in a scratch directory: make the paths absolute first.
dump=$(realpath "$dump")
dir=$(realpath "$dir")
command -v script >/dev/null 2>&1 || { echo "script (util-linux) is required for the -t cases"; exit 2; }

tmp=$(mktemp -d /tmp/rolegate-docker-args.XXXXXX)
fake_pid=
cleanup() {
	[ -z "$fake_pid" ] || kill "$fake_pid" 2>/dev/null
	[ -z "$fake_pid" ] || wait "$fake_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

python3 "$dir/fake-dockerd.py" "$tmp/docker.sock" "$tmp/requests.log" "$tmp/ready" &
fake_pid=$!
# The fake creates the ready file once its socket accepts connections.
for _ in $(seq 100); do
	[ -e "$tmp/ready" ] && break
	kill -0 "$fake_pid" 2>/dev/null || { echo "fake-dockerd.py exited"; exit 2; }
	sleep 0.1
done
[ -e "$tmp/ready" ] || { echo "fake-dockerd.py did not become ready"; exit 2; }

# The cases run in a scratch directory holding the files they name (an env
# file, a label file, a seccomp profile, a directory for relative -v paths),
# with one variable set for `-e NAME` to pick up.
mkdir -p "$tmp/work/project" "$tmp/docker-config"
printf 'A=1\n# a comment\n\n  B=two words \nUNSET_IN_ENV\nFROM_ENV\n' >"$tmp/work/app.env"
printf 'team=ops\ntier=web\n' >"$tmp/work/labels"
printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [ ]\n}\n' >"$tmp/work/seccomp.json"
echo 'FROM busybox' >"$tmp/work/project/Dockerfile"
echo 'data' >"$tmp/work/data.tar"
cd "$tmp/work" || exit 2
export FROM_ENV=from-the-environment
unset UNSET_IN_ENV
python3 "$dir/compare.py" "$dump" "$dir/cases.txt" "$tmp/requests.log" "$tmp/docker.sock"
