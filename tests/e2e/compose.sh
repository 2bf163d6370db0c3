#!/bin/bash
# Compose works for a constrained developer (issue 19): a real
# docker-compose project (Debian's docker-compose 1.29, python docker-py)
# runs through rolegate and a real dockerd as the developer role of
# examples/rolegate.conf itself. The config is the example with only the
# private paths swapped in (socket, log, /srv/projects) and
# identity.unauthenticated = "bob", so that docker-compose, talking to
# dockerd's Unix socket (DOCKER_HOST=unix://...), is bob (groups:
# developers). `up -d`, `ps`, `exec`, `down -v` must succeed; a compose file
# with a privileged service must be refused with the reason shown; and the
# decision log must show every call of the project decided for bob by the
# developer role.
#
# usage: compose.sh ROLEGATE-BINARY     (root; exit 77 = skipped)
. "$(dirname "$0")/lib.sh"

command -v docker-compose >/dev/null 2>&1 || e2e_skip "docker-compose is not installed"
e2e_setup "${1:?usage: $0 ROLEGATE-BINARY}" alice
PROJECTS=$E2E_DIR/projects
mkdir -p "$PROJECTS/app" "$E2E_DIR/project"
echo "input-from-the-host" >"$PROJECTS/app/input"

# The example config, private paths only: the socket, the log, the
# ownership state, the projects directory and the deployers' approved list
# (an empty one, root's, in the private 0700 directory).
: >"$E2E_DIR/approved-images"
chmod 0644 "$E2E_DIR/approved-images"
sed -e "s|/run/docker/plugins/rolegate.sock\";|$E2E_SOCK\"; state = \"$E2E_DIR/state\";|" \
	-e "s|/etc/rolegate/approved-images|$E2E_DIR/approved-images|" \
	-e "s|/var/log/rolegate/decisions.log|$E2E_AUDIT|" \
	-e "s|\"/srv/projects\"|\"$PROJECTS\"|" \
	-e 's|unauthenticated = "";|unauthenticated = "bob";|' \
	"$E2E_TOP/examples/rolegate.conf" >"$E2E_DIR/compose.conf.in"
grep -q "unauthenticated = \"bob\";" "$E2E_DIR/compose.conf.in" && grep -q "\"$PROJECTS\"" "$E2E_DIR/compose.conf.in" ||
	e2e_die "could not adapt examples/rolegate.conf"
start_rolegate "$E2E_DIR/compose.conf.in"
start_dockerd
e2e_import_busybox alice

sed "s|@PROJECTS@|$PROJECTS|" "$E2E_SRC/compose/docker-compose.yml" >"$E2E_DIR/project/docker-compose.yml"
cp "$E2E_SRC/compose/privileged.yml" "$E2E_SRC/compose/build.yml" "$E2E_SRC/compose/restart.yml" \
	"$E2E_SRC/compose/stack.yml" "$E2E_SRC/compose/stack-refused.yml" "$E2E_DIR/project/"
mkdir -p "$E2E_DIR/project/web"
printf 'FROM busybox:latest\nRUN echo built-by-compose > /built\n' >"$E2E_DIR/project/web/Dockerfile"
export DOCKER_HOST=unix://$E2E_DOCKER_SOCK COMPOSE_PROJECT_NAME=rgcompose COMPOSE_HTTP_TIMEOUT=120
unset DOCKER_TLS_VERIFY DOCKER_CERT_PATH
compose() {
	(cd "$E2E_DIR/project" && timeout 180 docker-compose --ansi never "$@")
}

e2e_section "what bob may do"
expect_ok '"network.create","network.disconnect","network.inspect","network.list","network.remove"' \
	"$E2E_ROLEGATE" list -c "$E2E_CONF" --user bob --json

e2e_section "docker-compose as bob (developer) over the Unix socket"
expect_ok "" compose up -d
expect_ok_match 'rgcompose_app_1 +.*Up' compose ps
expect_ok_match 'rgcompose_peer_1 +.*Up' compose ps
# exec as a non-root user: the role refuses exec as root.
expect_ok "from-compose" compose exec -T --user 65534 app cat /data/hello
expect_ok "input-from-the-host" compose logs app
# compose set the alias by disconnecting and reconnecting the container.
expect_ok "buddy" docker_as alice inspect rgcompose_peer_1 \
	--format '{{json .NetworkSettings.Networks.rgcompose_backend.Aliases}}'
expect_denied "bob (roles: developer) may not exec as root" compose exec -T app id
# peer runs as user 65534 (user: in the file): an exec without --user runs
# as it, and is allowed (workflows round 11: it was refused as root).
expect_ok "uid=65534" compose exec -T peer id
# app waited for by peer (depends_on: service_healthy) is healthy.
expect_ok_match 'rgcompose_app_1 +.*Up \(healthy\)' compose ps
expect_ok "run-ok" compose run --rm --user 65534 peer echo run-ok
# workflows round 14: the project at a glance, as bob. docker stats without
# names asks by the 12-digit ids of the list (they were refused, "--").
expect_ok_match 'rgcompose_app_1 +[0-9.]+%' docker_unix stats --no-stream
expect_ok "rgcompose_app_1" compose top
expect_ok "TYPE" docker_unix system df
expect_ok "" compose stop peer
expect_ok "" compose start peer
expect_denied "bob (roles: developer) may not copy files to or from container rgcompose_app_1 (docker cp): ... use docker exec" \
	docker_unix cp rgcompose_app_1:/data/hello "$E2E_DIR/hello"
expect_ok "from-compose" compose exec -T --user 65534 app cat /data/hello
expect_ok "" compose restart peer
expect_ok "" compose up -d --scale peer=2
expect_ok_match 'rgcompose_peer_2 +.*Up' compose ps
expect_ok "" compose up -d --scale peer=1
# A recreate renames the old container (docker-py sends the rename with
# Content-Length: 0, which rolegate requires), then replaces it.
expect_ok "" compose up -d --force-recreate app
expect_ok_match 'rgcompose_app_1 +.*Up' compose ps
expect_ok "" compose down -v
expect_ok "" compose ps
# Nothing of the project is left: containers, the network, the volume.
expect_ok "" docker_as alice ps -a --filter label=com.docker.compose.project=rgcompose --format '{{.Names}}'
[ -z "$E2E_OUT" ] && e2e_pass "down removed the containers" || e2e_fail "containers left: $E2E_OUT"
expect_ok "" docker_as alice network ls --filter name=rgcompose --format '{{.Name}}'
[ -z "$E2E_OUT" ] && e2e_pass "down removed the network" || e2e_fail "networks left: $E2E_OUT"
expect_ok "" docker_as alice volume ls --filter name=rgcompose --format '{{.Name}}'
[ -z "$E2E_OUT" ] && e2e_pass "down -v removed the volume" || e2e_fail "volumes left: $E2E_OUT"

e2e_section "a service with a restart policy and a named volume is recreated"
# compose stops the old container (which would restart by itself) before it
# creates the new one, which copies into the volume the old one mounts
expect_ok "" compose -f restart.yml up -d
expect_ok "" compose -f restart.yml up -d --force-recreate
expect_ok_match 'rgcompose_db_1 +.*Up' compose -f restart.yml ps
expect_ok "up" compose -f restart.yml exec -T --user 65534 db cat /var/lib/db/log
expect_ok "" compose -f restart.yml down -v

e2e_section "a privileged service is refused, with the reason"
expect_denied "bob (roles: developer) may not start privileged containers" compose -f privileged.yml up -d
expect_ok "" docker_as alice ps -a --filter label=com.docker.compose.project=rgcompose --format '{{.Names}}'
[ -z "$E2E_OUT" ] && e2e_pass "no privileged container was created" || e2e_fail "created: $E2E_OUT"
expect_ok "" compose -f privileged.yml down -v

e2e_section "the decision log"
# Every allowed call of the project was bob's, by the developer role; the
# only denies are the two refused above (exec as root, privileged create)
# and the docker cp.
check_log() {
	python3 - "$E2E_AUDIT" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mine = [r for r in recs if r.get("phase") == "request" and r["user"] == "bob"]
allowed = sorted({r["command"] for r in mine if r["decision"] == "allow"})
denied = [(r["command"], r.get("reason", "")) for r in mine if r["decision"] == "deny"]
# the docker cp shown refused above (bind_mounts), apart
copies = [d for d in denied if d[0] == "container.archive.get"]
denied = [d for d in denied if d[0] != "container.archive.get"]
print("bob's allowed commands:", ", ".join(allowed))
print("bob's denies:", denied)
bad = [r for r in mine if r["decision"] == "allow" and r.get("role") != "developer"]
need = {"network.create", "network.remove", "volume.create", "volume.remove", "container.create",
        "container.start", "container.remove", "exec.create", "exec.start"}
ok = (not bad and need <= set(allowed) and len(denied) == 2 and len(copies) == 1
      and denied[0][0] == "exec.create" and denied[1][0] == "container.create"
      and "privileged" in denied[1][1])
sys.exit(0 if ok else 1)
EOF
}
expect_ok "bob's allowed commands:" check_log
printf '%s\n' "$E2E_OUT" | sed 's/^/    /'

e2e_section "a project that builds its image"
# up would build without a memory limit, which the role requires of a build:
# refused with the reason. `docker-compose build --memory` first, then up.
expect_denied "bob (roles: developer) may not build an image without a memory limit (--memory: docker build -m 256m; docker-compose build --memory 256m, then up -d)" \
	compose -f build.yml up -d
expect_ok "Successfully tagged registry.example.org/team/web:dev" compose -f build.yml build --memory 256m
expect_ok "" compose -f build.yml up -d
expect_ok "built-by-compose" compose -f build.yml logs web
expect_ok "uid=1000" compose -f build.yml exec -T web id
expect_ok "" compose -f build.yml down -v

e2e_section "a web + db + cache project, edited and brought up again (workflows round 16)"
expect_ok "Successfully tagged registry.example.org/team/web:dev" compose -f stack.yml build --memory 256m
expect_ok "" compose -f stack.yml up -d
expect_ok_match 'rgcompose_db_1 +.*Up \(healthy\)' compose -f stack.yml ps
expect_ok_match 'rgcompose_web_1 +.*Up' compose -f stack.yml ps
expect_ok_match 'rgcompose_cache_1 +.*Up' compose -f stack.yml ps
expect_ok "built-by-compose" compose -f stack.yml logs --tail 5 web
# logs -f follows until stopped (timeout: 124)
expect_status 124 "" timeout 5 docker-compose --ansi never -f "$E2E_DIR/project/stack.yml" logs -f --tail 1 db
expect_ok "uid=1000" compose -f stack.yml exec -T web id
expect_ok "up" compose -f stack.yml exec -T --user 65534 db cat /var/lib/db/log
expect_denied "bob (roles: developer) may not exec as root ... name one: docker exec -u USER" \
	compose -f stack.yml exec -T db id
# a one-off container of a service whose volume the running db mounts:
# refused (the copy-up rule), with nocopy as the way; with it, allowed
expect_denied "may not mount volume rgcompose_dbdata so that dockerd copies the image's files into it while container rgcompose_db_1 ... add nocopy (-v rgcompose_dbdata:PATH:nocopy" \
	compose -f stack.yml run --rm --no-deps db echo run-ok
# The ways it names are not driven here: `run -v VOLUME:PATH:nocopy` worked
# once live and was refused once (compose 1.29 merges it with the service's
# own volume for the same path in no fixed order), and `compose stop db`
# then `run` passed without ASan and was refused once under ASan (see
# docs/workflows-round16.md, noticed and left).
expect_ok "uid=1000" compose -f stack.yml run --rm --no-deps web id
# docker top with %cpu and %mem (every '%' was refused in round 16)
expect_ok_match '^[0-9]+ +root +[0-9.]+ +[0-9.]+ +sleep 3600' \
	docker_unix top rgcompose_db_1 -o pid,user,%cpu,%mem,args
expect_denied "may not list processes with ps options -o %u,%p ... e.g. docker top CONTAINER aux, or -o pid,user,%cpu,%mem,args" \
	docker_unix top rgcompose_db_1 -o %u,%p
expect_ok_match 'rgcompose_web_1 +[0-9.]+%' docker_unix stats --no-stream
# up --build cannot give the build a memory limit: the message says how
expect_denied "may not build an image without a memory limit (--memory: docker build -m 256m; docker-compose build --memory 256m, then up -d)" \
	compose -f stack.yml up -d --build
# edit the file and bring the project up again: web is recreated
sed -i 's/stop_grace_period: 30s/stop_grace_period: 45s/' "$E2E_DIR/project/stack.yml"
expect_ok "" compose -f stack.yml up -d
expect_ok "45" docker_unix inspect -f '{{.Config.StopTimeout}}' rgcompose_web_1
expect_ok "" compose -f stack.yml restart
expect_ok "" compose -f stack.yml down -v
expect_ok "" docker_as alice ps -a --filter label=com.docker.compose.project=rgcompose --format '{{.Names}}'
[ -z "$E2E_OUT" ] && e2e_pass "down removed the stack's containers" || e2e_fail "containers left: $E2E_OUT"

e2e_section "what a compose file may not say, and the way each refusal names"
expect_denied "may not use the log tag {{.Name}} ... it must begin with {{.ID}} or {{.FullID}}, e.g. {{.ID}}/web, ... or name --log-driver json-file or local)" \
	compose -f stack-refused.yml up -d nametag
expect_denied "may not create a container whose stop timeout is 300 s (StopTimeout; 0 to 120 s under max_limits: ... docker-compose stop -t SECONDS)" \
	compose -f stack-refused.yml up -d longstop
expect_denied "may not give the log option labels (HostConfig.LogConfig.Config; not under max_limits" \
	compose -f stack-refused.yml up -d loglabels
expect_ok "" compose -f stack-refused.yml down -v

e2e_section "refusals in words: prune under owner, names rolegate has no record of"
expect_denied "bob (roles: developer) may not use container.prune: prune acts on every user's objects" \
	docker_unix container prune -f
expect_denied "bob (roles: developer) may not use volume.prune: prune acts on every user's objects" \
	docker_unix volume prune -f
# a typo, and a hex-only name ("db") no one created: said as such
expect_denied "bob (roles: developer) may not remove container nosuch: not created by bob (rolegate has no record of it: it does not exist" \
	docker_unix rm -f nosuch
expect_denied "bob (roles: developer) may not stop container db: rolegate has no record of that name" \
	docker_unix stop db

e2e_finish
