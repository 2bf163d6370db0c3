#!/usr/bin/env bash
# ldap-bench.sh — rolegate-bench with the caller's groups coming from LDAP:
# a warm identity cache (cache_ttl = 300) against no cache (cache_ttl = 0,
# every call asks slapd), beside the parse-only reference.
#
#   bench/ldap-bench.sh BUILD-DIR [COUNT] [ROUNDS]   (default 20000, 3)
#
# Starts a real slapd on loopback with the test directory of tests/ldap
# (tests/ldap/lib.sh), where alice is in docker-ops; the template maps
# docker-ops to the constrained developer role, so that creates still go
# through the constraints. The unauthenticated calls run as the static
# user "automation" (LDAP is asked about it too, and says no such user).
# Prints rolegate-bench's figures for each; asserts nothing.
set -u

build=$(cd "${1:?usage: $0 BUILD-DIR [COUNT] [ROUNDS]}" && pwd)
count=${2:-20000}
rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/ldap/lib.sh"
set +e

slapd_init bench
slapd_start bench
url=$(slapd_url bench)

template() {
	cat <<EOF
plugin = { socket = "@DIR@/unused.sock"; state = "@DIR@/state-@SYNC@"; };
identity = {
  unauthenticated = "automation";
  users = ( { name = "automation"; groups = ["ci-bots"]; } );
  ldap = {
    uri = "$url";
    user_base = "ou=people,dc=example,dc=org";
    group_base = "ou=groups,dc=example,dc=org";
    cache_ttl = $1;
  };
};
roles = {
  ops = { groups = ["ci-bots"]; allow = ["*"]; };
  developer = {
    groups = ["docker-ops"];
    allow = ["container.*", "image.pull", "image.list", "image.inspect", "system.*",
             "volume.*", "network.list", "network.inspect", "exec.*"];
    deny = ["container.commit", "container.archive.put"];
    constraints = {
      privileged = false;
      host_namespaces = false;
      capabilities = ["NET_BIND_SERVICE"];
      devices = false;
      unconfined = false;
      bind_mounts = ["/tmp/rolegate-bench-projects", "/srv/projects"];
      registries = ["registry.example.org", "docker.io/library"];
      require_limits = ["memory", "pids"];
      exec_user = ["!root", "!0"];
    };
  };
};
audit = { path = "@DIR@/decisions-@SYNC@.log"; sync = "@SYNC@"; responses = "mutating"; };
EOF
}

for ttl in 300 0; do
	template "$ttl" >"$T/ldap-$ttl.tmpl"
	if [ "$ttl" = 0 ]; then
		echo "=== identity from LDAP, no cache (cache_ttl = 0: every call asks slapd)"
	else
		echo "=== identity from LDAP, warm cache (cache_ttl = $ttl)"
	fi
	"$build/bench/rolegate-bench" --template "$T/ldap-$ttl.tmpl" --servers parse,rolegate \
		--sync batch --count "$count" --rounds "$rounds" 2>&1 | grep -v '^rolegate-bench: round'
done
