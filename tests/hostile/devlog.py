#!/usr/bin/env python3
# A stand-in for the syslog daemon's /dev/log (tests/hostile/syslog-hung.sh):
# binds PATH, says so in READY, reads nothing until GO exists (a daemon that
# hangs: senders fill its queue), then appends every message to OUT.
import os, socket, sys, time

path, ready, go, out = sys.argv[1:5]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(ready, "w") as f:
    f.write("ok\n")
while not os.path.exists(go):
    time.sleep(0.05)
with open(out, "ab", buffering=0) as f:
    while True:
        f.write(s.recv(1 << 17) + b"\n")
