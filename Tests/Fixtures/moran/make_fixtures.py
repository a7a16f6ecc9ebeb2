#!/usr/bin/env python3
"""Golden values for `hotspot moran`, p-value adjustments and weighted Gi* (Tests/Fixtures/moran/).

Run from the repository root with a venv holding ../shared/peers/requirements.txt plus statsmodels:
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install -r ../shared/peers/requirements.txt statsmodels
    /tmp/venv/bin/python Tests/Fixtures/moran/make_fixtures.py
Peers: esda 2.9.0 (Moran_Local, Moran, G_Local), libpysal 4.14.1 (Queen, lat2W), statsmodels (multipletests).
Writes padjust.csv, gistar_weighted.csv, lsoa.csv, lsoa_global.csv, grid.csv, grid_global.csv.
"""
import csv
import json
import os

import numpy as np
import geopandas as gpd
from esda.moran import Moran, Moran_Local
from esda.getisord import G_Local
from libpysal.weights import Queen, lat2W, W
from statsmodels.stats.multitest import multipletests

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "..", "shared")
if not os.path.isdir(SHARED):
    SHARED = os.path.join(os.getcwd(), "..", "shared")
PERMS = 99_999  # esda's pseudo p with many permutations: its Monte Carlo error is ~1/10 of ours at 999
SEED = 20261203


def g(v):
    return "%.17g" % v


def padjust():
    rng = np.random.default_rng(7)
    p = np.concatenate([rng.uniform(0, 1, 150), rng.uniform(0, 0.01, 40), [0.003] * 5, [0.5] * 4, [1.0], [0.0001]])
    rng.shuffle(p)
    cols = {m: multipletests(p, method=m)[1] for m in ["fdr_bh", "fdr_by", "holm", "bonferroni"]}
    with open(os.path.join(HERE, "padjust.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["p", "bh", "by", "holm", "bonferroni"])
        for i in range(len(p)):
            w.writerow([g(p[i])] + [g(cols[m][i]) for m in ["fdr_bh", "fdr_by", "holm", "bonferroni"]])


def gistar_weighted():
    # Sums of a weight column on a 6 × 7 lattice (row-major, row 0 first), Gi* with binary queen weights + self.
    rng = np.random.default_rng(11)
    nrows, ncols = 6, 7
    x = np.round(rng.gamma(0.8, 2.5, nrows * ncols) * (rng.uniform(0, 1, nrows * ncols) > 0.35), 2)
    w = lat2W(nrows, ncols, rook=False)
    gl = G_Local(x, w, transform="B", star=True, permutations=0)
    with open(os.path.join(HERE, "gistar_weighted.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["row", "col", "value", "z"])
        for k in range(nrows * ncols):
            out.writerow([k // ncols, k % ncols, g(x[k]), g(gl.Zs[k])])


def moran_rows(y, w, ids, path, extra=None, keep=None):
    ml = Moran_Local(y, w, transformation="r", permutations=PERMS, seed=SEED)
    rows = range(len(y)) if keep is None else keep
    exact = exact_tie_p(y, w, rows)
    extra = dict(extra or {}, p_exact={i: g(exact[i]) for i in rows})
    m = Moran(y, w, transformation="r", permutations=PERMS)
    with open(os.path.join(HERE, path + ".csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["id", "count", "Is", "q", "p_sim"] + list(extra.keys()))
        for i in rows:
            out.writerow([ids[i], g(y[i]), g(ml.Is[i]), int(ml.q[i]), g(ml.p_sim[i])] + [extra[k][i] for k in extra])
    summary = {"n": len(y), "permutations": PERMS, "I": m.I, "EI": m.EI, "VI_norm": m.VI_norm, "z_norm": m.z_norm,
               "p_norm": m.p_norm, "VI_rand": m.VI_rand, "z_rand": m.z_rand, "p_rand": m.p_rand, "p_sim": m.p_sim,
               "sum_Is": float(np.sum(ml.Is)), "quadrants": {str(q): int(np.sum(ml.q == q)) for q in (1, 2, 3, 4)},
               "significant_p05": {str(q): int(np.sum((ml.q == q) & (ml.p_sim <= 0.05))) for q in (1, 2, 3, 4)}}
    with open(os.path.join(HERE, path + "_global.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)


def exact_tie_p(y, w, cells, permutations=PERMS, seed=SEED):
    """esda's conditional-permutation p (sims >= observed I, folded) with ties decided exactly: a simulated I_i is
    >= the observed one when the drawn neighbours' values sum to >= (z_i > 0) or <= (z_i < 0) the observed sum.
    esda compares floating-point I, so a tie (frequent with counts: the same sum of other cells) falls either way
    by rounding; this is the definition without that noise, each cell's k draws without replacement."""
    rng = np.random.default_rng(seed)
    n, mean = len(y), y.mean()
    out = {}
    for i in cells:
        nb = list(w.neighbors[i])
        k, obs = len(nb), y[nb].sum()
        others = np.delete(y, i)
        # k distinct of the other n - 1 values: uniform draws, rows with a repeat drawn again (k is small)
        ids = rng.integers(0, n - 1, size=(permutations, k))
        bad = np.any(np.diff(np.sort(ids, axis=1), axis=1) == 0, axis=1)
        while bad.any():
            ids[bad] = rng.integers(0, n - 1, size=(int(bad.sum()), k))
            bad = np.any(np.diff(np.sort(ids, axis=1), axis=1) == 0, axis=1)
        sums = others[ids].sum(axis=1)
        if y[i] > mean:
            larger = int((sums >= obs).sum())
        elif y[i] < mean:
            larger = int((sums <= obs).sum())
        else:
            larger = permutations
        out[i] = (min(larger, permutations - larger) + 1.0) / (permutations + 1.0)
    return out


def lsoa():
    # Counts of the March–September 2022 burglary rows per Lewisham LSOA (the reference's sjoin counts), queen
    # contiguity of the LSOA polygons (libpysal, shared vertices), row-standardised.
    ref = os.path.join(SHARED, "reference/lewisham-burglary/marsep-2022/polygons_lsoa.csv")
    counts = {r["code"]: float(r["count_sjoin"]) for r in csv.DictReader(open(ref))}
    gdf = gpd.read_file(os.path.join(SHARED, "geodata/lewisham/lbl_lsoa11_full.json")).to_crs(27700)
    code = [c for c in gdf.columns if c.lower().startswith("lsoa11cd")][0]
    ids = list(gdf[code])
    y = np.array([counts[c] for c in ids])
    w = Queen.from_dataframe(gdf, use_index=False)
    nbrs = {i: ";".join(sorted(ids[j] for j in w.neighbors[i])) for i in range(len(ids))}
    moran_rows(y, w, ids, "lsoa", extra={"neighbours": nbrs})


def grid():
    # The reference 100 m grid of the same rows (cells.csv: every cell of the incidents' extent, zero counts
    # too), queen lattice (the 8 cells around), row-standardised. 600 of the cells with a count or a counted neighbour
    # (seeded sample) are written; the summary has the sum of I and the quadrant counts over every cell.
    ref = os.path.join(SHARED, "reference/lewisham-burglary/marsep-2022/cells.csv")
    rows = list(csv.DictReader(open(ref)))
    nr = max(int(r["row"]) for r in rows) + 1
    nc = max(int(r["col"]) for r in rows) + 1
    y = np.zeros(nr * nc)
    for r in rows:
        y[int(r["row"]) * nc + int(r["col"])] = float(r["count"])
    w = lat2W(nr, nc, rook=False)
    keep = [k for k in range(nr * nc) if y[k] > 0 or any(y[j] > 0 for j in w.neighbors[k])]
    keep = [keep[t] for t in sorted(np.random.default_rng(5).choice(len(keep), 600, replace=False))]  # a sample: a small fixture
    ids = ["%d:%d" % (k // nc, k % nc) for k in range(nr * nc)]
    moran_rows(y, w, ids, "grid", keep=keep)


if __name__ == "__main__":
    padjust()
    gistar_weighted()
    lsoa()
    grid()
