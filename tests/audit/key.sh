#!/bin/bash
# audit.key_file: the chain is HMAC-SHA-256. An edited log whose chain was
# recomputed with plain SHA-256 (all an attacker without the key can do) is
# rejected; so is a chain made with another key; a key file others can read
# is refused by the writer and by verify.
. "$(dirname "$0")/lib.sh"
at_setup "$@"

head -c 32 /dev/urandom | base64 >"$AT/audit.key"
chmod 600 "$AT/audit.key"
at_conf k "sync = \"batch\"; key_file = \"$AT/audit.key\";"
at_conf plain 'sync = "batch";'
sed -i "s|$AT/plain/|$AT/k/|" "$AT/plain.conf"   # same log, no key
LOG=$AT/k/decisions.log

check 0 "keyed run" "$LOAD" "$AT/k.conf" 3 100
check 0 "verify with the key" "$RG" log verify -c "$AT/k.conf"
has "300 records checked, chain intact (HMAC key)"
check 1 "verify without the key fails at the first record" "$RG" log verify -c "$AT/plain.conf"
has "$LOG:1: seq 1: the hash does not match the record"
awk '/^```python/{p=1; next} /^```/{p=0} p' "$AT_TOP/docs/audit.md" >"$AT/doc-verify.py"
check 0 "the doc's Python check with --key" python3 "$AT/doc-verify.py" --key "$AT/audit.key" "$LOG"
has "300 records, chain intact"

# The attacker: change who did it, recompute the whole chain with SHA-256.
sed '150s/"user":"load-[0-9]"/"user":"nobody"/' "$LOG" >"$AT/edited.log"
cmp -s "$LOG" "$AT/edited.log" && fail "the edit did not apply"
python3 "$AT_SRC/chainlog.py" rehash "$AT/edited.log" "$AT/forged.log"
check 0 "(the forged chain is consistent as plain SHA-256)" "$RG" log verify --file "$AT/forged.log"
check 1 "with the key, the forged chain is rejected" "$RG" log verify -c "$AT/k.conf" --file "$AT/forged.log"
has "forged.log:1: seq 1: the hash does not match the record: it was changed, or not written with this key"
# ...or recomputed with a guessed key
head -c 32 /dev/urandom | base64 >"$AT/other.key"
python3 "$AT_SRC/chainlog.py" rehash "$AT/edited.log" "$AT/forged2.log" --key "$AT/other.key"
check 1 "a chain made with another key is rejected" "$RG" log verify -c "$AT/k.conf" --file "$AT/forged2.log"
has "forged2.log:1: seq 1:"
# ...and the same edit without recomputing is found at its line
check 1 "the plain edit is found at line 150" "$RG" log verify -c "$AT/k.conf" --file "$AT/edited.log"
has "edited.log:150: seq 150: the hash does not match"

# The key is the file's bytes less trailing newlines: the same key without
# its newline verifies the same chain.
printf '%s' "$(cat "$AT/audit.key")" >"$AT/audit2.key"
chmod 600 "$AT/audit2.key"
sed "s|$AT/audit.key|$AT/audit2.key|" "$AT/k.conf" >"$AT/k2.conf"
check 0 "trailing newline is not part of the key" "$RG" log verify -c "$AT/k2.conf"

# Restart with the key: the chain continues.
check 0 "keyed restart" "$LOAD" "$AT/k.conf" 1 10
check 0 "verify after restart" "$RG" log verify -c "$AT/k.conf"
has "310 records checked, chain intact (HMAC key)"

# A key others can read is refused.
chmod 640 "$AT/audit.key"
check 2 "the writer refuses a group-readable key" "$LOAD" "$AT/k.conf" 1 1
has "group or others have access"
# verify refuses it as check does: an invalid configuration, exit 1 (SPEC.md §2)
check 1 "verify refuses it too" "$RG" log verify -c "$AT/k.conf"
has "chmod 600"
chmod 600 "$AT/audit.key"
printf 'short\n' >"$AT/short.key"
chmod 600 "$AT/short.key"
sed "s|$AT/audit.key|$AT/short.key|" "$AT/k.conf" >"$AT/short.conf"
check 1 "a key shorter than 16 bytes is refused" "$RG" log verify -c "$AT/short.conf"
has "16 to 4096 bytes"

at_finish
