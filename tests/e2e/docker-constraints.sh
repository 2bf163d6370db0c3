#!/bin/bash
# End-to-end (issue 4): a developer may create containers, but only hardened
# ones. The real dockerd sends rolegate the create bodies the real docker CLI
# builds from its flags; each refused command below breaks exactly one
# constraint of constraints.conf (it sets --memory and --pids-limit unless the
# limit is what it tests), so each denial is that constraint's doing.
#
#   alice  group docker-ops  -> ops (allow "*"): imports and tags the image
#   dave   group developers  -> developer, with every constraint of SPEC.md §3
#
# usage: docker-constraints.sh ROLEGATE-BINARY     (root; exit 77 = skipped)
. "$(dirname "$0")/lib.sh"

e2e_setup "${1:?usage: $0 ROLEGATE-BINARY}" alice dave nina
mkdir -p "$E2E_DIR/projects/app"
echo "project file" >"$E2E_DIR/projects/app/README"
# A symlink inside the allowed tree that leads out of it.
ln -s / "$E2E_DIR/projects/escape"
start_rolegate "$E2E_SRC/constraints.conf"
start_dockerd
e2e_import_busybox alice evil.example.org/busybox:latest

dev="dave (roles: developer) may not"
limits=(--memory 64m --pids-limit 100)

e2e_section "developer (dave): compliant requests are allowed"
expect_ok "compliant-ok" docker_as dave run --rm "${limits[@]}" busybox echo compliant-ok
expect_ok "project file" \
	docker_as dave run --rm "${limits[@]}" -v "$E2E_DIR/projects/app:/src:ro" busybox cat /src/README
expect_ok "project file" docker_as dave run --rm "${limits[@]}" \
	--mount "type=bind,source=$E2E_DIR/projects,target=/p" busybox cat /p/app/README
expect_ok "uid=0" docker_as dave run --rm "${limits[@]}" --cap-add NET_BIND_SERVICE busybox id
expect_ok "devvol" docker_as dave volume create devvol
expect_ok "devvol" docker_as dave volume ls

e2e_section "developer (dave): what each constraint refuses"
expect_denied "$dev start privileged containers" \
	docker_as dave run --rm "${limits[@]}" --privileged busybox true
expect_denied "$dev mount host path / (allowed: $E2E_DIR/projects)" \
	docker_as dave run --rm "${limits[@]}" -v /:/host busybox true
expect_denied "$dev mount host path /etc (allowed" \
	docker_as dave run --rm "${limits[@]}" --mount type=bind,source=/etc,target=/x busybox true
expect_denied "$dev mount host path $E2E_DIR/projects/escape, which resolves to / " \
	docker_as dave run --rm "${limits[@]}" -v "$E2E_DIR/projects/escape:/host" busybox true
expect_denied "$dev join the host's PID namespace" \
	docker_as dave run --rm "${limits[@]}" --pid host busybox true
expect_denied "$dev join the host's network namespace" \
	docker_as dave run --rm "${limits[@]}" --network host busybox true
expect_denied "$dev add capability SYS_ADMIN" \
	docker_as dave run --rm "${limits[@]}" --cap-add SYS_ADMIN busybox true
expect_denied "$dev disable seccomp confinement" \
	docker_as dave run --rm "${limits[@]}" --security-opt seccomp=unconfined busybox true
expect_denied "$dev use host devices" \
	docker_as dave run --rm "${limits[@]}" --device /dev/null:/dev/xnull busybox true
expect_denied "$dev use image evil.example.org/busybox" \
	docker_as dave run --rm "${limits[@]}" evil.example.org/busybox true
expect_denied "$dev create a container without a memory limit" \
	docker_as dave run --rm --pids-limit 100 busybox true
expect_denied "$dev create a container without a PIDs limit" \
	docker_as dave run --rm --memory 64m busybox true
expect_denied "$dev create a volume that binds host path /etc " \
	docker_as dave volume create -o type=none -o o=bind -o device=/etc etcvol
expect_denied "$dev use container.commit" docker_as dave commit nonexistent

e2e_section "the refused requests created nothing"
expect_only "" "no containers exist" "containers after refused creates" \
	docker_as alice ps -a --format '{{.Names}}'
expect_only devvol "only devvol exists" "volumes after the refused volume create" \
	docker_as alice volume ls --format '{{.Name}}'

e2e_section "developer (dave): exec_user forbids root"
expect_ok_match '^[0-9a-f]{64}$' \
	docker_as dave run -d --name devbox "${limits[@]}" --user 65534 busybox sleep 300
expect_ok "uid=65534" docker_as dave exec -u 65534 devbox id
expect_denied "$dev exec as root" docker_as dave exec -u root devbox id
# without -u dockerd runs the exec as the user the container was created with
expect_ok "uid=65534" docker_as dave exec devbox id
expect_ok_match '^[0-9a-f]{64}$' \
	docker_as dave run -d --name devroot "${limits[@]}" busybox sleep 300
expect_denied "$dev exec as root" docker_as dave exec devroot id
expect_ok "devroot" docker_as dave rm -f devroot
# runc ignores fields after the group: 65534:0:0 is group 0 (round 7)
expect_denied "$dev exec with the group root" docker_as dave exec -u 65534:0:0 devbox id
expect_ok "gid=65534" docker_as dave exec -u 65534:65534:0 devbox id
expect_denied "$dev run privileged exec sessions" docker_as dave exec -u 65534 --privileged devbox id
expect_ok "devbox" docker_as dave rm -f devbox

e2e_section "ops (alice) is not constrained"
expect_ok "unconstrained-ok" docker_as alice run --rm --cap-add SYS_ADMIN busybox echo unconstrained-ok

# dave's role has no owner: it may act on anyone's containers, but only
# inside ones it could have created (consinside.h). Before, an exec, attach
# or start of alice's --pid host or --network host container put dave's
# shell in the host's namespaces (red team round 7; --privileged is the same
# rule, and cannot run in this test's sandbox).
e2e_section "developer (dave): inside only the containers its role could create"
expect_ok "" docker_as alice run -d --name opsroot --pid host --cap-add SYS_PTRACE busybox sleep 300
expect_ok "" docker_as alice create -i --name opsshell --network host busybox sh
expect_ok "" docker_as dave run -d --name devbox2 "${limits[@]}" --user 65534 busybox sleep 300
expect_denied "$dev exec in container opsroot, which was created to do what this role may not: join the host's PID namespace" \
	docker_as dave exec -u 65534 opsroot id
expect_denied "$dev copy files to or from container opsroot (docker cp)" \
	docker_as dave cp opsroot:/etc/hostname "$E2E_DIR/copied"
expect_denied "$dev start container opsshell, which was created to do what this role may not: join the host's network namespace" \
	docker_as dave start opsshell
# an attach is a hijacked connection: the client shows only dockerd's 403
expect_status 1 "received 403" docker_as dave attach --no-stdin opsroot
expect_ok "uid=65534" docker_as dave exec -u 65534 devbox2 id
expect_ok "" docker_as dave restart -t 1 devbox2
expect_ok "uid=65534" docker_as alice exec -u 65534 opsroot id
# a container created without --name: rolegate learns dockerd's name from
# an inspect or list answer; docker ps's 12-character id works too
e2e_run docker_as dave run -d "${limits[@]}" --user 65534 busybox sleep 300
anon_id=$(tail -n 1 <<<"$E2E_OUT")
e2e_run docker_as dave ps --no-trunc --filter "id=$anon_id" --format '{{.Names}}'
anon_name=$(tail -n 1 <<<"$E2E_OUT")
expect_ok "uid=65534" docker_as dave exec -u 65534 "$anon_name" id
expect_ok "uid=65534" docker_as dave exec -u 65534 "${anon_id:0:12}" id
expect_ok "" docker_as dave rm -f "$anon_name"
expect_ok "opsroot" docker_as alice rm -f opsroot opsshell devbox2

# dockerd (20.10) applies a HostConfig sent with a start through API < 1.24:
# alice's plain opsold, started so with --pid host and / mounted, was still
# judged on its create, and dave's exec read the host's / (round 9). Such a
# start drops the record's settings: refused to restricted roles.
if command -v curl >/dev/null; then
	e2e_section "developer (dave): not inside a container whose HostConfig an old start replaced"
	expect_ok "" docker_as alice create --name opsold busybox sleep 300
	a=$E2E_CERTS/users/alice
	expect_ok "" curl -sS --fail --cacert "$a/ca.pem" --cert "$a/cert.pem" --key "$a/key.pem" -X POST \
		-H 'Content-Type: application/json' -d '{"PidMode":"host","Binds":["/:/host"]}' \
		"https://127.0.0.1:$E2E_PORT/v1.23/containers/opsold/start"
	expect_ok "host" docker_as alice inspect -f '{{.HostConfig.PidMode}}' opsold
	expect_denied "$dev exec in container opsold: rolegate has no record of how it was created" \
		docker_as dave exec -u 65534 opsold ls /host
	expect_ok "opsold" docker_as alice rm -f opsold
	# The version is the path's first segment after percent-decoding, as
	# gorilla/mux reads it: "/v1.23%2Fcontainers/x/start" is API 1.23 to
	# dockerd, which applied the body's Binds and PidMode to dave's own
	# container; rolegate read no version (round 14). curl keeps the %2F.
	d=$E2E_CERTS/users/dave
	expect_ok "" docker_as dave create --name devold "${limits[@]}" busybox sleep 300
	expect_denied "$dev start a container through API version < 1.24" \
		curl -sS --fail-with-body --cacert "$d/ca.pem" --cert "$d/cert.pem" --key "$d/key.pem" -X POST \
		-H 'Content-Type: application/json' -d '{"PidMode":"host","Binds":["/:/host"]}' \
		"https://127.0.0.1:$E2E_PORT/v1.23%2Fcontainers/devold/start"
	expect_ok_match '^(null|\[\]) $' docker_as alice inspect -f '{{json .HostConfig.Binds}} {{.HostConfig.PidMode}}' devold
	expect_ok "devold" docker_as alice rm -f devold
fi

# A container is judged on every network it was connected to: alice's web,
# created on the default bridge, then connected to infra, was judged on its
# create alone, and nina (networks: bridge) exec'd into it (round 9).
e2e_section "netdev (nina): not inside a container connected to a network it may not use"
expect_ok "" docker_as alice run -d --name opsweb busybox sleep 300
expect_ok "" docker_as nina exec opsweb true
expect_ok "" docker_as alice network create infra
expect_ok "" docker_as alice network connect infra opsweb
expect_denied "nina (roles: netdev) may not exec in container opsweb, which was created to do what this role may not: join network infra" \
	docker_as nina exec opsweb true
expect_ok "opsweb" docker_as alice rm -f opsweb

# Red team round 11. runc masks the kernel's paths by binding the /dev/null
# it finds in the container; runc before 1.2.8 follows a symlink there
# (CVE-2025-31133). A volume mounted at /dev is shared: a symlink left in
# it from another container made /proc/keys show /proc/timer_list.
e2e_section "developer (dave): no volume at /dev, ulimit names as dockerd reads them, few ports"
expect_ok "" docker_as alice volume create opsdev
expect_ok "" docker_as alice run --rm -v opsdev:/x busybox busybox ln -s /proc/timer_list /x/null
# what this runc does with it (informational: a fixed runc refuses)
e2e_run docker_as alice run --rm -v opsdev:/dev busybox busybox wc -c /proc/keys
e2e_log "runc with a symlinked /dev/null (alice, unrestricted; 0 bytes = masked): $(printf '%s' "$E2E_OUT" | tail -1)"
expect_ok "devvol" docker_as dave volume create devvol
expect_denied "$dev mount a volume or host path at /dev (HostConfig.Binds): runc masks" \
	docker_as dave run --rm "${limits[@]}" -v devvol:/dev busybox true
expect_denied "$dev mount a volume or host path at /dev/pts (HostConfig.Mounts[].Target)" \
	docker_as dave run --rm "${limits[@]}" --mount type=volume,src=devvol,dst=/dev/pts busybox true
expect_denied "$dev mount a volume or host path at /dev (HostConfig.Binds)" \
	docker_as dave run --rm "${limits[@]}" -v "$E2E_DIR/projects/app:/dev" busybox true
expect_ok "tmpfs" docker_as dave run --rm "${limits[@]}" --tmpfs /dev/shm busybox sh -c 'grep -o "/dev/shm tmpfs" /proc/mounts | sed "s/.* //"'
expect_ok "" docker_as alice volume rm opsdev
# Each published port starts a docker-proxy on the host, outside the
# container's limits; -P publishes the image's ports, unseen.
expect_denied "$dev create a container that publishes 100 host ports" \
	docker_as dave run --rm "${limits[@]}" -p 127.0.0.1:31000-31099:31000-31099 busybox true
expect_denied "$dev create a container that publishes every port its image exposes (-P" \
	docker_as dave run --rm "${limits[@]}" -P busybox true
# Go's strings.ToUpper makes "rtpr\u0131o" RLIMIT_RTPRIO and "\u017ftack"
# RLIMIT_STACK (the docker CLI refuses such names; the API does not).
if command -v curl >/dev/null; then
	d=$E2E_CERTS/users/dave
	for ul in '"rtpr\u0131o","Soft":99,"Hard":99' '"\u017ftack","Soft":68719476736,"Hard":68719476736'; do
		expect_ok "$dev create a container with the ulimit" curl -sS --cacert "$d/ca.pem" \
			--cert "$d/cert.pem" --key "$d/key.pem" -X POST -H 'Content-Type: application/json' \
			-d '{"Image":"busybox","HostConfig":{"Memory":67108864,"PidsLimit":100,"Ulimits":[{"Name":'"$ul"'}]}}' \
			"https://127.0.0.1:$E2E_PORT/v1.41/containers/create"
	done
fi

e2e_section "developer (dave): log options dockerd evaluates, tmpfs volumes (red team round 12)"
# --log-opt tag is a Go template run inside dockerd: '{{pad .Name 100000000000 0}}'
# ended dockerd ("fatal error: runtime: out of memory"). Not run here, refused.
expect_denied "$dev use the log tag {{pad .Name 100000000000 0}} (HostConfig.LogConfig.Config.tag: dockerd runs it" \
	docker_as dave run --rm "${limits[@]}" --log-opt 'tag={{pad .Name 100000000000 0}}' busybox true
expect_denied "$dev use the log tag {{printf" \
	docker_as dave run --rm "${limits[@]}" --log-opt 'tag={{printf "%0999999d" 0}}' busybox true
# max-file: each rotation renames max-file - 1 files, the logger locked
expect_denied "$dev keep 50000000 log files (HostConfig.LogConfig.Config.max-file; at most 100" \
	docker_as dave run --rm "${limits[@]}" --log-opt max-size=1k --log-opt max-file=50000000 busybox true
expect_ok "" docker_as dave run --name logok "${limits[@]}" --log-opt 'tag={{.ID}}/app/{{.Name}}' \
	--log-opt max-size=1k --log-opt max-file=3 busybox echo logged
logpath=$(docker_as alice inspect -f '{{.LogPath}}' logok)
expect_ok '/app/logok"' cat "$logpath"
expect_ok "logok" docker_as dave rm logok
# red team round 16: values dockerd acts on outside the container's limits.
# A stop timeout of -1 made every stop without -t, and dockerd's shutdown,
# wait forever; a non-blocking log buffer lives in dockerd's memory; env=
# and repeated tag fields are written into every log line by dockerd.
expect_denied "$dev create a container whose stop timeout is -1 s (StopTimeout; 0 to 120 s" \
	docker_as dave run --rm "${limits[@]}" --stop-timeout -1 busybox true
expect_ok "stopped-in-time" docker_as dave run --rm "${limits[@]}" --stop-timeout 60 busybox echo stopped-in-time
expect_denied "$dev buffer 3g of log in dockerd (HostConfig.LogConfig.Config.max-buffer-size; at most 16m" \
	docker_as dave run --rm "${limits[@]}" --log-opt mode=non-blocking --log-opt max-buffer-size=3g busybox true
expect_ok "buffered" docker_as dave run --rm "${limits[@]}" --log-opt mode=non-blocking \
	--log-opt max-buffer-size=4m busybox echo buffered
expect_denied "$dev give the log option env (HostConfig.LogConfig.Config; not under max_limits" \
	docker_as dave run --rm "${limits[@]}" -e A=1 --log-driver json-file --log-opt env=A busybox true
expect_denied "$dev use the log tag {{.Name}}{{.Name}} (HostConfig.LogConfig.Config.tag: a field more than once" \
	docker_as dave run --rm "${limits[@]}" --log-driver json-file --log-opt 'tag={{.Name}}{{.Name}}' busybox true
# a tmpfs volume keeps what exited containers wrote: size= within max_limits.memory (1g)
expect_denied "$dev create a volume that is a tmpfs without size=" \
	docker_as dave volume create -o type=tmpfs -o device=tmpfs scratch
expect_denied "$dev create a volume that is a tmpfs of size=2g" \
	docker_as dave volume create -o type=tmpfs -o device=tmpfs -o o=size=2g scratch
expect_denied "$dev mount a volume that is a tmpfs without size=" \
	docker_as dave run --rm "${limits[@]}" \
	--mount type=volume,src=scratch2,dst=/t,volume-opt=type=tmpfs,volume-opt=device=tmpfs busybox true
# "o": null is "" to Go: a tmpfs without size= (raw API; review of round 12)
if command -v curl >/dev/null; then
	d=$E2E_CERTS/users/dave
	expect_ok "$dev create a volume that is a tmpfs without size=" curl -sS --cacert "$d/ca.pem" \
		--cert "$d/cert.pem" --key "$d/key.pem" -X POST -H 'Content-Type: application/json' \
		-d '{"Name":"scratchnull","DriverOpts":{"type":"tmpfs","device":"tmpfs","o":null}}' \
		"https://127.0.0.1:$E2E_PORT/v1.41/volumes/create"
fi
# size= bounds pages, not files: each inode is kept kernel memory too
# (red team round 16); nr_inodes= at most max_limits.memory / 2 KiB
expect_denied "$dev create a volume that is a tmpfs without nr_inodes=" \
	docker_as dave volume create -o type=tmpfs -o device=tmpfs -o o=size=64m scratch
expect_denied "$dev create a volume that is a tmpfs of nr_inodes=0" \
	docker_as dave volume create -o type=tmpfs -o device=tmpfs -o o=size=64m,nr_inodes=0 scratch
expect_ok "scratch" docker_as dave volume create -o type=tmpfs -o device=tmpfs -o o=size=64m,nr_inodes=16k scratch
expect_ok "64.0M" docker_as dave run --rm "${limits[@]}" -v scratch:/t busybox busybox df -h /t
expect_ok "16.0K" docker_as dave run --rm "${limits[@]}" -v scratch:/t busybox busybox df -hi /t
expect_ok "scratch" docker_as dave volume rm scratch

e2e_section "developer (dave): health checks under max_limits (red team round 13)"
# each check is an exec dockerd, containerd and runc run outside the
# container's limits: 1ms cost them 3.6 s of CPU in 10 s
expect_denied "$dev create a container whose health check runs every 1000000 ns (Healthcheck.Interval; at least 1 s" \
	docker_as dave run --rm "${limits[@]}" --health-cmd true --health-interval 1ms busybox true
expect_ok_match '^[0-9a-f]{64}$' docker_as dave run -d --name hcok "${limits[@]}" \
	--health-cmd true --health-interval 1s --health-timeout 1s busybox sleep 60
sleep 3
expect_ok "healthy" docker_as dave inspect -f '{{.State.Health.Status}}' hcok
expect_ok "hcok" docker_as dave rm -f hcok

e2e_section "driver names dockerd looks up as files (red team round 13)"
# A .spec file in the project directory (any container of dave's could
# write it) names an address; "../../../<dir>/projects/evil" leads dockerd's
# plugin lookup to it. A "volume driver" there mounted the host's /etc.
echo "tcp://127.0.0.1:1" >"$E2E_DIR/projects/evil.spec"
evil="../../..$E2E_DIR/projects/evil"
expect_denied "$dev use the driver $evil (Driver): dockerd looks a driver up as a file" \
	docker_as dave volume create -d "$evil" hostetc
expect_denied "$dev use the driver $evil (HostConfig.VolumeDriver)" \
	docker_as dave run --rm "${limits[@]}" --volume-driver "$evil" -v hostetc:/h busybox true
expect_denied "$dev use the driver $evil (HostConfig.Mounts[].VolumeOptions.DriverConfig.Name)" \
	docker_as dave run --rm "${limits[@]}" --mount "type=volume,src=hostetc,dst=/h,volume-driver=$evil" busybox true
# ops is not judged: dockerd read the spec file and dialled its address
expect_fail "dial tcp 127.0.0.1:1" docker_as alice volume create -d "$evil" hostetc
rm -f "$E2E_DIR/projects/evil.spec"

e2e_section "log options that name host addresses and files (red team round 15)"
# A constrained role without log_drivers (nina; the example deployer, the
# developers of rolegate-ad.conf and rolegate-openldap.conf) chose where
# dockerd connects and what it opens, from the host, as root: a root-only
# 0600 unix socket got the container's output under the tag "sshd"; the
# syslog TLS options opened /etc/shadow. Only json-file's and local's
# options and the line's text pass.
nlog="nina (roles: netdev) may not give the log option"
expect_denied "$nlog syslog-address (HostConfig.LogConfig.Config: dockerd connects to an address or opens a file" \
	docker_as nina run --rm --log-driver syslog --log-opt "syslog-address=unix://$E2E_DIR/hostsvc.sock" \
	--log-opt tag=sshd busybox echo forged
expect_denied "$nlog fluentd-address" \
	docker_as nina run --rm --log-driver fluentd --log-opt fluentd-address=tcp://127.0.0.1:1 busybox true
expect_denied "$nlog syslog-tls-ca-cert" \
	docker_as nina run --rm --log-driver syslog --log-opt syslog-tls-ca-cert=/etc/shadow busybox true
expect_ok "kept" docker_as nina run --rm --log-opt max-size=1m --log-opt max-file=2 busybox echo kept
# ops is not judged: dockerd looked the host path up and opened the host file
expect_fail "stat $E2E_DIR/hostsvc.sock: no such file" \
	docker_as alice run --rm --log-driver syslog --log-opt "syslog-address=unix://$E2E_DIR/hostsvc.sock" busybox true
expect_fail "failed to append certificates from PEM file: \"/etc/shadow\"" \
	docker_as alice run --rm --log-driver syslog --log-opt syslog-address=tcp+tls://127.0.0.1:1 \
	--log-opt syslog-tls-ca-cert=/etc/shadow busybox true

e2e_section "shutdown"
e2e_shutdown

e2e_finish
