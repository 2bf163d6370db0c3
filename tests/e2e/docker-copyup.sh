#!/bin/bash
# End-to-end: the copy-up race (red team round 14, docs/constraints.md).
# When a create mounts an empty named volume, dockerd copies the image's
# files into it on the host, following symlinks a process in another
# container that mounts the volume plants meanwhile. Under bind_mounts a
# create that copies into a volume is refused while a container rolegate
# knows mounts it and runs, is being started, or may be started by dockerd
# itself (a restart policy); a start of one waits until the copy is over.
# The real docker CLI against a real dockerd; what runs is the kernel's.
#
#   alice  docker-ops -> ops (allow "*")
#   dave   developers -> developer: bind_mounts
#
# usage: docker-copyup.sh ROLEGATE-BINARY     (root; exit 77 = skipped)
. "$(dirname "$0")/lib.sh"

e2e_setup "${1:?usage: $0 ROLEGATE-BINARY}" alice dave
mkdir -p "$E2E_DIR/projects"
start_rolegate "$E2E_SRC/host-access.conf"
start_dockerd
e2e_import_busybox alice
dev="dave (roles: developer) may not"
copies="so that dockerd copies the image's files into it"

e2e_section "a running container that mounts the volume: copying into it is refused"
expect_ok "" docker_as dave volume create cu1
expect_ok "" docker_as dave run -d --name sharer -v cu1:/v busybox sleep 600
expect_denied "$dev mount volume cu1 $copies while container ... which mounts it, is running" \
	docker_as dave create --name victim -v cu1:/data busybox true
expect_denied "$dev mount volume cu1 $copies while container" \
	docker_as dave create --mount type=volume,src=cu1,dst=/data busybox true
expect_denied "$dev mount volume cu1 $copies while container" \
	docker_as dave create -v cu1:/data:ro busybox true
# nocopy: dockerd copies nothing, the volume is shared as it is
expect_ok "" docker_as dave create --name nocopy1 -v cu1:/data:nocopy busybox true
expect_ok "" docker_as dave create --name nocopy2 -v cu1:/data:ro,nocopy busybox true
expect_ok "" docker_as dave create --name nocopy3 --mount type=volume,src=cu1,dst=/data,volume-nocopy busybox true
# another volume, and a volume nobody else mounts, copy as before
expect_ok "" docker_as dave create --name fresh -v cu-fresh:/data busybox true
# an operator is not bound (no bind_mounts)
expect_ok "" docker_as alice create --name opsc -v cu1:/data busybox true

e2e_section "once the other container is stopped, the copy is allowed"
expect_ok "" docker_as dave stop -t 1 sharer
expect_ok "" docker_as dave create --name victim -v cu1:/data busybox true
expect_ok "" docker_as dave rm victim nocopy1 nocopy2 nocopy3 fresh opsc

e2e_section "containers that exited on their own, and --rm ones, do not run"
expect_ok "" docker_as dave run --name once -v cu1:/v busybox true
expect_ok "" docker_as dave run --rm -v cu1:/v busybox true
expect_ok "" docker_as dave run --rm -v cu1:/v busybox true

e2e_section "a restart policy: dockerd may start it unseen, unless it was seen stopped"
expect_ok "" docker_as dave run -d --name keeper --restart unless-stopped -v cu2:/v busybox sleep 600
expect_denied "$dev mount volume cu2 $copies while container keeper, which mounts it, may be started by dockerd itself (a restart policy)" \
	docker_as dave create -v cu2:/data busybox true
expect_ok "" docker_as dave create --name keeper-nocopy -v cu2:/data:nocopy busybox true
# docker stop cancels its restarts: then it is down until started again
expect_ok "" docker_as dave stop -t 1 keeper
expect_ok "" docker_as dave create --name keeper-copy1 -v cu2:/data busybox true
expect_ok "" docker_as dave start keeper
expect_denied "$dev mount volume cu2 $copies while container" \
	docker_as dave create -v cu2:/data busybox true
expect_ok "" docker_as dave stop -t 1 keeper
# a dockerd restart may start it (it does, for "always"): no longer counted
# down until a stop of it says so again (dockerd shows a stop of a container
# that is not running as a failure, so it takes a start and a stop)
stop_dockerd
start_dockerd
expect_denied "$dev mount volume cu2 $copies while container keeper, which mounts it, may be started by dockerd itself" \
	docker_as dave create -v cu2:/data busybox true
expect_ok "" docker_as dave start keeper
expect_ok "" docker_as dave stop -t 1 keeper
expect_ok "" docker_as dave create --name keeper-copy2 -v cu2:/data busybox true
# docker update gives one later: the record follows (an exited container
# with "always" starts at dockerd's next start)
expect_ok "" docker_as dave run -d --name later -v cu3:/v busybox true
expect_ok "" docker_as dave wait later
expect_ok "" docker_as dave update --restart always later
expect_denied "$dev mount volume cu3 $copies while container later, which mounts it, may be started by dockerd itself" \
	docker_as dave create -v cu3:/data busybox true
# removed: it mounts nothing any more
expect_ok "" docker_as dave rm -f later
expect_ok "" docker_as dave create --name after-later -v cu3:/data busybox true

e2e_section "a start waits while a create copies into a volume it mounts"
# An image with many files at /data makes the copy take a while.
big=$E2E_DIR/bigroot
mkdir -p "$big/data/d"
(cd "$big/data/d" && seq 1 8000 | xargs touch)
cp -a /bin/busybox "$big/busybox"
tar -C "$big" -cf "$E2E_DIR/big.tar" .
expect_ok "" docker_as alice import "$E2E_DIR/big.tar" copyup-big:latest
expect_ok "" docker_as dave create --name starter -v cu5:/v busybox sleep 600
# starter is stopped (never started): the copying create is allowed, and
# while it copies, starting starter is refused
docker_as dave create --name slowcopy -v cu5:/data copyup-big:latest /busybox true \
	>"$E2E_DIR/slow.out" 2>&1 &
slow=$!
# its request must be in (allowed, holding cu5) before the first start
for _ in $(seq 100); do grep -q 'slowcopy' "$E2E_DIR/decisions.log" && break; sleep 0.1; done
refused=0 tries=0
while kill -0 "$slow" 2>/dev/null && [ $tries -lt 400 ]; do
	if docker_as dave start starter >"$E2E_DIR/start.out" 2>&1; then
		break
	fi
	grep -q "a create is copying an image's files into volume cu5, which it mounts" "$E2E_DIR/start.out" &&
		refused=$((refused + 1))
	tries=$((tries + 1))
done
wait "$slow"
slow_rc=$?
[ $slow_rc -eq 0 ] && e2e_pass "the copying create went through" ||
	e2e_fail "the copying create failed: $(cat "$E2E_DIR/slow.out")"
[ $refused -gt 0 ] && e2e_pass "starting starter was refused $refused time(s) during the copy" ||
	e2e_fail "starting starter was never refused during the copy ($tries tries): $(cat "$E2E_DIR/start.out")"
# the copy is over: the start goes through
expect_ok "" docker_as dave start starter
expect_ok "true" docker_as dave inspect -f '{{.State.Running}}' starter
# and now that it runs, copying into cu5 is refused
expect_denied "$dev mount volume cu5 $copies while container" \
	docker_as dave create -v cu5:/data busybox true

e2e_section "the refusals are on record"
expect_ok "which mounts it, is running" "$E2E_ROLEGATE" log query -c "$E2E_CONF" --json --user dave --decision deny
expect_ok "a create is copying" "$E2E_ROLEGATE" log query -c "$E2E_CONF" --json --user dave --decision deny

e2e_finish
