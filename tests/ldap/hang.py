#!/usr/bin/env python3
"""Servers that never answer, for the outage tests. Prints the port once it
listens, then runs until killed.

  hang.py          accepts TCP connections and never reads or writes: what
                   a wedged LDAP server looks like
  hang.py --full   never accepts, and fills its own accept queue, so that the
                   kernel drops further SYNs: what an unreachable host
                   behind a silent firewall looks like (connect hangs)
"""
import socket
import sys
import time

full = "--full" in sys.argv[1:]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
held = []
if full:
    s.listen(0)
    # Fill the accept queue until a connect of our own no longer completes.
    for _ in range(8):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setblocking(False)
        c.connect_ex(("127.0.0.1", port))
        held.append(c)
        time.sleep(0.05)
else:
    s.listen(64)
print(port, flush=True)
while True:
    if full:
        time.sleep(3600)
    else:
        conn, _ = s.accept()
        held.append(conn)  # never read, never write, never close
