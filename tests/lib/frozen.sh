# shellcheck shell=bash
# tests/lib/frozen.sh — a filesystem that stops answering, for the tests of
# a frozen disk under serve's files: an ext4 on a loop device at $T/mnt,
# frozen with fsfreeze (what `dmsetup suspend`, an LVM snapshot or a backup
# tool's freeze do). Source it once $T exists:
#
#   frozen_require losetup mkfs.ext4 fsfreeze python3   # else SKIP (77)
#   frozen_mount                  # $T/mnt, on $LOOP
#   frozen_freeze / frozen_thaw   # $FROZEN says which
#   trap frozen_cleanup EXIT      # with tests/lib/serve.sh; the clients it
#                                 # started in PIDS
# A test of its own cleanup does as frozen_cleanup: frozen_thaw_quietly
# first (a process asleep in the frozen filesystem cannot be killed), then
# stop processes, then frozen_unmount.

LOOP=""
FROZEN=0
PIDS=()

frozen_require() {
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: a loop device and fsfreeze need root"; exit 77; }
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || { echo "SKIP: needs $c"; exit 77; }
	done
}

frozen_mount() {
	mkdir "$T/mnt"
	truncate -s 64M "$T/disk.img"
	LOOP=$(losetup -f --show "$T/disk.img" 2>/dev/null) || { echo "SKIP: no loop device"; exit 77; }
	mkfs.ext4 -q "$LOOP"
	mount "$LOOP" "$T/mnt" || { echo "SKIP: cannot mount a loop device"; exit 77; }
}

frozen_freeze() {
	fsfreeze -f "$T/mnt"
	FROZEN=1
}

frozen_thaw() {
	fsfreeze -u "$T/mnt"
	FROZEN=0
}

frozen_thaw_quietly() {
	[ "$FROZEN" = 1 ] && fsfreeze -u "$T/mnt" 2>/dev/null
	FROZEN=0
}

frozen_unmount() {
	mountpoint -q "$T/mnt" && { umount "$T/mnt" || umount -l "$T/mnt"; }
	[ -n "$LOOP" ] && losetup -d "$LOOP"
	LOOP=""
}

# The EXIT trap of a test that uses tests/lib/serve.sh: thaw, kill the
# clients in PIDS, unmount, then serve's own cleanup.
frozen_cleanup() {
	local p
	frozen_thaw_quietly
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	PIDS=()
	frozen_unmount
	serve_test_cleanup
}
