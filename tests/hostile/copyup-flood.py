"""
copyup-flood.py SOCKET WATCHED FLOODERS SECONDS VICTIM-ROUNDS: for
tests/hostile/copyup-flood.sh. Records WATCHED containers of alice's that
mount volume "vol" (create + 201 AuthZRes, :nocopy), then, while FLOODERS
connections send alice's copying creates (-v vol:/x, answered by a failed
AuthZRes as dockerd does for a create that fails) for SECONDS, bob makes
VICTIM-ROUNDS creates of his own (AuthZReq, 201 AuthZRes) and starts each.
Prints one line per round of bob's: "bob MS-OF-ANSWER VERDICT-OF-START".
"""
import base64, json, os, socket, sys, threading, time

path, watched, flooders, seconds, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])

def call(ep, b):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(60)
    s.connect(path)
    b = json.dumps(b).encode()
    s.sendall(b"POST /AuthZPlugin.%s HTTP/1.1\r\nHost: plugin\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % (ep.encode(), len(b)) + b)
    data = b""
    while b"\r\n\r\n" not in data:
        c = s.recv(65536)
        if not c:
            raise EOFError("closed")
        data += c
    head, rest = data.split(b"\r\n\r\n", 1)
    n = next(int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:"))
    while len(rest) < n:
        rest += s.recv(65536)
    s.close()
    return json.loads(rest[:n])

def b64(x):
    return base64.b64encode(x).decode()

def req(user, name, body):
    return {"User": user, "UserAuthNMethod": "TLS", "RequestMethod": "POST",
            "RequestUri": "/v1.41/containers/create?name=%s" % name,
            "RequestBody": b64(json.dumps(body).encode()), "RequestHeaders": {"Content-Type": "application/json"}}

def res(user, name, body, cid, status):
    r = req(user, name, body)
    r["ResponseStatusCode"] = status
    r["ResponseBody"] = b64(json.dumps({"Id": cid, "Warnings": []}).encode() if status == 201 else b'{"message":"no"}')
    return r

def create(user, name, body, cid, status=201):
    a = call("AuthZReq", req(user, name, body))
    call("AuthZRes", res(user, name, body, cid, status))
    return a

keep = {"Image": "busybox", "HostConfig": {"Binds": ["vol:/data:nocopy"]}}
for i in range(watched):
    if not create("alice", "w%d" % i, keep, "%08x%056x" % (0xa11ce, i)).get("Allow"):
        sys.exit("alice's create w%d refused" % i)

copying = {"Image": "busybox", "HostConfig": {"Binds": ["vol:/x"]}}
end = time.monotonic() + seconds
def flood(k):
    i = 0
    while time.monotonic() < end:
        create("alice", "f%d_%d" % (k, i), copying, "", 0)
        i += 1
ts = [threading.Thread(target=flood, args=(k,)) for k in range(flooders)]
for t in ts:
    t.start()
time.sleep(min(2, seconds / 4))
for i in range(rounds):
    name = "bob%d" % i
    body = {"Image": "busybox"}
    call("AuthZReq", req("bob", name, body))
    t0 = time.monotonic()
    call("AuthZRes", res("bob", name, body, "%08x%056x" % (0xb0b, i), 201))
    t1 = time.monotonic()
    s = call("AuthZReq", {"User": "bob", "UserAuthNMethod": "TLS", "RequestMethod": "POST",
                          "RequestUri": "/v1.41/containers/%s/start" % name})
    print("bob %.0f %s" % ((t1 - t0) * 1000, "allow" if s.get("Allow") else "deny: " + s.get("Msg", "")), flush=True)
for t in ts:
    t.join()
