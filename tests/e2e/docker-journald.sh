#!/bin/bash
# Red team round 16: with journald as the daemon's log driver, the fields a
# container's log options add (labels, env and their -regex forms) replaced
# the ones dockerd sets for the container: bob's `--label
# CONTAINER_ID_FULL=<alice's web> --log-opt labels=CONTAINER_ID_FULL` put
# his line in alice's `docker logs web`, and SYSLOG_IDENTIFIER=rolegate
# wrote `rolegate[PID]: rolegate checkpoint ...` into the journal. For a
# constrained role these options need --log-driver json-file or local.
#
# Needs a running systemd-journald (/run/systemd/journal/socket): skipped
# (77) without one. Round 16 ran it with a private one:
#   /lib/systemd/systemd-journald & ... ; kill it, rm -rf /run/systemd/journal
#
# usage: docker-journald.sh ROLEGATE-BINARY     (root; exit 77 = skipped)
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

[ -S /run/systemd/journal/socket ] || e2e_skip "no systemd-journald is running"
command -v journalctl >/dev/null || e2e_skip "journalctl is not installed"
e2e_setup "${1:?usage: $0 ROLEGATE-BINARY}" alice bob
start_rolegate "$E2E_SRC/journald.conf"
start_dockerd --daemon-json '{"log-driver": "journald"}'
e2e_import_busybox alice

e2e_section "a container's log fields do not replace another's (journald)"
expect_ok "" docker_as alice run -d --name web busybox sh -c 'echo alice-line; sleep 300'
id=$(docker_as alice inspect -f '{{.Id}}' web)
expect_denied "bob (roles: developer) may not give the log option labels with the log driver of the daemon" \
	docker_as bob run --rm --name bobby --label "CONTAINER_ID_FULL=$id" \
	--log-opt labels=CONTAINER_ID_FULL busybox echo bob-forged-line
expect_denied "bob (roles: developer) may not give the log option labels" \
	docker_as bob run --rm --name bobby2 --label SYSLOG_IDENTIFIER=rolegate \
	--log-opt labels=SYSLOG_IDENTIFIER busybox echo 'rolegate checkpoint host=web1 seq=999999 hash=00'
expect_only "alice-line" "alice's docker logs web holds only her own line" "alice's docker logs web" \
	docker_as alice logs web

expect_ok "" docker_as bob run --rm --name bobby3 --log-driver json-file --label team=a \
	--log-opt labels=team busybox echo "what stays: labels with json-file"
expect_ok "" docker_as alice rm -f web

e2e_shutdown
e2e_finish
