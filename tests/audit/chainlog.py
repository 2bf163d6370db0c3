#!/usr/bin/env python3
"""Test helper: an independent implementation of the log's hash chain
(docs/audit.md), used to write logs with chosen times for the query tests and
to play the attacker who edits a log and recomputes the chain.

  chainlog.py make OUT [--key FILE] < records.jsonl
      Each input line is a record without seq/prev/hash; "time" may be
      relative ("-90m", "-2h", "-3d", "-10s") or absolute. Writes a chain.
  chainlog.py rehash IN OUT [--key FILE]
      Recomputes seq, prev and hash of every record in IN (as an attacker
      without the key would, with plain SHA-256 unless --key).
"""
import datetime
import hashlib
import hmac
import json
import sys


def load_key(path):
    if path is None:
        return None
    with open(path, "rb") as f:
        return f.read().rstrip(b"\r\n")


def mac(key, body):
    if key:
        return hmac.new(key, body, hashlib.sha256).hexdigest()
    return hashlib.sha256(body).hexdigest()


def seal(rec, seq, prev, key):
    """Serializes rec (without seq/prev/hash) as the writer does and returns (line, hash)."""
    out = {"seq": seq}
    out.update({k: v for k, v in rec.items() if k not in ("seq", "prev", "hash")})
    out["prev"] = prev
    body = json.dumps(out, separators=(",", ":"), ensure_ascii=False).encode()
    h = mac(key, body)
    return body[:-1] + b',"hash":"' + h.encode() + b'"}', h


def when(spec, now):
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    if spec.startswith("-") and spec[-1] in units:
        t = now - datetime.timedelta(seconds=int(spec[1:-1]) * units[spec[-1]])
        return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return spec


def make(out, key):
    now = datetime.datetime.now(datetime.timezone.utc)
    prev, seq = "0" * 64, 0
    with open(out, "wb") as f:
        for line in sys.stdin:
            if not line.strip():
                continue
            rec = json.loads(line)
            rec["time"] = when(rec.get("time", "-0s"), now)
            rec = {"time": rec.pop("time"), **rec}
            seq += 1
            data, prev = seal(rec, seq, prev, key)
            f.write(data + b"\n")


def rehash(src, out, key):
    prev, seq = "0" * 64, 0
    with open(src, "rb") as f, open(out, "wb") as g:
        for line in f:
            rec = json.loads(line)
            seq += 1
            data, prev = seal(rec, seq, prev, key)
            g.write(data + b"\n")


def main(argv):
    key = None
    if "--key" in argv:
        i = argv.index("--key")
        key = load_key(argv[i + 1])
        del argv[i:i + 2]
    if argv[1:2] == ["make"] and len(argv) == 3:
        make(argv[2], key)
    elif argv[1:2] == ["rehash"] and len(argv) == 4:
        rehash(argv[2], argv[3], key)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
