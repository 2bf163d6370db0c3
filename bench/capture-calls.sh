#!/bin/bash
# capture-calls.sh — records the authorization calls a real dockerd makes, for
# rolegate-bench to replay (bench/calls/*.json).
#
#   bench/capture-calls.sh [OUTDIR]      (default: bench/calls beside this script)
#
# Starts, in a private temp directory: bench/capture-plugin.py (an authz
# plugin that allows everything and saves each call) under a unique plugin
# name, and a dockerd (private data root, vfs, no networking) that uses it and
# listens on a Unix socket and on TLS loopback with client certificates made
# by examples/make-client-cert.sh. Then drives the real docker CLI: a busybox
# import, `docker ps`, `docker version` and a `docker run` with a realistic set
# of flags, over the Unix socket (no identity) and over TLS as "alice" (calls
# carrying User, UserAuthNMethod and RequestPeerCertificates). Finally picks
# the calls the benchmark replays and writes them under stable names:
#
#   ping.req.json          HEAD /_ping over the Unix socket
#   ps.req.json            GET /v1.41/containers/json over the Unix socket
#   tls-ping.req.json      the same over TLS, as alice
#   tls-ps.req.json, tls-ps.res.json
#   tls-create.req.json    POST /containers/create, the body `docker run` sends
#   tls-create.res.json    its AuthZRes (status 201, the new Id)
#   tls-start.req.json     POST /containers/{id}/start
#
# Needs root, dockerd, docker, openssl, python3 and a static busybox.
# Everything started is stopped by pid on exit; the spec file is removed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source=tests/lib/dockerd.sh
. "$top/tests/lib/dockerd.sh"
out=${1:-$here/calls}
DOCKERD_BUSYBOX=${BUSYBOX:-/bin/busybox}

for tool in dockerd docker openssl python3; do
	command -v "$tool" >/dev/null || { echo "capture: $tool is not installed" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "capture: must run as root (dockerd)" >&2; exit 2; }

dir=$(mktemp -d /tmp/rgcap.XXXXXX) || exit 2
dockerd_init "$dir" "rolegate-capture-$$"
cap_pid=

trap 'dockerd_cleanup "$cap_pid"' EXIT
trap 'exit 130' INT TERM

mkdir -p "$dir/calls" "$out"
dockerd_certs alice || { echo "capture: cannot make certificates" >&2; exit 2; }

python3 "$here/capture-plugin.py" "$dir/plugin.sock" "$dir/calls" "$dir/plugin.ready" &
cap_pid=$!
for _ in $(seq 100); do [ -s "$dir/plugin.ready" ] && break; sleep 0.1; done
[ -s "$dir/plugin.ready" ] || { echo "capture: the capture plugin did not start" >&2; exit 2; }

dockerd_start --authz "$dir/plugin.sock" || { echo "capture: dockerd did not start" >&2; exit 2; }
unix() { dockerd_unix "$@"; }
alice() { dockerd_as alice "$@"; }

mkdir -p /tmp/rolegate-bench-projects
dockerd_import_busybox - >/dev/null || { echo "capture: import failed" >&2; exit 2; }

unix version >/dev/null
unix ps >/dev/null
alice version >/dev/null
alice ps >/dev/null
# A docker run as people type it: name, environment, a bind mount, limits,
# a capability, labels, a health check. No restart policy: with a bind mount
# under bind_mounts a constrained role may not have one (red team round 4;
# the stored call was edited to "no" accordingly, 12 bytes shorter).
alice run -d --name web --hostname web -e APP_ENV=production -e LOG_LEVEL=info \
	-v /tmp/rolegate-bench-projects:/srv/app:ro --tmpfs /run:rw,size=16m \
	--memory 256m --pids-limit 200 --cpus 0.5 --cap-add NET_BIND_SERVICE --cap-drop ALL \
	--label team=payments --label tier=frontend \
	--health-cmd 'true' --health-interval 30s --user 1000:1000 -w /srv/app \
	--network none busybox:latest sleep 300 >/dev/null ||
	echo "capture: warning: docker run failed (the create call is still captured)" >&2
alice ps >/dev/null
alice rm -f web >/dev/null 2>&1
dockerd_stop

python3 - "$dir/calls" "$out" <<'EOF'
import base64, json, os, re, shutil, sys
src, out = sys.argv[1:]
want = {}
def pick(name, f):
    if name not in want:
        want[name] = f
for f in sorted(os.listdir(src)):
    if not f.endswith(".json"):
        continue
    c = json.load(open(os.path.join(src, f)))
    kind = f.split(".")[1]
    tls = c.get("User") == "alice"
    uri = re.sub(r"^/v[0-9.]+", "", c.get("RequestUri", ""))
    m = c.get("RequestMethod")
    prefix = "tls-" if tls else ""
    if uri == "/_ping" and kind == "req":
        pick(prefix + "ping.req.json", f)
    elif uri.startswith("/containers/json") and m == "GET":
        pick(prefix + "ps." + kind + ".json", f)
    elif uri.startswith("/containers/create") and tls:
        pick("tls-create." + kind + ".json", f)
    elif re.match(r"^/containers/[^/]+/start$", uri) and tls and kind == "req":
        pick("tls-start.req.json", f)
for name, f in sorted(want.items()):
    shutil.copy(os.path.join(src, f), os.path.join(out, name))
    print("%-22s %6d bytes  %s" % (name, os.path.getsize(os.path.join(out, name)),
          json.load(open(os.path.join(out, name))).get("RequestUri")))
shutil.copy(os.path.join(src, "headers.txt"), os.path.join(out, "headers.txt"))
EOF
