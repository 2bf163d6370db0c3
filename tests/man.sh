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
# The other way round: each form in rolegate(1)'s SYNOPSIS has a usage line
# in its command's --help with every option it shows (and METHOD URI for the
# form that takes them), so --help and the man page name the same options.
problems=$(python3 - "$rolegate" "$page1" <<'PY2'
import re, subprocess, sys
rolegate, page = sys.argv[1:]
text = open(page).read()
syn = text[text.index(".SH SYNOPSIS"):text.index(".SH DESCRIPTION")]
forms = re.findall(r"^\.SY rolegate\n\.B ([a-z ]+)\n(.*?)^\.YS", syn, re.S | re.M)
if not forms:
    print("rolegate.1 has no SYNOPSIS forms")
for cmd, body in forms:
    body = body.replace("\\-", "-")
    want = re.findall(r"--[a-z][a-z-]*", body)
    if re.search(r"^\.I method uri", body, re.M):
        want.append("METHOD URI")
    out = subprocess.run([rolegate, *cmd.split(), "--help"], capture_output=True, text=True).stdout
    usage = out.split("\n\n")[0]
    # one entry per "usage: rolegate ..." or "       rolegate ..." line and its continuations
    entries = re.split(r"\n(?=(?:usage: |       )rolegate )", usage)
    mine = [e for e in entries if re.search(r"rolegate %s( |$)" % cmd, e)]
    if not any(all(w in e for w in want) for e in mine):
        print("rolegate.1's SYNOPSIS form 'rolegate %s %s' has no --help usage line with all of it"
              % (cmd, " ".join(want)))
PY2
)
if [ -n "$problems" ]; then
	while IFS= read -r line; do fail "$line"; done <<<"$problems"
fi

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
