#!/bin/sh
# `rolegate check` reads approved_images files as serve does (issue 20):
# usable = exit 0 with a count, malformed = warnings with line numbers and
# exit 0, wrong mode = exit 1, unreadable = exit 2, --offline skips them.
#
# usage: check-approved.sh ROLEGATE-BINARY
set -u
rolegate=$(readlink -f "${1:?usage: $0 ROLEGATE-BINARY}")
dir=$(mktemp -d /tmp/rolegate-check-approved.XXXXXX) || exit 2
trap 'rm -rf "$dir"' EXIT
chmod 0755 "$dir"
fail=0 pass=0
digest=sha256:d6a7cd2a7371b1a15d543196979ff74fdb027023ebf187d5d329be11055c77fd

cat >"$dir/rolegate.conf" <<CONF
roles = {
  deployer = {
    users = ["dora"];
    allow = ["container.*"];
    constraints = { approved_images = "$dir/approved"; };
  };
  other = {
    users = ["otto"];
    allow = ["container.*"];
    constraints = { approved_images = "$dir/approved"; pinned_images = true; };
  };
};
audit = { path = "$dir/decisions.log"; };
CONF

# expect RC TEXT [ARG...]: check exits RC and its output holds TEXT.
expect() {
	want=$1 text=$2
	shift 2
	out=$("$rolegate" check "$@" -c "$dir/rolegate.conf" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want" ] || ! printf '%s\n' "$out" | grep -qF -- "$text"; then
		echo "FAIL: check $* (want exit $want and \"$text\"): exit $rc"
		printf '%s\n' "$out" | sed 's/^/    /'
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
}

printf '# ok\n%s\nbusybox@%s\n' "$digest" "$digest" >"$dir/approved"
chmod 0644 "$dir/approved"
expect 0 "$dir/approved: 2 approved digests (approved_images of role deployer)"
expect 0 "rolegate.conf: OK"
# read once, though two roles name it
n=$("$rolegate" check -c "$dir/rolegate.conf" 2>&1 | grep -c "approved digests")
if [ "$n" -eq 1 ]; then pass=$((pass + 1)); else echo "FAIL: the file was read $n times"; fail=$((fail + 1)); fi

printf '%s\nbusybox:latest\nbusybox@%s\n%s' "$digest" "sha256:$(printf '%s' "${digest#sha256:}" | tr a-f A-F)" "$digest" >"$dir/approved"
expect 0 "$dir/approved:2: not an entry: write [NAME@]sha256:HEX (warning: serve refuses every image to role deployer until the file parses)"
expect 0 "$dir/approved:3: the digest uses upper-case hex digits"
expect 0 "$dir/approved:4: the last line does not end with a newline"
expect 0 "rolegate.conf: OK"

printf '%s\n' "$digest" >"$dir/approved"
chmod 0666 "$dir/approved"
expect 1 "$dir/rolegate.conf:5: the file $dir/approved is writable by group or others (mode 0666): chmod go-w $dir/approved (approved_images of role deployer)"
chmod 0644 "$dir/approved"
chmod 0777 "$dir"
expect 1 "$dir/rolegate.conf:5: the directory $dir is writable by group or others (mode 0777)"
chmod 0755 "$dir"
# Through a symbolic link, the directory of the file that is read counts:
# whoever can write it replaces the list (the link's own directory is safe).
mkdir -m 0777 "$dir/open" && chmod 0777 "$dir/open" && mv "$dir/approved" "$dir/open/approved" &&
	ln -s "$dir/open/approved" "$dir/approved"
expect 1 "$dir/rolegate.conf:5: the directory $dir/open is writable by group or others (mode 0777)"
rm "$dir/approved" && mv "$dir/open/approved" "$dir/approved" && rmdir "$dir/open"

rm "$dir/approved"
mkdir "$dir/approved"
expect 1 "$dir/rolegate.conf:5: $dir/approved is not a regular file"
rmdir "$dir/approved"
# Every problem as FILE:LINE: message (SPEC.md §2): the line of the configuration that names
# the file, as for bind_password_file and key_file.
expect 2 "$dir/rolegate.conf:5: cannot open $dir/approved: No such file or directory (approved_images of role deployer)"
expect 0 "rolegate.conf: OK" --offline

# All problems, not just the first (SPEC.md §2): a key file that cannot be
# read does not hide the missing approved-images file.
sed 's|^audit = { path = "\([^"]*\)"; };|audit = { path = "\1"; key_file = "'"$dir"'/no-such.key"; };|' \
	"$dir/rolegate.conf" >"$dir/key.conf"
out=$("$rolegate" check -c "$dir/key.conf" 2>&1)
rc=$?
if [ "$rc" -eq 2 ] && printf '%s\n' "$out" | grep -qF "no-such.key" &&
   printf '%s\n' "$out" | grep -qF "cannot open $dir/approved: No such file or directory"; then
	pass=$((pass + 1))
else
	echo "FAIL: check with an unreadable key file and no approved-images file (want exit 2, both named): exit $rc"
	printf '%s\n' "$out" | sed 's/^/    /'
	fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
