#!/usr/bin/env python3
"""Recomputes the `stops` layer of a weekly or monthly set from the stop-and-search files in plain Python.

    python3 tools/check_weekly_stops.py LAYERS_DIR PERIOD WARDS_BNG.geojson FILE.csv...

PERIOD is a month (2018-09) or an ISO week (2018-W36). A search is in the period by the UK civil date
(Europe/London) of its timestamp; its ward by point in polygon (shapely, points projected to EPSG:27700 with pyproj).
Checks, per ward of LAYERS_DIR/PERIOD/stops-PERIOD.geojson: searches, found (outcome other than no further action),
with_outcome (a known outcome) exactly, find_rate and its Wilson interval to 1e-4, counts of 1…K−1 blank
(K: the manifest's suppress_below); the manifest's searches, no_location and outside_wards; and that
layers/latest/stops.geojson holds the same features when PERIOD is the newest built. Exits 0 with a 'skip' line
when shapely or pyproj is missing.
"""
import csv, datetime, json, os, sys
from zoneinfo import ZoneInfo

try:
    from shapely.geometry import shape, Point
    from shapely.prepared import prep
    from pyproj import Transformer
except ImportError:
    print("skip: shapely/pyproj not installed (python3 -m venv V && V/bin/pip install -r ../shared/peers/requirements.txt)")
    sys.exit(0)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_stops import NFA, ACTIONS, wilson  # noqa: E402

root, period, wards_p, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
london = ZoneInfo("Europe/London")


def civil(s):
    s = s.strip()
    if "T" in s:
        d = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
        return (d.astimezone(london) if d.tzinfo else d).date()
    return datetime.date.fromisoformat(s[:10])


def label(d):
    if "-W" in period:
        y, w, _ = d.isocalendar()
        return f"{y}-W{w:02d}"
    return f"{d.year}-{d.month:02d}"


wards = [(f["properties"].get("WD22CD_proposed") or f["properties"].get("ons_code"), prep(shape(f["geometry"])), shape(f["geometry"]))
         for f in json.load(open(wards_p))["features"]]
tr = Transformer.from_crs(4326, 27700, always_xy=True)
count = {w[0]: [0, 0, 0] for w in wards}
no_loc = outside = total = 0
for f in files:
    for r in csv.DictReader(open(f, encoding="utf-8-sig")):
        if label(civil(r["Date"])) != period:
            continue
        total += 1
        if not r["Latitude"] or not r["Longitude"]:
            no_loc += 1; continue
        pt = Point(*tr.transform(float(r["Longitude"]), float(r["Latitude"])))
        w = next((fid for fid, pg, g in wards if pg.contains(pt) or g.touches(pt)), None)
        if w is None:
            outside += 1; continue
        c = count[w]
        c[0] += 1
        if r["Outcome"] in NFA or r["Outcome"] in ACTIONS:
            c[2] += 1
            c[1] += r["Outcome"] in ACTIONS

dated = os.path.join(root, period)
m = json.load(open(os.path.join(dated, "manifest.json")))
k = m["parameters"]["suppress_below"]
s = m["stops"]
assert (s["searches"], s["no_location"], s["outside_wards"]) == (total, no_loc, outside), (s, total, no_loc, outside)
feats = json.load(open(os.path.join(dated, f"stops-{period}.geojson")))["features"]
# Field names as written (cut to 10 characters; .fields.csv maps the long names to them).
col = {r["column"]: r["field"] for r in csv.DictReader(open(os.path.join(dated, f"stops-{period}.fields.csv")))}
for f in feats: f["properties"] = {k: f["properties"][col.get(k, k)] for k in col}
assert len(feats) == len(wards), (len(feats), len(wards))


def shown(n):
    return None if k > 1 and 0 < n < k else n


blanked = 0
for f in feats:
    p = f["properties"]
    n, found, known = count[p["id"]]
    want = (shown(n), None if shown(found) is None or shown(known) is None or shown(known - found) is None or shown(n) is None else found,
            None if shown(known) is None or shown(n) is None else known)
    got = (p["searches"], p["found"], p["with_outcome"])
    assert got == want, (p["id"], got, want)
    blanked += p["searches"] is None
    if p["found"] is not None and known > 0:
        share, lo, hi = wilson(found, known)
        assert all(abs(a - b) < 1e-4 for a, b in zip((p["find_rate"], p["find_ci_low"], p["find_ci_high"]), (share, lo, hi))), (p, share, lo, hi)
latest = os.path.join(root, "latest")
if os.path.exists(os.path.join(latest, "manifest.json")) and json.load(open(os.path.join(latest, "manifest.json")))["period"] == period:
    assert json.load(open(os.path.join(latest, "stops.geojson")))["features"] == json.load(open(os.path.join(dated, f"stops-{period}.geojson")))["features"], "latest/stops.geojson differs"
print(f"weekly stops {period}: {total} searches ({no_loc} without a location, {outside} outside every ward), "
      f"{sum(c[0] for c in count.values())} in {len(wards)} wards, {blanked} ward(s) blanked below {k}: equal a plain-Python recomputation")
