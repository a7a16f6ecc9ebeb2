#!/usr/bin/env python3
"""Golden values for `hotspot optimized`'s incremental spatial autocorrelation (Tests/Fixtures/optimized/).

Run from the repository root with a venv holding ../shared/peers/requirements.txt:
    python3 -m venv /tmp/venv-opt && /tmp/venv-opt/bin/pip install -r ../shared/peers/requirements.txt
    /tmp/venv-opt/bin/python Tests/Fixtures/optimized/make_fixtures.py
Peers: esda 2.9.0 (Moran), libpysal 4.14.1 (DistanceBand), scipy (cKDTree).

Input: the reference 100 m grid of Lewisham burglary, March–September 2022 (../shared/reference/lewisham-burglary/
marsep-2022/cells.csv: every cell of the incidents' extent, its centre x, y in EPSG:27700 and its count). Two sets of
locations, as `hotspot optimized` aggregates: `nonzero` (the cells holding at least one incident: ArcGIS without
bounding polygons) and `all` (every cell, zeros included: a full lattice, where many pairs lie at exactly a band's
distance). For each, the bands as hotspot documents them, computed here independently: start = the largest
nearest-neighbour distance of the locations that are not locational outliers (nearest-neighbour distance > mean +
3 population SD), increment = the mean nearest-neighbour distance of those locations, 10 bands. At each band esda's
Moran with libpysal's DistanceBand(binary=True) row-standardised (transformation "r", esda's default, and ArcGIS's
Incremental Spatial Autocorrelation default "Row Standardization: checked"); the threshold is the band × (1 + 1e-9),
the tolerance hotspot uses so that lattice pairs at exactly k cells count whatever the rounding.
Writes isa_nonzero.csv and isa_all.csv: band, distance, I, EI, VI_rand, z_rand, p_rand, min and mean neighbours.
"""
import csv
import os

import numpy as np
from esda.moran import Moran
from libpysal.weights import DistanceBand
from scipy.spatial import cKDTree

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "..", "shared")
if not os.path.isdir(SHARED):
    SHARED = os.path.join(os.getcwd(), "..", "shared")


def g(v):
    return "%.17g" % v


def bands(xy, n_bands=10):
    d, _ = cKDTree(xy).query(xy, k=2)
    nn = d[:, 1]
    out = nn > nn.mean() + 3 * nn.std()
    kept = nn[~out]
    start, inc = kept.max(), kept.mean()
    return [start + b * inc for b in range(n_bands)]


def isa(name, xy, y):
    rows = []
    for b, dist in enumerate(bands(xy)):
        w = DistanceBand(xy, threshold=dist * (1 + 1e-9), binary=True, silence_warnings=True)
        card = np.array([w.cardinalities[i] for i in range(len(y))])
        m = Moran(y, w, transformation="r", permutations=0)
        rows.append([b + 1, g(dist), g(m.I), g(m.EI), g(m.VI_rand), g(m.z_rand), g(m.p_rand), int(card.min()), g(card.mean())])
    with open(os.path.join(HERE, "isa_%s.csv" % name), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["band", "distance", "I", "EI", "VI_rand", "z_rand", "p_rand", "min_neighbours", "mean_neighbours"])
        out.writerows(rows)


def main():
    rows = list(csv.DictReader(open(os.path.join(SHARED, "reference/lewisham-burglary/marsep-2022/cells.csv"))))
    xy = np.array([[float(r["x"]), float(r["y"])] for r in rows])
    y = np.array([float(r["count"]) for r in rows])
    nz = y > 0
    isa("nonzero", xy[nz], y[nz])
    isa("all", xy, y)


if __name__ == "__main__":
    main()
