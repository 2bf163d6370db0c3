#!/bin/bash
# `rolegate test` with quoted group names and --junit FILE (SPEC.md §2): the
# report is parsed by a real XML parser (python3 xml.etree) and must hold one
# <testcase> per case named FILE:LINE, a <failure> with the decision and the
# reason for each miss, an <error> for a line that is not a case, the counts;
# characters special to XML in messages come back intact.
#
# usage: junit.sh ROLEGATE-BINARY
set -u
rg=${1:?usage: $0 ROLEGATE-BINARY}
dir=$(cd "$(dirname "$0")" && pwd)
conf=$dir/list.conf
tmp=$(mktemp -d /tmp/rolegate-junit.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed=0 passed=0

fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
pass() { echo "ok: $*"; passed=$((passed + 1)); }

# Quoted group names decide as the config says; all pass.
out=$("$rg" test -c "$conf" --junit "$tmp/quoted.xml" "$dir/quoted.cases" 2>&1)
rc=$?
[ "$rc" -eq 0 ] && [ "$out" = "9 passed, 0 failed" ] && pass "quoted group names: $out" ||
	fail "quoted.cases: exit $rc: $out"
python3 - "$tmp/quoted.xml" "$dir/quoted.cases" <<'EOF' && pass "quoted.xml: 9 testcases, no failure" || fail "quoted.xml"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.findall("./testsuite/testcase")
assert root.tag == "testsuites" and root.get("tests") == "9" and root.get("failures") == "0", root.attrib
assert [c.get("name") for c in cases] == [f"{sys.argv[2]}:{n}" for n in (3, 4, 5, 6, 7, 9, 11, 13, 14)], [c.get("name") for c in cases]
assert all(len(c) == 0 for c in cases)
EOF

# A wrong expectation is caught: swap allow/deny of the first case.
sed '3s/=> allow/=> deny/' "$dir/quoted.cases" >"$tmp/swapped.cases"
out=$("$rg" test -c "$conf" "$tmp/swapped.cases" 2>&1)
[ $? -eq 1 ] && grep -q "^$tmp/swapped.cases:3: expected deny, got allow (system.ping by role windows" <<<"$out" &&
	pass "a swapped quoted-group case fails" || fail "swapped case: $out"

# Misses, XML-hostile text and a broken line.
out=$("$rg" test -c "$conf" --junit "$tmp/report.xml" "$dir/junit.cases" 2>&1)
rc=$?
[ "$rc" -eq 2 ] && pass "a line that is not a case: exit 2" || fail "junit.cases exited $rc: $out"
grep -qx "2 passed, 4 failed" <<<"$out" && pass "summary line: 2 passed, 4 failed" || fail "summary: $out"
python3 - "$tmp/report.xml" "$dir/junit.cases" <<'EOF' && pass "report.xml parsed and checked" || fail "report.xml"
import sys, xml.etree.ElementTree as ET
f = sys.argv[2]
root = ET.parse(sys.argv[1]).getroot()
assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("6", "3", "1"), root.attrib
suites = root.findall("testsuite")
assert len(suites) == 1 and suites[0].get("name") == f and suites[0].get("tests") == "6"
cases = {c.get("name"): c for c in suites[0].findall("testcase")}
assert list(cases) == [f"{f}:{n}" for n in range(2, 8)], list(cases)
assert len(cases[f"{f}:2"]) == 0 and len(cases[f"{f}:4"]) == 0
fl = cases[f"{f}:3"].find("failure")
assert fl is not None and fl.get("type") == "decision"
assert fl.get("message") == fl.text == ("expected allow, got deny (container.create): bob (roles: developer) "
                                        "may not start privileged containers (--privileged)"), fl.text
# The user name with < > & ' survives escaping, in the attribute and the text.
fl = cases[f"{f}:5"].find("failure")
assert fl.text.startswith("expected allow, got deny (container.create): o<n>e & 'co' (roles: developer) may not start privileged"), fl.text
assert fl.get("message") == fl.text
fl = cases[f"{f}:6"].find("failure")
assert fl.text == 'expected deny, got allow (container.kill by role developer, rule "container.*")', fl.text
er = cases[f"{f}:7"].find("error")
assert er is not None and cases[f"{f}:7"].find("failure") is None and "not a case" in er.text, er
EOF

# Bytes XML cannot carry (a control character, invalid UTF-8) still give a
# well-formed report.
printf 'bob:developers GET /containers/json => deny \001\377\n' >"$tmp/bytes.cases"
"$rg" test -c "$conf" --junit "$tmp/bytes.xml" "$tmp/bytes.cases" >/dev/null 2>&1
python3 -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' "$tmp/bytes.xml" &&
	pass "control bytes and invalid UTF-8: still well-formed XML" || fail "bytes.xml is not well-formed"

# Several files: one suite each.
"$rg" test -c "$conf" --junit "$tmp/two.xml" "$dir/quoted.cases" "$tmp/swapped.cases" >/dev/null 2>&1
python3 -c '
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
assert [(s.get("tests"), s.get("failures")) for s in r.findall("testsuite")] == [("9", "0"), ("9", "1")]
' "$tmp/two.xml" && pass "two cases files: two testsuites" || fail "two.xml"

# An unwritable report is a runtime error (exit 2) naming the file.
out=$("$rg" test -c "$conf" --junit "$tmp/no/such/dir/r.xml" "$dir/quoted.cases" 2>&1)
[ $? -eq 2 ] && grep -q "cannot write the JUnit report $tmp/no/such/dir/r.xml" <<<"$out" &&
	pass "unwritable report: exit 2" || fail "unwritable report: $out"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
