#!/usr/bin/env python3
"""Load for unlink.sh: THREADS threads each send COUNT AuthZReq calls to the
plugin socket over keep-alive HTTP/1.1 connections, alternating a read
(container.list) and a mutating allow (container.start), each naming a unique
object. Every call answered 200 with "Allow" is acknowledged: its object is
printed, one per line, to ACKS."""
import socket
import sys
import threading

sock_path, threads, count, acks_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
lock = threading.Lock()
acks = []


def call(conn, body):
    req = (b"POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: plugin\r\n"
           b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
    conn.sendall(req)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        rest += chunk
    return head.split(b" ")[1], rest[:length]


def run(t):
    conn = socket.socket(socket.AF_UNIX)
    conn.connect(sock_path)
    for i in range(count):
        obj = "u-%d-%d" % (t, i)
        if i % 2:
            uri = "/v1.41/containers/%s/start" % obj
            method = "POST"
        else:
            uri = "/v1.41/containers/json?filters=%s" % obj
            method = "GET"
        body = ('{"User":"alice","UserAuthNMethod":"TLS","RequestMethod":"%s","RequestUri":"%s"}'
                % (method, uri)).encode()
        try:
            status, answer = call(conn, body)
        except (ConnectionError, OSError):
            conn.close()
            conn = socket.socket(socket.AF_UNIX)
            conn.connect(sock_path)
            continue
        if status == b"200" and b'"Allow":true' in answer:
            with lock:
                acks.append(obj)
    conn.close()


ts = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
for th in ts:
    th.start()
for th in ts:
    th.join()
with open(acks_path, "w") as f:
    f.write("".join(a + "\n" for a in acks))
print(len(acks))
