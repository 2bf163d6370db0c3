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
#   bob    group developers -> developer (workflows round 14: what stays
#                              after docker cp and commit were refused)
#
# usage: docker-examples.sh ROLEGATE-BINARY     (root; exit 77 = skipped)
. "$(dirname "$0")/lib.sh"

e2e_setup "${1:?usage: $0 ROLEGATE-BINARY}" alice dora carol bob
: >"$E2E_DIR/approved-images"
sed -e "s|/var/log/rolegate/decisions.log|$E2E_DIR/decisions.log|" \
	-e "s|/etc/rolegate/approved-images|$E2E_DIR/approved-images|" \
	-e "s|^  threads = 0;|  state = \"$E2E_DIR/state\";\n  threads = 0;|" \
	-e "s|\"/srv/projects\"|\"$E2E_DIR/projects\"|" \
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

e2e_section "developer (bob): everyday work, and the way that stays (workflows round 14)"
mkdir -p "$E2E_DIR/projects/app"
echo "from-the-project" >"$E2E_DIR/projects/app/input"
dev="bob (roles: developer) may not"
expect_ok_match '^[0-9a-f]{64}$' docker_as bob run -d --name web -m 64m --pids-limit 50 \
	--tmpfs /w:size=1m,mode=1777 -v "$E2E_DIR/projects/app:/src:ro" busybox sh -c 'echo log-line > /tmp/app.log; exec sleep 600'
expect_ok_match '^[0-9a-f]{64}$' docker_as alice run -d --name opsbox busybox sleep 600
# docker stats without names asks by the list's 12-digit ids: bob's own
# container shows its numbers (it showed "--"); alice's stays refused.
expect_ok_match '^[0-9a-f]{12} +web +[0-9.]+%' docker_as bob stats --no-stream
expect_ok_match '^[0-9a-f]{12} +web +[0-9.]+%' docker_as bob stats --no-stream web
expect_denied "$dev read the stats of container opsbox: not created by bob" \
	docker_as bob stats --no-stream opsbox
expect_ok "" docker_as bob top web
# ps options that move dockerd's PID column listed alice's processes with
# their environment (red team round 16); the usual ones stay
expect_ok "sleep 600" docker_as bob top web -o pid,user,args
expect_ok "sleep 600" docker_as bob top web aux
expect_denied "$dev list processes with ps options -eouid=,pid,args fe" \
	docker_as bob top web -eouid=,pid,args fe
expect_ok "" docker_as bob events --since 1m --until 0s --filter container=web
expect_ok "TYPE" docker_as bob system df
# docker cp and commit are refused under bind_mounts (red team round 14):
# the message says what stays; docker exec reads and writes files instead
expect_denied "$dev copy files to or from container web (docker cp): ... (bind_mounts; use docker exec: docker exec -u USER CONTAINER cat FILE > FILE)" \
	docker_as bob cp web:/tmp/app.log "$E2E_DIR/app.log"
expect_ok "log-line" docker_as bob exec -u 1000 web cat /tmp/app.log
expect_ok "from-the-project" docker_as bob exec -u 1000 web cat /src/input
printf 'into-the-container\n' >"$E2E_DIR/f"
expect_ok "" docker_as bob exec -i -u 1000 web sh -c 'cat > /w/f' <"$E2E_DIR/f"
expect_ok "into-the-container" docker_as bob exec -u 1000 web cat /w/f
expect_denied "$dev use container.commit" docker_as bob commit web
expect_denied "$dev exec as root (no user given: the image's default user); name one: docker exec -u USER" \
	docker_as bob exec web id
expect_denied "$dev use container.prune: prune acts on every user's objects (owner = \"self\"); remove your own by name: docker rm NAME" \
	docker_as bob system prune -f
expect_denied "$dev log in to a registry: ... docker pull and push send the credentials of ~/.docker/config.json without a login" \
	docker_as bob login -u bob -p x 127.0.0.1:5000
expect_ok "" docker_as bob rename web web2
expect_ok "web2" docker_as bob restart -t1 web2
expect_ok "web2" docker_as bob rm -f web2
expect_ok "opsbox" docker_as alice rm -f opsbox
expect_ok "  refused:     container.archive.get, container.prune, system.auth," \
	"$E2E_ROLEGATE" list -c "$E2E_CONF" --user bob
expect_ok "copy files to or from container web (docker cp)" \
	"$E2E_ROLEGATE" log query --json --file "$E2E_AUDIT" --user bob --command 'container.archive*' --decision deny

e2e_section "developer (bob): a --rm container named with the start of alice's id (red team round 15)"
# A name of one or two hex digits stays free; dockerd takes it while a
# container has it and the id prefix once none does. A --rm container that
# exits is removed with no API call and its record kept the name: bob's
# `docker exec 04` then ran in alice's container 04cc71c3cdea.
expect_ok_match '^[0-9a-f]{64}$' docker_as alice run -d --name opssecret -e SECRET=hunter2 busybox sleep 600
ops_id=$(docker_as alice inspect -f '{{.Id}}' opssecret)
short=${ops_id:0:2}
expect_ok "" docker_as bob run --rm --name "$short" -m 64m --pids-limit 50 -u 1000 busybox true
expect_denied "bob (roles: developer) may not inspect container $short: a name of hex digits that also begins the id of container" \
	docker_as bob exec -u 1000 "$short" sh -c 'echo SECRET=$SECRET'
expect_denied "bob (roles: developer) may not remove container $short: a name of hex digits" \
	docker_as bob rm -f "$short"
expect_ok "opssecret" docker_as alice ps --filter name=opssecret --format '{{.Names}}'
expect_ok "opssecret" docker_as alice rm -f opssecret

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
