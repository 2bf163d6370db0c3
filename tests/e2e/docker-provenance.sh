#!/bin/bash
# End-to-end (issue 20): image provenance and networks with the real docker
# CLI, dockerd and a registry (Debian's docker-registry) on loopback.
#
#   alice  group docker-ops -> ops (allow "*"): pushes the image to the
#          registry, pulls it back, approves its digest, creates networks
#   dave   group deployers  -> deployer: pinned_images, approved_images,
#          registries = the loopback registry, networks = bridge, team-*,
#          network_drivers = bridge, host_namespaces = false
#
# A locally imported busybox, pushed to the registry and pulled back, is run
# by its RepoDigests reference: refused while its digest is not in the
# approved file, allowed once examples/approve-image.sh wrote it there
# (temp file + rename), without restarting or reloading rolegate; refused
# again while the file is caught half-written. A container on a network
# outside `networks` is refused, one inside allowed; the host network named
# by its id is refused.
#
# usage: docker-provenance.sh ROLEGATE-BINARY     (root; exit 77 = skipped)
. "$(dirname "$0")/lib.sh"

e2e_setup "${1:?usage: $0 ROLEGATE-BINARY}" alice dave
command -v docker-registry >/dev/null 2>&1 ||
	e2e_skip "docker-registry is not installed (Debian: docker-registry)"
command -v curl >/dev/null 2>&1 || e2e_skip "curl is not installed"

e2e_start_registry
mkdir -m 0755 "$E2E_DIR/approved"
printf '# approved by the pipeline\n' >"$E2E_DIR/approved/images"
chmod 0644 "$E2E_DIR/approved/images"
sed "s|@REGISTRY@|$REGISTRY|g" "$E2E_SRC/provenance.conf" >"$E2E_DIR/provenance.conf.in"
start_rolegate "$E2E_DIR/provenance.conf.in"
ROLEGATE_PID_AT_START=$E2E_ROLEGATE_PID
start_dockerd
e2e_import_busybox alice

dev="dave (roles: deployer) may not"
image=$REGISTRY/e2e/busybox

e2e_section "the pipeline (alice): push to the registry, pull back, read the digest"
expect_ok "" docker_as alice tag busybox:latest "$image:1"
expect_ok "digest: sha256:" docker_as alice push "$image:1"
expect_ok "Untagged: $image:1" docker_as alice rmi "$image:1"
expect_ok "Digest: sha256:" docker_as alice pull "$image:1"
expect_ok_match "^$image@sha256:[0-9a-f]{64}\$" \
	docker_as alice image inspect --format '{{index .RepoDigests 0}}' "$image:1"
ref=$E2E_OUT
e2e_log "e2e: the image's digest reference: $ref"

e2e_section "deployer (dave): before the scan approved it"
expect_denied "$dev use image $image:1 by tag" docker_as dave run --rm "$image:1" echo hi
expect_denied "$dev use image $ref: its digest is not in the approved-images list" \
	docker_as dave run --rm "$ref" echo hi
expect_denied "$dev pull image $ref: its digest is not in the approved-images list" \
	docker_as dave pull "$ref"

e2e_section "the pipeline approves it (examples/approve-image.sh: temp file + rename)"
inode_before=$(stat -c %i "$E2E_DIR/approved/images")
# The example script, with the docker CLI as alice (the pipeline).
approve() {
	(dockerd_use alice && timeout "$E2E_CMD_TIMEOUT" "$E2E_TOP/examples/approve-image.sh" "$@")
}
expect_ok "approved: $ref" approve "$E2E_DIR/approved/images" "$image:1"
if [ "$(stat -c %i "$E2E_DIR/approved/images")" != "$inode_before" ] &&
	grep -qxF "$ref" "$E2E_DIR/approved/images"; then
	e2e_pass "the approved file was replaced by rename and lists $ref"
else
	e2e_fail "the approved file was not replaced by rename with $ref in it"
fi

e2e_section "deployer (dave): after approval, without restarting rolegate"
# Untag it, so that dave's run goes through the pull by digest.
expect_ok "Untagged: $ref" docker_as alice rmi "$image:1"
expect_ok "Unable to find image '$ref' locally" docker_as dave run --rm "$ref" echo approved-run
if grep -qx "approved-run" <<<"$E2E_OUT"; then
	e2e_pass "the run pulled the approved digest and ran it"
else
	e2e_fail "the approved run printed no approved-run"
fi
expect_ok "" docker_as dave pull "$ref"
expect_denied "$dev use image $image:1 by tag" docker_as dave run --rm "$image:1" echo hi
expect_denied "$dev use image busybox:latest (allowed registries: $REGISTRY)" \
	docker_as dave run --rm busybox:latest true
if [ "$E2E_ROLEGATE_PID" = "$ROLEGATE_PID_AT_START" ] && kill -0 "$E2E_ROLEGATE_PID" &&
	! grep -q 'reloaded ' "$E2E_DIR/rolegate.log"; then
	e2e_pass "the same rolegate process (pid $E2E_ROLEGATE_PID), never reloaded"
else
	e2e_fail "rolegate was restarted or reloaded"
fi

e2e_section "a file caught half-written refuses every image until it parses again"
good=$(cat "$E2E_DIR/approved/images")
printf '%s\n%s' "$good" "${ref%??????????}" >"$E2E_DIR/approved/images"
expect_denied "$dev use image $ref: the approved-images list cannot be used (malformed: " \
	docker_as dave run --rm "$ref" true
expect_denied "does not end with a newline" docker_as dave run --rm "$ref" true
if [ "$(grep -c "approved_images $E2E_DIR/approved/images cannot be used" "$E2E_DIR/rolegate.log")" -eq 1 ]; then
	e2e_pass "one error logged for two refusals"
else
	e2e_fail "want exactly one 'cannot be used' line in rolegate.log"
	grep "approved_images" "$E2E_DIR/rolegate.log" | sed 's/^/      > /'
fi
printf '%s\n' "$good" >"$E2E_DIR/approved/images.tmp"
mv "$E2E_DIR/approved/images.tmp" "$E2E_DIR/approved/images"
expect_ok "fixed-run" docker_as dave run --rm "$ref" echo fixed-run
chmod 0666 "$E2E_DIR/approved/images"
expect_denied "is writable by group or others (mode 0666)" docker_as dave run --rm "$ref" true
chmod 0644 "$E2E_DIR/approved/images"

e2e_section "networks: the team's networks only"
expect_ok "" docker_as alice network create team-a
expect_ok "" docker_as alice network create prod
expect_ok "on-team-a" docker_as dave run --rm --network team-a "$ref" echo on-team-a
expect_ok "on-bridge" docker_as dave run --rm "$ref" echo on-bridge
expect_denied "$dev join network prod (HostConfig.NetworkMode; allowed networks: bridge, team-*)" \
	docker_as dave run --rm --network prod "$ref" true
expect_ok "" docker_as dave network create team-b
expect_denied "$dev create a network with driver macvlan (allowed network_drivers: bridge)" \
	docker_as dave network create -d macvlan lan
expect_denied "$dev create a network attached to host interface lo (Options parent)" \
	docker_as dave network create -o parent=lo team-c
# default_bridge: the bridge driver names the bridge docker0, creates or
# joins it and replaces its address (red team round 10)
docker0_before=$(ip -br addr show docker0 2>&1)
expect_denied "$dev create a network on the host bridge docker0 (Options com.docker.network.bridge.default_bridge)" \
	docker_as dave network create -o com.docker.network.bridge.default_bridge=true team-d
if [ "$(ip -br addr show docker0 2>&1)" = "$docker0_before" ]; then
	e2e_pass "docker0 unchanged (${docker0_before:0:60})"
else
	e2e_fail "docker0 changed: $docker0_before -> $(ip -br addr show docker0 2>&1)"
	# the driver never deletes docker0: leave the host as it was
	docker_as alice network rm team-d >/dev/null 2>&1
	case $docker0_before in *"does not exist"*) ip link del docker0 2>/dev/null ;; esac
fi
expect_ok_match '^[0-9a-f]{64}$' docker_as dave create --network team-a "$ref" sleep 60
box=$(grep -E '^[0-9a-f]{64}$' <<<"$E2E_OUT")
expect_ok "" docker_as dave network connect team-b "$box"
expect_denied "$dev join network prod (the path; allowed networks: bridge, team-*)" \
	docker_as dave network connect prod "$box"
expect_ok_match '^[0-9a-f]{64}$' docker_as alice network inspect --format '{{.Id}}' host
hostid=$(grep -E '^[0-9a-f]{64}$' <<<"$E2E_OUT")
expect_denied "$dev join network ${hostid:0:12} (HostConfig.NetworkMode): a name made of hex digits" \
	docker_as dave run --rm --network "${hostid:0:12}" "$ref" true
expect_denied "could be the host's network (host_namespaces)" \
	docker_as dave run --rm --network "$hostid" "$ref" true
expect_denied "$dev join the host's network namespace" \
	docker_as dave run --rm --network host "$ref" true

e2e_section "the refused requests created nothing"
expect_ok "" docker_as alice ps -a --format '{{.ID}}'
if [ "$E2E_OUT" = "${box:0:12}" ]; then
	e2e_pass "only the deployer's own container exists"
else
	e2e_fail "containers after refused creates: ${E2E_OUT//$'\n'/ } (want only ${box:0:12})"
fi
expect_ok "" docker_as alice network ls --format '{{.Name}}'
if ! grep -qx -e lan -e team-c -e team-d <<<"$E2E_OUT"; then
	e2e_pass "no refused network exists"
else
	e2e_fail "a refused network exists: ${E2E_OUT//$'\n'/ }"
fi
expect_ok "" docker_as alice network inspect --format '{{range .Containers}}{{.Name}} {{end}}' prod
if [ -z "${E2E_OUT// /}" ]; then
	e2e_pass "nothing was connected to prod"
else
	e2e_fail "containers on prod: $E2E_OUT"
fi
expect_ok "" docker_as alice rm -f "$box"

stop_rolegate || e2e_fail "rolegate serve did not exit 0"
e2e_finish
