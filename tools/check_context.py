#!/usr/bin/env python3
"""Recomputes `hotspot context` from the MPS ward-level file and the population files with the csv module alone
(no code shared with hotspot), and compares every figure of the chosen borough and London in boroughs.csv, and of
its wards in wards.csv, for the categories named.

Usage: tools/check_context.py OUT_DIR WARD_FILE BOROUGH_POP WARD_POP BOROUGH PERIOD_A PERIOD_B CATEGORY...
PERIOD: YYYY-MM..YYYY-MM. CATEGORY: a major category as in the file (e.g. BURGLARY), or ALL for all crime.
Checked: counts (exact), rates per 1,000 (1e-4), % change (0.01), the borough's rank among the 32 for the rate and
for the change (exact), each ward's percentile among London's wards for the rate and the change (mid-rank: below + half the ties; 0.1)."""
import csv, sys
out, wfile, bpop, wpop, borough, pa, pb, *cats = sys.argv[1:]
rows = list(csv.DictReader(open(wfile)))
def months(p):
    a, b = p.split("..")
    return [c for c in rows[0].keys() if c.isdigit() and a.replace("-", "") <= c <= b.replace("-", "")]
ma, mb = months(pa), months(pb)
bp = {r["Name"]: float(r["All ages"]) for r in csv.DictReader(open(bpop)) if r["Name"] != "City of London"}
wp = {r["ward22cd"]: float(r["pop_census2021"]) for r in csv.DictReader(open(wpop))}
def total(rs, ms): return sum(int(r[m]) for r in rs for m in ms)
def pct(a, b): return None if a == 0 else 100 * (b - a) / a
bad = 0
def close(what, got, want, tol):
    global bad
    ok = (got in ("", None) and want is None) or (want is not None and got not in ("", None) and abs(float(got) - want) <= tol)
    if not ok:
        bad += 1; print(f"  MISMATCH {what}: hotspot {got!r}, by hand {want!r}")
bt = list(csv.DictReader(open(f"{out}/boroughs.csv"))); wt = list(csv.DictReader(open(f"{out}/wards.csv")))
for cat in cats:
    sel = [r for r in rows if cat == "ALL" or r["MajorText"] == cat]
    level, major = ("all", "") if cat == "ALL" else ("major", cat)
    fig = {}
    for b in bp:
        rs = [r for r in sel if r["LookUp_BoroughName"] == b]
        a, c = total(rs, ma), total(rs, mb)
        fig[b] = (a, c, 1000 * a / bp[b], 1000 * c / bp[b], pct(a, c))
    la, lc = total(sel, ma), total(sel, mb); lpop = sum(bp.values())
    def rank(v, all_): return 1 + sum(1 for x in all_ if x is not None and x > v)
    for area, (a, c, ra, rb, ch) in [(borough, fig[borough]), ("London", (la, lc, 1000 * la / lpop, 1000 * lc / lpop, pct(la, lc)))]:
        r = [x for x in bt if x["area"] == area and x["level"] == level and x["major"] == major]
        assert len(r) == 1, (area, cat, len(r)); r = r[0]
        close(f"{area} {cat} count_a", r["count_a"], a, 0); close(f"{area} {cat} count_b", r["count_b"], c, 0)
        close(f"{area} {cat} rate_a", r["rate_a"], ra, 1e-4); close(f"{area} {cat} rate_b", r["rate_b"], rb, 1e-4)
        close(f"{area} {cat} change_pct", r["change_pct"], ch, 0.006)
        if area != "London":
            close(f"{area} {cat} rank_rate", r["rank_rate"], rank(rb, [f[3] for f in fig.values()]), 0)
            close(f"{area} {cat} rank_change", r["rank_change"], None if ch is None else rank(ch, [f[4] for f in fig.values()]), 0)
        print(f"  {area} {cat}: {a} → {c}, rate {rb:.3f} per 1,000, change {ch if ch is None else round(ch, 2)}%" + (f", ranks {r['rank_rate']} and {r['rank_change']} of 32" if area != "London" else ""))
    # Wards: percentiles among every London ward with residents.
    wards = {}
    for r in sel: wards.setdefault(r["WardCode"], []).append(r)
    allw = {}
    for code, p in wp.items():
        if code not in {r["WardCode"] for r in rows}: continue
        rs = wards.get(code, []); a, c = total(rs, ma), total(rs, mb)
        allw[code] = (a, c, 1000 * c / p if p > 0 else None, pct(a, c))
    rates = [v[2] for v in allw.values() if v[2] is not None]; chs = [v[3] for v in allw.values() if v[3] is not None]
    mine = {r["WardCode"] for r in rows if r["LookUp_BoroughName"] == borough}
    for code in sorted(mine):
        a, c, rb, ch = allw[code]
        r = [x for x in wt if x["ward_code"] == code and x["level"] == level and x["major"] == major]
        assert len(r) == 1, (code, cat, len(r)); r = r[0]
        close(f"{code} {cat} counts", f"{r['count_a']}/{r['count_b']}" == f"{a}/{c}" and 1 or 0, 1, 0)
        def prank(v, xs): return 100 * (sum(1 for x in xs if x < v) + 0.5 * sum(1 for x in xs if x == v)) / len(xs)
        close(f"{code} {cat} pct_rate", r["pct_rate"], prank(rb, rates), 0.051)
        close(f"{code} {cat} pct_change", r["pct_change"], None if ch is None else prank(ch, chs), 0.051)
    print(f"  {len(mine)} wards of {borough} checked for {cat} against {len(allw)} London wards")
print("context: all figures equal the recomputation" if bad == 0 else f"context: {bad} mismatch(es)")
sys.exit(1 if bad else 0)
