"""
bigcalls.py SOCKET N SIZE HOLD: N connections each send mallory's container
create, a call of about SIZE bytes, all but its last byte; after HOLD seconds
they send the last byte. Prints "sent ..." once all are held, then "answered
A busy B": how many got a 200 answer, and of those how many were denied as
busy. For tests/hostile/call-budget.sh.
"""
import socket, sys, time, json, base64
path, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
raw = base64.b64encode(b'{"Image":"busybox","Env":["' + b"A" * (size * 3 // 4 - 40) + b'"]}').decode()
b = json.dumps({"User": "mallory", "UserAuthNMethod": "TLS", "RequestMethod": "POST",
    "RequestUri": "/v1.41/containers/create", "RequestBody": raw,
    "RequestHeaders": {"Content-Type": "application/json"}}).encode()
head = b"POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: p\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(b)
socks = []
t0 = time.time()
for i in range(n):
    s = socket.socket(socket.AF_UNIX); s.connect(path); s.sendall(head + b[:-1]); socks.append(s)
print("sent %d x %d bytes in %.1fs" % (n, len(b), time.time() - t0), flush=True)
time.sleep(float(sys.argv[4]) if len(sys.argv) > 4 else 3)
for s in socks: s.sendall(b[-1:])
ok = busy = 0
for s in socks:
    s.settimeout(30)
    try:
        d = b""
        while b"}" not in d:
            c = s.recv(65536)
            if not c:
                break
            d += c
        ok += b"200" in d.split(b"\r\n")[0]
        busy += b"busy" in d
    except Exception:
        pass
print("answered", ok, "busy", busy, flush=True)
