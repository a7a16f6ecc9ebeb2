#!/usr/bin/env python3
"""Sparse grids equal the dense ones where both run (issue 26, part 4): `check_sparse.py DENSE SPARSE PRODUCT`.

grid: the sparse rows are exactly the dense rows whose count is above 0.
gistar: every sparse row equals the dense row of the same id; every dense row not written has the z and p_fdr that
        metadata.json's unreported_cells gives for its neighbour count.
kde: the sparse rows are exactly the dense rows whose density is above 0.
emerging: every sparse row equals the dense row of the same id; emerging-summary.csv and recent-summary.csv are
        byte-identical; every dense row not written has the category, recent pattern and final z of a group of
        metadata.json's unreported_cells, and each group counts exactly its dense rows.
"""
import csv, json, math, re, sys

dense_dir, sparse_dir, product = sys.argv[1:4]
name = {"grid": "grid", "gistar": "gistar", "kde": "density", "emerging": "emerging"}[product]
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
elif product == "emerging":
    bad = [r["id"] for r in sparse if by_id.get(r["id"]) != r]
    assert not bad, f"emerging: {len(bad)} rows differ from the dense run, e.g. {bad[:3]}"
    for f in ("emerging-summary.csv", "recent-summary.csv"):
        assert open(f"{dense_dir}/{f}").read() == open(f"{sparse_dir}/{f}").read(), f"{f} differs"
    meta = json.load(open(f"{sparse_dir}/metadata.json"))["parameters"].get("unreported_cells", "")
    def num(v):  # an empty CSV cell or metadata's null is a NaN z (a step with no incident anywhere)
        return math.nan if v in ("", "null", "nan") else float(v)
    groups = [(int(m.group(1)), int(m.group(3)), m.group(5), num(m.group(6))) for m in re.finditer(
        r"(\d+) cells with (\d+) neighbours: category (-?\d+) \(([^)]*)\), recent ([a-z ]+), z_last (-?[\d.]+|nan|null)", meta)]
    written = {r["id"] for r in sparse}
    rest = [r for r in dense if r["id"] not in written]
    # Groups with the same category, recent pattern and last z (NaN when a step holds no incident) are told apart
    # only by their neighbour count, which the dense CSV does not give: compare cells per (category, pattern, z).
    def key(code, recent, z):
        return (int(code), recent, "nan" if math.isnan(z) else round(z, 4))
    want = {}
    for g in groups:
        want[key(g[1], g[2], g[3])] = want.get(key(g[1], g[2], g[3]), 0) + g[0]
    got = {}
    for r in rest:
        k = key(r["category_code"], r["recent_pattern"], num(r["gi_z_last"]))
        assert k in want or (k[2] != "nan" and any(w[:2] == k[:2] and w[2] != "nan" and abs(w[2] - k[2]) <= 5e-5 for w in want)), (r["id"], k, groups)
        if k not in want:
            k = next(w for w in want if w[:2] == k[:2] and w[2] != "nan" and abs(w[2] - k[2]) <= 5e-5)
        got[k] = got.get(k, 0) + 1
    assert got == {k: v for k, v in want.items() if v}, (got, want)
    assert len(sparse) + len(rest) == len(dense)
else:
    bad = [r["id"] for r in sparse if by_id.get(r["id"]) != r]
    assert not bad, f"gistar: {len(bad)} rows differ from the dense run, e.g. {bad[:3]}"
    meta = json.load(open(f"{sparse_dir}/metadata.json"))["parameters"].get("unreported_cells", "")
    num = r"(-?[\d.]+|nan|-?inf)"
    groups = {int(m.group(2)): m for m in re.finditer(
        r"(\d+) cells with (\d+) neighbours: z " + num + r", p " + num + r", p_fdr " + num + r"(?:, p_adj " + num + r")?, bin (-?\d)", meta)}
    written = {r["id"] for r in sparse}
    rest = [r for r in dense if r["id"] not in written]
    def close(a, b):
        return (math.isnan(float(a)) and math.isnan(float(b))) or abs(float(a) - float(b)) <= 5e-5
    for r in rest:
        m = groups[int(r["neighbours"])]
        assert close(r["gi_z"], m.group(3)) and close(r["gi_p_fdr"], m.group(5)), (r, m.group(0))
        if "gi_p_adj" in r and m.group(6):
            assert close(r["gi_p_adj"], m.group(6)), (r, m.group(0))
        assert r["gi_bin"] == m.group(7), (r, m.group(0))
    assert sum(int(m.group(1)) for m in groups.values()) == len(rest) and len(sparse) + len(rest) == len(dense)
print(f"{product}: {len(sparse)} sparse rows equal the dense run's ({len(dense)} cells)")
