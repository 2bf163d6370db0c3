#!/bin/bash
# The man pages are complete and well-formed: rolegate(1) names every
# subcommand and every option that the subcommands' --help shows, and
# rolegate.conf(5) every configuration key the loader knows (the key tables
# of rbac/policy.c); groff renders both without a warning.
#
# usage: man.sh ROLEGATE-BINARY SOURCE-DIR
set -u
rolegate=${1:?usage: $0 ROLEGATE-BINARY SOURCE-DIR}
src=${2:?usage: $0 ROLEGATE-BINARY SOURCE-DIR}
page1="$src/man/rolegate.1"
page5="$src/man/rolegate.conf.5"
failed=0

fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

if command -v groff >/dev/null 2>&1; then
	for page in "$page1" "$page5"; do
		warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
		[ -z "$warnings" ] || fail "groff warns about $page: $warnings"
	done
else
	echo "groff not installed: rendering not checked"
fi

# roff writes '-' as '\-': compare against the text with those undone.
text1=$(sed 's/\\-/-/g' "$page1")
text5=$(sed 's/\\-/-/g' "$page5")

for cmd in serve check explain test state "log query" "log verify" "log stats" list version; do
	grep -q "^\.SS rolegate $cmd\$" <<<"$text1" || fail "rolegate.1 has no section for rolegate $cmd"
	# shellcheck disable=SC2086
	for opt in $("$rolegate" $cmd --help 2>&1 | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		grep -qF -- "$opt" <<<"$text1" || fail "rolegate.1 does not mention $opt of rolegate $cmd"
	done
done
for section in "EXIT STATUS" "COMMAND NAMES" "DECISION RULES" "DOCKER COMMAND LINES" \
		"THE ACCOUNTABILITY LOG" FILES EXAMPLES; do
	grep -q "^\.SH $section\$" <<<"$text1" || fail "rolegate.1 has no $section section"
done

# Every key of the loader's tables: { "name", K_... }.
keys=$(grep -oE '\{ "[a-z_]+", K_[A-Z]+ \}' "$src/rbac/policy.c" | grep -oE '"[a-z_]+"' | tr -d '"' | sort -u)
[ -n "$keys" ] || fail "no configuration keys found in rbac/policy.c"
for key in $keys; do
	grep -qE "^\.BR? $key( |\$)" <<<"$text5" || fail "rolegate.conf.5 does not describe the key $key"
done
for section in PLUGIN IDENTITY LDAP ROLES CONSTRAINTS AUDIT "DECISION RULES" FILES EXAMPLES; do
	grep -q "^\.SH $section\$" <<<"$text5" || fail "rolegate.conf.5 has no $section section"
done

echo "$failed problems"
[ "$failed" -eq 0 ]
