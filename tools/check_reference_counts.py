#!/usr/bin/env python3
"""Compares `hotspot areas` CSVs with ../shared/reference counts (geopandas sjoin): they must be equal."""
import csv, sys
out, ref = sys.argv[1], sys.argv[2]
for layer, refname in (("wards", "polygons_wards.csv"), ("lsoa", "polygons_lsoa.csv")):
    want = {r["code"]: int(r["count_sjoin"]) for r in csv.DictReader(open(f"{ref}/{refname}"))}
    got = {r["id"]: int(r["count"]) for r in csv.DictReader(open(f"{out}/areas-{layer}.csv"))}
    diff = {k: (got.get(k), want.get(k)) for k in set(want) | set(got) if got.get(k) != want.get(k)}
    assert not diff, f"{layer}: differs from reference: {diff}"
    print(f"{layer}: {len(want)} areas, {sum(want.values())} incidents, equal to the reference")
