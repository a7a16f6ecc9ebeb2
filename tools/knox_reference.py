#!/usr/bin/env python3
"""Reference values for `knoxTest` / `hotspot nearrepeat` on the STATS19 collisions of ../shared/data/dated.

Run with the peers' venv (pointpats==2.5.5, pyproj, numpy, scipy; /work/shared/peers/requirements.txt):

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install -r ../shared/peers/requirements.txt
    /tmp/venv/bin/python tools/knox_reference.py ../shared/data/dated/stats19-collisions-lewisham-bbox-2022.csv \
        Tests/Fixtures/knox

Writes
  observed.csv  the observed pairs per band (same location, 100 m bands × 5, beyond) × (7-day bands × 4, beyond),
                counted by a plain double loop over every pair (no index), distances in EPSG:27700 from pyproj;
  pointpats.csv pointpats' Knox (spacetime.Knox, 999 permutations, keep=True) at cumulative thresholds delta (m)
                and tau (days): observed NST, analytic expectation ENST = NS·NT/pairs, and the mean and standard
                deviation of its permuted NST.
It prints the smallest gap between a pair's distance and a band edge, so that PROJ builds that differ in the last
digits cannot move a pair between bands.
"""
import csv, datetime, math, sys
import numpy as np
from pyproj import Transformer
from pointpats.spacetime import Knox

DIST, KS, DAYS, KT = 100.0, 5, 7, 4

def load(path):
    lon, lat, day = [], [], []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            lon.append(float(r["longitude"])); lat.append(float(r["latitude"]))
            y, m, d = map(int, r["date"].split("/"))
            day.append(datetime.date(y, m, d).toordinal())
    x, y = Transformer.from_crs(4326, 27700, always_xy=True).transform(lon, lat)
    return np.array(x), np.array(y), np.array(day)

def row(d):
    if d <= 0: return 0
    if d > DIST * KS: return KS + 1
    return min(KS, max(1, math.ceil(d / DIST)))

def col(dt):
    return 0 if dt == 0 else min(KT, (dt - 1) // DAYS)

def main(src, out):
    x, y, day = load(src)
    n = len(x)
    table = [[0] * (KT + 1) for _ in range(KS + 2)]
    gap = math.inf
    for i in range(n):
        dx = x[i + 1:] - x[i]; dy = y[i + 1:] - y[i]
        d = np.sqrt(dx * dx + dy * dy)
        dt = np.abs(day[i + 1:] - day[i])
        for dd, tt in zip(d.tolist(), dt.tolist()):
            table[row(dd)][col(int(tt))] += 1
            if 0 < dd <= DIST * KS + DIST:
                gap = min(gap, abs(dd - DIST * round(dd / DIST)))
    with open(f"{out}/observed.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["row", "column", "observed"])
        for r in range(KS + 2):
            for c in range(KT + 1):
                w.writerow([r, c, table[r][c]])
    print(f"n={n}, pairs={n*(n-1)//2}, smallest gap to a band edge {gap:.6f} m", file=sys.stderr)
    coords = np.column_stack([x, y]); t = day.reshape(-1, 1).astype(float)
    np.random.seed(20261203)
    with open(f"{out}/pointpats.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["delta_m", "tau_days", "observed", "exact_expected", "sim_mean", "sim_sd", "permutations"])
        for delta, tau in [(100, 7), (200, 14), (300, 7), (500, 28)]:
            k = Knox(coords, t, delta=delta, tau=tau, permutations=999, keep=True)
            sim = np.asarray(k.sim, dtype=float)
            w.writerow([delta, tau, int(k.observed[0, 0]), f"{k.expected[0, 0]:.6f}", f"{sim.mean():.6f}", f"{sim.std():.6f}", 999])

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
