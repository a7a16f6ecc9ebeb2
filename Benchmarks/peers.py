#!/usr/bin/env python3
"""Peer side of the benchmarks, on the same inputs as the Swift benchmarks (run in the same session).

Uses the Python peer stack of ../shared/peers (pandas, pyproj, geopandas, scipy, KDEpy, esda, pymannkendall).
Set-up (outside the repository):  python3 -m venv ~/peers-venv && ~/peers-venv/bin/pip install -r ../shared/peers/requirements.txt
Run:  ~/peers-venv/bin/python Benchmarks/peers.py [--sizes 10000,100000,1000000,10000000] [--data $TMPDIR/hotspot-bench]
The police.uk CSVs are the ones the Swift benchmark wrote ($TMPDIR/hotspot-bench/police-N.csv).
Prints a markdown table of seconds per step.
"""
import argparse, os, sys, time
import numpy as np

def timed(f, *a, **k):
    t = time.perf_counter(); r = f(*a, **k); return time.perf_counter() - t, r

def bng_points(n, seed=42):
    rng = np.random.default_rng(seed)
    return 533000 + 9000 * rng.random(n), 168000 + 12000 * rng.random(n)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000,10000000")
    ap.add_argument("--data", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "hotspot-bench"))
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    a = ap.parse_args()
    import pandas as pd, pyproj, geopandas as gpd, shapely
    from scipy.spatial import cKDTree
    rows = []
    wards = gpd.read_file(os.path.join(a.shared, "geodata/lewisham/lbl_wd22_proposed_bng.geojson")).set_crs(27700, allow_override=True)
    tr = pyproj.Transformer.from_crs(4326, 27700, always_xy=True)
    back = pyproj.Transformer.from_crs(27700, 4326, always_xy=True)
    for n in [int(s) for s in a.sizes.split(",")]:
        path = os.path.join(a.data, f"police-{n}.csv")
        if os.path.exists(path):
            mb = os.path.getsize(path) / 1e6
            t, df = timed(pd.read_csv, path, usecols=["Month", "Longitude", "Latitude", "Crime type"])
            rows.append((f"pandas.read_csv police.uk {n}", t, f"{mb / t:.0f} MB/s"))
            del df
        x, y = bng_points(n)
        lon, lat = back.transform(x, y)
        t, _ = timed(tr.transform, lon, lat)
        rows.append((f"pyproj 4326→27700 all distinct {n}", t, f"{n / t / 1e6:.2f} M pts/s"))
        pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=27700)
        t, _ = timed(gpd.sjoin, pts, wards, predicate="within")
        rows.append((f"geopandas sjoin wards {n}", t, f"{n / t / 1e6:.2f} M pts/s"))
        t, _ = timed(np.bincount, (((y - 168000) // 100) * 90 + (x - 533000) // 100).astype(np.int64), minlength=90 * 120)
        rows.append((f"numpy bincount 100 m {n}", t, f"{n / t / 1e6:.0f} M pts/s"))
    # KDE, 1M incidents, c = 100 m and 25 m, h = 400 m (quartic, exact via cKDTree; KDEpy FFT approximate).
    sys.path.insert(0, os.path.join(a.shared, "peers"))
    import reference as R
    from hotspot_common import GridSpec
    x, y = bng_points(1_000_000)
    for c in (100,):
        g = GridSpec(x0=532000.0, y0=168000.0, cell=float(c), nrows=int(12000 // c), ncols=int(10000 // c))
        t, _ = timed(R.kde_quartic_kdtree, x, y, g, 400.0)
        rows.append((f"scipy cKDTree exact KDE c{c} h400 1M", t, ""))
        t, _ = timed(R.kde_kdepy, x, y, g, 400.0)
        rows.append((f"KDEpy FFT KDE c{c} h400 1M", t, "approximate"))
    print("| peer step | seconds | throughput |\n|---|---:|---|")
    for name, t, note in rows:
        print(f"| {name} | {t:.3f} | {note} |")

if __name__ == "__main__":
    main()
