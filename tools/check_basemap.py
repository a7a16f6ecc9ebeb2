#!/usr/bin/env python3
"""The basemap under a map, as drawn: decodes the PNG embedded in MAP.svg (<image id="basemap">) and checks that the
tile server's colour for the zoom fetched covers most of it, that tiles the server did not have (404) are transparent,
and that the server saw the program's User-Agent and no more than MAX tiles.

Usage: tools/check_basemap.py MAP.svg SERVER_LOG MAX"""
import base64, collections, re, struct, sys, zlib
sys.path.insert(0, __import__("os").path.dirname(__file__))
COLOURS = [(0xd8, 0xe8, 0xd0), (0xe6, 0xdc, 0xc8), (0xcf, 0xdf, 0xef)]   # tools/tileserver.py, by zoom % 3


def decode(png):
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    i, idat, w = 8, b"", None
    while i < len(png):
        n, t = struct.unpack(">I4s", png[i:i + 8]); d = png[i + 8:i + 8 + n]; i += 12 + n
        if t == b"IHDR": w, h, depth, ctype = struct.unpack(">IIBB", d[:10])
        elif t == b"IDAT": idat += d
    assert depth == 8 and ctype in (2, 6), (depth, ctype)
    bpp = 4 if ctype == 6 else 3
    raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for r in range(h):
        f, line = raw[r * (stride + 1)], bytearray(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line); prev = line
    return w, h, bpp, rows


svg = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<image id="basemap"[^>]*href="data:image/png;base64,([^"]+)"', svg)
assert m, "no basemap image in the map"
w, h, bpp, rows = decode(base64.b64decode(m.group(1)))
count = collections.Counter(tuple(r[x:x + bpp]) for r in rows for x in range(0, w * bpp, bpp))
opaque = [(c, n) for c, n in count.items() if bpp == 3 or c[3] == 255]
top = max(opaque, key=lambda t: t[1])[0][:3]
assert top in COLOURS, f"the commonest basemap colour {top} is not a tile colour"
share = max(opaque, key=lambda t: t[1])[1] / (w * h)
transparent = sum(n for c, n in count.items() if bpp == 4 and c[3] == 0) / (w * h)
log = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
assert log and all(ua.startswith("hotspot/") for _, ua in log), "a request without the hotspot User-Agent"
tiles = {p for p, _ in log}
assert len(tiles) <= int(sys.argv[3]), f"{len(tiles)} tiles fetched, more than {sys.argv[3]}"
zooms = {p.strip("/").split("/")[0] for p in tiles}
print(f"basemap: {w}×{h} px, tile colour {top} on {share:.0%} of it, {transparent:.1%} transparent (404 tiles), "
      f"{len(tiles)} tiles at zoom {','.join(sorted(zooms))}, every request as {log[0][1].split(' ')[0]}")
