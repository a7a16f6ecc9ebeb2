#!/usr/bin/env python3
"""The peer of the benchmark "local moran 10k cells queen 999 permutations": esda's Moran_Local and Moran on the same
100 × 100 queen lattice and values, row-standardised, 999 permutations; median of 5 runs after one warm-up.
    /tmp/venv/bin/pip install -r ../shared/peers/requirements.txt numba   # numba: esda's fast path
    /tmp/venv/bin/python Benchmarks/moran_peer.py"""
import statistics, time
import numpy as np
from esda.moran import Moran, Moran_Local
from libpysal.weights import lat2W

nr = nc = 100
k = np.arange(nr * nc)
v = ((k * 7919) % 13 + np.where(((k // nc >= 40) & (k // nc < 60)) & ((k % nc >= 40) & (k % nc < 60)), 10, 0)).astype(float)
w = lat2W(nr, nc, rook=False)
for name, keep in (("esda Moran_Local + Moran, keep_simulations=True (default)", True), ("keep_simulations=False", False)):
    times = []
    for it in range(6):
        t = time.perf_counter()
        Moran_Local(v, w, transformation="r", permutations=999, seed=1, keep_simulations=keep)
        Moran(v, w, transformation="r", permutations=999)
        if it > 0:
            times.append(time.perf_counter() - t)
    print(f"{name}: median {statistics.median(times):.3f} s over {len(times)} runs")
