#!/usr/bin/env python3
"""Checks gen_national.py on a small run (≈ 30 s; not in tools/e2e, whose budget is seconds):

    /usr/bin/python3 Benchmarks/national/check_national.py [--keep DIR]

Generates 20,000 rows and 2,000 LSOAs twice (1 and 2 writer processes) and checks: the two runs byte-identical;
120 months 2016-01…2025-12, each with a file per force with rows (43 forces) named YYYY-MM/YYYY-MM-<slug>-street.csv; the header
exactly police.uk's; 12 fields a row; rows per force equal to the population share (largest remainder, so within
one row); 20 % ± 2 % anti-social behaviour, all without Crime ID, every other row with a 64-hex id; coordinates with
6 decimals; the LSOA layer's codes E01…/W01… unique, and each located row's LSOA polygon containing its point.
Exits 1 with the failed checks listed.
"""
import argparse
import csv
import filecmp
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_national as g  # noqa: E402

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def run(out, jobs):
    subprocess.run([sys.executable, os.path.join(HERE, "gen_national.py"), "--n", "20000", "--lsoas", "2000",
                    "--jobs", str(jobs), "--out", out], check=True, stdout=subprocess.DEVNULL)


def same_tree(a, b):
    cmp = filecmp.dircmp(a, b)
    stack = [cmp]
    while stack:
        c = stack.pop()
        diff = [f for f in c.common_files if f != "manifest.json" and not filecmp.cmp(os.path.join(c.left, f), os.path.join(c.right, f), shallow=False)]
        if c.left_only or c.right_only or diff:
            return False
        stack.extend(c.subdirs.values())
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", help="folder to keep the generated data in")
    a = ap.parse_args()
    tmp = a.keep or tempfile.mkdtemp(prefix="gen-national-")
    one, two = os.path.join(tmp, "j1"), os.path.join(tmp, "j2")
    run(one, 1)
    run(two, 2)
    check(same_tree(one, two), "1 and 2 writer processes: byte-identical files")

    months = sorted(d for d in os.listdir(one) if re.fullmatch(r"\d{4}-\d{2}", d))
    check(months == g.MONTHS and len(months) == 120 and months[0] == "2016-01" and months[-1] == "2025-12",
          f"120 months 2016-01…2025-12 ({len(months)} found)")
    slugs = {f[1] for f in g.FORCES}
    mi = {m: i for i, m in enumerate(g.MONTHS)}
    _, counts = g.month_counts(20000)
    ok_names = all(sorted(os.listdir(os.path.join(one, m))) ==
                   sorted(f"{m}-{f[1]}-street.csv" for fi, f in enumerate(g.FORCES) if counts[mi[m]][fi] > 0) for m in months)
    check(ok_names and len(slugs) == 43 and (counts > 0).sum() > 5000,
          "a file per force and month with rows (43 forces; none for a force-month without rows), named YYYY-MM-<slug>-street.csv")

    header = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"
    real = open(glob.glob("/work/shared/data/policeuk/city-of-london/*.csv")[0], encoding="utf-8-sig").readline().strip() \
        if glob.glob("/work/shared/data/policeuk/city-of-london/*.csv") else header
    check(real == header, "the header is police.uk's (City of London file in ../shared)")
    rows_per_force = {s: 0 for s in slugs}
    n = asb = asb_noid = crime_id_ok = nfields_ok = coord_ok = located = 0
    pts = []
    headers_ok = True
    for path in sorted(glob.glob(os.path.join(one, "*", "*-street.csv"))):
        slug = os.path.basename(path)[8:-len("-street.csv")]
        month = os.path.basename(path)[:7]
        with open(path, newline="", encoding="utf-8") as fh:
            headers_ok &= fh.readline().rstrip("\n") == header
            for r in csv.reader(fh):
                n += 1
                rows_per_force[slug] += 1
                nfields_ok += len(r) == 12 and r[1] == month
                if r[9] == "Anti-social behaviour":
                    asb += 1
                    asb_noid += r[0] == "" and r[10] == ""
                else:
                    crime_id_ok += bool(re.fullmatch(r"[0-9a-f]{64}", r[0]))
                if r[4]:
                    located += 1
                    coord_ok += bool(re.fullmatch(r"-?\d+\.\d{6}", r[4]) and re.fullmatch(r"\d+\.\d{6}", r[5]))
                    if len(pts) < 3000 and n % 5 == 0:
                        pts.append((float(r[4]), float(r[5]), r[7]))
                else:
                    coord_ok += r[6] == "No Location" and r[7] == ""
    check(headers_ok, "every file's header exact")
    check(n == 20000 and nfields_ok == n, f"20,000 rows of 12 fields with the file's month ({n}, {nfields_ok})")
    expect = g.apportion(20000, [f[2] for f in g.FORCES])
    check(all(abs(rows_per_force[f[1]] - e) <= 0 for f, e in zip(g.FORCES, expect)),
          "rows per force = population share (largest remainder)")
    check(abs(asb / n - 0.20) < 0.02 and asb_noid == asb, f"anti-social behaviour {asb / n:.3f}, all without Crime ID and outcome")
    check(crime_id_ok == n - asb, "every crime has a 64-hex Crime ID")
    check(coord_ok == n, "coordinates with 6 decimals, or No Location with blank coordinates and LSOA")

    from pyproj import Transformer
    from shapely.geometry import Point, shape
    layer = json.load(open(os.path.join(one, "lsoa.geojson")))
    codes = [f["properties"]["LSOA21CD"] for f in layer["features"]]
    check(len(codes) == len(set(codes)) and all(re.fullmatch(r"[EW]01\d{6}", c) for c in codes)
          and any(c.startswith("W") for c in codes) and abs(len(codes) - 2000) <= 43,
          f"2,000 LSOAs (one at least a force), unique E01/W01 codes ({len(codes)})")
    polys = {f["properties"]["LSOA21CD"]: shape(f["geometry"]) for f in layer["features"]}
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    inside = sum(polys[c].buffer(1).contains(Point(*to_bng.transform(lon, lat))) for lon, lat, c in pts)
    check(inside == len(pts) and len(pts) > 1000, f"each sampled point inside its row's LSOA polygon ({inside}/{len(pts)})")
    check(os.path.getsize(os.path.join(one, "lsoa.gpkg")) > 0, "lsoa.gpkg written")
    print(f"{len(failures)} failed" if failures else "all passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
