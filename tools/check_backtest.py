#!/usr/bin/env python3
"""Checks one backtest candidate's PAI by hand from counts made by other commands.

Usage: tools/check_backtest.py BACKTEST_DIR KDE_DIR GRID_DIR CELL BANDWIDTH TEST_WINDOW [RECENCY]
KDE_DIR: `hotspot kde` on the training window (--cell CELL --bandwidth BANDWIDTH --threshold top:5 --clip, same
boundary; with RECENCY, e.g. 2months, also --recency RECENCY and the row checked is that prospective candidate's); GRID_DIR: `hotspot grid` on the test window (--cell CELL, same boundary). The hot cells are the KDE's
`hot` column, the study area its (clipped) cells; the test incidents in hot cells are summed from the grid's counts.
PAI = (captured / test incidents) / (hot cells / cells) must equal backtest-origins.csv's row (3 decimals)."""
import csv, json, sys
bt, kde, grid, cell, bw, window = sys.argv[1:7]
recency = sys.argv[7] if len(sys.argv) > 7 else ""
predictor = "prospective" if recency else "kde"
dens = list(csv.DictReader(open(f"{kde}/density.csv")))
hot = {r["id"] for r in dens if r["hot"] == "1"}
counts = {r["id"]: int(r["count"]) for r in csv.DictReader(open(f"{grid}/grid.csv"))}
n_test = json.load(open(f"{grid}/metadata.json"))["counts"]["analysed"]
captured = sum(counts.get(i, 0) for i in hot)
pai = (captured / n_test) / (len(hot) / len(dens))
rows = [r for r in csv.DictReader(open(f"{bt}/backtest-origins.csv"))
        if r["predictor"] == predictor and r["recency"] == recency and float(r["cell_m"]) == float(cell) and r["bandwidth_m"] and float(r["bandwidth_m"]) == float(bw)
        and r["threshold"] == "top 5.0% of cells" and r["test"] == window]
assert len(rows) == 1, f"no single {predictor} backtest row for cell {cell}, bandwidth {bw}, test {window}: {len(rows)}"
r = rows[0]
print(f"  by hand: {captured} of {n_test} test incidents in {len(hot)} of {len(dens)} cells: PAI {pai:.3f}; backtest says {r['pai']} ({r['captured']} captured, {r['hot_cells']} cells)")
ok = int(r["captured"]) == captured and int(r["hot_cells"]) == len(hot) and int(r["n_test"]) == n_test and abs(float(r["pai"]) - pai) < 0.0015
sys.exit(0 if ok else 1)
