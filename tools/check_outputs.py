#!/usr/bin/env python3
"""Checks an output folder: every GeoJSON is RFC 7946 (FeatureCollection, no crs, lon/lat in range (points, lines and
polygons), <= 6 decimals, exterior rings counter-clockwise, holes clockwise, closed rings, unique ids) and every metadata.json balances
(accepted + quarantined = read) and lists each output with its SHA-256. Every layer opens styled: a .qml beside
each GeoJSON (well-formed QGIS XML), and each GeoPackage holds an R-tree index and its default style in
layer_styles, and both give every field its full name (NAME.fields.csv) as alias; every raster (NAME-raster.tif,
.asc) has its own raster style NAME-raster.qml. Every map is a PNG of the page size at its resolution that is not blank, and a PDF that opens."""
import hashlib, json, os, re, shutil, sqlite3, struct, subprocess, sys, tempfile, xml.dom.minidom

def area2(r):
    return sum(r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1] for i in range(len(r) - 1))

def check_geojson(path):
    text = open(path).read()
    d = json.loads(text)
    assert d["type"] == "FeatureCollection", path
    assert "crs" not in d, f"{path}: RFC 7946 has no crs member"
    for g in re.finditer(r'"coordinates":(\[[^{}]*\])', text):
        for m in re.finditer(r"-?\d+\.(\d+)", g.group(1)):
            assert len(m.group(1)) <= 6, f"{path}: coordinate with more than 6 decimals"
    # Layer fields survive a Shapefile export: ≤ 10 characters of a–z, 0–9, _; NAME.fields.csv lists each.
    names = list(d["features"][0]["properties"].keys()) if d["features"] else []
    for k in names:
        assert re.fullmatch(r"[a-z0-9_]{1,10}", k), f"{path}: field '{k}' is not Shapefile-safe"
    fields = path[:-len(".geojson")] + ".fields.csv"
    assert os.path.exists(fields), f"{path}: no {os.path.basename(fields)}"
    import csv
    listed = [r["field"] for r in csv.DictReader(open(fields))]
    assert listed == names or not names, f"{fields}: lists {listed[:5]}…, the layer has {names[:5]}…"
    ids = set()
    for f in d["features"]:
        assert f["id"] not in ids, f"{path}: duplicate id {f['id']}"
        ids.add(f["id"])
        g = f["geometry"]
        if g["type"] in ("Point", "LineString"):
            for x, y in [g["coordinates"]] if g["type"] == "Point" else g["coordinates"]:
                assert -180 <= x <= 180 and -90 <= y <= 90, f"{path}: not lon/lat"
            continue
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        for p in polys:
            for k, ring in enumerate(p):
                assert ring[0] == ring[-1], f"{path}: ring not closed"
                for x, y in ring:
                    assert -180 <= x <= 180 and -90 <= y <= 90, f"{path}: not lon/lat"
                a = area2(ring)
                assert (a > 0) if k == 0 else (a < 0), f"{path}: {f['id']} ring {k} wrong winding"
    return len(d["features"])

def check_meta(folder):
    m = json.load(open(os.path.join(folder, "metadata.json")))
    weekly = "period" in m and "unit" in m  # a weekly (or monthly) layer set: manifest.json is its record
    if not weekly:
        c = m["counts"]
        assert c["accepted"] + c["quarantined"] == c["read"], f"{folder}: counts do not balance {c}"
        for f in m["inputs"]:
            assert f["accepted"] + sum(f["quarantined"].values()) == f["read"], f
    for o in m["outputs"]:
        h = hashlib.sha256(open(os.path.join(folder, o["path"]), "rb").read()).hexdigest()
        assert h == o["sha256"], f"{o['path']}: SHA-256 in metadata does not match"
    # The folder holds exactly what metadata.json lists: nothing stale from an earlier run, nothing missing.
    present = set()
    for d, _, fs in os.walk(folder):
        for f in fs:
            present.add(os.path.relpath(os.path.join(d, f), folder))
    listed = {o["path"] for o in m["outputs"]} | {"metadata.json"}
    if weekly or m["parameters"].get("job") == "pspo":
        # manifest.json hashes metadata.json, so it is written after it (tools/check_pack.py checks the manifest).
        listed |= {"manifest.json"}
    if weekly:
        pass
    elif m["parameters"].get("job") not in ("demo", "run"):
        assert "quarantine.csv" in listed, f"{folder}: no quarantine.csv"
    else:
        listed |= {p for p in present if p.endswith("metadata.json")}
    assert present == listed, f"{folder}: files not in metadata.json: {sorted(present - listed)}; listed but missing: {sorted(listed - present)}"

def check_styles(path):
    qml = path[:-len(".geojson")] + ".qml"
    assert os.path.exists(qml), f"{path}: no .qml style beside it"
    doc = xml.dom.minidom.parse(qml)
    assert doc.getElementsByTagName("renderer-v2"), f"{qml}: no renderer"
    gpkg = path[:-len(".geojson")] + ".gpkg"
    c = sqlite3.connect(gpkg)
    table = c.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'").fetchone()[0]
    styles = c.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = ? AND useAsDefault = 1", (table,)).fetchall()
    assert len(styles) == 1, f"{gpkg}: no default style for {table} in layer_styles"
    # A categorized style's categories are values the field holds (as codes for a text field they match nothing and
    # QGIS draws no feature: the weekly hotspots' status once).
    r = doc.getElementsByTagName("renderer-v2")[0]
    if r.getAttribute("type") == "categorizedSymbol":
        field = r.getAttribute("attr")
        cats = {c.getAttribute("value") for c in r.getElementsByTagName("category")}
        feats = json.load(open(path))["features"]
        held = {str(f["properties"].get(field)) for f in feats if f["properties"].get(field) is not None}
        assert not held or held & cats, f"{qml}: categories {sorted(cats)} match none of {field}'s values {sorted(held)[:5]}"
    # The same style; only the aliases' field index differs (the GeoPackage's fid is QGIS's field 0).
    unindexed = lambda q: re.sub(r'(<alias field="[^"]*") index="[0-9]+"', r"\1", q)
    assert unindexed(styles[0][0]) == unindexed(open(qml).read()), f"{gpkg}: layer_styles differs from the .qml"
    # Every field of NAME.fields.csv has its full name as alias, in the .qml and in layer_styles.
    import csv
    with open(path[:-len(".geojson")] + ".fields.csv", newline="", encoding="utf-8") as f:
        want = {r["field"]: r["column"] for r in csv.DictReader(f)}
    for where, text in ((qml, open(qml).read()), (gpkg + " layer_styles", styles[0][0])):
        got = {a.getAttribute("field"): a.getAttribute("name") for a in xml.dom.minidom.parseString(text).getElementsByTagName("alias")}
        assert got == want, f"{where}: aliases {got} are not the full names of {want}"
    n, r = c.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0], c.execute(f'SELECT count(*) FROM "rtree_{table}_geom"').fetchone()[0]
    assert n == r, f"{gpkg}: R-tree holds {r} of {n} features"

def check_raster(path):
    """A raster (NAME-raster.tif/.asc) has its own raster style NAME-raster.qml: QGIS opens a file with the .qml of
    its base name, and a vector style on a raster draws it black."""
    base = os.path.splitext(path)[0]
    assert base.endswith("-raster"), f"{path}: a raster named like its vector layer would open with the vector's .qml"
    doc = xml.dom.minidom.parse(base + ".qml")
    r = doc.getElementsByTagName("rasterrenderer")
    assert r and r[0].getAttribute("type") == "singlebandpseudocolor", f"{base}.qml: not a singleband pseudocolour raster style"
    if path.endswith(".asc"):
        assert os.path.exists(base + ".prj"), f"{path}: no .prj beside it"

def check_map(png):
    with open(png, "rb") as f:
        head = f.read(24)
    w, h = struct.unpack(">II", head[16:24])
    # A4 (297 × 210 mm) and A3 (420 × 297 mm) pages: √2 sides; at the default 300 dpi A4 is 3508 × 2480 pixels.
    assert abs(max(w, h) / min(w, h) - 297 / 210) < 0.004, f"{png}: {w}×{h} is not an A-series page"
    assert min(w, h) >= 600, f"{png}: {w}×{h} is too small to print"
    pdf = png[:-4] + ".pdf"
    if os.path.exists(pdf) and shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True)
        assert info.returncode == 0 and re.search(r"^Pages:\s+1$", info.stdout, re.M), f"{pdf}: pdfinfo cannot open it"
        if shutil.which("pdftoppm"):
            with tempfile.TemporaryDirectory() as t:
                subprocess.run(["pdftoppm", "-r", "20", pdf, t + "/p"], check=True)
                data = open(os.path.join(t, sorted(os.listdir(t))[0]), "rb").read()
                parts = data.split(b"\n", 3)
                px = parts[3]
                colours = {px[i:i + 3] for i in range(0, len(px) - 2, 3)}
                inked = sum(1 for i in range(0, len(px) - 2, 3) if px[i:i + 3] != b"\xff\xff\xff")
                assert len(colours) >= 6 and inked > len(px) // 3 // 20, f"{pdf}: the page looks blank ({len(colours)} colours, {inked} inked pixels)"

root = sys.argv[1]
n = 0
for dirpath, _, files in os.walk(root):
    for f in sorted(files):
        if f.endswith(".geojson"):
            check_geojson(os.path.join(dirpath, f)); n += 1
            if os.path.exists(os.path.join(dirpath, f[:-len(".geojson")] + ".gpkg")):
                check_styles(os.path.join(dirpath, f))
        if f.endswith((".tif", ".asc")):
            check_raster(os.path.join(dirpath, f))
        if (f.startswith("map") or f.startswith("profile-")) and f.endswith(".png"):
            check_map(os.path.join(dirpath, f))
    if "metadata.json" in files:
        check_meta(dirpath)
assert n > 0, "no GeoJSON found"
print(f"{n} GeoJSON files valid")
