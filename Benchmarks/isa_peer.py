#!/usr/bin/env python3
"""The peer of the benchmark "incremental spatial autocorrelation 10k cells 10 bands": esda's Moran at 10 distance
bands (libpysal DistanceBand, binary, row-standardised, no permutations) on the same 100 × 100 lattice of 100 m cells
and values as the Swift benchmark, bands 100 … 1000 m (what `hotspot optimized` finds on a full lattice: from the
largest nearest-neighbour distance by the mean one). Median of 5 runs after one warm-up, the weights built inside the
timing (as hotspot finds the pairs inside its own).
    /tmp/venv-opt/bin/pip install -r ../shared/peers/requirements.txt
    /tmp/venv-opt/bin/python Benchmarks/isa_peer.py"""
import statistics, time
import numpy as np
from esda.moran import Moran
from libpysal.weights import DistanceBand

nr = nc = 100
k = np.arange(nr * nc)
v = ((k * 7919) % 13 + np.where(((k // nc >= 40) & (k // nc < 60)) & ((k % nc >= 40) & (k % nc < 60)), 10, 0)).astype(float)
xy = np.column_stack([(k % nc) * 100.0 + 50, (k // nc) * 100.0 + 50])
times, zs = [], []
for it in range(6):
    t = time.perf_counter()
    zs = []
    for b in range(10):
        w = DistanceBand(xy, threshold=(100.0 + 100.0 * b) * (1 + 1e-9), binary=True, silence_warnings=True)
        zs.append(Moran(v, w, transformation="r", permutations=0).z_rand)
    if it > 0:
        times.append(time.perf_counter() - t)
print("z by band:", " ".join("%.4f" % z for z in zs))
print(f"esda Moran x 10 DistanceBand weights: median {statistics.median(times):.3f} s over {len(times)} runs")
