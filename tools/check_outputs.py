#!/usr/bin/env python3
"""Checks an output folder: every GeoJSON is RFC 7946 (FeatureCollection, no crs, lon/lat in range, <= 6 decimals,
exterior rings counter-clockwise, holes clockwise, closed rings, unique ids) and every metadata.json balances
(accepted + quarantined = read) and lists each output with its SHA-256."""
import hashlib, json, os, re, sys

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
    ids = set()
    for f in d["features"]:
        assert f["id"] not in ids, f"{path}: duplicate id {f['id']}"
        ids.add(f["id"])
        g = f["geometry"]
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
    if m["parameters"].get("job") != "demo":
        assert "quarantine.csv" in listed, f"{folder}: no quarantine.csv"
    else:
        listed |= {p for p in present if p.endswith("metadata.json")}
    assert present == listed, f"{folder}: files not in metadata.json: {sorted(present - listed)}; listed but missing: {sorted(listed - present)}"

root = sys.argv[1]
n = 0
for dirpath, _, files in os.walk(root):
    for f in sorted(files):
        if f.endswith(".geojson"):
            check_geojson(os.path.join(dirpath, f)); n += 1
    if "metadata.json" in files:
        check_meta(dirpath)
assert n > 0, "no GeoJSON found"
print(f"{n} GeoJSON files valid")
