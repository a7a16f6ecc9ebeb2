#!/usr/bin/env python3
"""Independent checks of `hotspot fetch api` and `hotspot fetch boundaries` outputs against ../shared (shapely, pyproj).

  check_fetch_api.py api OUT AREA LOG RATE BURST MONTH... -- SOURCE.csv...
      every OUT/MONTH-*-street.csv holds exactly the SOURCE rows of that month whose point lies in AREA (a polygon
      GeoJSON, any CRS it declares), all twelve fields equal (LSOA code and name empty: the API gives none), as a
      multiset; the fixture's LOG shows a 503 (a split), a 429, User-Agent hotspot/…, and no window of its requests
      holding more than BURST + RATE x seconds (+1 for timing jitter).
  check_fetch_api.py boundaries OUT LEWISHAM_DIR
      wards-2024.gpkg and lsoa-2021.gpkg (EPSG:27700) hold the Lewisham wards and LSOAs of ../shared, same ids and
      names, each geometry within 1 mm; the LSOA -> ward lookup CSV is the shared one, the LSOA 2011 -> 2021 lookup
      holds the layer's fields and the authority's LSOAs, sorted; SOURCES.md names the
      services and the ONS licence; manifest.json's SHA-256s are the files'.
Exit 1 with the first difference.
"""
import collections
import csv
import glob
import hashlib
import json
import os
import sqlite3
import sys

from pyproj import Transformer
from shapely import wkb
from shapely.geometry import MultiPolygon, Point, shape
from shapely.ops import unary_union


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def read_area(path):
    d = json.load(open(path))
    name = ((d.get("crs") or {}).get("properties") or {}).get("name", "EPSG:4326")
    epsg = int(name.split(":")[-1]) if name.split(":")[-1].isdigit() else 4326
    return unary_union([shape(f["geometry"]) for f in d["features"]]), epsg


def check_api(out, area_path, log, rate, burst, months, sources):
    area, epsg = read_area(area_path)
    to_area = Transformer.from_crs(4326, epsg, always_xy=True)
    for month in months:
        files = glob.glob(os.path.join(out, f"{month}-*-street.csv"))
        if len(files) != 1:
            fail(f"{month}: {len(files)} fetched files")
        with open(files[0], newline="", encoding="utf-8") as f:
            got = list(csv.reader(f))
        header, got = got[0], got[1:]
        want = []
        for s in sources:
            with open(s, newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f))
            if rows[0] != header:
                fail(f"header {header} is not the source's {rows[0]}")
            for r in rows[1:]:
                if r[1] != month or not r[4]:
                    continue
                x, y = to_area.transform(float(r[4]), float(r[5]))
                if area.contains(Point(x, y)):
                    want.append(r[:7] + ["", ""] + r[9:])
        if not want:
            fail(f"{month}: no source row inside the area (wrong test data?)")
        g, w = collections.Counter(map(tuple, got)), collections.Counter(map(tuple, want))
        if g != w:
            fail(f"{month}: {sum((g - w).values())} rows fetched that the source has not, {sum((w - g).values())} source rows missing; e.g. {list((g - w) or (w - g))[:2]}")
        print(f"ok {month}: {len(got)} rows, the source's rows inside the area")
    reqs = [json.loads(line) for line in open(log)]
    crimes = [r for r in reqs if r["path"].endswith("/crimes-street/all-crime")]
    if not any(r["status"] == 503 for r in crimes):
        fail("no 503: the area was never split")
    if not any(r["status"] == 429 for r in crimes):
        fail("no 429 was met")
    if not all(r["ua"].startswith("hotspot/") for r in reqs):
        fail("a request without the hotspot/VERSION User-Agent")
    t = sorted(r["t"] for r in crimes)
    for i in range(len(t)):
        for j in range(i, len(t)):
            if j - i + 1 > burst + rate * (t[j] - t[i]) + 1:
                fail(f"{j - i + 1} requests in {t[j] - t[i]:.3f} s: more than {burst} + {rate}/s")
    print(f"ok {len(crimes)} requests ({sum(r['status'] == 503 for r in crimes)} answered 503, "
          f"{sum(r['status'] == 429 for r in crimes)} 429), never above {burst} + {rate}/s")


def multi(g):
    return MultiPolygon([g]) if g.geom_type == "Polygon" else g


def gpkg_features(path, table, fields):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    srs = db.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (table,)).fetchone()
    if not srs or srs[0] != 27700:
        fail(f"{path}: table {table} is not in EPSG:27700 ({srs})")
    geom = db.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)).fetchone()[0]
    out = {}
    for row in db.execute(f'SELECT {", ".join(fields)}, "{geom}" FROM "{table}"'):
        blob = row[-1]
        env = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(blob[3] >> 1) & 7]
        out[row[0]] = (row[1:-1], wkb.loads(bytes(blob[8 + env:])))
    return out


def check_boundaries(out, lew):
    wards = json.load(open(os.path.join(lew, "lbl_wd22_proposed_bng.geojson")))
    want = {f["properties"]["WD22CD_proposed"]: ((f["properties"]["WD22NM_proposed"],), shape(f["geometry"])) for f in wards["features"]}
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    from shapely.ops import transform
    lsoas = json.load(open(os.path.join(lew, "lbl_lsoa11_full.json")))
    want_lsoa = {f["properties"]["LSOA11CD"]: ((f["properties"]["LSOA11NM"],), transform(to_bng.transform, shape(f["geometry"])))
                 for f in lsoas["features"]}
    for file, table, fields, ref in [("wards-2024.gpkg", "wards_2024", ["WD24CD", "WD24NM"], want),
                                     ("lsoa-2021.gpkg", "lsoa_2021", ["LSOA21CD", "LSOA21NM"], want_lsoa)]:
        got = gpkg_features(os.path.join(out, file), table, fields)
        if set(got) != set(ref):
            fail(f"{file}: ids differ: extra {sorted(set(got) - set(ref))[:3]}, missing {sorted(set(ref) - set(got))[:3]}")
        for k, (props, g) in got.items():
            if props != ref[k][0]:
                fail(f"{file} {k}: {props} != {ref[k][0]}")
            # Vertex by vertex within 1 mm once both are normalised (ring start and orientation); else how far apart.
            if not multi(g).normalize().equals_exact(multi(ref[k][1]).normalize(), 0.001):
                fail(f"{file} {k}: the geometry differs from the shared one by more than 1 mm (Hausdorff {g.hausdorff_distance(ref[k][1]):.4f} m)")
        print(f"ok {file}: {len(got)} features, the shared ids and names, every vertex within 1 mm")
    with open(os.path.join(lew, "lbl_lsoa11_wd22_proposed.csv"), newline="") as f:
        ref = {r["LSOA11CD"]: r["WD22CD_proposed"] for r in csv.DictReader(f)}
    with open(os.path.join(out, "lsoa21-ward24-lookup.csv"), newline="") as f:
        got = {r["LSOA21CD"]: r["WD24CD"] for r in csv.DictReader(f)}
    if got != ref:
        fail("lsoa21-ward24-lookup.csv is not the shared lookup")
    with open(os.path.join(out, "lsoa11-lsoa21-lookup.csv"), newline="") as f:
        rows = list(csv.reader(f))
    if rows[0] != ["LSOA11CD", "LSOA11NM", "LSOA21CD", "LSOA21NM", "CHGIND", "LAD22CD", "LAD22NM"] or \
            sorted(r[0] for r in rows[1:]) != sorted(want_lsoa) or rows[1:] != sorted(rows[1:]):
        fail("lsoa11-lsoa21-lookup.csv: not the layer's fields, the authority's LSOAs, sorted")
    src = open(os.path.join(out, "SOURCES.md")).read()
    for needle in ["Wards_December_2024_Boundaries_UK_BFC/FeatureServer/0", "LSOA21_WD24_LAD24_EW_LU/FeatureServer/0",
                   "Open Government Licence v3.0", "Contains OS data"]:
        if needle not in src:
            fail(f"SOURCES.md lacks {needle!r}")
    man = json.load(open(os.path.join(out, "manifest.json")))
    for e in man["files"]:
        if hashlib.sha256(open(os.path.join(out, e["file"]), "rb").read()).hexdigest() != e["sha256"]:
            fail(f"manifest.json: {e['file']} has another SHA-256")
    print("ok lookup, SOURCES.md and manifest.json")


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "api":
        k = a.index("--")
        check_api(a[1], a[2], a[3], float(a[4]), float(a[5]), a[6:k], a[k + 1:])
    elif a[0] == "boundaries":
        check_boundaries(a[1], a[2])
    else:
        fail("usage: check_fetch_api.py api|boundaries …")
