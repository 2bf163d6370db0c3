#!/usr/bin/env python3
"""A fake dockerd for capturing what the docker CLI sends.

    fake-dockerd.py SOCKET LOG READY-FILE

Listens on the Unix socket SOCKET, answers /_ping as an API 1.41 daemon,
answers the few lookups the CLI makes before the request that matters (a
container inspect, a plugin's privileges, the stat of a `docker cp`
destination) so that it goes on to that request, and answers every other
request with a 500 error so that the CLI stops there: the last request
logged is the one the command is about. Each request other than /_ping is
appended to LOG as one JSON line {"method", "uri", "content_type", "body"}
(body: the text, null when empty, "<binary N bytes>" when not UTF-8).
READY-FILE is created once the socket accepts connections.
"""
import base64
import json
import os
import re
import socketserver
import sys
from http.server import BaseHTTPRequestHandler

API = "1.41"
INSPECT = re.compile(r"^(/v[0-9.]+)?/(containers|images|networks|volumes)/([^?]+)/json(\?.*)?$")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def reply(self, status, obj=None):
        data = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Api-Version", API)
        self.send_header("Ostype", "linux")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def handle_any(self):
        body = self.read_body()
        path = self.path.split("?")[0]
        if re.match(r"^(/v[0-9.]+)?/_ping$", path):
            return self.reply(200, None) if self.command == "HEAD" else self.reply_ping()
        try:
            text = body.decode("utf-8") if body else None
        except UnicodeDecodeError:
            text = "<binary %d bytes>" % len(body)
        with open(sys.argv[2], "a") as log:
            log.write(json.dumps({"method": self.command, "uri": self.path,
                                  "content_type": self.headers.get("Content-Type"),
                                  "body": text}) + "\n")
        m = INSPECT.match(self.path)
        if self.command == "GET" and m and m.group(2) == "containers":
            # The id is the name, so that requests the CLI makes by id
            # (`docker logs` does) name the container as the command line did.
            return self.reply(200, {"Id": m.group(3), "Name": "/" + m.group(3),
                                    "State": {"Running": True, "Status": "running"},
                                    "Config": {"Tty": False, "OpenStdin": False},
                                    "HostConfig": {}, "NetworkSettings": {"Ports": {}}})
        if self.command == "GET" and re.match(r"^(/v[0-9.]+)?/plugins/privileges$", path):
            return self.reply(200, [])
        if self.command == "HEAD" and re.match(r"^(/v[0-9.]+)?/containers/.*/archive$", path):
            return self.reply_dir_stat()
        self.reply(500, {"message": "fake-dockerd: stop here"})

    def reply_dir_stat(self):
        """A `docker cp` destination: an existing directory."""
        stat = {"name": "dir", "size": 4096, "mode": (1 << 31) | 0o755,
                "mtime": "2024-01-01T00:00:00Z", "linkTarget": ""}
        self.send_response(200)
        self.send_header("Api-Version", API)
        self.send_header("X-Docker-Container-Path-Stat",
                         base64.b64encode(json.dumps(stat).encode()).decode())
        self.send_header("Content-Length", "0")
        self.end_headers()

    def reply_ping(self):
        data = b"OK"
        self.send_response(200)
        self.send_header("Api-Version", API)
        self.send_header("Ostype", "linux")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):
        sock, _ = super().get_request()
        return sock, ("local", 0)


def main():
    if os.path.exists(sys.argv[1]):
        os.unlink(sys.argv[1])
    server = Server(sys.argv[1], Handler)
    open(sys.argv[3], "w").close()
    server.serve_forever()


main()
