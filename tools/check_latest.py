#!/usr/bin/env python3
"""layers/latest is a fixed address: the same file and GeoPackage layer names every period, holding the newest period
built (the same features and properties as its dated set, the period in manifest.json and in the features' ids).
Usage: tools/check_latest.py LAYERS_DIR NEWEST (e.g. out/layers 2025-W42)"""
import json, os, sqlite3, sys
root, newest = sys.argv[1], sys.argv[2]
latest, dated = os.path.join(root, "latest"), os.path.join(root, newest)
names = ["incidents", "wards", "hotspots", "gistar", "emerging"]
# A project with stop-and-search files (stops: {files}) adds the stops layer.
if os.path.exists(os.path.join(latest, "stops.geojson")): names.append("stops")
for n in names:
    a = json.load(open(os.path.join(latest, f"{n}.geojson")))
    b = json.load(open(os.path.join(dated, f"{n}-{newest}.geojson")))
    assert a["name"] == n, f"latest/{n}.geojson is named {a['name']}"
    assert a["features"] == b["features"], f"latest/{n}.geojson differs from {newest}'s features"
    for ext in (".fields.csv", ".qml") + ((".gpkg",) if n != "incidents" else ()):
        assert os.path.exists(os.path.join(latest, n + ext)), f"latest/{n}{ext} missing"
tables = sorted(r[0] for r in sqlite3.connect(os.path.join(latest, "layers.gpkg")).execute(
    "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'"))
assert tables == sorted(names), tables
assert not [f for f in os.listdir(latest) if newest in f], "a dated name in latest/"
# The map is the dated map, copied (not drawn again): the same bytes.
for ext in ("svg", "pdf", "png"):
    a, b = os.path.join(latest, f"map.{ext}"), os.path.join(dated, f"map-{newest}.{ext}")
    if os.path.exists(b):
        assert open(a, "rb").read() == open(b, "rb").read(), f"latest/map.{ext} differs from map-{newest}.{ext}"
m = json.load(open(os.path.join(latest, "manifest.json")))
assert m["period"] == newest, m["period"]
print(f"latest: fixed names ({', '.join(names)}, layers.gpkg, map.*) holding {newest}")
