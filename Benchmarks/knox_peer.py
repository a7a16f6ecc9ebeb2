#!/usr/bin/env python3
"""Peer of the Knox benchmark (`knox 10k incidents 999 permutations` in HotspotBenchmarks): pointpats 2.5.5's
space-time Knox test on the same 10,000 incidents (the Swift benchmark's SplitMix64 stream, reproduced here: the same
points in the Lewisham extent, E 533–542 km, N 168–180 km, and the same days over a year).

Run with the peers' venv (../shared/peers/requirements.txt):  /tmp/venv/bin/python Benchmarks/knox_peer.py [--csv OUT.csv]
--csv also writes the incidents as a lon/lat CSV (date YYYY/MM/DD) for timing `hotspot nearrepeat` on them.
pointpats tests one 2 × 2 table per call (pairs within delta metres and tau days): timed here at the widest band,
500 m and 28 days, 999 permutations; hotspot's table has 7 × 5 bands from one set of permutations.
"""
import argparse, datetime, sys, time
import numpy as np

MASK = (1 << 64) - 1

class SplitMix64:
    def __init__(self, seed): self.s = seed
    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

def incidents(n=10_000):
    r = SplitMix64(42)
    x, y = np.empty(n), np.empty(n)
    for i in range(n):
        u = (r.next() >> 11) / float(1 << 53); v = (r.next() >> 11) / float(1 << 53)
        x[i] = 533_000 + 9000 * u; y[i] = 168_000 + 12_000 * v
    d = SplitMix64(9)
    day = np.array([19_000 + d.next() % 365 for _ in range(n)], dtype=float)
    return x, y, day

def main():
    ap = argparse.ArgumentParser(); ap.add_argument("--csv"); a = ap.parse_args()
    x, y, day = incidents()
    if a.csv:
        from pyproj import Transformer
        lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(x, y)
        with open(a.csv, "w") as f:
            f.write("lon,lat,date\n")
            for lo, la, d in zip(lon, lat, day):
                f.write(f"{lo:.7f},{la:.7f},{(datetime.date(1970, 1, 1) + datetime.timedelta(days=int(d))).strftime('%Y/%m/%d')}\n")
    from pointpats.spacetime import Knox
    np.random.seed(1)
    t = time.perf_counter()
    k = Knox(np.column_stack([x, y]), day.reshape(-1, 1), delta=500, tau=28, permutations=999)
    print(f"pointpats Knox, 10,000 incidents, 999 permutations, one 2x2 table (500 m, 28 days): {time.perf_counter() - t:.2f} s; observed {k.observed[0, 0]:.0f}, expected {k.expected[0, 0]:.1f}, p_sim {k.p_sim:.3f}")

if __name__ == "__main__":
    main()
