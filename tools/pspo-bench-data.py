#!/usr/bin/env python3
"""A borough-sized incident file for timing `hotspot pspo`: the demo incidents (3 years) repeated with a seeded jitter
of up to ±60 m until there are N rows (default 50,000), police.uk columns. Usage: tools/pspo-bench-data.py OUT.csv [N]"""
import csv, random, sys
out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
rows = list(csv.reader(open("Geodata/demo/incidents.csv", encoding="utf-8")))
header, body = rows[0], [r for r in rows[1:] if r[4] and r[5]]
lon, lat = header.index("Longitude"), header.index("Latitude")
rnd = random.Random(10)
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(header)
    for k in range(n):
        r = list(body[k % len(body)])
        r[0] = f"b{k:07d}"
        r[lon] = f"{float(r[lon]) + rnd.uniform(-0.00087, 0.00087):.6f}"
        r[lat] = f"{float(r[lat]) + rnd.uniform(-0.00054, 0.00054):.6f}"
        w.writerow(r)
