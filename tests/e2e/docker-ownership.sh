#!/bin/bash
# End-to-end (issue 15): ownership. The operator alice runs a container with
# the host's root mounted; the developer dave (owner = "self") must not reach
# into it by any command that names it, while his own containers work by
# name, by full id and after a rename (an id prefix is refused: it could be
# the name of an object rolegate does not know; red team round 3). The state survives kill -9 of
# rolegate, and removals clear it.
#
#   alice  group docker-ops  -> ops (allow "*")
#   dave   group developers  -> developer (owner = "self", bind_mounts)
#   erin   group developers  -> developer: dave's containers are not hers
#   frank  group wide        -> wide (allow "*", owner = "self"): secrets and
#                               configs are their creator's (red team round 11)
#
# usage: docker-ownership.sh ROLEGATE-BINARY     (root; exit 77 = skipped)
. "$(dirname "$0")/lib.sh"

e2e_setup "${1:?usage: $0 ROLEGATE-BINARY}" alice dave erin frank
command -v curl >/dev/null || e2e_skip "curl is not installed"
mkdir -p "$E2E_DIR/projects/app"
start_rolegate "$E2E_SRC/ownership.conf"
start_dockerd
e2e_import_busybox alice

dev="dave (roles: developer) may not"

# An API call over TLS as USER, for what the docker CLI cannot send (an exec
# start by id). Prints the HTTP status and the body.
api_as() {
	local user=$1 method=$2 path=$3 body=${4:-}
	local d=$DOCKERD_CERTS/users/$user
	curl -sS --cacert "$d/ca.pem" --cert "$d/cert.pem" --key "$d/key.pem" -X "$method" \
		-H 'Content-Type: application/json' ${body:+--data "$body"} \
		-w '\nHTTP %{http_code}\n' "https://127.0.0.1:$E2E_PORT/v1.41$path"
}

# The operator's container, and an exec session in it.
e2e_section "alice (ops) runs opsbox with -v /:/host"
expect_ok "" docker_as alice run -d --name opsbox -v /:/host busybox sleep 600
expect_ok "" docker_as alice exec -d opsbox sleep 300
ops_id=$(docker_as alice inspect -f '{{.Id}}' opsbox)
exec_id=$(docker_as alice inspect -f '{{range .ExecIDs}}{{.}}{{end}}' opsbox)
[ -n "$exec_id" ] && e2e_pass "alice's exec id: ${exec_id:0:12}" || e2e_fail "no exec id for opsbox"
expect_ok "opsbox" "$E2E_ROLEGATE" state -c "$E2E_CONF"
expect_ok_match "^container +${ops_id:0:12} +opsbox +alice +ops .* /( |$)" "$E2E_ROLEGATE" state -c "$E2E_CONF"

# what the API call itself is refused with ("exec in container ..."), for
# commands whose CLI first inspects the container (docker exec, docker logs)
api_denied() {
	local text=$1
	shift
	e2e_run api_as "$@"
	if [[ $E2E_OUT == *"HTTP 403"* ]] && e2e_contains "$E2E_OUT" "$text"; then
		e2e_pass "dave's $2 $3: refused, \"$text\""
	else
		e2e_fail "dave's $2 $3: want 403 and \"$text\""
		e2e_report_output
	fi
}

refusals() {
	# docker exec and docker logs inspect the container first: refused there
	expect_denied "$dev inspect container opsbox: not created by dave" \
		docker_as dave exec opsbox cat /host/etc/shadow
	api_denied "$dev exec in container opsbox: not created by dave" \
		dave POST /containers/opsbox/exec '{"Cmd":["cat","/host/etc/shadow"]}'
	api_denied "$dev read the logs of container opsbox: not created by dave" \
		dave GET "/containers/opsbox/logs?stdout=1"
	expect_denied "$dev copy files out of container opsbox: not created by dave" \
		docker_as dave cp opsbox:/host/etc/shadow "$E2E_DIR/stolen"
	expect_denied "$dev inspect container opsbox" docker_as dave logs opsbox
	expect_denied "$dev stop container opsbox" docker_as dave stop opsbox
	expect_denied "$dev remove container opsbox" docker_as dave rm -f opsbox
	expect_denied "$dev stop container ${ops_id:0:12}: not created by dave" \
		docker_as dave stop "${ops_id:0:12}"
	expect_denied "shorter than 12" docker_as dave stop "${ops_id:0:6}"
	expect_denied "$dev mount the volumes of container opsbox" \
		docker_as dave run --rm --volumes-from opsbox busybox true
	expect_denied "$dev share the network namespace of container opsbox" \
		docker_as dave run --rm --network container:opsbox busybox true
	api_denied "$dev use exec session $exec_id: not created by dave" \
		dave POST "/exec/$exec_id/start" '{"Detach":true}'
	expect_denied "prune" docker_as dave container prune -f
}

e2e_section "dave (developer, owner = self) on alice's container: refused"
refusals

e2e_section "red team round 11: a name of hex digits takes others' commands by id prefix"
# dockerd tries an exact name before an id prefix: a container dave named
# after the 12 digits docker ps shows for opsbox took alice's docker exec
# and docker cp by those digits.
expect_denied "$dev name a container ${ops_id:0:12}: a name of 12 or more hex digits" \
	docker_as dave run -d -m 64m --name "${ops_id:0:12}" busybox sleep 600
expect_ok "" docker_as dave create --name hexbox busybox true
expect_denied "$dev rename a container to ${ops_id:0:12}: a name of 12 or more hex digits" \
	docker_as dave rename hexbox "${ops_id:0:12}"
expect_ok "${ops_id:0:12}" docker_as alice exec "${ops_id:0:12}" hostname
expect_ok "" docker_as dave rm hexbox

e2e_section "dave's own container: by name, by full id, after a rename; not by an id prefix"
expect_ok "" docker_as dave run -d --name davebox busybox sleep 600
dave_id=$(docker_as dave inspect -f '{{.Id}}' davebox)
expect_ok "hello" docker_as dave exec davebox echo hello
expect_denied "$dev stop container ${dave_id:0:12}: an id prefix could also be the name of an object rolegate does not know; use the name or the full id" \
	docker_as dave stop -t 0 "${dave_id:0:12}"
expect_ok "" docker_as dave stop -t 0 "$dave_id"
# (renamed while stopped: this dockerd cannot rename a running container's sandbox here)
expect_ok "" docker_as dave rename davebox davebox2
expect_ok "" docker_as dave start "$dave_id"
expect_ok "renamed" docker_as dave exec davebox2 echo renamed
expect_denied "erin (roles: developer) may not inspect container davebox2: not created by erin" \
	docker_as erin exec davebox2 true
expect_denied "erin (roles: developer) may not stop container ${dave_id:0:12}: not created by erin" \
	docker_as erin stop "${dave_id:0:12}"
# a failed rename (the name is taken) must not move the name
expect_fail "" docker_as dave rename davebox2 opsbox
expect_denied "$dev inspect container opsbox" docker_as dave exec opsbox true
expect_ok "still" docker_as dave exec davebox2 echo still
expect_ok "" docker_as dave volume create davevol
expect_ok "v" docker_as dave run --rm -v davevol:/v busybox sh -c 'echo v > /v/f; cat /v/f'
expect_denied "docker volume create" docker_as dave run --rm -v newvol:/v busybox true

e2e_section "volumes are their creator's; host-mount volumes are judged by what they mount"
expect_ok "" docker_as alice volume create -o type=none -o o=bind -o device=/etc etcvol
expect_denied "$dev create volume etcvol: not created by dave" docker_as dave volume create etcvol
expect_denied "$dev use volume etcvol: not created by dave" \
	docker_as dave run --rm -v etcvol:/e busybox cat /e/shadow
expect_denied "$dev inspect volume etcvol: not created by dave" docker_as dave volume inspect etcvol

e2e_section "start re-checks the host paths a container mounts (a directory swapped for a symlink)"
expect_ok "" docker_as dave create --name appbox -v "$E2E_DIR/projects/app:/app" busybox ls /app
rmdir "$E2E_DIR/projects/app"
ln -s / "$E2E_DIR/projects/app"
expect_denied "$dev start container appbox, which mounts host path $E2E_DIR/projects/app, which resolves to /" \
	docker_as dave start appbox
rm "$E2E_DIR/projects/app"
mkdir "$E2E_DIR/projects/app"
expect_ok "" docker_as dave start appbox
expect_ok "" docker_as dave rm -f appbox

e2e_section "after kill -9 and a restart of rolegate, the same answers"
kill -KILL "$E2E_ROLEGATE_PID"
wait "$E2E_ROLEGATE_PID" 2>/dev/null
E2E_ROLEGATE_PID=
start_rolegate "$E2E_SRC/ownership.conf"
refusals
expect_ok "again" docker_as dave exec davebox2 echo again
expect_ok "" docker_as dave stop -t 0 "$dave_id"

e2e_section "removal clears the state"
expect_ok "" docker_as dave rm davebox2
if "$E2E_ROLEGATE" state -c "$E2E_CONF" | grep -q davebox2; then
	e2e_fail "davebox2 is still in the state after its removal"
else
	e2e_pass "davebox2 left the state with its removal"
fi
expect_ok "" docker_as alice rm -f opsbox
expect_ok "" docker_as alice volume rm etcvol
if "$E2E_ROLEGATE" state -c "$E2E_CONF" | grep -q "${ops_id:0:12}"; then
	e2e_fail "opsbox is still in the state after its removal"
else
	e2e_pass "opsbox left the state with its removal"
fi
# a container with opsbox's name, made later by dave, is dave's
expect_ok "" docker_as dave run -d --name opsbox busybox sleep 600
expect_ok "mine now" docker_as dave exec opsbox echo mine now
expect_ok "" docker_as dave rm -f opsbox
e2e_section "red team round 3: networks (name of another's network, endpoint links)"
expect_ok "" docker_as alice network create opsnet
expect_ok "" docker_as alice run -d --name opsbox2 -v /:/host busybox sleep 600
expect_denied "$dev create network opsnet: not created by dave" docker_as dave network create opsnet
expect_ok "" docker_as dave network create davenet
expect_ok "" docker_as dave run -d --name davebox3 --network davenet busybox sleep 600
# docker network connect --link: the links travel in EndpointConfig.Links only
expect_denied "$dev link to container opsbox2: not created by dave" \
	docker_as dave network connect --link opsbox2:db davenet davebox3
api_denied "$dev link to container opsbox2: not created by dave" \
	dave POST /containers/create \
	'{"Image":"busybox","NetworkingConfig":{"EndpointsConfig":{"davenet":{"Links":["opsbox2:db"]}}}}'
expect_ok "" docker_as dave run --rm --network davenet --link davebox3:peer busybox true
# an endpoint's NetworkID: dockerd joins it in place of the key's network (red team round 5)
opsid=$(docker_as alice network inspect -f '{{.Id}}' opsnet)
api_denied "$dev join network $opsid: not created by dave" \
	dave POST /containers/create \
	"{\"Image\":\"busybox\",\"HostConfig\":{\"NetworkMode\":\"davenet\"},\"NetworkingConfig\":{\"EndpointsConfig\":{\"davenet\":{\"NetworkID\":\"$opsid\"}}}}"
api_denied "$dev join network opsnet: not created by dave" \
	dave POST /networks/davenet/connect '{"Container":"davebox3","EndpointConfig":{"NetworkID":"opsnet"}}'
# a classic build's RUN steps join its --network like a create's (red team round 5)
mkdir -p "$E2E_DIR/ctx"
printf 'FROM busybox\nRUN true\n' >"$E2E_DIR/ctx/Dockerfile"
DOCKER_BUILDKIT=0 expect_denied "$dev build on network opsnet: not created by dave" \
	docker_as dave build --network opsnet "$E2E_DIR/ctx"
DOCKER_BUILDKIT=0 expect_denied "$dev build in the network namespace of container opsbox2: not created by dave" \
	docker_as dave build --network container:opsbox2 "$E2E_DIR/ctx"
DOCKER_BUILDKIT=0 expect_ok "Successfully built" docker_as dave build --network davenet "$E2E_DIR/ctx"
# a container not yet started keeps its networks by name; dockerd looks them
# up at the start (red team round 13): dave's davelate is gone, alice made hers
expect_ok "" docker_as dave network create davelate
expect_ok_match '^[0-9a-f]{64}$' docker_as dave create --name onlate --network davelate busybox sleep 600
expect_ok "" docker_as dave network rm davelate
expect_ok "" docker_as alice network create davelate
expect_denied "$dev start container onlate on network davelate: not created by dave" \
	docker_as dave start onlate
expect_ok "" docker_as alice network rm davelate
expect_ok "" docker_as dave rm onlate
expect_ok "" docker_as dave rm -f davebox3
expect_ok "" docker_as dave network rm davenet
expect_ok "" docker_as alice rm -f opsbox2
expect_ok "" docker_as alice network rm opsnet

e2e_section "red team round 3: a stale record's name taken by a container rolegate does not know"
# hidden: alice's, made while rolegate had no state (its record is lost)
expect_ok "" docker_as alice run -d --name hidden -v /:/host busybox sleep 600
kill -KILL "$E2E_ROLEGATE_PID"
wait "$E2E_ROLEGATE_PID" 2>/dev/null
E2E_ROLEGATE_PID=
rm -rf "$E2E_DIR/state"
start_rolegate "$E2E_SRC/ownership.conf"
if "$E2E_ROLEGATE" state -c "$E2E_CONF" | grep -q hidden; then
	e2e_fail "hidden is still known after the state was wiped"
else
	e2e_pass "hidden is unknown to rolegate"
fi
# gonebox: dave's --rm container; dockerd removes it unseen, its record stays
expect_ok "" docker_as dave run -d --rm --name gonebox busybox sleep 600
expect_ok "" docker_as dave stop -t 0 gonebox
for _ in $(seq 50); do
	[ -z "$(docker_as alice ps -aq --filter name='^gonebox$')" ] && break
	sleep 0.2
done
expect_ok_match "gonebox +dave" "$E2E_ROLEGATE" state -c "$E2E_CONF"
# alice renames hidden (stopped, as above) to gonebox: dave must not own it by that name
expect_ok "" docker_as alice stop -t 0 hidden
expect_ok "" docker_as alice rename hidden gonebox
api_denied "$dev exec in container gonebox: not created by dave" \
	dave POST /containers/gonebox/exec '{"Cmd":["cat","/host/etc/shadow"]}'
expect_denied "$dev inspect container gonebox: not created by dave" \
	docker_as dave exec gonebox cat /host/etc/shadow
expect_ok "" docker_as alice rm -f gonebox

e2e_section "red team round 5: a rename's name hidden in a form body"
# dockerd reads a rename's name from a form body behind two Content-Type
# headers; rolegate recorded the query's name (another's container's) as
# dave's, and dave then copied files out of that container.
expect_ok "" docker_as dave create --name daveren busybox true
d=$DOCKERD_CERTS/users/dave
e2e_run curl -sS --cacert "$d/ca.pem" --cert "$d/cert.pem" --key "$d/key.pem" -X POST \
	-H 'Content-Type: application/x-www-form-urlencoded' -H 'Content-Type: text/plain' \
	--data-binary 'name=daveren2' "https://127.0.0.1:$E2E_PORT/v1.41/containers/daveren/rename?name=opsbox"
if e2e_contains "$E2E_OUT" "send a body rolegate is not shown"; then
	e2e_pass "the rename with a hidden form body is refused"
else
	e2e_fail "the rename with a hidden form body: $E2E_OUT"
fi
expect_ok "" docker_as dave rename daveren daveren3
expect_ok "" docker_as dave rm daveren3

e2e_section "red team round 5: an update body padded past 1 MiB"
# dockerd withholds a body of 1 MiB or more from the plugin and applies it
# all the same: a restart policy went through unseen (then the round 4
# symlink swap read the host's /etc/shadow at the restart).
mkdir -p "$E2E_DIR/projects/pad/a"
expect_ok "" docker_as dave create --name padbox -v "$E2E_DIR/projects/pad:/p" -v "$E2E_DIR/projects/pad/a:/a" busybox true
python3 -c 'import json; print(json.dumps({"RestartPolicy": {"Name": "always"}, "Pad": "x" * 1100000}))' >"$E2E_DIR/pad.json"
d=$DOCKERD_CERTS/users/dave
e2e_run curl -sS --cacert "$d/ca.pem" --cert "$d/cert.pem" --key "$d/key.pem" -X POST \
	-H 'Content-Type: application/json' --data-binary "@$E2E_DIR/pad.json" \
	"https://127.0.0.1:$E2E_PORT/v1.41/containers/padbox/update"
if e2e_contains "$E2E_OUT" "may not update a container whose body cannot be checked for a restart policy"; then
	e2e_pass "the padded update is refused"
else
	e2e_fail "the padded update: $E2E_OUT"
fi
expect_ok "no" docker_as alice inspect -f '{{if .HostConfig.RestartPolicy.Name}}{{.HostConfig.RestartPolicy.Name}}{{else}}no{{end}}' padbox
expect_ok "" docker_as dave rm padbox

e2e_section "red team round 11: a slow inspect's answer does not give a name back"
# An answer is a snapshot from when its handler began: dave's inspect with
# ?size=1 walks the 200 000 files of his container for seconds; he renames
# it away meanwhile, alice creates a container under the old name, and the
# late answer gave the name back to dave's record: his exec by that name
# ran in alice's container. (Making the files takes a while on a busy host.)
DOCKERD_CMD_TIMEOUT=300 expect_ok "" docker_as dave run --name slowbox busybox sh -c \
	'mkdir /d && cd /d && for i in $(seq 200); do mkdir $i && cd $i && touch $(seq 1000) && cd ..; done'
slow_id=$(docker_as dave inspect -f '{{.Id}}' slowbox)
api_as dave GET "/containers/slowbox/json?size=1" >"$E2E_DIR/slow.out" 2>&1 &
slow_pid=$!
sleep 0.3
expect_ok "" docker_as dave rename "$slow_id" slowbox2
expect_ok "" docker_as alice run -d --name slowbox -e DBPASS=hunter2 busybox sleep 600
wait "$slow_pid"
if grep -q '"Name":"/slowbox"' "$E2E_DIR/slow.out" && grep -q 'HTTP 200' "$E2E_DIR/slow.out"; then
	e2e_pass "dave's slow inspect answered the old name after alice took it"
else
	e2e_fail "dave's slow inspect: $(tail -c 200 "$E2E_DIR/slow.out")"
fi
api_denied "$dev exec in container slowbox: not created by dave" \
	dave POST /containers/slowbox/exec '{"Cmd":["busybox","env"]}'
expect_ok "" docker_as alice rm -f slowbox
expect_ok "" docker_as dave rm slowbox2

e2e_section "swarm services are their creator's; tasks are read through the service"
# red team round 12: swarm joins every task on an overlay network to the
# network named docker_gwbridge, and makes it only when none exists: dave's,
# made first, carried alice's tasks, and his container read her service.
expect_denied "$dev create network docker_gwbridge: swarm joins every task on an overlay network" \
	docker_as dave network create docker_gwbridge
swarm_port=$((20000 + RANDOM % 20000))
expect_ok "Swarm initialized" docker_as alice swarm init --advertise-addr 127.0.0.1 \
	--listen-addr "127.0.0.1:$swarm_port"
# after: a second network of that name, without CheckDuplicate (raw API)
api_denied "$dev create network docker_gwbridge" dave POST /networks/create \
	'{"Name":"docker_gwbridge","CheckDuplicate":false}'
expect_ok_match '^[a-z0-9]{25}$' docker_as alice service create --detach --no-resolve-image \
	--name opssvc busybox sleep 600
opssvc_id=$(docker_as alice service inspect -f '{{.ID}}' opssvc)
# red team round 11: a service named after the short id `docker service ls`
# shows for alice's took her commands by that id (swarmkit tries names first)
expect_denied "$dev name a service ${opssvc_id:0:12}: it begins the id of service ${opssvc_id:0:12}" \
	docker_as dave service create --detach --no-resolve-image --name "${opssvc_id:0:12}" busybox sleep 600
expect_ok "opssvc" docker_as alice service inspect -f '{{.Spec.Name}}' "${opssvc_id:0:12}"
expect_denied "service opssvc: not created by dave" \
	docker_as dave service update --detach --no-resolve-image --replicas 0 opssvc
expect_denied "$dev remove service $opssvc_id: not created by dave" \
	docker_as dave service rm "$opssvc_id"
expect_denied "not created by dave" docker_as dave service logs opssvc
expect_denied "not created by dave" docker_as dave service rm "${opssvc_id:0:12}"
expect_ok "opssvc" docker_as alice service ls --format '{{.Name}}'
expect_ok_match '^[a-z0-9]{25}$' docker_as dave service create --detach --no-resolve-image \
	--name davesvc busybox sleep 600
expect_ok "" docker_as dave service update --detach --no-resolve-image --replicas 2 davesvc
expect_ok_match "davesvc +dave" "$E2E_ROLEGATE" state -c "$E2E_CONF"
expect_denied "service davesvc: not created by erin" \
	docker_as erin service update --detach --no-resolve-image --replicas 0 davesvc
task=$(docker_as alice service ps -q davesvc | head -n 1)
api_denied "rolegate does not know whose service a task belongs to" dave GET "/tasks/$task/logs?stdout=1"
expect_ok "davesvc" docker_as dave service rm davesvc
if "$E2E_ROLEGATE" state -c "$E2E_CONF" | grep -q davesvc; then
	e2e_fail "davesvc is still in the state after its removal"
else
	e2e_pass "davesvc left the state with its removal"
fi

e2e_section "red team round 11: secrets and configs are their creator's"
# frank (allow "*", owner = "self") read alice's secret through a service of
# his own: swarmkit mounts the secret a service names in its tasks.
# docker secret/config create reading DATA from stdin, as USER
data_as() {
	local user=$1 data=$2
	shift 2
	printf %s "$data" | docker_as "$user" "$@"
}
expect_ok "" data_as alice topsecret secret create asecret -
expect_ok "" data_as alice cfgdata config create aconfig -
frk="frank (roles: wide) may not"
expect_denied "$frk give a service the secret" docker_as frank service create --detach \
	--no-resolve-image --name fsvc --secret asecret busybox sleep 600
# the docker CLI finds the config by a list first, refused since round 13
expect_denied "$frk list configs: the answer shows config aconfig, not created by frank" \
	docker_as frank service create --detach --no-resolve-image --name fsvc --config aconfig \
	busybox sleep 600
acfg=$(docker_as alice config inspect -f '{{.ID}}' aconfig)
api_denied "$frk give a service the config ... not created by frank" frank POST /services/create \
	"{\"Name\":\"fsvc\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Configs\":[{\"ConfigID\":\"$acfg\",\"ConfigName\":\"aconfig\",\"File\":{\"Name\":\"aconfig\",\"UID\":\"0\",\"GID\":\"0\",\"Mode\":292}}]}}}"
expect_denied "$frk inspect secret asecret: not created by frank" docker_as frank secret inspect asecret
expect_denied "$frk inspect config aconfig: not created by frank" docker_as frank config inspect aconfig
expect_denied "$frk remove secret asecret: not created by frank" docker_as frank secret rm asecret
if docker_as alice service ls --format '{{.Name}}' | grep -q '^fsvc$'; then
	e2e_fail "frank's service with alice's secret exists"
else
	e2e_pass "no service of frank's holds alice's secret"
fi
expect_ok "" data_as frank mine secret create fsecret -
expect_ok "fsecret" docker_as frank secret inspect -f '{{.Spec.Name}}' fsecret
expect_ok_match '^[a-z0-9]{25}$' docker_as frank service create --detach --no-resolve-image \
	--name fsvc --secret fsecret busybox sleep 600
expect_ok "fsvc" docker_as frank service rm fsvc
expect_ok "" docker_as alice secret rm asecret
expect_ok "" docker_as alice config rm aconfig

e2e_section "red team round 13: legacy links are found again by name when dockerd restarts"
# dockerd keeps a --link as written and registers it anew at restore: dave
# linked j3 to his own ldb and removed ldb, alice ran her ldb with a secret,
# and after a dockerd restart his j3 started with DB_ENV_SECRET=hunter2.
expect_ok "" docker_as dave network create davelinks
expect_ok "" docker_as dave run -d --name ldb --network davelinks busybox sleep 600
expect_denied "$dev link to container ldb on the default bridge (--link): dockerd finds a legacy link's container again by name when it restarts" \
	docker_as dave create --name j3 --link ldb:db busybox env
# on a user-defined network a link is a DNS alias there, registered by nobody
expect_ok "" docker_as dave run --rm --network davelinks --link ldb:db busybox true
expect_ok "" docker_as dave rm -f ldb
expect_ok "" docker_as dave network rm davelinks

e2e_section "red team round 13: a container never started joins its networks by name"
# dockerd keeps a network's id with a container only once it has joined it:
# dave's c14, created on his n14 and never started, joined alice's n14 (made
# after dave removed his) at its first start, and reached her a14.
expect_ok "" docker_as dave network create n14
expect_ok "" docker_as dave create --name c14 --network n14 busybox sleep 600
expect_ok "" docker_as dave network rm n14
expect_ok "" docker_as alice network create n14
expect_ok "" docker_as alice run -d --name a14 --network n14 busybox sleep 600
expect_denied "$dev start container c14 on network n14: not created by dave" docker_as dave start c14
expect_ok "" docker_as dave rm -f c14
expect_ok "" docker_as alice rm -f a14
expect_ok "" docker_as alice network rm n14

e2e_section "red team round 13: lists that carry what an inspect refuses"
# GET /configs carries each config's data, GET /services and GET /tasks each
# service's spec (its Env): frank, refused `docker config inspect aconfig`,
# read alice's config and her service's DBPASS through them. dockerd holds
# an answer until its AuthZRes is allowed: under owner, such a list is
# allowed when every object it shows is the caller's.
expect_ok "" data_as alice cfg-topsecret config create aconfig13 -
expect_ok_match '^[a-z0-9]{25}$' docker_as alice service create --detach --no-resolve-image \
	--name opsenv -e DBPASS=hunter2 busybox sleep 600
api_denied "$frk list configs: the answer shows config aconfig13, not created by frank" frank GET /configs
api_denied "$frk list services: the answer shows service" frank GET /services
api_denied "$frk list tasks: the answer shows service" frank GET /tasks
api_denied "$frk list tasks: the answer shows service opsenv" frank GET \
	'/tasks?filters=%7B%22service%22%3A%7B%22opsenv%22%3Atrue%7D%7D'
expect_denied "$frk list configs" docker_as frank config ls
expect_denied "$frk list services" docker_as frank service ls
expect_ok "" data_as frank mine config create fconf13 -
expect_ok "fconf13" docker_as frank config ls --filter name=fconf13
expect_ok_match '^[a-z0-9]{25}$' docker_as frank service create --detach --no-resolve-image \
	--name fsvc13 busybox sleep 600
expect_ok "fsvc13" docker_as frank service ls --filter name=fsvc13
expect_ok "fsvc13.1" docker_as frank service ps fsvc13
expect_ok "aconfig13" docker_as alice config ls
# An answer over 64 KiB has its status line sent before the AuthZRes, which
# then shows status 0 and no body, as for a failure: frank padded his own
# configs past it and read alice's. Refused; dockerd sends the refusal in
# place of the body.
pad=$(head -c 40000 /dev/zero | tr '\0' x)
expect_ok "" data_as frank "$pad" config create fpad1 -
expect_ok "" data_as frank "$pad" config create fpad2 -
e2e_run api_as frank GET /configs
if [[ $E2E_OUT == *"may not list configs: the answer is not shown to rolegate"* &&
	$E2E_OUT != *"$(printf cfg-topsecret | base64)"* ]]; then
	e2e_pass "frank's padded config list: refused, alice's data not in the answer"
else
	e2e_fail "frank's padded config list showed alice's config"
	e2e_report_output
fi
expect_ok "" docker_as frank service rm fsvc13
expect_ok "" docker_as frank config rm fconf13 fpad1 fpad2
expect_ok "" docker_as alice service rm opsenv
expect_ok "" docker_as alice config rm aconfig13

e2e_section "red team round 13: swarm network ids are not hex"
# A swarm network's id is 25 characters of [0-9a-z]: round 11's rule on hex
# names let dave name a local network after the 12 characters docker
# network ls showed for alice's overlay, and her docker run --network by
# them joined his network (dockerd takes a name before an id prefix).
expect_ok "" docker_as alice network create -d overlay --attachable opsoverlay13
nid=$(docker_as alice network inspect -f '{{.Id}}' opsoverlay13)
expect_denied "$dev create network ${nid:0:12}: it begins the id of network ${nid:0:12}, which is not the caller's" \
	docker_as dave network create "${nid:0:12}"
expect_denied "$dev create network $nid: it begins the id" docker_as dave network create "$nid"
# swarmkit looks a service's network up among swarm networks only, by id,
# name, then id prefix: dave's local network named with two characters of
# that id attached his service's tasks to alice's overlay (the raw API; the
# docker CLI sends the full id).
# The shortest prefix (2 characters at least) with a letter past f: swarm ids
# are base 36, and a name of hex digits alone is read as an id prefix of
# alice's network, which a create refuses by name anyway. In 1 run of 5 the
# first two characters are both hex: the prefix is then 3 characters or
# more, and the create itself is refused (names of 3 or more that begin
# another's id), which closes the same door earlier.
short=${nid:0:2}
for ((i = 2; i <= ${#nid}; i++)); do
	short=${nid:0:i}
	[[ $short == *[g-z]* ]] && break
done
if ((${#short} < 3)); then
	expect_ok "" docker_as dave network create "$short"
	# refused by round 13's rule, or since round 15 (a name that begins the id
	# of another's network) already when the network is resolved
	api_denied "$dev attach a service to network $short: " \
		dave POST /services/create "{\"Name\":\"dsvc13\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Command\":[\"sleep\",\"600\"]},\"Networks\":[{\"Target\":\"$short\"}]}}"
	# red team round 15: while alice's overlay's id begins with it, dave's
	# network is removed by its full id (a second removal by name under way
	# would reach hers)
	expect_denied "$dev remove network $short: a name that also begins the id of network ${nid:0:12}" \
		docker_as dave network rm "$short"
	expect_ok "" docker_as dave network rm "$(docker_as dave network ls -q --no-trunc --filter "name=^$short\$")"
else
	expect_denied "$dev create network $short: it begins the id of network ${nid:0:12}, which is not the caller's" \
		docker_as dave network create "$short"
fi
expect_ok "" docker_as alice network rm opsoverlay13

e2e_section "red team round 16: a service's mount type in any case, --config-from"
# dockerd upper-cases a service's mount type before swarmkit reads it:
# "VOLUME" mounted alice's volume in dave's service, whose logs printed her
# file. And a network made --config-from alice's config-only network took
# her subnet (docs/redteam-round16-tenancy.md).
expect_ok "" docker_as alice volume create r16vol
for t in VOLUME Volume; do
	api_denied "$dev use volume r16vol: not created by dave" \
		dave POST /services/create "{\"Name\":\"dsvc16$t\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Command\":[\"sleep\",\"600\"],\"Mounts\":[{\"Type\":\"$t\",\"Source\":\"r16vol\",\"Target\":\"/x\"}]}}}"
done
expect_ok "" docker_as alice volume rm r16vol
expect_ok "" docker_as alice network create --config-only --subnet 10.216.0.0/24 r16conf
expect_denied "$dev create network from the configuration of network r16conf: not created by dave" \
	docker_as dave network create --config-from r16conf d16net
expect_ok "" docker_as dave network create --config-only --subnet 10.217.0.0/24 d16conf
expect_ok "" docker_as dave network create --config-from d16conf d16net
expect_ok "" docker_as dave network rm d16net
expect_ok "" docker_as dave network rm d16conf
expect_ok "" docker_as alice network rm r16conf

e2e_section "red team round 13: a volume prune whose answer is not shown drops the volume records"
# An answer over 64 KiB reaches the AuthZRes as status 0 with no body: a
# volume prune of ~1 000 volumes (one create of dave's makes 800) left the
# records of the volumes it removed, and alice's next pgdata13, made by
# docker run -v, was dave's: he read her files from it.
expect_ok "" docker_as dave volume create pgdata13
anons=()
for i in $(seq 1 800); do anons+=(-v "/a$i"); done
expect_ok "" docker_as dave create --name manyvols "${anons[@]}" busybox true
expect_ok "" docker_as dave rm manyvols
expect_ok "" docker_as dave create --name manyvols "${anons[@]}" busybox true
expect_ok "" docker_as dave rm manyvols
expect_ok "Total reclaimed space" docker_as alice volume prune -f
if "$E2E_ROLEGATE" state -c "$E2E_CONF" | grep -q pgdata13; then
	e2e_fail "the pruned pgdata13 is still in the state"
else
	e2e_pass "no volume record survives a prune whose answer was not shown"
fi
expect_ok "" docker_as alice run --rm -v pgdata13:/d busybox sh -c 'echo dbpass=hunter2 > /d/secret'
expect_denied "$dev use volume pgdata13: not created by dave" \
	docker_as dave run --rm -v pgdata13:/x busybox cat /x/secret
expect_ok "" docker_as alice volume rm pgdata13

e2e_section "red team round 12: a volume create of an existing volume's name does not make it the caller's"
# dockerd answers a volume create of an existing name with that volume (201).
# An anonymous volume (-v /data) has a 64-hex name rolegate never sees
# created: dave created it by that name and read alice's data.
expect_ok "" docker_as alice run -d --name anonbox -v /data busybox \
	sh -c 'echo dbpass=hunter2 > /data/secret; sleep 600'
anon=$(docker_as alice inspect -f '{{range .Mounts}}{{.Name}}{{end}}' anonbox)
expect_denied "$dev create volume $anon: a name of 64 hex digits is how dockerd names another container's anonymous volume" \
	docker_as dave volume create "$anon"
expect_denied "$dev use volume $anon: rolegate did not see it created; a name of 64 hex digits is another container's anonymous volume" \
	docker_as dave run --rm -v "$anon:/x" busybox cat /x/secret
# A named volume rolegate does not know (a swarm task made it): its
# CreatedAt is the ctime of its _data, which moves whenever a file is made
# at its top; a minute's slack took it for the caller's 7 s after the task
# wrote. One with labels the create does not repeat is older than the
# create, however fresh.
expect_ok_match '^[a-z0-9]{25}$' docker_as alice service create --detach --no-resolve-image \
	--name volsvc --mount type=volume,src=svcdata,dst=/d busybox \
	sh -c 'echo svcpass=s3cret > /d/secret; sleep 600'
expect_ok_match '^[a-z0-9]{25}$' docker_as alice service create --detach --no-resolve-image \
	--name volsvc2 --mount type=volume,src=svclabeled,dst=/d,volume-label=team=ops busybox \
	sh -c 'echo svcpass=l4bel > /d/secret; sleep 600'
for _ in $(seq 1 60); do
	docker_as alice volume inspect svcdata svclabeled >/dev/null 2>&1 && break
	sleep 1
done
expect_ok "" docker_as dave volume create svclabeled
sleep 7
expect_ok "" docker_as dave volume create svcdata
expect_denied "$dev use volume svcdata: rolegate did not see it created" \
	docker_as dave run --rm -v svcdata:/x busybox cat /x/secret
expect_denied "$dev use volume svclabeled: rolegate did not see it created" \
	docker_as dave run --rm -v svclabeled:/x busybox cat /x/secret
expect_ok "" docker_as alice service rm volsvc volsvc2
expect_ok "" docker_as alice rm -f anonbox
expect_ok "" docker_as alice service rm opssvc
expect_ok "" docker_as alice swarm leave --force

e2e_section "red team round 12: a rename by a short id prefix does not rename another's record"
# alice's db was made before rolegate (the state wiped, as above). dave makes
# containers until one's id begins with "db"; alice's `docker rename db
# db-old` (dockerd: the name first) renamed dave's record, found by that
# prefix, and dave's exec by db-old ran in alice's old database.
expect_ok "" docker_as alice run -d --name db -e DBPASS=hunter2 busybox sleep 600
kill -KILL "$E2E_ROLEGATE_PID"
wait "$E2E_ROLEGATE_PID" 2>/dev/null
E2E_ROLEGATE_PID=
rm -rf "$E2E_DIR/state"
start_rolegate "$E2E_SRC/ownership.conf"
grind=
for i in $(seq 1 3000); do
	id=$(api_as dave POST "/containers/create?name=grind$i" '{"Image":"busybox","Cmd":["sleep","600"]}' |
		sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p')
	case $id in
	db*) grind=grind$i; break ;;
	esac
	api_as dave DELETE "/containers/$id" >/dev/null
done
if [ -n "$grind" ]; then
	e2e_pass "dave's $grind has an id that begins with db"
	expect_ok "" docker_as dave start "$grind"
	expect_ok "" docker_as alice rename db db-old
	expect_ok "" docker_as alice run -d --name db busybox sleep 600
	expect_ok_match "^container +db[0-9a-f]{10} +$grind +dave " "$E2E_ROLEGATE" state -c "$E2E_CONF"
	api_denied "$dev exec in container db-old: not created by dave" \
		dave POST /containers/db-old/exec '{"Cmd":["env"]}'
	expect_ok "" docker_as dave rm -f "$grind"
else
	e2e_fail "no container id of dave's began with db in 3000 creates"
fi
expect_ok "" docker_as alice rm -f db db-old

stop_rolegate || e2e_fail "rolegate did not stop cleanly"
e2e_finish
