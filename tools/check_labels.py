#!/usr/bin/env python3
"""Checks the labels of hotspot's SVG maps as a reader sees them: no two label boxes overlap, none crosses the map
frame, none covers the north arrow or the scale bar. Boxes are measured independently of the Swift placer: from each
<text class="label"> element's own x, y, font-size, weight and rotation, with advance widths read from the DejaVu
Sans font files (tools/font-metrics.py) and the font's vertical metrics.

Usage: tools/check_labels.py MAP.svg [MAP.svg …]   (exit 1 on the first map with a collision)
"""
import math, os, re, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import importlib.util
spec = importlib.util.spec_from_file_location("fm", os.path.join(os.path.dirname(os.path.abspath(__file__)), "font-metrics.py"))
fm = importlib.util.module_from_spec(spec); spec.loader.exec_module(fm)
W = {"regular": fm.widths(fm.FONTS["regular"]), "bold": fm.widths(fm.FONTS["bold"])}
TOP, DESCENT = 0.90, 0.236   # the box above and below the baseline, in ems (cap height 0.729 plus accents)


def unescape(t):
    return t.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def box(attrs, text):
    size = float(attrs["font-size"]); bold = attrs.get("font-weight") == "bold"
    w = sum(W["bold" if bold else "regular"].get(ord(c), 0.8 if bold else 0.75) for c in text) * size
    x, y = float(attrs["x"]), float(attrs["y"])
    anchor = attrs.get("text-anchor", "middle")
    x0 = x - w / 2 if anchor == "middle" else x if anchor == "start" else x - w
    corners = [(x0, y - TOP * size), (x0 + w, y - TOP * size), (x0, y + DESCENT * size), (x0 + w, y + DESCENT * size)]
    m = re.match(r"rotate\(([-\d.]+) ([-\d.]+) ([-\d.]+)\)", attrs.get("transform", ""))
    if m:
        a, cx, cy = math.radians(float(m.group(1))), float(m.group(2)), float(m.group(3))
        corners = [(cx + (px - cx) * math.cos(a) - (py - cy) * math.sin(a), cy + (px - cx) * math.sin(a) + (py - cy) * math.cos(a)) for px, py in corners]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return (min(xs), min(ys), max(xs), max(ys))


def overlap(a, b, tol=0.05):
    return a[0] < b[2] - tol and b[0] < a[2] - tol and a[1] < b[3] - tol and b[1] < a[3] - tol


def check(path):
    svg = open(path, encoding="utf-8").read()
    m = re.search(r'<clipPath id="(?:frame|mini)"><rect x="([-\d.]+)" y="([-\d.]+)" width="([-\d.]+)" height="([-\d.]+)"', svg)
    fx, fy, fw, fh = map(float, m.groups())
    frame = (fx, fy, fx + fw, fy + fh)
    labels = []
    for m in re.finditer(r'<text class="label" ([^>]*)>([^<]*)</text>', svg):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', m.group(1)))
        labels.append((unescape(m.group(2)), box(attrs, unescape(m.group(2)))))
    furniture = []
    m = re.search(r'<g id="north-arrow"><path d="M([-\d.]+) ([-\d.]+)', svg)
    if m:
        x, y = float(m.group(1)), float(m.group(2))
        furniture.append(("north arrow", (x - 3, y, x + 3, y + 14)))
    m = re.search(r'<g id="scale-bar"[^>]*><rect x="([-\d.]+)" y="([-\d.]+)" width="([-\d.]+)" height="([-\d.]+)"', svg)
    if m:
        x, y, w, h = map(float, m.groups())
        furniture.append(("scale bar", (x, y, x + w, y + h)))
    problems = []
    for i, (t, b) in enumerate(labels):
        if b[0] < frame[0] or b[1] < frame[1] or b[2] > frame[2] or b[3] > frame[3]:
            problems.append(f"'{t}' crosses the frame")
        for name, f in furniture:
            if overlap(b, f):
                problems.append(f"'{t}' covers the {name}")
        for t2, b2 in labels[i + 1:]:
            if overlap(b, b2):
                problems.append(f"'{t}' overlaps '{t2}'")
    return labels, problems


bad = 0
for p in sys.argv[1:]:
    labels, problems = check(p)
    if problems:
        bad += 1
        print(f"labels: {p}: {len(problems)} problem(s): " + "; ".join(problems[:8]))
    else:
        print(f"labels: {p}: {len(labels)} labels, none overlapping, none crossing the frame or the furniture")
sys.exit(1 if bad else 0)
