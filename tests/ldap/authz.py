#!/usr/bin/env python3
"""AuthZReq calls to `rolegate serve` over its Unix socket, as dockerd makes
them, timed. For the LDAP tests that need many calls at once.

  authz.py SOCK USER...              one call per user, in turn
  authz.py SOCK --concurrent USER... one call per user, all at once
  authz.py SOCK --latency N USER...  N calls in turn (users in rotation);
                                     prints "median MS max MS"

Each call prints "USER allow|deny MS MESSAGE" (MS: milliseconds, one decimal).
"""
import json
import socket
import statistics
import sys
import threading
import time


def call(sock, user, uri="/v1.41/containers/json"):
    body = json.dumps({"User": user, "UserAuthNMethod": "TLS", "RequestMethod": "GET",
                       "RequestUri": uri}).encode()
    req = (b"POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: plugin\r\n"
           b"Content-Type: application/json\r\nConnection: close\r\n"
           b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    t0 = time.monotonic()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect(sock)
    s.sendall(req)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    ms = (time.monotonic() - t0) * 1000
    ans = json.loads(data.split(b"\r\n\r\n", 1)[1] or b"{}")
    verdict = "allow" if ans.get("Allow") else "deny"
    return verdict, ms, ans.get("Msg", ans.get("Err", ""))


def show(user, r):
    print(f"{user} {r[0]} {r[1]:.1f} {r[2]}", flush=True)


def main():
    sock, args = sys.argv[1], sys.argv[2:]
    if args and args[0] == "--concurrent":
        users = args[1:]
        start = threading.Barrier(len(users))
        lock = threading.Lock()

        def one(u):
            start.wait()
            r = call(sock, u)
            with lock:
                show(u, r)
        ts = [threading.Thread(target=one, args=(u,)) for u in users]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    elif args and args[0] == "--latency":
        n, users = int(args[1]), args[2:]
        ms = []
        for i in range(n):
            r = call(sock, users[i % len(users)])
            if r[0] != "allow":
                print(f"{users[i % len(users)]} denied: {r[2]}", file=sys.stderr)
                sys.exit(1)
            ms.append(r[1])
            if r[1] > 100:
                print(f"slow: call {i} ({users[i % len(users)]}) took {r[1]:.1f} ms", file=sys.stderr)
        print(f"median {statistics.median(ms):.1f} max {max(ms):.1f}", flush=True)
    else:
        for u in args:
            show(u, call(sock, u))


main()
