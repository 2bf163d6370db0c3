#!/usr/bin/env python3
"""A capture plugin: a Docker authorization plugin that allows everything and
saves every call dockerd makes, so that rolegate-bench can replay real calls.

usage: capture-plugin.py SOCKET OUTDIR READY-FILE

Serves HTTP/1.1 (keep-alive, as dockerd's plugin client uses it) on the Unix
socket SOCKET. Answers /Plugin.Activate with {"Implements":["authz"]} and
every /AuthZPlugin.AuthZReq and .AuthZRes with {"Allow":true}. Each call is
saved as OUTDIR/NNNN.req.json or NNNN.res.json (the body exactly as
received), and the request line and headers of the first AuthZ call as
OUTDIR/headers.txt. Writes READY-FILE once it listens. Runs until killed.
"""
import http.server
import os
import socketserver
import sys
import threading


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    counter = 0
    lock = threading.Lock()
    outdir = "."
    headers_saved = False


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def address_string(self):
        return "unix"

    def answer(self, body):
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.docker.plugins.v1+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        srv = self.server
        if self.path == "/Plugin.Activate":
            self.answer('{"Implements":["authz"]}')
            return
        kind = {"/AuthZPlugin.AuthZReq": "req", "/AuthZPlugin.AuthZRes": "res"}.get(self.path)
        if kind is None:
            self.send_error(404)
            return
        with srv.lock:
            srv.counter += 1
            name = "%04d.%s.json" % (srv.counter, kind)
            with open(os.path.join(srv.outdir, name), "wb") as f:
                f.write(body)
            if not srv.headers_saved:
                srv.headers_saved = True
                with open(os.path.join(srv.outdir, "headers.txt"), "w") as f:
                    f.write(self.requestline + "\n" + str(self.headers))
        self.answer('{"Allow":true}')


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    sock, outdir, ready = sys.argv[1:]
    if os.path.exists(sock):
        os.unlink(sock)
    srv = Server(sock, Handler)
    srv.outdir = outdir
    with open(ready, "w") as f:
        f.write("ready\n")
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
