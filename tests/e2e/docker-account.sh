#!/bin/bash
# End-to-end (red team round 14, accountability): the record of a request
# that changes the host names what it did, in full, or the request is refused.
#
#   alice  CN=alice, group docker-ops -> role ops (allow "*", no constraints)
#
# usage: docker-account.sh ROLEGATE-BINARY     (root; exit 77 = skipped)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_setup "${1:?usage: $0 ROLEGATE-BINARY}" alice
command -v curl >/dev/null || e2e_skip "curl is not installed"
start_rolegate "$E2E_SRC/account.conf"
start_dockerd
e2e_import_busybox alice

A=$E2E_CERTS/users/alice
# curl as alice, against dockerd (not the plugin): METHOD PATH [BODY]
# METHOD PATH [BODY|-H HEADER]
api_as_alice() {
	local method=$1 path=$2 extra=()
	shift 2
	if [ $# -ge 1 ] && [ "$1" != -H ]; then
		extra=(-H 'Content-Type: application/json' --data-binary "$1")
	else
		extra=("$@")
	fi
	curl -sS --max-time 60 --cacert "$A/ca.pem" --cert "$A/cert.pem" --key "$A/key.pem" \
		-X "$method" "${extra[@]}" "https://127.0.0.1:$E2E_PORT$path"
}
query() { "$E2E_ROLEGATE" log query -c "$E2E_CONF" --json "$@"; }
# query ARGS... | count: how many records match
count() { query "$@" | wc -l; }

e2e_section "a bind past the log's 256 entries per list is refused, not left out"
mkdir -p "$E2E_DIR/b"
binds="\"$E2E_DIR/b:/m0\""
for i in $(seq 1 299); do binds="$binds,\"$E2E_DIR/b:/m$i\""; done
binds="$binds,\"/etc:/host-etc:ro\""
create_300_binds_last_etc() {
	api_as_alice POST "/v1.41/containers/create?name=manybinds" \
		"{\"Image\":\"busybox\",\"Cmd\":[\"true\"],\"HostConfig\":{\"Binds\":[$binds]}}"
}
expect_ok "may not send a request the log cannot record in full (binds: more than 256" \
	create_300_binds_last_etc
expect_fail "No such object" docker_as alice inspect manybinds
# the refusal's record says what did not fit
if [ "$(count --object manybinds --decision deny --detail cut=binds)" = 1 ]; then
	e2e_pass "the refusal's record names the list that did not fit (details.cut)"
else
	e2e_fail "no refused record of manybinds with details.cut = binds"
fi
expect_ok_match '^[0-9a-f]{64}$' docker_as alice create --name etcbind -v /etc:/host-etc:ro busybox true
if [ "$(count --detail 'bind=/etc' --decision allow)" = 1 ]; then
	e2e_pass "log query --detail bind=/etc finds the one container that mounted /etc"
else
	e2e_fail "log query --detail bind=/etc does not find exactly the etcbind create"
fi

e2e_section "a URI the log would cut is refused when the request changes the host"
expect_ok_match '^[0-9a-f]{64}$' docker_as alice create --name cpsrc busybox true
pad=$(head -c 5000 /dev/zero | tr '\0' a)
cp_padded() { api_as_alice GET "/v1.41/containers/cpsrc/archive?x=$pad&path=/etc/passwd"; }
tag_padded() {
	api_as_alice POST "/v1.41/images/busybox/tag?x=$pad&repo=registry.example.org/prod/app&tag=v1" \
		-H 'Content-Length: 0'
}
ps_padded() { api_as_alice GET "/v1.41/containers/json?x=$pad"; }
expect_ok "may not send a request the log cannot record in full (a URI of 5" cp_padded
expect_ok "may not send a request the log cannot record in full" tag_padded
expect_fail "No such image" docker_as alice image inspect registry.example.org/prod/app:v1
# docker cp as usual: allowed, and the record's URI names the path
expect_ok "" docker_as alice cp cpsrc:/etc/passwd "$E2E_DIR/passwd"
if query --command container.archive.get --decision allow | grep -q 'path=%2Fetc%2Fpasswd\|path=/etc/passwd'; then
	e2e_pass "the record of docker cp names the path it copied"
else
	e2e_fail "no allowed container.archive.get record naming /etc/passwd"
fi
# a read may still send a long query (docker ps --filter ...): it changes nothing
expect_ok "[" ps_padded

e2e_section "the record of an exec (and a run) says what it runs"
expect_ok "" docker_as alice run -d --name web busybox sleep 300
expect_ok "root:" docker_as alice exec web cat /etc/passwd
if [ "$(count --object web --command exec.create --detail cmd=/etc/passwd)" = 1 ]; then
	e2e_pass "log query --detail cmd=/etc/passwd finds the exec"
else
	e2e_fail "the exec's record does not carry its command line"
	query --object web --command exec.create
fi
if [ "$(count --object web --command container.create --detail cmd=sleep)" = 1 ]; then
	e2e_pass "the run's record carries its command"
else
	e2e_fail "the run's record does not carry its command"
fi
# padding an argument past what the record holds does not hide the rest
long=$(head -c 5000 /dev/zero | tr '\0' ' ')
exec_padded() { docker_as alice exec web sh -c "${long}cat /etc/passwd"; }
expect_denied "may not send a request the log cannot record in full (cmd:" exec_padded

e2e_section "log query --object finds a container created or renamed as /NAME"
# dockerd takes one leading '/' off a container's name (docker ps shows
# "hidden"); the record kept it, so --object hidden missed the create.
create_slashed() { api_as_alice POST "/v1.41/containers/create?name=%2Fhidden" '{"Image":"busybox","Cmd":["true"]}'; }
rename_slashed() { api_as_alice POST "/v1.41/containers/hidden/rename?name=%2Fhidden2" -H 'Content-Length: 0'; }
expect_ok '"Id"' create_slashed
expect_ok "hidden" docker_as alice ps -a --format '{{.Names}}'
expect_ok "" rename_slashed
expect_ok "" docker_as alice rm hidden2
n_create=$(count --object hidden --command container.create)
n_rm=$(count --object hidden --command container.remove)
if [ "$n_create" = 2 ] && [ "$n_rm" = 2 ]; then
	e2e_pass "log query --object hidden: its create (request, response) and, through the rename, its removal"
else
	e2e_fail "log query --object hidden: $n_create create and $n_rm remove records (want 2 and 2)"
	query --object hidden
fi

e2e_section "log query --object finds who made a local image name (tag, commit)"
# the record's object is the source (busybox, the container): the name the
# command makes was only in the URI
expect_ok "" docker_as alice tag busybox registry.example.org/prod/app:v2
expect_ok "" docker_as alice commit cpsrc registry.example.org/prod/snap
if [ "$(count --object registry.example.org/prod/app:v2 --command image.tag --decision allow)" = 1 ] &&
	[ "$(count --object registry.example.org/prod/snap:latest --command container.commit)" = 1 ] &&
	[ "$(count --detail 'target=registry.example.org/prod/*' --decision allow)" = 2 ]; then
	e2e_pass "log query --object NAME finds the tag and the commit that made NAME"
else
	e2e_fail "log query --object does not find the tag or commit that made the name"
	query --command image.tag
fi

e2e_section "log query --object finds a network connect of the container"
# the record's object is the network; the container was only in the body
expect_ok "" docker_as alice network create --internal rg-acct-db
expect_ok "" docker_as alice network connect rg-acct-db web
expect_ok "" docker_as alice network disconnect rg-acct-db web
if [ "$(count --object web --command 'network.c*' --decision allow)" -ge 1 ] && [ "$(count --object web --command 'network.d*' --decision allow)" -ge 1 ]; then
	e2e_pass "log query --object web finds the connect and the disconnect"
else
	e2e_fail "log query --object web does not find the network connect"
	query --command 'network.*'
fi
expect_ok "" docker_as alice network rm rg-acct-db
if [ "$(count --command network.create --detail driver=bridge --decision allow)" = 1 ]; then
	e2e_pass "the network create's record names its driver"
else
	e2e_fail "the network create's record does not name its driver"
fi
# a create that mounts web's volumes or joins its namespaces reaches into web
expect_ok "" docker_as alice create --name peek --volumes-from web:ro --pid container:web busybox true
if [ "$(query --object web --command container.create | grep -c '"object":"peek"')" -ge 1 ]; then
	e2e_pass "log query --object web finds the create that reached into web (--volumes-from, --pid)"
else
	e2e_fail "log query --object web does not find the create of peek"
	query --object peek
fi

e2e_section "a certificate with two CNs is refused (dockerd takes the last)"
# /CN=alice/CN=root: openssl shows "CN = alice, CN = root", dockerd calls it root
two=$E2E_DIR/two
mkdir -p "$two"
if openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$two/key.pem" 2>/dev/null &&
	openssl req -new -key "$two/key.pem" -subj "/CN=alice/CN=root" 2>/dev/null |
	openssl x509 -req -CA "$E2E_CERTS/ca.pem" -CAkey "$E2E_CERTS/ca-key.pem" -CAcreateserial \
		-days 2 -out "$two/cert.pem" 2>/dev/null; then
	ping_two_cns() {
		curl -sS --max-time 20 --cacert "$E2E_CERTS/ca.pem" --cert "$two/cert.pem" --key "$two/key.pem" \
			"https://127.0.0.1:$E2E_PORT/v1.41/containers/json"
	}
	expect_ok "root: a client certificate with 2 CNs (common names) is refused" ping_two_cns
else
	e2e_fail "openssl could not make the two-CN certificate"
fi

e2e_shutdown
e2e_finish
