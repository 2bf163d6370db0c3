#!/bin/sh
# Installs every Debian package rolegate's build, tests and demo need.
# Idempotent; run as root on Debian 12.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	build-essential pkg-config meson ninja-build \
	libmicrohttpd-dev libjansson-dev libldap-dev libconfig-dev libssl-dev \
	docker.io containerd runc busybox-static docker-compose docker-registry \
	slapd ldap-utils rsyslog logrotate strace \
	openssl curl ca-certificates python3 procps psmisc iproute2 time \
	clang libclang-rt-14-dev valgrind >/dev/null
# `rolegate explain -- docker-compose ...` and its tests (tests/standin/) run
# Debian's docker-compose 1.x against the stand-in daemon.
apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
