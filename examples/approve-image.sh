#!/bin/sh
# approve-image.sh — the last step of an image pipeline: after the scanner
# passed IMAGE (pushed to, or pulled from, its registry), add its digest to
# the approved-images file that rolegate's approved_images names. rolegate
# serve notices the new file on the next request; no reload is needed.
#
#   usage: approve-image.sh APPROVED-FILE IMAGE...
#   e.g.   scan registry.example.org/team/app:1.4 &&
#          approve-image.sh /etc/rolegate/approved-images registry.example.org/team/app:1.4
#
# The digest is the registry's (RepoDigests: NAME@sha256:...), the one a
# deployer runs with `docker run NAME@sha256:...`; the tag is not written,
# since a tag can be moved after the scan. The file is replaced by rename
# (write a temporary file beside it, then mv), so rolegate never reads it
# half-written. Run it where the docker CLI reaches the daemon that pushed
# or pulled IMAGE (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH), as a
# user who may write the file: root, or the user rolegate runs as.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 APPROVED-FILE IMAGE..." >&2
	exit 2
fi
file=$1
shift
dir=$(dirname "$file")

tmp=$(mktemp "$dir/.approved-images.XXXXXX")
trap 'rm -f "$tmp"' EXIT
if [ -e "$file" ]; then
	cat "$file" >"$tmp"
fi
for image in "$@"; do
	# Only an image that came from (or went to) a registry has a digest there.
	ref=$(docker image inspect --format '{{index .RepoDigests 0}}' "$image" 2>/dev/null) || ref=
	case $ref in
	*@sha256:*) ;;
	*)
		echo "$0: $image has no registry digest (push or pull it first)" >&2
		exit 1
		;;
	esac
	if grep -qxF "$ref" "$tmp"; then
		echo "already approved: $ref"
		continue
	fi
	printf '# %s approved %s\n%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$image" "$ref" >>"$tmp"
	echo "approved: $ref"
done
chmod 0644 "$tmp"
mv -f "$tmp" "$file"
trap - EXIT
