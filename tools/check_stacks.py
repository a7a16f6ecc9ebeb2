#!/usr/bin/env python3
"""Stacked incident points on a map: the counts of the symbols add up to the incidents the subtitle states, and the
legend explains the symbol. Usage: tools/check_stacks.py MAP.svg"""
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
g = re.search(r'<g id="incidents".*?</g>', s, re.S).group(0)
n = sum(int(t) for t in re.findall(r"<title>(\d+)</title>", g))
m = re.search(r"· ([\d,]+) incidents (?:on this map )?·", s)
stated = int(m.group(1).replace(",", ""))
assert n == stated, f"symbols hold {n} incidents, the subtitle says {stated}"
assert "at one anonymous map point" in s, "no legend entry for stacked points"
print(f"stacks: {n} incidents at {g.count('<circle')} map points = the {stated} stated")
