#!/usr/bin/env python3
"""Checks a PSPO evidence pack as a reviewer would, independently of hotspot's code.

Usage: tools/check_pack.py PACK_DIR INCIDENTS.csv AREA.geojson TYPE [TYPE ...]

1. Every table on the page (index.html) equals, cell for cell, the exhibit CSV it names; every number marked in the
   running text is in the exhibit it names. So every number in the HTML is also in an exhibit CSV.
2. manifest.json lists every file of the pack with its SHA-256 and size, and nothing else.
3. A sample of the figures is recomputed from the inputs with plain Python (police.uk CSV with Longitude/Latitude,
   the area as WGS84 GeoJSON polygons; point in polygon by ray casting in lon/lat): the incidents inside the area,
   by type and by month, and the area in hectares. Tolerance: a point within 3 m of the area's edge may fall either
   side (lon/lat against British National Grid edges), so counts may differ by at most the number of such points;
   the area within 0.5% (a local equirectangular projection against the National Grid's scale factor).
4. The sections 1-9 are all present, and section 7 is either tables or a marked empty placeholder.
Exit 0 when all hold; 1 with the reasons otherwise."""
import csv, hashlib, html.parser, json, math, os, re, sys

pack, incidents, area_path, types = sys.argv[1], sys.argv[2], sys.argv[3], set(t.lower() for t in sys.argv[4:])
problems = []
def bad(msg): problems.append(msg)

page = open(os.path.join(pack, "index.html"), encoding="utf-8").read()
if "http://" in page.replace("http://www.w3.org/2000/svg", "") or "https://" in page:
    bad("index.html refers to the network")

class Tables(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.tables = []; self.nums = []; self.cell = None; self.row = None; self.span = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "data-exhibit" in a: self.tables.append((a["data-exhibit"], []))
        elif tag == "tr" and self.tables: self.row = []
        elif tag in ("td", "th") and self.row is not None: self.cell = ""
        elif tag == "span" and a.get("class") == "n": self.span = (a["data-exhibit"], "")
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None: self.row.append(self.cell); self.cell = None
        elif tag == "tr" and self.row is not None: self.tables[-1][1].append(self.row); self.row = None
        elif tag == "span" and self.span: self.nums.append(self.span); self.span = None
    def handle_data(self, d):
        if self.cell is not None: self.cell += d
        if self.span: self.span = (self.span[0], self.span[1] + d)

p = Tables(); p.feed(page)
def read_csv(rel): return list(csv.reader(open(os.path.join(pack, rel), encoding="utf-8", newline="")))
for exhibit, rows in p.tables:
    want = read_csv(exhibit)
    header = [c.replace("_", " ") for c in want[0]]
    if rows[0] != header: bad(f"{exhibit}: header on the page {rows[0]} differs from the CSV {header}")
    if rows[1:] != want[1:]: bad(f"{exhibit}: the page's table differs from the CSV")
for exhibit, value in p.nums:
    cells = {c for r in read_csv(exhibit) for c in r}
    if value not in cells: bad(f"the number {value!r} in the text is not in {exhibit}")
print(f"  {len(p.tables)} tables equal their exhibits; {len(p.nums)} numbers in the text found in theirs")

# The manifest.
m = json.load(open(os.path.join(pack, "manifest.json")))
listed = {f["path"]: f for f in m["files"]}
on_disk = set()
for d, _, fs in os.walk(pack):
    for f in fs:
        rel = os.path.relpath(os.path.join(d, f), pack)
        if rel != "manifest.json": on_disk.add(rel)
if set(listed) != on_disk: bad(f"manifest.json lists {sorted(set(listed) ^ on_disk)} differently from the folder")
for rel, f in listed.items():
    data = open(os.path.join(pack, rel), "rb").read()
    if hashlib.sha256(data).hexdigest() != f["sha256"] or len(data) != f["bytes"]: bad(f"manifest.json: {rel} does not match")

# Recompute from the inputs.
g = json.load(open(area_path))
polys = []
for f in g["features"]:
    geom = f["geometry"]
    polys += [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
def inside_ring(x, y, ring):
    c = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1: c = not c
    return c
def inside(x, y): return any(inside_ring(x, y, p[0]) and not any(inside_ring(x, y, h) for h in p[1:]) for p in polys)
lat0 = math.radians(sum(pt[1] for p in polys for pt in p[0]) / sum(len(p[0]) for p in polys))
# Metres per degree on the GRS80/WGS84 ellipsoid at the area's latitude.
mx = 111412.84 * math.cos(lat0) - 93.5 * math.cos(3 * lat0) + 0.118 * math.cos(5 * lat0)
my = 111132.92 - 559.82 * math.cos(2 * lat0) + 1.175 * math.cos(4 * lat0) - 0.0023 * math.cos(6 * lat0)
def edge_distance(x, y):
    best = 1e18
    for p in polys:
        for ring in p:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
                ax, ay, bx, by, px, py = x1 * mx, y1 * my, x2 * mx, y2 * my, x * mx, y * my
                dx, dy = bx - ax, by - ay
                t = max(0, min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy or 1)))
                best = min(best, math.hypot(px - ax - t * dx, py - ay - t * dy))
    return best
count, near, by_type, by_month = 0, 0, {}, {}
for r in csv.DictReader(open(incidents, encoding="utf-8-sig")):
    if r.get("Crime type", "").lower() not in types or not r.get("Longitude"): continue
    x, y = float(r["Longitude"]), float(r["Latitude"])
    if edge_distance(x, y) < 3: near += 1
    if inside(x, y):
        count += 1
        by_type[r["Crime type"]] = by_type.get(r["Crime type"], 0) + 1
        by_month[r["Month"][:7]] = by_month.get(r["Month"][:7], 0) + 1
summary = {r[0]: r[1] for r in read_csv("exhibits/summary.csv")[1:]}
if abs(int(summary["incidents_inside"]) - count) > near:
    bad(f"incidents inside: the pack says {summary['incidents_inside']}, recomputed {count} (±{near} near the edge)")
for r in read_csv("exhibits/incidents-by-type.csv")[1:]:
    if r[0] in by_type and abs(int(r[1]) - by_type[r[0]]) > near: bad(f"{r[0]} inside: pack {r[1]}, recomputed {by_type[r[0]]}")
for r in read_csv("exhibits/incidents-by-month.csv")[1:]:
    if abs(int(r[1]) - by_month.get(r[0], 0)) > near: bad(f"{r[0]} inside: pack {r[1]}, recomputed {by_month.get(r[0], 0)}")
def ring_area(ring): return abs(sum((x1 * mx) * (y2 * my) - (x2 * mx) * (y1 * my) for (x1, y1), (x2, y2) in zip(ring, ring[1:]))) / 2
ha = sum(ring_area(p[0]) - sum(ring_area(h) for h in p[1:]) for p in polys) / 1e4
if abs(float(summary["area_ha"]) - ha) > 0.005 * ha: bad(f"area: the pack says {summary['area_ha']} ha, recomputed {ha:.2f}")
si, sa = float(summary["share_of_incidents_pct"]), float(summary["share_of_area_pct"])
if abs(float(summary["concentration_ratio"]) - si / sa) > 0.01 * si / sa + 0.01: bad("concentration ratio is not share of incidents / share of area")
print(f"  recomputed from the inputs: {count} inside (pack {summary['incidents_inside']}, {near} within 3 m of the edge), {len(by_month)} months, area {ha:.2f} ha (pack {summary['area_ha']})")

for k, title in enumerate(["Summary", "Restricted area", "Incident evidence", "Spatial concentration", "Persistence and trend",
                           "Displacement", "Enforcement and equality", "Methods appendix", "To be completed by officers"], 1):
    if f"<h2>{k}. {title}</h2>" not in page: bad(f"section {k} ({title}) is missing")
if "To be completed by officers:" not in page: bad("no officer placeholders")

# pack.pdf: a real PDF whose page 1, rendered by poppler (pdftoppm), is not blank.
pdf = os.path.join(pack, "pack.pdf")
if os.path.exists(pdf):
    import shutil, subprocess, tempfile
    if open(pdf, "rb").read(5) != b"%PDF-": bad("pack.pdf is not a PDF")
    elif shutil.which("pdftoppm"):
        d = tempfile.mkdtemp()
        subprocess.run(["pdftoppm", "-gray", "-r", "40", "-f", "1", "-l", "1", "-singlefile", pdf, os.path.join(d, "p1")], check=True)
        raw = open(os.path.join(d, "p1.pgm"), "rb").read()
        parts = raw.split(maxsplit=4)   # P5, width, height, maxval, pixels
        w, h, px = int(parts[1]), int(parts[2]), parts[4]
        dark = sum(1 for b in px if b < 128)
        shutil.rmtree(d)
        if dark < 0.005 * w * h: bad(f"page 1 of pack.pdf is blank ({dark} dark pixels of {w * h})")
        else: print(f"  pack.pdf page 1 rendered by pdftoppm: {w}×{h}, {100 * dark / (w * h):.1f}% ink")
for m_ in problems: print("  FAIL " + m_)
sys.exit(1 if problems else 0)
