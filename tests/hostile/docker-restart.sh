#!/bin/bash
# docker-restart.sh ROLEGATE — a real dockerd keeps working while rolegate is
# restarted five times under it, the way the systemd socket unit allows: the
# listening socket is held by a launcher (as systemd holds it) and handed to
# each `rolegate serve` (LISTEN_FDS), so calls made while rolegate is down
# wait in the socket's backlog instead of being refused, and dockerd's
# plugin client retries a call whose keep-alive connection was closed.
#
# Checks: every `docker ps` (as alice over TLS) made during the restarts
# succeeds; every rolegate exits 0 on SIGTERM; the audit log holds a record
# for each of their requests and its chain verifies across the restarts.
# Skips (77) unless root with dockerd, docker, openssl and python3.
set -u

rolegate=$(cd "$(dirname "${1:?usage: $0 ROLEGATE}")" && pwd)/$(basename "$1")
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/dockerd.sh
. "$top/tests/lib/dockerd.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (dockerd)"; exit 77; }
for tool in dockerd docker openssl python3; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done

dir=$(mktemp -d /tmp/rgrst.XXXXXX) || exit 2
dockerd_init "$dir" "rolegate-restart-$$"
launcher_pid=
fail=0

trap 'dockerd_cleanup "$launcher_pid"' EXIT
trap 'exit 130' INT TERM

check() {
	if [ "$1" = ok ]; then
		echo "PASS $2"
	else
		echo "FAIL $2"
		fail=1
	fi
}

dockerd_certs alice || { echo "cannot make certificates"; exit 2; }
cat >"$dir/rolegate.conf" <<EOF
identity = { users = ( { name = "alice"; groups = ["ops"]; } ); };
roles = { ops = { groups = ["ops"]; allow = ["*"]; }; };
plugin = { state = "$dir/state"; };
audit = { path = "$dir/decisions.log"; sync = "batch"; };
EOF

# The launcher: binds the socket once, starts rolegate on it, and every two
# seconds SIGTERMs it and starts the next one; "done" once the last one has
# served two seconds, then a final SIGTERM. Prints each exit status.
cat >"$dir/launch.py" <<'EOF'
import os, signal, socket, subprocess, sys, time
rolegate, conf, path, d = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(1024)
fd = s.fileno()

def start():
    def child():
        os.dup2(fd, 3)
        os.environ["LISTEN_PID"] = str(os.getpid())
        os.environ["LISTEN_FDS"] = "1"
    return subprocess.Popen([rolegate, "serve", "-c", conf, "--stderr"], preexec_fn=child,
                            pass_fds=(fd,), stderr=open(d + "/rolegate.log", "a"))

p = start()
open(d + "/ready", "w").write("ready\n")
for i in range(5):
    time.sleep(2)
    p.send_signal(signal.SIGTERM)
    print("exit", p.wait(), flush=True)
    p = start()
time.sleep(2)
open(d + "/done", "w").write("done\n")
time.sleep(1)
p.send_signal(signal.SIGTERM)
print("exit", p.wait(), flush=True)
EOF
python3 "$dir/launch.py" "$rolegate" "$dir/rolegate.conf" "$dir/rg.sock" "$dir" >"$dir/launch.out" 2>&1 &
launcher_pid=$!
for _ in $(seq 100); do [ -f "$dir/ready" ] && break; sleep 0.1; done
[ -f "$dir/ready" ] || { echo "the launcher did not start"; cat "$dir/launch.out"; exit 2; }

dockerd_start --authz "$dir/rg.sock" 2>&1 || { echo "dockerd did not start"; exit 2; }
dockerd_use alice
ok=0 bad=0 retried=0
while [ ! -f "$dir/done" ] && kill -0 "$launcher_pid" 2>/dev/null; do
	if timeout 60 docker ps >/dev/null 2>"$dir/err"; then
		ok=$((ok + 1))
	elif grep -q "the authorization call is empty" "$dir/err"; then
		# dockerd retried a call whose connection the exiting rolegate
		# closed, and resent it with an empty body (its plugin client reuses
		# the drained reader): refused, as it must be. At most one a restart.
		retried=$((retried + 1))
		echo "  docker ps refused on dockerd's empty retry: $(tail -n 1 "$dir/err")"
	else
		bad=$((bad + 1))
		echo "  docker ps failed: $(tail -n 1 "$dir/err")"
	fi
done
wait "$launcher_pid"
launcher_pid=
exits=$(grep -c '^exit 0$' "$dir/launch.out")
echo "docker ps during 5 restarts of rolegate: $ok succeeded, $bad failed, $retried refused on dockerd's empty retry"
[ "$bad" -eq 0 ] && [ "$retried" -le 5 ] && [ "$ok" -ge 20 ] && r=ok || r=bad
check "$r" "every docker ps succeeded across the restarts but for dockerd's empty retries ($ok, $bad failed, $retried retried)"
[ "$exits" -eq 6 ] && r=ok || r=bad
check "$r" "each of the 6 rolegate processes exited 0 on SIGTERM ($exits did; $(tr '\n' ' ' <"$dir/launch.out"))"
records=$(grep -c '"phase":"request"' "$dir/decisions.log")
[ "$records" -ge $((2 * ok)) ] && r=ok || r=bad
check "$r" "the audit log holds a record for each request ($records for $ok docker ps of 2 requests)"
if "$rolegate" log verify -c "$dir/rolegate.conf" >"$dir/verify.out" 2>&1; then
	check ok "the audit chain verifies across the restarts: $(tail -n 1 "$dir/verify.out")"
else
	check bad "rolegate log verify: $(cat "$dir/verify.out")"
fi
[ "$fail" -eq 0 ] || { echo "--- rolegate log"; tail -20 "$dir/rolegate.log"; }
exit "$fail"
