#!/usr/bin/env python3
"""A TCP proxy on loopback in front of a real slapd, that can hang.

  proxy.py TARGET-PORT     prints its own port once it listens

SIGUSR1: hang. Connections are still accepted, but from now on nothing is
forwarded, in either direction, on new or open connections: what a wedged
LDAP server (or a stuck load balancer) looks like. SIGUSR2: forward again.
Every change is acknowledged on stdout ("hung" / "flowing"), so that a test
waits for it instead of sleeping.
"""
import signal
import socket
import sys
import threading

target = int(sys.argv[1])
flowing = threading.Event()
flowing.set()


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            # a hang holds what was read: nothing reaches the other side
            flowing.wait()
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(conn):
    try:
        up = socket.create_connection(("127.0.0.1", target))
    except OSError:
        conn.close()
        return
    threading.Thread(target=pump, args=(conn, up), daemon=True).start()
    threading.Thread(target=pump, args=(up, conn), daemon=True).start()


def hang(signum, frame):
    flowing.clear()
    print("hung", flush=True)


def flow(signum, frame):
    flowing.set()
    print("flowing", flush=True)


signal.signal(signal.SIGUSR1, hang)
signal.signal(signal.SIGUSR2, flow)
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0))
ls.listen(256)
print(ls.getsockname()[1], flush=True)
while True:
    c, _ = ls.accept()
    serve(c)
