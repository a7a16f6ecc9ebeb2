#!/usr/bin/env python3
"""Writes a daily-dated copy of the demo incidents (tools/demo, tools/e2e): the same points and crime types as
Geodata/demo/incidents.csv, each given a day of its month drawn from its line number (deterministic), as a mapped
CSV (lon,lat,date,type) with a project file beside it for `hotspot weekly`.
Usage: tools/daily-demo.py FOLDER [LAYERS_OUT] (LAYERS_OUT: the project's `out`, default FOLDER/weekly-out)"""
import csv, hashlib, os, sys

out = sys.argv[1]
layers_out = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else "weekly-out"
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
demo = os.path.join(root, "Geodata", "demo")
os.makedirs(out, exist_ok=True)
days = {2: 28, 4: 30, 6: 30, 9: 30, 11: 30}
with open(os.path.join(demo, "incidents.csv")) as f, open(os.path.join(out, "incidents-daily.csv"), "w", newline="") as g:
    w = csv.writer(g, lineterminator="\n")
    w.writerow(["lon", "lat", "date", "type"])
    for k, r in enumerate(csv.DictReader(f)):
        if not r["Longitude"]:
            continue
        y, m = map(int, r["Month"].split("-"))
        n = 29 if m == 2 and y % 4 == 0 else days.get(m, 31)
        d = int(hashlib.sha256(f"{k}".encode()).hexdigest(), 16) % n + 1
        w.writerow([r["Longitude"], r["Latitude"], f"{y:04d}-{m:02d}-{d:02d}", r["Crime type"]])
with open(os.path.join(out, "weekly.yaml"), "w") as f:
    f.write(f"""# Weekly layers for the daily-dated demo incidents (tools/daily-demo.py)
inputs:
  files: [incidents-daily.csv]
  format: csv
  columns: {{lon: lon, lat: lat, date: date, category: type}}
boundary: {demo}/boundary.geojson
areas:
  wards: {{file: {demo}/wards.geojson, population: {demo}/wards_population.csv}}
out: {layers_out}
map:                     # the weekly map on the demo's context layers (real Lewisham stations, town centres, roads)
  context:
    - {{name: roads, file: {demo}/context/major-roads-dft-mrn-2018.gpkg, attribution: "Context: DfT Major Road Network 2018, OGL v3.0."}}
    - {{name: stations, file: {demo}/context/stations-osm-2024-11.geojson}}
    - {{name: towns, file: {demo}/context/town-centres.geojson, attribution: "Context: London Plan town centres, GLA, OGL v3.0."}}
weekly:                  # windows of `hotspot weekly` (in weeks; months with --monthly)
  hotspot_weeks: 4
  gistar_weeks: 4
  emerging_weeks: 26
  kde_cell: 100
  gistar_cell: 250
""")
print(f"wrote {out}/incidents-daily.csv and {out}/weekly.yaml")
