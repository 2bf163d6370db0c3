#!/usr/bin/env bash
# Prints lookup latency through the directory against a local slapd: a
# lookup that asks LDAP (cache_ttl = 0) versus one answered from the cache.
# A benchmark prints figures; it asserts nothing about speed.
#
# usage: bench.sh DIRLOOKUP [N]
DIRLOOKUP=$1
N=${2:-2000}
. "$(dirname "$0")/lib.sh"

slapd_init main
slapd_start main
URL=$(slapd_url main)
rg_conf "$T/fresh.conf" "$URL" 'cache_ttl = 0;'
rg_conf "$T/cached.conf" "$URL" 'cache_ttl = 300;'
for user in alice carol frank; do
	echo "== $user ($("$DIRLOOKUP" -c "$T/cached.conf" "$user" 2>/dev/null | sed 's/^[^:]*: ldap: //' | tr ',' ' ' | wc -w) groups)"
	printf 'ldap (cache_ttl = 0):  '
	"$DIRLOOKUP" -c "$T/fresh.conf" --bench "$N" "$user" 2>/dev/null | sed -n 's/^bench: //p'
	printf 'cached:                '
	"$DIRLOOKUP" -c "$T/cached.conf" --bench $((N * 100)) "$user" 2>/dev/null | sed -n 's/^bench: //p'
done
