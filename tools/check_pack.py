#!/usr/bin/env python3
"""Checks a PSPO evidence pack as a reviewer would, independently of hotspot's code.

Usage: tools/check_pack.py [--stderr FILE] PACK_DIR INCIDENTS.csv AREA.geojson TYPE [TYPE ...]

1. Every table on the page (index.html) equals, cell for cell, the exhibit CSV it names; every number marked in the
   running text is in the exhibit it names. So every number in the HTML is also in an exhibit CSV.
2. manifest.json lists every file of the pack with its SHA-256 and size, and nothing else.
3. A sample of the figures is recomputed from the inputs with plain Python (police.uk CSV with Longitude/Latitude,
   the area as WGS84 GeoJSON polygons; point in polygon by ray casting in lon/lat): the incidents inside the area,
   by type and by month, and the area in hectares. Tolerance: a point within 3 m of the area's edge may fall either
   side (lon/lat against British National Grid edges), so counts may differ by at most the number of such points;
   the area within 0.5% (a local equirectangular projection against the National Grid's scale factor).
4. The sections 1-9 are all present, and section 7 is either tables or a marked empty placeholder.
5. The counts (rows read, quarantined by reason, accepted, not selected, inside the boundary, inside the restricted
   area) are defined once, in exhibits/counts.csv: accepted + quarantined = read; every other place that gives one
   (summary, inputs, by type, by source, concentration and zones tables, quarantine.csv, metadata.json, every
   "N accepted" / "N quarantined" / "N rows read" / "N incidents inside" / "N of the chosen types" phrase in the text
   of index.html, of each page of pack.pdf (pdftotext) and of the --stderr file) says the same.
6. No table printed in pack.pdf leaves fewer than 3 of its rows on a page (pdftotext -f N -l N, each row found by
   its cells).
7. Enforcement tables: no count of 1..K-1 shown (K = suppress_below in parameters.csv), and no row or column (with
   its total) holds exactly one withheld cell ("<K" or "*"), so none can be recovered by subtraction.
Exit 0 when all hold; 1 with the reasons otherwise."""
import csv, hashlib, html.parser, json, math, os, re, sys

args = sys.argv[1:]
stderr_file = None
if args[:1] == ["--stderr"]: stderr_file, args = args[1], args[2:]
pack, incidents, area_path, types = args[0], args[1], args[2], set(t.lower() for t in args[3:])
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
    if value not in cells and value.replace(",", "") not in cells: bad(f"the number {value!r} in the text is not in {exhibit}")
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
import shutil
if os.path.exists(pdf):
    import subprocess, tempfile
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
# 5. The counts, defined once.
C = {r[0]: int(r[1]) for r in read_csv("exhibits/counts.csv")[1:]}
reasons = {k[len("quarantined: "):]: v for k, v in C.items() if k.startswith("quarantined: ")}
if C["accepted"] + C["quarantined"] != C["read"]: bad(f"counts.csv: accepted {C['accepted']} + quarantined {C['quarantined']} != read {C['read']}")
if sum(reasons.values()) != C["quarantined"]: bad(f"counts.csv: the reasons {reasons} do not add up to {C['quarantined']} quarantined")
if C["not selected"] + C["inside the boundary"] != C["accepted"]: bad("counts.csv: not selected + inside the boundary != accepted")
def same(where, got, key):
    if int(str(got).replace(",", "")) != C[key]: bad(f"{where} says {got} for '{key}', counts.csv {C[key]}")
for k, key in [("rows_read", "read"), ("rows_quarantined", "quarantined"), ("rows_accepted", "accepted"), ("rows_not_selected", "not selected"),
               ("incidents_analysed", "inside the boundary"), ("incidents_borough", "inside the boundary"), ("incidents_inside", "inside the restricted area")]:
    same(f"summary.csv {k}", summary[k], key)
inp = [r for r in read_csv("exhibits/inputs.csv")[1:] if r[0] == "incidents"]
for col, key in [(3, "read"), (4, "accepted"), (5, "quarantined")]: same(f"inputs.csv (sum of {read_csv('exhibits/inputs.csv')[0][col]})", sum(int(r[col]) for r in inp), key)
for r in inp:
    if int(r[4]) + int(r[5]) != int(r[3]): bad(f"inputs.csv: {r[1]} does not balance")
allt = [r for r in read_csv("exhibits/incidents-by-type.csv")[1:] if r[0] == "All selected types"][0]
same("incidents-by-type.csv inside", allt[1], "inside the restricted area"); same("incidents-by-type.csv borough", allt[3], "inside the boundary")
src = read_csv("exhibits/incidents-by-source.csv")[1:]
same("incidents-by-source.csv (sum inside)", sum(int(r[3]) for r in src), "inside the restricted area")
same("incidents-by-source.csv (sum)", sum(int(r[4]) for r in src), "inside the boundary")
conc = read_csv("exhibits/concentration.csv")[1:]
same("concentration.csv (area)", [r for r in conc if r[1] == "area"][0][2], "inside the restricted area")
same("concentration.csv (borough)", [r for r in conc if r[1] == "borough"][0][2], "inside the boundary")
same("zones.csv (the area)", read_csv("exhibits/zones.csv")[1][2], "inside the restricted area")
q = read_csv("quarantine.csv")[1:]
same("quarantine.csv (rows)", len(q), "quarantined")
qr = {}
for r in q: qr[r[2]] = qr.get(r[2], 0) + 1
if qr != reasons: bad(f"quarantine.csv reasons {qr} differ from counts.csv {reasons}")
meta = json.load(open(os.path.join(pack, "metadata.json")))["counts"]
for k, key in [("read", "read"), ("accepted", "accepted"), ("quarantined", "quarantined"), ("not_selected", "not selected"),
               ("analysed", "inside the boundary"), ("inside_restricted_area", "inside the restricted area")]:
    same(f"metadata.json counts.{k}", meta[k], key)
if meta["quarantined_by_reason"] != reasons: bad(f"metadata.json quarantined_by_reason {meta['quarantined_by_reason']} differs from counts.csv")
N = r"(\d{1,3}(?:,\d{3})+|\d+)"
phrases = [(N + r" rows read", "read"), (r"\bread " + N + r" rows", "read"), (N + r" accepted", "accepted"), (N + r" quarantined", "quarantined"),
           (N + r" incidents inside", "inside the restricted area"), (r"Incidents inside " + N, "inside the restricted area"),
           (r"Incidents inside " + N + r" of", None), (r"of " + N + r" in the (?:study area|borough)", "inside the boundary"),
           (N + r" of the chosen types and period", "inside the boundary"), (N + r" of them inside the restricted area", "inside the restricted area")]
for r_, k_ in [(N + " " + re.escape(reason), "quarantined: " + reason) for reason in reasons]: phrases.append((r_, k_))
def check_text(where, text):
    text = re.sub(r"\s+", " ", text)
    found = 0
    for pat, key in phrases:
        if key is None: continue
        for m_ in re.finditer(pat, text):
            found += 1
            same(f"{where}: '{m_.group(0)}'", m_.group(1), key)
    return found
class Text(html.parser.HTMLParser):
    def __init__(self): super().__init__(); self.parts = []; self.skip = 0
    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"): self.skip += 1
    def handle_endtag(self, tag):
        if tag in ("style", "script"): self.skip -= 1
    def handle_data(self, d):
        if not self.skip: self.parts.append(d)
tx = Text(); tx.feed(re.sub(r"</(dt|td|th|p|div|li|tr|h\d)>", r" </\1>", page))
nh = check_text("index.html", " ".join(tx.parts))
if nh < 4: bad(f"index.html gives only {nh} labelled counts (read, accepted, quarantined, inside…)")
if stderr_file:
    ns = check_text("stderr", open(stderr_file, encoding="utf-8").read())
    if ns < 4: bad(f"the stderr of hotspot pspo gives only {ns} labelled counts")
print(f"  counts.csv: {C['read']} read = {C['accepted']} accepted + {C['quarantined']} quarantined; {C['inside the boundary']} inside the boundary, {C['inside the restricted area']} inside the area; {nh} counts in index.html agree")

# 7. Suppression of the enforcement tables.
params = {r[0]: r[1] for r in read_csv("exhibits/parameters.csv")[1:]}
K = int(params.get("suppress_below", "0").split()[0])
def withheld(c): return c.startswith("<") or c == "*"
def line_ok(where, cells):
    if sum(1 for c in cells if withheld(c)) == 1: bad(f"{where}: exactly one withheld cell in {cells}, recoverable from the total")
for name in ["enforcement-by-restriction", "enforcement-by-characteristic", "enforcement-vs-residents"]:
    path = os.path.join(pack, "exhibits", name + ".csv")
    if not os.path.exists(path): continue
    t = read_csv("exhibits/" + name + ".csv")
    head, body = t[0], t[1:]
    ncols = [j for j, h in enumerate(head) if h not in ("restriction", "object_of_search", "characteristic", "value", "ethnic_group")]
    if name == "enforcement-vs-residents": ncols = [head.index("enforcement")]
    for r in body:
        for j in ncols:
            if re.fullmatch(r"\d+", r[j]) and 0 < int(r[j]) < K and not (r[0] == "Total" and j == len(head) - 1 and name != "enforcement-vs-residents"):
                bad(f"{name}.csv shows a count of {r[j]} (suppress below {K})")
    if K > 1:
        blocks = {}
        for r in body: blocks.setdefault(r[0] if name == "enforcement-by-characteristic" else "", []).append(r)
        for b, rows_ in blocks.items():
            if name != "enforcement-vs-residents":
                for r in rows_: line_ok(f"{name}.csv row {r[:2]}", [r[j] for j in ncols])
            for j in ncols: line_ok(f"{name}.csv column {head[j]} {b}", [r[j] for r in rows_])

# Stop and search find rates: k and n shown only from K, n − k (no further action) never given away, no share beside a
# withheld count.
fr = os.path.join(pack, "exhibits", "enforcement-find-rates.csv")
if os.path.exists(fr):
    for r in read_csv("exhibits/enforcement-find-rates.csv")[1:]:
        k_, n_ = r[2], r[3]
        for c in (k_, n_):
            if re.fullmatch(r"\d+", c) and 0 < int(c) < K: bad(f"enforcement-find-rates.csv shows a count of {c} (suppress below {K})")
        if re.fullmatch(r"\d+", k_) and re.fullmatch(r"\d+", n_) and K > 1 and 0 < int(n_) - int(k_) < K:
            bad(f"enforcement-find-rates.csv row {r[:2]}: n − k = {int(n_) - int(k_)} gives a suppressed count away")
        if (withheld(k_) or withheld(n_)) and r[4]: bad(f"enforcement-find-rates.csv row {r[:2]}: a share beside a withheld count")
    # k and n follow from the object's row of enforcement-by-restriction (its total and no-further-action cells):
    # where one of those is withheld, so are k and n.
    tb = read_csv("exhibits/enforcement-by-restriction.csv")
    nfa = [j for j, h in enumerate(tb[0]) if h in ("A no further action disposal", "Nothing found - no further action", "not recorded", "total")]
    guarded = {("All" if r[0] == "Total" else r[0]) for r in tb[1:] if any(withheld(r[j]) for j in nfa)}
    for r in read_csv("exhibits/enforcement-find-rates.csv")[1:]:
        if r[1] == "found" and r[0] in guarded and re.fullmatch(r"\d+", r[2]) and re.fullmatch(r"\d+", r[3]) and int(r[3]) > 0:
            bad(f"enforcement-find-rates.csv row {r[:2]}: k and n shown where enforcement-by-restriction withholds a cell they give away")

# 6. No table split across pages leaves fewer than 3 rows on a page.
if os.path.exists(pdf) and shutil.which("pdftotext"):
    import subprocess
    pages = []
    n_ = 1
    while True:
        r_ = subprocess.run(["pdftotext", "-f", str(n_), "-l", str(n_), pdf, "-"], capture_output=True, text=True)
        if r_.returncode != 0 or (n_ > 1 and not r_.stdout.strip() and n_ > 200): break
        if r_.returncode != 0: break
        pages.append(re.sub(r"\s+", "", r_.stdout)); n_ += 1
    # Rows are found by their cells run together (pdftotext -layout, whitespace removed); a row whose text occurs
    # anywhere else in the document is ambiguous and not used. A table on one page is whole; a table split over
    # pages must show at least 3 of its rows on each.
    lay = [re.sub(r"\s+", "", subprocess.run(["pdftotext", "-layout", "-f", str(k), "-l", str(k), pdf, "-"], capture_output=True, text=True).stdout) for k in range(1, len(pages) + 1)]
    whole = "".join(lay)
    for exhibit, rows in p.tables:
        body = rows[1:]
        sigs = [sg for sg in ("".join(row).replace(" ", "") for row in body) if len(sg) >= 4 and whole.count(sg) == 1]
        per = [sum(1 for sg in sigs if sg in pg) for pg in lay]
        used = [k for k, c in enumerate(per) if c > 0]
        if len(used) > 1:
            for k in used:
                if per[k] < 3: bad(f"pack.pdf page {k + 1}: {per[k]} row(s) of {exhibit} alone (split over pages {[u + 1 for u in used]})")
    # The check must be able to see rows: the counts table is on some page.
    cnt = ["".join(r[:2]).replace(" ", "") for t_, rows in p.tables if t_ == "exhibits/counts.csv" for r in rows[1:]]
    if not any(all(sg in pg for sg in cnt) for pg in lay): bad("pack.pdf: the rows of the counts table were not found together on one page")
    pdf_counts = sum(check_text(f"pack.pdf page {k}", subprocess.run(["pdftotext", "-f", str(k), "-l", str(k), pdf, "-"], capture_output=True, text=True).stdout) for k in range(1, len(pages) + 1))
    if pdf_counts < 4: bad(f"pack.pdf gives only {pdf_counts} labelled counts")
    print(f"  pack.pdf: {len(pages)} pages, no table leaves fewer than 3 rows on a page; {pdf_counts} counts in its text agree")

for m_ in problems: print("  FAIL " + m_)
sys.exit(1 if problems else 0)
