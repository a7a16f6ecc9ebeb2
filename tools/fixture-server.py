#!/usr/bin/env python3
"""A local file server for the fetch tests (never the internet): serves the files of ROOT over HTTP/1.1 on 127.0.0.1,
threaded, with single byte ranges (206, 416), HEAD, ETag (size and mtime) and Last-Modified, If-Match (412 when the
file changed), a listing of a folder (an HTML page of <a href> links, as data.police.uk/data/archive/ has), and two
paths that misbehave:
  /cut/PATH   serves PATH, but the first GET of each PATH for more than 4 KiB short of its end (a zip member's data;
              not a 30-byte local header, nor the central directory and end records a zip reader reads to the end)
              sends half of them and cuts the connection;
  /slow/PATH  serves PATH at RATE bytes per second (default 65536), so a test can kill the client mid-file.
It logs each request (method, path, Range, bytes sent, User-Agent) to LOG, prints the port it listens on, and stops by
itself after SECONDS.

Usage: tools/fixture-server.py ROOT LOG [SECONDS] [RATE]
"""
import email.utils, hashlib, html, http.server, os, socketserver, sys, threading, time, urllib.parse

ROOT, LOG = os.path.abspath(sys.argv[1]), sys.argv[2]
SECONDS = float(sys.argv[3]) if len(sys.argv) > 3 else 600
RATE = int(sys.argv[4]) if len(sys.argv) > 4 else 65536
cut_done = set()
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def log(self, sent):
        with lock, open(LOG, "a") as f:
            f.write(f"{self.command}\t{self.path}\t{self.headers.get('Range', '-')}\t{sent}\t{self.headers.get('User-Agent', '')}\n")

    def do_HEAD(self):
        self.serve(body=False)

    def do_GET(self):
        self.serve(body=True)

    def fail(self, code, text):
        data = (text + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(data)
        self.log(0)

    def serve(self, body):
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        mode = None
        for m in ("cut", "slow"):
            if path.startswith(f"/{m}/"):
                mode, path = m, path[len(m) + 1:]
        full = os.path.normpath(os.path.join(ROOT, path.lstrip("/")))
        if not (full == ROOT or full.startswith(ROOT + os.sep)) or not os.path.exists(full):
            return self.fail(404, "not found")
        if os.path.isdir(full):
            names = sorted(os.listdir(full))
            page = "<html><body><ul>\n" + "".join(f'<li><a href="{html.escape(n)}">{html.escape(n)}</a></li>\n' for n in names) + "</ul></body></html>\n"
            data = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if body:
                self.wfile.write(data)
            return self.log(len(data) if body else 0)
        st = os.stat(full)
        etag = '"' + hashlib.sha1(f"{st.st_size}-{st.st_mtime_ns}".encode()).hexdigest()[:16] + '"'
        match = self.headers.get("If-Match")
        if match and match.strip() != "*" and etag not in [t.strip() for t in match.split(",")]:
            return self.fail(412, "precondition failed: the file changed")
        size, start, end, status = st.st_size, 0, st.st_size - 1, 200
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes=") and "," not in rng:
            a, _, b = rng[6:].partition("-")
            try:
                if a == "":
                    start, end = max(0, size - int(b)), size - 1
                else:
                    start, end = int(a), min(int(b), size - 1) if b else size - 1
            except ValueError:
                return self.fail(400, "bad range")
            if start >= size or start > end:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return self.log(0)
            status = 206
        length = end - start + 1
        self.send_response(status)
        self.send_header("Content-Type", "application/zip" if full.endswith(".zip") else "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(st.st_mtime, usegmt=True))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if not body:
            return self.log(0)
        limit = length
        if mode == "cut" and end < size - 1 and length > 4096:
            with lock:
                first = path not in cut_done
                cut_done.add(path)
            if first:
                limit = length // 2
        sent = 0
        with open(full, "rb") as f:
            f.seek(start)
            try:
                while sent < limit:
                    step = min(limit - sent, RATE // 10 if mode == "slow" else 1 << 20)
                    chunk = f.read(step)
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    sent += len(chunk)
                    if mode == "slow":
                        time.sleep(0.1)
            except (BrokenPipeError, ConnectionResetError):
                pass
        self.log(sent)
        if sent < length:
            self.close_connection = True
            try:
                self.wfile.flush()
                self.connection.shutdown(2)
            except OSError:
                pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Timer(SECONDS, server.shutdown).start()
server.serve_forever()
