"""
frozen-disk.py SOCKET TIMEOUT KINDS: one call per letter of KINDS, each on a
connection of its own, all sent at once; prints, in KINDS order, "KIND
SECONDS VERDICT" (VERDICT allow, deny: MESSAGE, or TIMEOUT after TIMEOUT
seconds). For tests/hostile/frozen-disk.sh.
  r  alice's read (GET /containers/json)       d  mallory's (no role) read
  m  alice's container start (mutating)        c  the AuthZRes of alice's create
"""
import base64, json, os, socket, sys, threading, time

path, tmo, kinds = sys.argv[1], float(sys.argv[2]), sys.argv[3]

def body(kind, i):
    if kind == "c":
        ans = json.dumps({"Id": "%040d%08x%08x%08x" % (0, os.getpid(), i, int(time.time())),
                          "Warnings": []}).encode()
        return "AuthZRes", {"User": "alice", "UserAuthNMethod": "TLS", "RequestMethod": "POST",
                "RequestUri": "/v1.41/containers/create?name=f-%d-%d-%d" % (os.getpid(), i, int(time.time())),
                "RequestBody": base64.b64encode(b'{"Image":"busybox"}').decode(),
                "RequestHeaders": {"Content-Type": "application/json"},
                "ResponseStatusCode": 201, "ResponseBody": base64.b64encode(ans).decode()}
    user = "mallory" if kind == "d" else "alice"
    if kind == "m":
        return "AuthZReq", {"User": user, "UserAuthNMethod": "TLS", "RequestMethod": "POST",
                            "RequestUri": "/v1.41/containers/x%d/start" % i}
    return "AuthZReq", {"User": user, "UserAuthNMethod": "TLS", "RequestMethod": "GET",
                        "RequestUri": "/v1.41/containers/json?%s=%d" % (kind, i)}

def call(kind, i, out):
    t0 = time.monotonic()
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(tmo)
        s.connect(path)
        ep, b = body(kind, i)
        b = json.dumps(b).encode()
        s.sendall(b"POST /AuthZPlugin.%s HTTP/1.1\r\nHost: plugin\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % (ep.encode(), len(b)) + b)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                raise EOFError("closed")
            data += chunk
        head, rest = data.split(b"\r\n\r\n", 1)
        n = next(int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:"))
        while len(rest) < n:
            rest += s.recv(65536)
        j = json.loads(rest[:n])
        v = "allow" if j.get("Allow") else "deny: " + (j.get("Msg") or j.get("Err") or "")
    except socket.timeout:
        v = "TIMEOUT"
    except Exception as e:
        v = "error: %s" % e
    out[i] = "%s %.1f %s" % (kind, time.monotonic() - t0, v)

out = [None] * len(kinds)
threads = [threading.Thread(target=call, args=(k, i, out)) for i, k in enumerate(kinds)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("\n".join(out))
