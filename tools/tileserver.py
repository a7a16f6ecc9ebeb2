#!/usr/bin/env python3
"""A local XYZ tile server for tests (never the internet): 256 × 256 PNG tiles it draws itself, one flat colour per
zoom level with a darker 1-pixel border, a 404 for tile x % 7 == 3 and y % 5 == 2 (a tile the server does not have),
and a slow tile (2 s) for x % 7 == 5. It logs each request (path and User-Agent) to LOG and stops by itself after
SECONDS. Prints the port it listens on (127.0.0.1), then serves.

Usage: tools/tileserver.py LOG [SECONDS]      URL: http://127.0.0.1:PORT/{z}/{x}/{y}.png
"""
import http.server, socketserver, struct, sys, threading, time, zlib

COLOURS = [(0xd8, 0xe8, 0xd0), (0xe6, 0xdc, 0xc8), (0xcf, 0xdf, 0xef)]


def png(w, h, rows):
    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def tile(z):
    c = COLOURS[z % len(COLOURS)]
    edge = tuple(max(0, v - 60) for v in c)
    rows = []
    for y in range(256):
        row = []
        for x in range(256):
            row += edge if x == 0 or y == 0 else c
        rows.append(row)
    return png(256, 256, rows)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(LOG, "a") as f:
            f.write(f"{self.path}\t{self.headers.get('User-Agent', '')}\n")
        parts = self.path.strip("/").split("?")[0].replace(".png", "").split("/")
        try:
            z, x, y = map(int, parts[-3:])
        except ValueError:
            self.send_error(400); return
        if (x + 2 * y) % 5 == 1:
            self.send_error(404); return
        if (x + y) % 4 == 0:
            time.sleep(1)
        body = tile(z)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


if __name__ == "__main__":
    LOG = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 300
    socketserver.ThreadingTCPServer.daemon_threads = True
    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    threading.Timer(seconds, srv.shutdown).start()
    srv.serve_forever()
