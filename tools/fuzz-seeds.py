#!/usr/bin/env python3
"""Writes the fuzz seed corpus into a folder (tools/fuzz, tools/test): one file per seed, first byte = target
(0 CSV, 1 GeoJSON, 2 command line, 3 project file, 0xF0 incident store entry, 0xF1 GeoPackage, 0xF2 stop-and-search CSV,
0xF3 residents by ethnic group; see
Sources/hotspot-fuzz/Fuzz.swift). Seeds come from the demo data, the
committed fixtures and, when present, the real police.uk files in ../shared (first lines only)."""
import glob, gzip, os, sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
root = os.path.join(os.path.dirname(__file__), "..")
seeds = []

def head(path, n):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rb") as f:
        return b"".join(f.readline() for _ in range(n))

seeds.append(b"\x00" + head(os.path.join(root, "Geodata/demo/incidents.csv"), 12))
seeds.append(b"\x00" + head(os.path.join(root, "Tests/Fixtures/hostile-policeuk.csv"), 40))
seeds.append(b"\x00" + b"i,d,x,y,c,w\n1,2024-01-05,537000.5,175000,Theft,2\n1,2024-01-05,537000.5,175000,Theft,2\n2,2024-02,5.37e5,1.75e5,\"Bur\"\"glary\",x\n")
seeds.append(b"\x00" + b"Crime ID,Month,Longitude,Latitude,Crime type\r,2022-03,-0.02,51.45,Drugs\r")
shared = os.path.join(root, "..", "shared", "data", "policeuk")
for p in sorted(glob.glob(os.path.join(shared, "*", "*.csv*")))[:6]:
    seeds.append(b"\x00" + head(p, 8))
ring = b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A","name":"A"},"geometry":{"type":"Polygon","coordinates":[[[-0.02,51.45],[0,51.45],[0,51.47],[-0.02,51.45]]]}}]}'
seeds.append(b"\x01" + ring)
# Store entries: the magic, a header length, a JSON header (a real one cannot be made here: its identity names the
# file's inode and times), and the magic with garbage counts (issue 21).
seeds.append(b"\xf0" + b"HSTORE03" + (40).to_bytes(8, "little") + b'{"slot":"x","identity":"y","count":3}' + bytes(64))
seeds.append(b"\xf0" + b"HSTORE03" + b"\xff" * 8)
# A GeoPackage: the demo's roads (libFuzzer keeps its first -max_len bytes: a database cut short, as damage makes them).
seeds.append(b"\xf1" + open(os.path.join(root, "Geodata/demo/context/major-roads-dft-mrn-2018.gpkg"), "rb").read())
# The same with NULLs where the GeoPackage standard says NOT NULL (the table and geometry column names): SQLite returns
# NULL text for them, which must not reach String(cString:) (issue 21).
def null_columns(src):
    import shutil, sqlite3, tempfile
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "n.gpkg"); shutil.copy(src, p)
        c = sqlite3.connect(p); c.execute("PRAGMA writable_schema=1")
        c.execute("UPDATE sqlite_master SET sql = replace(replace(sql, 'table_name TEXT NOT NULL', 'table_name TEXT'), 'column_name TEXT NOT NULL', 'column_name TEXT') WHERE name = 'gpkg_geometry_columns'")
        c.commit(); c.close()
        c = sqlite3.connect(p); c.execute("PRAGMA foreign_keys=0"); c.execute("UPDATE gpkg_geometry_columns SET table_name = NULL, column_name = NULL"); c.commit(); c.close()
        return open(p, "rb").read()
seeds.append(b"\xf1" + null_columns(os.path.join(root, "Geodata/demo/context/major-roads-dft-mrn-2018.gpkg")))
seeds.append(b"\x01" + ring.replace(b"{\"type\":\"FeatureCollection\"", b"{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"EPSG:27700\"}}"))
# Stop and search (0xF2) and residents by ethnic group (0xF3): the real files' first lines, and a planted one.
for p in sorted(glob.glob(os.path.join(shared, "met-stop-and-search-*", "*.csv*")))[:2]:
    seeds.append(b"\xf2" + head(p, 10))
seeds.append(b"\xf2" + b"Type,Date,Latitude,Longitude,Outcome,Officer-defined ethnicity\nPerson search,2018-06-01T10:00:00+01:00,51.45,-0.02,Arrest,White\n"
             b"Vehicle search,2018-06-31,,,Strange outcome,Martian\nPerson search,2018-06-02T00:30:00+00:00,95,200,,\n")
for p in sorted(glob.glob(os.path.join(root, "..", "shared", "geodata", "lewisham", "lbl_ethnicity_*.csv")))[:1]:
    seeds.append(b"\xf3" + head(p, 6))
seeds.append(b"\xf3" + b"code,White,Black,Asian,Mixed,Other\nW1,1000,500,1e400,100,100\nW1,1,2,3,4,5\n")
for args in [["grid", "a.csv", "--cell", "100", "--extent", "1", "2", "3", "4"], ["kde", "a.csv", "--bandwidth", "-5", "--threshold", "top:5"],
             ["gistar", "a.csv", "--neighbours", "distance:400", "--areas", "w=x.geojson", "--on", "w"],
             ["emerging", "a.csv", "--step", "6months", "--start", "2023-03", "--radius", "nan"],
             ["compare", "a.csv", "--period", "2019-03..2019-09", "--period", "2020-03..2020-09", "--cell", "1e300"],
             ["areas", "a.csv", "--areas", "../x=y", "--area-epsg", "boundary=27700", "--boundary", "b"]]:
    seeds.append(b"\x02" + b"\x00".join(a.encode() for a in args))
seeds.append(b"\x03" + open(os.path.join(root, "Geodata/demo/project.yaml"), "rb").read())
seeds.append(b"\x03" + b"inputs:\n  files: &a [x.csv]\n  types: *a\nproducts:\n  kde: {cell: 1e9, threshold: top:0}\n  compare: {periods: [2020-13..2020-01]}\n")
for k, s in enumerate(seeds):
    with open(os.path.join(out, f"seed-{k:03d}"), "wb") as f:
        f.write(s)
print(f"{len(seeds)} seeds in {out}")
