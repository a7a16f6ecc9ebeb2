#!/usr/bin/env python3
"""The basemap under a map, as drawn: decodes the PNG embedded in MAP.svg (<image id="basemap">) and checks that the
tile server's colour for the zoom fetched covers most of it, that tiles the server did not have (404) are transparent,
and that the server saw the program's User-Agent and no more than MAX tiles.

Usage: tools/check_basemap.py MAP.svg SERVER_LOG MAX"""
import base64, collections, os, re, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
COLOURS = [(0xd8, 0xe8, 0xd0), (0xe6, 0xdc, 0xc8), (0xcf, 0xdf, 0xef)]   # tools/tileserver.py, by zoom % 3


from pngpixels import pixels as decode


svg = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<image id="basemap"[^>]*href="data:image/png;base64,([^"]+)"', svg)
assert m, "no basemap image in the map"
w, h, bpp, rows = decode(base64.b64decode(m.group(1)))
assert bpp in (3, 4), f"{bpp} channels"
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
