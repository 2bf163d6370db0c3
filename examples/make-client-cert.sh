#!/bin/sh
# make-client-cert.sh — issue the TLS certificates rolegate's deployment needs.
#
# rolegate learns who is calling from the client certificate dockerd checked:
# dockerd (with --tlsverify) passes the certificate's CN to the plugin as the
# user name. This script runs a tiny certificate authority with openssl:
#
#   make-client-cert.sh [-d DIR] [-f] ca
#       Creates the CA once: DIR/ca.pem (give it to dockerd as --tlscacert and
#       to every user) and DIR/ca-key.pem (keep it secret, mode 0600).
#
#   make-client-cert.sh [-d DIR] [-f] server [NAME...]
#       A certificate for dockerd: DIR/server.pem and DIR/server-key.pem, for
#       127.0.0.1, ::1 and localhost plus every NAME (a DNS name or an IP
#       address), extendedKeyUsage serverAuth. Start dockerd with
#         --tlsverify --tlscacert DIR/ca.pem --tlscert DIR/server.pem \
#         --tlskey DIR/server-key.pem -H tcp://0.0.0.0:2376
#
#   make-client-cert.sh [-d DIR] [-f] client USER...
#       One certificate per user: CN=USER (their directory user name, exactly
#       as rolegate's config and LDAP know it), extendedKeyUsage clientAuth, in
#       DIR/users/USER/{cert.pem,key.pem,ca.pem} — the layout the docker CLI
#       reads from DOCKER_CERT_PATH:
#         export DOCKER_HOST=tcp://dockerhost:2376 DOCKER_TLS_VERIFY=1
#         export DOCKER_CERT_PATH=DIR/users/USER
#
# Options:
#   -d DIR   where the files live (default: the current directory)
#   -f       overwrite existing certificates (default: refuse)
#   -days N  validity of server and client certificates (default 825; CA 3650)
#
# Keys are ECDSA P-256. Exit status: 0 done, 1 refused (file exists, bad
# name), 2 usage error or openssl failure.
set -eu

dir=.
force=0
days=825

usage() {
	sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p;}' "$0"
}

usage_error() {
	usage >&2
	exit 2
}

die() {
	echo "make-client-cert.sh: $*" >&2
	exit "${2:-1}"
}

while [ $# -gt 0 ]; do
	case $1 in
	-d) [ $# -ge 2 ] || usage_error; dir=$2; shift 2 ;;
	-f) force=1; shift ;;
	-days) [ $# -ge 2 ] || usage_error; days=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) usage_error ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage_error
what=$1
shift

command -v openssl >/dev/null 2>&1 || die "openssl is not installed" 2
mkdir -p "$dir"

# Refuses to replace an existing file unless -f.
check_new() {
	for f in "$@"; do
		if [ -e "$f" ] && [ "$force" -eq 0 ]; then
			die "$f exists; use -f to replace it"
		fi
	done
}

need_ca() {
	[ -f "$dir/ca.pem" ] && [ -f "$dir/ca-key.pem" ] ||
		die "no CA in $dir; run '$0 -d $dir ca' first"
}

# Escapes a value for openssl's -subj: '\', '/', '+', ',' and '=' are special.
subj_escape() {
	printf '%s' "$1" | sed 's/[\\/+,=]/\\&/g'
}

# Writes a private key (mode 0600) to $1.
new_key() {
	(umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$1" 2>/dev/null) || die "openssl genpkey failed" 2
}

# Signs a certificate: $1 key, $2 subject, $3 extensions file, $4 output.
sign() {
	openssl req -new -key "$1" -subj "$2" 2>/dev/null |
		openssl x509 -req -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial \
			-days "$days" -sha256 -extfile "$3" -out "$4" 2>/dev/null ||
		die "openssl could not sign $4" 2
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

case $what in
ca)
	[ $# -eq 0 ] || usage_error
	check_new "$dir/ca.pem" "$dir/ca-key.pem"
	new_key "$dir/ca-key.pem"
	openssl req -x509 -new -key "$dir/ca-key.pem" -days 3650 -sha256 \
		-subj "/CN=rolegate docker CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-out "$dir/ca.pem" 2>/dev/null || die "openssl could not create the CA" 2
	echo "CA: $dir/ca.pem (key $dir/ca-key.pem: keep it secret)"
	;;
server)
	need_ca
	check_new "$dir/server.pem" "$dir/server-key.pem"
	san="IP:127.0.0.1,IP:::1,DNS:localhost"
	for name in "$@"; do
		case $name in
		*[!0-9.]*)
			case $name in
			*:*) san="$san,IP:$name" ;;  # IPv6
			*[!A-Za-z0-9.-]*|'') die "not a DNS name or IP address: $name" ;;
			*) san="$san,DNS:$name" ;;
			esac ;;
		*) san="$san,IP:$name" ;;
		esac
	done
	cat >"$tmp" <<-EOF
	basicConstraints = critical,CA:FALSE
	keyUsage = critical,digitalSignature,keyEncipherment
	extendedKeyUsage = serverAuth
	subjectAltName = $san
	EOF
	new_key "$dir/server-key.pem"
	sign "$dir/server-key.pem" "/CN=${1:-localhost}" "$tmp" "$dir/server.pem"
	echo "server: $dir/server.pem ($san)"
	;;
client)
	[ $# -ge 1 ] || usage_error
	need_ca
	cat >"$tmp" <<-EOF
	basicConstraints = critical,CA:FALSE
	keyUsage = critical,digitalSignature
	extendedKeyUsage = clientAuth
	EOF
	for user in "$@"; do
		case $user in
		''|*/*|.|..) die "not a usable user name: '$user'" ;;
		esac
		udir=$dir/users/$user
		check_new "$udir/cert.pem" "$udir/key.pem"
		mkdir -p "$udir"
		new_key "$udir/key.pem"
		sign "$udir/key.pem" "/CN=$(subj_escape "$user")" "$tmp" "$udir/cert.pem"
		cp "$dir/ca.pem" "$udir/ca.pem"
		echo "client $user: $udir/cert.pem"
	done
	;;
*)
	usage_error
	;;
esac
