#!/bin/bash
# End-to-end (red team round 7): the shipped examples/rolegate.conf, as it
# is, with only its paths moved into the test's private directory. The
# deployer role (no exec.*, host_namespaces = false) must not reach a
# container an operator created: before owner = "role", `docker start -ai`
# of an operator's stopped `--network host --pid host` shell gave dora a
# root shell in the host's namespaces (a --privileged one would be the host).
#
#   alice  group docker-ops -> ops (allow "*")
#   dora   group deployers  -> deployer
#   carol  group auditors   -> auditor (must not read the swarm's join tokens)
#
# usage: docker-examples.sh ROLEGATE-BINARY     (root; exit 77 = skipped)
. "$(dirname "$0")/lib.sh"

e2e_setup "${1:?usage: $0 ROLEGATE-BINARY}" alice dora carol
: >"$E2E_DIR/approved-images"
sed -e "s|/var/log/rolegate/decisions.log|$E2E_DIR/decisions.log|" \
	-e "s|/etc/rolegate/approved-images|$E2E_DIR/approved-images|" \
	-e "s|^  threads = 0;|  state = \"$E2E_DIR/state\";\n  threads = 0;|" \
	"$E2E_SRC/../../examples/rolegate.conf" >"$E2E_DIR/examples.conf"
start_rolegate "$E2E_DIR/examples.conf"
start_dockerd
e2e_import_busybox alice busybox:latest

e2e_section "deployer (dora) and an operator's stopped host-namespace shell"
expect_ok_match '^[0-9a-f]{64}$' \
	docker_as alice create -i --network host --pid host --name opsdebug busybox sh
expect_denied "dora (roles: deployer) may not start container opsdebug: not created by role deployer" \
	docker_as dora start opsdebug
expect_denied "dora (roles: deployer) may not inspect container opsdebug: not created by role deployer" \
	docker_as dora start -ai opsdebug
expect_denied "dora (roles: deployer) may not copy files out of container opsdebug: not created by role deployer" \
	docker_as dora cp opsdebug:/etc/passwd "$E2E_DIR/passwd"
expect_ok "opsdebug" docker_as alice rm -f opsdebug

e2e_section "deployer (dora) manages the team's networks (workflows round 11)"
expect_ok_match '^[0-9a-f]{64}$' docker_as dora network create team-web
expect_ok "team-web" docker_as dora network rm team-web
expect_ok_match '^[0-9a-f]{64}$' docker_as alice network create opsnet
expect_denied "dora (roles: deployer) may not remove network opsnet: not created by role deployer" \
	docker_as dora network rm opsnet
expect_denied "dora (roles: deployer) may not use network.prune" \
	docker_as dora network prune -f
expect_ok "opsnet" docker_as alice network rm opsnet

e2e_section "auditor (carol) reads, never changes"
expect_ok "Imported from" docker_as carol image history busybox
expect_ok "busybox" docker_as carol image ls
expect_denied "carol (roles: auditor) may not use container.create" \
	docker_as carol run --rm busybox true
expect_denied "carol (roles: auditor) may not use image.remove" docker_as carol rmi busybox

e2e_section "auditor (carol) and the swarm's join tokens"
swarm_port=$((20000 + RANDOM % 20000))
expect_ok "Swarm initialized" docker_as alice swarm init --advertise-addr 127.0.0.1 \
	--listen-addr "127.0.0.1:$swarm_port"
expect_ok "carol-ok" docker_as carol info --format carol-ok
expect_denied "carol (roles: auditor) may not use swarm.inspect" \
	docker_as carol swarm join-token -q manager
expect_ok "" docker_as alice swarm leave --force

e2e_section "shutdown"
e2e_shutdown

e2e_finish
