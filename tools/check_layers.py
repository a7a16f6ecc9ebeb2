#!/usr/bin/env python3
"""The one-way flow, checked: each module may import only modules of lower layers (README, "Architecture").
Layers, bottom to top: C shims → HotspotCore → HotspotGeo → HotspotIO → HotspotCartography → HotspotReports →
HotspotCLI, HotspotServe → hotspot. HotspotCore imports neither Foundation nor a C shim (it knows nothing of files or
C). A test target follows the rules of the module it tests (and may import HotspotTestSupport).
Exit 1 with each offending file and line; run by tools/e2e (fast tier too)."""
import os, re, sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
C = ["CProj", "CGEOS", "CGDAL", "CZlib", "CSQLite", "CCurl", "CHotspotSys"]
rank = {c: 0 for c in C}
rank.update({"HotspotCore": 1, "HotspotGeo": 2, "HotspotIO": 3, "HotspotCartography": 4, "HotspotReports": 5,
             "HotspotCLI": 6, "HotspotServe": 6, "hotspot": 7, "hotspot-fuzz": 7, "hotspot-demodata": 7})
module_name = {"hotspot-fuzz": None, "hotspot-demodata": None, "hotspot": None}
tests = {"HotspotCoreTests": "HotspotCore", "HotspotGeoTests": "HotspotGeo", "HotspotIOTests": "HotspotIO",
         "HotspotCartographyTests": "HotspotCartography", "HotspotReportsTests": "HotspotReports",
         "HotspotServeTests": "HotspotServe"}
bad = []

def check(folder, target):
    for d, _, fs in os.walk(folder):
        for f in sorted(fs):
            if not f.endswith(".swift"): continue
            path = os.path.join(d, f)
            for n, line in enumerate(open(path, encoding="utf-8"), 1):
                m = re.match(r"\s*(?:@testable\s+)?import\s+(?:struct\s+|enum\s+|class\s+|func\s+)?([A-Za-z_][A-Za-z0-9_]*)", line)
                if not m: continue
                mod = m.group(1)
                rel = os.path.relpath(path, root)
                if target == "HotspotCore" and mod in C + ["Foundation", "FoundationEssentials"]:
                    bad.append(f"{rel}:{n}: HotspotCore imports {mod}: the core knows nothing of files or C")
                if mod in rank and mod != target and rank[mod] >= rank[target]:
                    bad.append(f"{rel}:{n}: {target} (layer {rank[target]}) imports {mod} (layer {rank[mod]}): data flows one way, a module imports only lower layers")

for t in sorted(os.listdir(os.path.join(root, "Sources"))):
    if t in rank and not t.startswith("C"):
        check(os.path.join(root, "Sources", t), t)
for t, m in sorted(tests.items()):
    if os.path.isdir(os.path.join(root, "Tests", t)):
        check(os.path.join(root, "Tests", t), m)
unknown = [t for t in os.listdir(os.path.join(root, "Sources")) if t not in rank]
for t in unknown:
    bad.append(f"Sources/{t}: a target this check does not place in a layer: add it to tools/check_layers.py and the README")
for b in bad: print(b)
if bad: sys.exit(1)
print(f"layers: every import of Sources/ and Tests/ goes downwards")
