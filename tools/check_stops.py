#!/usr/bin/env python3
"""Recomputes `hotspot stops` outputs from the inputs in plain Python and compares them.

    python3 tools/check_stops.py OUT_DIR WARDS_BNG.geojson LSOA_WGS84.json ETHNICITY_WARDS.csv [--totals NAME=TOTALS.csv] FILE.csv... [--crime CRIME.csv...]

OUT_DIR is the output of
    hotspot stops FILES --boundary WARDS --areas wards=WARDS --areas lsoa=LSOA \
        --population-by-group wards=ETHNICITY_WARDS.csv [--cell M] --out OUT_DIR
Checks: ward, LSOA (and, with --cell, grid cell) counts (point in polygon with shapely, points projected to EPSG:27700 with pyproj, exactly
equal), the borough's and every ward's find rate (k, n exactly; Wilson interval to 1e-4) and the borough's and every
ward's officer- and self-defined disproportionality ratios (counts exactly, ratio and Katz interval to 1e-3, small counts
suppressed below 3); with --totals NAME=TOTALS.csv (a run with --population-totals wards:NAME=TOTALS.csv as well), the
borough's residents, ratios and intervals in disproportionality-measures.csv under the ward table and under NAME (each
ward's total times its 2011 group shares). With --crime (OUT_DIR made with `--crime CRIME.csv…`): searches-vs-crime.csv's searches and
crimes per ward, LSOA and cell exactly, searches per 100 crimes, per 1,000 residents (the five groups' sum) and ranks
(average ranks for ties), and searches-vs-crime-summary.csv's Spearman rho (plain Python and scipy.stats.spearmanr,
to 1e-4), its Fisher z interval (SE 1.06/sqrt(n-3)) and p (t on n-2 df, scipy) to 1e-4. Exits 0 with a 'skip' line when shapely or pyproj is not installed (use a venv with
../shared/peers/requirements.txt).
"""
import csv, json, math, sys

try:
    import shapely
    from shapely.geometry import shape, Point
    from shapely.prepared import prep
    import shapely.ops
    from pyproj import Transformer
except ImportError:
    print("skip: shapely/pyproj not installed (python3 -m venv V && V/bin/pip install -r ../shared/peers/requirements.txt)")
    sys.exit(0)

NFA = {"A no further action disposal", "Nothing found - no further action"}
ACTIONS = {"Arrest", "Suspect arrested", "Summons / charged by post", "Suspect summonsed to court",
           "Caution (simple or conditional)", "Offender cautioned", "Community resolution", "Local resolution",
           "Penalty Notice for Disorder", "Offender given penalty notice", "Khat or Cannabis warning",
           "Offender given drugs possession warning", "Article found - Detailed outcome unavailable"}
GROUPS = ["White", "Black", "Asian", "Mixed", "Other"]


def wilson(k, n, z=1.959963984540054):
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return p, max(0, c - h), min(1, c + h)


def layer(path, idkeys, to_bng):
    feats = json.load(open(path))["features"]
    out = []
    for f in feats:
        pr = f["properties"]
        fid = next(pr[k] for k in idkeys if k in pr)
        g = shape(f["geometry"])
        if to_bng:
            g = shapely.ops.transform(lambda x, y, z=None: TR.transform(x, y), g)  # shapely 1.8 and 2
        out.append((fid, prep(g), g))
    return out


def assign(polys, pt):
    for fid, pg, g in polys:
        if pg.contains(pt) or g.touches(pt):
            return fid
    return None


def main():
    args, totals = sys.argv[1:], []
    while "--totals" in args:
        i = args.index("--totals"); totals.append(args[i + 1].split("=", 1)); del args[i:i + 2]
    crime_files = []
    if "--crime" in args:
        crime_files = args[args.index("--crime") + 1:]
        args = args[:args.index("--crime")]
    out, wards_p, lsoa_p, eth_p, files = args[0], args[1], args[2], args[3], args[4:]
    import shapely.ops
    global TR
    TR = Transformer.from_crs(4326, 27700, always_xy=True)
    wards = layer(wards_p, ["WD22CD_proposed", "ons_code"], False)
    lsoas = layer(lsoa_p, ["LSOA11CD", "lsoa11cd", "code"], True)
    rows = [r for f in files for r in csv.DictReader(open(f, encoding="utf-8-sig"))]
    ward_n, lsoa_n, recs = {}, {}, []
    for r in rows:
        if not r["Latitude"]:
            recs.append((r, "no_location", "no_location")); continue
        x, y = TR.transform(float(r["Longitude"]), float(r["Latitude"]))
        pt = Point(x, y)
        w = assign(wards, pt)
        if w is None:
            continue  # outside the boundary (the wards are the boundary)
        l = assign(lsoas, pt) or "outside"
        recs.append((r, w, l))
    for r, w, l in recs:
        ward_n[w] = ward_n.get(w, 0) + 1
        lsoa_n[l] = lsoa_n.get(l, 0) + 1
    bad = 0
    def got_counts(name):
        d = {}
        for row in csv.DictReader(open(f"{out}/counts-{name}.csv")):
            if row["attribute"] == "type":
                d[row["area_id"]] = d.get(row["area_id"], 0) + int(row["searches"])
        return d
    for name, want in [("wards", ward_n), ("lsoa", lsoa_n)]:
        got = got_counts(name)
        if {k: v for k, v in got.items() if v} != {k: v for k, v in want.items() if v}:
            bad += 1
            diff = {k: (got.get(k), want.get(k)) for k in set(got) | set(want) if got.get(k) != want.get(k)}
            print(f"FAIL counts {name}: {len(diff)} areas differ, e.g. {list(diff.items())[:5]}")
        else:
            print(f"ok: {name} counts equal ({sum(want.values())} searches in {len(want)} areas)")
    bad += check_grid(out, recs)
    bad += check_find(out, recs)
    bad += check_ratios(out, recs, eth_p)
    if crime_files:
        bad += check_crime(out, recs, crime_files, wards, lsoas, eth_p)
    for name, path in totals:
        bad += check_side_by_side(out, recs, eth_p, [w[0] for w in wards], name, path)
    sys.exit(1 if bad else 0)


def check_side_by_side(out, recs, eth_p, ward_ids, name, totals_p):
    """disproportionality-measures.csv: the borough's ratios under the ward table as given (its first measure) and under
    measure `name` = each ward's total in `totals_p` (id first, last column) times the ward's group shares in eth_p."""
    pop = {r["WD22CD_proposed"]: [float(r[g]) for g in GROUPS] for r in csv.DictReader(open(eth_p))}
    tot = {r[0]: float(r[-1]) for r in list(csv.reader(open(totals_p)))[1:]}
    scaled = {w: [tot[w] * x / sum(p) for x in p] for w, p in pop.items() if w in tot and sum(p) > 0}
    rows = list(csv.DictReader(open(f"{out}/disproportionality-measures.csv")))
    first = next(c for c in rows[0] if c.endswith("_population"))[:-len("_population")]
    bad = checked = 0
    for mname, table in [(first, pop), (name, scaled)]:
        bpop = [sum(table[w][i] for w in ward_ids if w in table) for i in range(5)]
        for measure in ["officer_defined", "self_defined"]:
            n = [0] * 5
            for r, w, _ in recs:
                e = group_of(r, measure)
                if e in GROUPS and w != "no_location":
                    n[GROUPS.index(e)] += 1
            for gi, g in enumerate(GROUPS):
                row = next(x for x in rows if x["ethnicity"] == measure and x["group"] == g)
                if abs(float(row[f"{mname}_population"]) - bpop[gi]) > 1e-6 * max(1, bpop[gi]):
                    bad += 1; print(f"FAIL {mname} {measure} {g}: residents {row[f'{mname}_population']}, want {bpop[gi]}")
                if gi == 0 or n[gi] < 3 or n[0] < 3:
                    continue
                rr = (n[gi] / bpop[gi]) / (n[0] / bpop[0])
                se = math.sqrt(1 / n[gi] + 1 / n[0])
                want = [rr, rr * math.exp(-1.959963984540054 * se), rr * math.exp(1.959963984540054 * se)]
                gotv = [float(row[f"{mname}_{c}"]) for c in ["ratio_to_white", "ci_low", "ci_high"]]
                checked += 1
                if any(abs(a - b) > 1e-3 for a, b in zip(gotv, want)):
                    bad += 1; print(f"FAIL {mname} {measure} {g}: got {gotv}, want {[round(v, 3) for v in want]}")
    print(f"ok: {checked} borough ratios under {first} and {name} (2011 shares x totals) side by side" if not bad else f"FAIL: {bad} side-by-side rows")
    return 1 if bad else 0


def check_grid(out, recs):
    """With --cell: cells named by their lower-left corner on a grid aligned to multiples of the cell size."""
    import os
    if not os.path.exists(f"{out}/counts-grid.csv"):
        return 0
    cell = float(json.load(open(f"{out}/metadata.json"))["parameters"]["cell_m"])
    want = {}
    for r, w, _ in recs:
        if w == "no_location":
            key = "no_location"
        else:
            x, y = TR.transform(float(r["Longitude"]), float(r["Latitude"]))
            key = f"E{int(math.floor(x / cell) * cell)}N{int(math.floor(y / cell) * cell)}"
        want[key] = want.get(key, 0) + 1
    got = {}
    for row in csv.DictReader(open(f"{out}/counts-grid.csv")):
        if row["attribute"] == "type":
            got[row["area_id"]] = got.get(row["area_id"], 0) + int(row["searches"])
    if got != want:
        diff = {k: (got.get(k), want.get(k)) for k in set(got) | set(want) if got.get(k) != want.get(k)}
        print(f"FAIL grid counts: {len(diff)} cells differ, e.g. {list(diff.items())[:5]}")
        return 1
    print(f"ok: grid counts equal ({sum(want.values())} searches in {len(want)} cells of {cell:g} m)")
    return 0


def check_find(out, recs):
    got = {(r["scope"], r["area_id"]): r for r in csv.DictReader(open(f"{out}/find-rates.csv"))
           if r["object_of_search"] == "All" and r["measure"] == "found" and r["search_type"] == "All"}
    want = {}
    for r, w, _ in recs:
        for key in [("borough", "borough" if w != "no_location" else "no_location"), ("wards", w)]:
            if r["Outcome"] in NFA or r["Outcome"] in ACTIONS:
                k, n = want.get(key, (0, 0))
                want[key] = (k + (r["Outcome"] in ACTIONS), n + 1)
    bad = 0
    for key, (k, n) in want.items():
        g = got.get(key)
        p, lo, hi = wilson(k, n)
        if g is None or int(g["k"]) != k or int(g["n"]) != n or abs(float(g["ci_low"]) - lo) > 1e-4 or abs(float(g["ci_high"]) - hi) > 1e-4:
            bad += 1; print(f"FAIL find rate {key}: got {g and (g['k'], g['n'], g['ci_low'], g['ci_high'])}, want {k, n, lo, hi}")
    print(f"ok: {len(want)} find rates (k, n exact, Wilson to 1e-4)" if not bad else f"FAIL: {bad} find rates")
    return 1 if bad else 0


PREFIXES = ["White - ", "Black/African/Caribbean/Black British - ", "Asian/Asian British - ",
            "Mixed/Multiple ethnic groups - ", "Other ethnic group - "]


def group_of(r, measure):
    if measure == "officer_defined":
        return r["Officer-defined ethnicity"] if r["Officer-defined ethnicity"] in GROUPS else None
    s = r["Self-defined ethnicity"]
    if s == "Other ethnic group - Not stated":
        return None
    return next((GROUPS[i] for i, p in enumerate(PREFIXES) if s.startswith(p)), None)


def check_ratios(out, recs, eth_p, k_sup=3):
    return sum(check_measure(out, recs, eth_p, m, k_sup) for m in ["officer_defined", "self_defined"])


def check_measure(out, recs, eth_p, measure, k_sup):
    pop = {r["WD22CD_proposed"]: [float(r[g]) for g in GROUPS] for r in csv.DictReader(open(eth_p))}
    rows = list(csv.DictReader(open(f"{out}/disproportionality.csv")))
    first = rows[0].get("population_measure") if rows else None   # the ward table as given: the first measure
    got = {(r["scope"], r["area_id"], r["group"]): r for r in rows
           if r["ethnicity"] == measure and r["search_type"] == "All" and r.get("population_measure") == first}
    counts = {}
    for r, w, _ in recs:
        e = group_of(r, measure)
        if e in GROUPS:
            for key in [("borough", "borough" if w != "no_location" else "no_location"), ("wards", w)]:
                counts.setdefault(key, [0] * 5)[GROUPS.index(e)] += 1
    bpop = [sum(p[i] for p in pop.values()) for i in range(5)]
    bad = checked = 0
    for (scope, area), n in counts.items():
        if area in ("no_location",):
            continue
        p = bpop if scope == "borough" else pop[area]
        small = lambda c: 1 <= c < k_sup
        for gi, g in enumerate(GROUPS):
            row = got.get((scope, area, g))
            want_s = f"<{k_sup}" if small(n[gi]) else str(n[gi])
            if row is None or row["searches"] != want_s:
                bad += 1; print(f"FAIL searches {scope} {area} {g}: got {row and row['searches']}, want {want_s}"); continue
            if small(n[gi]) or small(n[0]) or n[gi] == 0 or n[0] == 0:
                if row["ratio_to_white"] != "":
                    bad += 1; print(f"FAIL {scope} {area} {g}: ratio shown where it must be suppressed or undefined")
                continue
            rr = (n[gi] / p[gi]) / (n[0] / p[0])
            se = math.sqrt(1 / n[gi] + 1 / n[0])
            lo, hi = rr * math.exp(-1.959963984540054 * se), rr * math.exp(1.959963984540054 * se)
            checked += 1
            if any(abs(float(row[c]) - v) > 1e-3 for c, v in [("ratio_to_white", rr), ("ci_low", lo), ("ci_high", hi)]):
                bad += 1; print(f"FAIL ratio {scope} {area} {g}: got {row['ratio_to_white']} ({row['ci_low']}–{row['ci_high']}), want {rr:.3f} ({lo:.3f}–{hi:.3f})")
    print(f"ok: {checked} {measure} disproportionality ratios (Katz to 1e-3), suppression below {k_sup}" if not bad else f"FAIL: {bad} {measure} ratio rows")
    return 1 if bad else 0



def average_ranks(values):
    """Ranks 1 = the largest, ties sharing the mean of the places they span."""
    order = sorted(range(len(values)), key=lambda i: (-values[i], i))
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j + 2) / 2
        i = j + 1
    return ranks


def spearman(a, b):
    ra, rb = average_ranks(a), average_ranks(b)
    n = len(a)
    ma, mb = sum(ra) / n, sum(rb) / n
    sab = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    saa = sum((x - ma) ** 2 for x in ra)
    sbb = sum((y - mb) ** 2 for y in rb)
    return sab / math.sqrt(saa * sbb)


def crime_points(crime_files):
    """(x, y) in EPSG:27700 of every located crime row (police.uk street files and the API points file alike)."""
    pts = []
    for f in crime_files:
        for r in csv.DictReader(open(f, encoding="utf-8-sig")):
            if r.get("Longitude") and r.get("Latitude"):
                pts.append(TR.transform(float(r["Longitude"]), float(r["Latitude"])))
    return pts


def check_crime(out, recs, crime_files, wards, lsoas, eth_p):
    """searches-vs-crime.csv and its summary against counts, rates, ranks and rho recomputed here."""
    import os
    pop = {r["WD22CD_proposed"]: sum(float(r[g]) for g in GROUPS) for r in csv.DictReader(open(eth_p))}
    cell = None
    meta = json.load(open(f"{out}/metadata.json"))["parameters"]
    if meta.get("cell_m", "none") != "none":
        cell = float(meta["cell_m"])
    crimes = {"wards": {}, "lsoa": {}, "grid": {}}
    searches = {"wards": {}, "lsoa": {}, "grid": {}}
    n_crimes = 0
    for x, y in crime_points(crime_files):
        pt = Point(x, y)
        w = assign(wards, pt)
        if w is None:
            continue  # outside the boundary: quarantined by the reader
        n_crimes += 1
        crimes["wards"][w] = crimes["wards"].get(w, 0) + 1
        l = assign(lsoas, pt) or "outside"
        crimes["lsoa"][l] = crimes["lsoa"].get(l, 0) + 1
        if cell:
            key = f"E{int(math.floor(x / cell) * cell)}N{int(math.floor(y / cell) * cell)}"
            crimes["grid"][key] = crimes["grid"].get(key, 0) + 1
    for r, w, l in recs:
        if w == "no_location":
            continue
        searches["wards"][w] = searches["wards"].get(w, 0) + 1
        searches["lsoa"][l] = searches["lsoa"].get(l, 0) + 1
        if cell:
            x, y = TR.transform(float(r["Longitude"]), float(r["Latitude"]))
            key = f"E{int(math.floor(x / cell) * cell)}N{int(math.floor(y / cell) * cell)}"
            searches["grid"][key] = searches["grid"].get(key, 0) + 1
    got = {}
    for row in csv.DictReader(open(f"{out}/searches-vs-crime.csv")):
        got.setdefault(row["scope"], []).append(row)
    summary = {r["scope"]: r for r in csv.DictReader(open(f"{out}/searches-vs-crime-summary.csv"))}
    bad = 0
    b = got["borough"][0]
    if int(b["crimes"]) != n_crimes:
        bad += 1; print(f"FAIL borough crimes: got {b['crimes']}, want {n_crimes}")
    for scope in ["wards", "lsoa"] + (["grid"] if cell else []):
        areas = [r for r in got.get(scope, []) if r["area_id"] not in ("no_location", "outside")]
        ids = [r["area_id"] for r in areas]
        s = [searches[scope].get(i, 0) for i in ids]
        c = [crimes[scope].get(i, 0) for i in ids]
        missing = (set(searches[scope]) | set(crimes[scope])) - set(ids) - {"outside"}
        if missing:
            bad += 1; print(f"FAIL {scope}: areas with searches or crimes missing from the table: {sorted(missing)[:5]}")
        rs, rc = average_ranks(s), average_ranks(c)
        for r, si, ci, rsi, rci in zip(areas, s, c, rs, rc):
            want = [si, ci, rsi, rci]
            have = [int(r["searches"]), int(r["crimes"]), float(r["searches_rank"]), float(r["crimes_rank"])]
            if have != want:
                bad += 1; print(f"FAIL {scope} {r['area_id']}: searches, crimes, ranks got {have}, want {want}"); continue
            if ci and abs(float(r["searches_per_100_crimes"]) - si * 100 / ci) > 0.006:
                bad += 1; print(f"FAIL {scope} {r['area_id']}: searches per 100 crimes {r['searches_per_100_crimes']}, want {si * 100 / ci:.2f}")
            if scope == "wards":
                p = pop[r["area_id"]]
                if abs(float(r["searches_per_1000_residents"]) - si * 1000 / p) > 6e-4 or abs(float(r["crimes_per_1000_residents"]) - ci * 1000 / p) > 6e-4:
                    bad += 1; print(f"FAIL wards {r['area_id']}: rates per 1,000 residents")
        rho = spearman(s, c)
        n = len(s)
        z, se = math.atanh(rho), 1.06 / math.sqrt(n - 3)
        lo, hi = math.tanh(z - 1.959963984540054 * se), math.tanh(z + 1.959963984540054 * se)
        row = summary[scope]
        checks = [("rho", rho), ("ci_low", lo), ("ci_high", hi)]
        try:
            from scipy import stats
            sp = stats.spearmanr(s, c)
            if abs(sp.statistic - rho) > 1e-12:
                bad += 1; print(f"FAIL {scope}: the plain-Python rho {rho} is not scipy's {sp.statistic}")
            checks.append(("p_value", sp.pvalue))
        except ImportError:
            print("  (scipy not installed: p not checked)")
        for col, v in checks:
            # p below 0.0001 is written to three significant digits.
            tol = 1e-4 if col != "p_value" or v >= 1e-4 else 0.006 * v
            if abs(float(row[col]) - v) > tol:
                bad += 1; print(f"FAIL {scope} {col}: got {row[col]}, want {v:.6f}")
        if int(row["areas"]) != n:
            bad += 1; print(f"FAIL {scope} areas: got {row['areas']}, want {n}")
        if not bad:
            print(f"ok: {scope}: {sum(s)} searches and {sum(c)} crimes in {n} areas equal, ranks and rates; rho {rho:.4f} "
                  f"(95 % CI {lo:.4f}-{hi:.4f}) equals plain Python and scipy.stats.spearmanr, p {row['p_value']}")
    return 1 if bad else 0


if __name__ == "__main__":
    main()
