#!/usr/bin/env python3
"""Sparse grids equal the dense ones where both run (issue 26, part 4): `check_sparse.py DENSE SPARSE PRODUCT`.

grid: the sparse rows are exactly the dense rows whose count is above 0.
gistar: every sparse row equals the dense row of the same id; every dense row not written has the z and p_fdr that
        metadata.json's unreported_cells gives for its neighbour count.
kde: the sparse rows are exactly the dense rows whose density is above 0.
"""
import csv, json, re, sys

dense_dir, sparse_dir, product = sys.argv[1:4]
name = {"grid": "grid", "gistar": "gistar", "kde": "density"}[product]
dense = list(csv.DictReader(open(f"{dense_dir}/{name}.csv")))
sparse = list(csv.DictReader(open(f"{sparse_dir}/{name}.csv")))
by_id = {r["id"]: r for r in dense}
if product == "grid":
    want = [r for r in dense if r["count"] != "0"]
    assert sparse == want, f"grid: {len(sparse)} sparse rows, {len(want)} occupied dense rows, or values differ"
elif product == "kde":
    col = [c for c in dense[0] if c.startswith("density_")][0]
    want = [r for r in dense if float(r[col]) != 0]
    assert sparse == want, f"kde: {len(sparse)} sparse rows, {len(want)} dense rows above 0, or values differ"
else:
    bad = [r["id"] for r in sparse if by_id.get(r["id"]) != r]
    assert not bad, f"gistar: {len(bad)} rows differ from the dense run, e.g. {bad[:3]}"
    meta = json.load(open(f"{sparse_dir}/metadata.json"))["parameters"]["unreported_cells"]
    groups = {int(m[1]): (float(m[2]), float(m[3])) for m in
              re.finditer(r"(\d+) cells with (\d+) neighbours: z (-?[\d.]+), p [\d.]+, p_fdr ([\d.]+)", meta)
              for m in [(None, m.group(2), m.group(3), m.group(4))]}
    written = {r["id"] for r in sparse}
    rest = [r for r in dense if r["id"] not in written]
    for r in rest:
        z, q = groups[int(r["neighbours"])]
        assert abs(float(r["gi_z"]) - z) <= 5e-5 and abs(float(r["gi_p_fdr"]) - q) <= 5e-5, (r, z, q)
    assert len(rest) > 0 and len(sparse) + len(rest) == len(dense)
print(f"{product}: {len(sparse)} sparse rows equal the dense run's ({len(dense)} cells)")
