#!/usr/bin/env python3
"""Small servers on 127.0.0.1 for the reliability tests. Each binds a free port itself and
writes it to PORT_FILE once it listens, so there is no race for a port.

  servers.py http-backend ROOT PORT_FILE
      smart HTTP for the bare repositories under ROOT through `git http-backend` (CGI),
      push included; request bodies sent with chunked transfer encoding (as libgit2 sends a
      push) are de-chunked for the CGI, which needs CONTENT_LENGTH.
  servers.py garbage KIND PORT_FILE
      answers every connection with something that is not git:
      bytes   - random bytes, then close
      pktline - a well-formed pkt-line that says nothing git knows, then close
      http    - an HTTP 200 with an HTML page (a captive portal)
      close   - accept and close at once
      silent  - accept, read, answer nothing, close after 60 s

Stops on SIGTERM. Standard library only (Debian 12's python3).
"""
import http.server
import os
import random
import signal
import socketserver
import subprocess
import sys
import time


def write_port(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.rename(tmp, path)


class GitHTTP(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: simple and what libgit2 handles
    root = "."

    def log_message(self, fmt, *args):
        sys.stderr.write("http: " + (fmt % args) + "\n")

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(body)
                body += self.rfile.read(size)
                self.rfile.readline(8)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def cgi(self):
        path, _, query = self.path.partition("?")
        body = self.read_body() if self.command == "POST" else b""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": self.root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "REMOTE_ADDR": self.client_address[0],
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        p = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True,
                           timeout=60)
        head, _, rest = p.stdout.partition(b"\r\n\r\n")
        if not _:
            head, _, rest = p.stdout.partition(b"\n\n")
        status, headers = "200 OK", []
        for line in head.decode("latin-1").splitlines():
            k, _, v = line.partition(":")
            if k.lower() == "status":
                status = v.strip()
            elif k:
                headers.append((k, v.strip()))
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(rest)))
        self.end_headers()
        self.wfile.write(rest)
        if p.stderr:
            sys.stderr.write("http-backend: " + p.stderr.decode("utf-8", "replace"))

    do_GET = cgi
    do_POST = cgi


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Garbage(socketserver.BaseRequestHandler):
    kind = "bytes"

    def handle(self):
        s = self.request
        s.settimeout(5)
        try:
            if self.kind == "close":
                return
            try:
                s.recv(4096)
            except OSError:
                pass
            if self.kind == "bytes":
                s.sendall(bytes(random.getrandbits(8) for _ in range(512)))
            elif self.kind == "pktline":
                s.sendall(b"001bnot a git server at all\n0000")
            elif self.kind == "http":
                page = b"<html><body>Please log in to the hotel wifi</body></html>"
                s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                          + str(len(page)).encode() + b"\r\n\r\n" + page)
            elif self.kind == "silent":
                time.sleep(60)
        finally:
            s.close()


class TCP(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("http-backend", "garbage"):
        sys.stderr.write(__doc__)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    if sys.argv[1] == "http-backend":
        GitHTTP.root = os.path.abspath(sys.argv[2])
        srv = Server(("127.0.0.1", 0), GitHTTP)
    else:
        Garbage.kind = sys.argv[2]
        srv = TCP(("127.0.0.1", 0), Garbage)
    write_port(sys.argv[3], srv.server_address[1])
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
