#!/usr/bin/env python3
"""Every code fence is closed, and every relative link in README.md, ARCHITECTURE.md, CONTRIBUTING.md, CHANGELOG.md and docs/**/*.md leads somewhere:
the file exists, and a `#fragment` names a heading of that page (GitHub's anchors: lower case, punctuation dropped,
spaces as hyphens). Usage: tools/check_links.py; exit 1 listing each broken link."""
import os, re, sys

root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
pages = [p for p in ["README.md", "ARCHITECTURE.md", "CONTRIBUTING.md", "CHANGELOG.md"] if os.path.exists(os.path.join(root, p))]
pages += sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(os.path.join(root, "docs")) for f in fs if f.endswith(".md"))


def anchors(path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    seen, out = {}, set()
    for h in re.findall(r"^#{1,6} +(.+?) *$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", h.strip().lower().replace("`", "")).replace(" ", "-")
        n = seen.get(slug, 0); seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


bad = 0
for page in pages:
    text = open(os.path.join(root, page), encoding="utf-8").read()
    # A fence left open swallows the rest of the page into one block (and its examples are then never run).
    fences = re.findall(r"^```", text, re.M)
    if len(fences) % 2:
        bad += 1; print(f"  {page}: {len(fences)} ``` fence lines: one is not closed")
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^[a-z]+:", target):
            continue  # http(s):, mailto:
        file, _, frag = target.partition("#")
        dest = os.path.normpath(os.path.join(root, os.path.dirname(page), file)) if file else os.path.join(root, page)
        if not os.path.exists(dest):
            bad += 1; print(f"  {page}: {target}: no such file"); continue
        if frag and dest.endswith(".md") and frag not in anchors(dest):
            bad += 1; print(f"  {page}: {target}: no heading #{frag} in {os.path.relpath(dest, root)}")
print(f"links: {len(pages)} pages, {bad} broken")
sys.exit(1 if bad else 0)
