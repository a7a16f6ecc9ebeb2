#!/usr/bin/env python3
"""Runs the README's examples and checks that what they print is what the README shows.

Usage: tools/check_readme.py path/to/hotspot. Each ```bash block holding `hotspot` commands is run with bash (the
`--out out/…` folders go to a temporary folder); a block whose input files are missing (exit 66) fails, unless it
reads ../shared and ../shared is absent (then it is skipped, said on a line). Lines `# …` after a command are its expected output: each must
appear in what the block printed (a line ending in "…" is a prefix). The compare example's table must equal
compare-focus.csv."""
import os, re, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pngpixels import pixels


def png_pixels(path):
    """Width, height, channels and rows of an 8-bit, non-interlaced PNG (what pdftoppm writes)."""
    return pixels(open(path, "rb").read())

def png_close(a, b):
    wa, ha, ca, ra = png_pixels(a); wb, hb, cb, rb = png_pixels(b)
    if (wa, ha, ca) != (wb, hb, cb): return False
    differ = sum(1 for y in range(ha) for x in range(0, wa * ca, ca) if max(abs(ra[y][x + k] - rb[y][x + k]) for k in range(ca)) > 64)
    return differ <= 0.005 * wa * ha

bin_ = os.path.abspath(sys.argv[1])
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
readme = open(os.path.join(root, "README.md"), encoding="utf-8").read()
blocks = re.findall(r"```bash\n(.*?)```", readme, re.S)
ok = bad = skipped = 0
tmp = tempfile.mkdtemp()
for block in blocks:
    lines = block.splitlines()
    if not any(l.startswith("hotspot ") for l in lines) or "tools/" in block:
        continue
    expected, seen_cmd = [], False
    for l in lines:
        if l.startswith("hotspot ") or re.match(r"^[A-Z]+=", l): seen_cmd = True
        elif l.startswith("# ") and seen_cmd: expected.append(l[2:].rstrip())
    script = "\n".join(l for l in lines if not l.startswith("# "))
    script = re.sub(r"(?<=[\s=])out/", f"{tmp}/out/", script)
    p = subprocess.run(["bash", "-c", f'set -e\nhotspot() {{ "{bin_}" "$@"; }}\n' + script], cwd=root, capture_output=True, text=True)
    first = lines[0][:70]
    if p.returncode == 66 and "../shared" in block and not os.path.isdir(os.path.join(root, "..", "shared", "data")):
        skipped += 1; print(f"  skip (../shared is absent): {first}"); continue
    if p.returncode != 0:
        bad += 1; print(f"  FAIL exit {p.returncode}: {first}\n{p.stderr[-400:]}"); continue
    printed = [l.rstrip() for l in (p.stdout + p.stderr).splitlines()]
    for e in expected:
        hit = any(l.startswith(e[:-1].rstrip()) for l in printed) if e.endswith("…") else e in printed
        if hit: ok += 1
        else: bad += 1; print(f"  FAIL the README shows a line the command does not print:\n    {e}\n  printed:\n    " + "\n    ".join(printed[-8:]))
    if not expected: ok += 1
    # A picture shown right after the block is what the block draws, byte for byte.
    pic = re.search(re.escape(block) + r"```\n\n!\[[^\]]*\]\(([^)]+\.png)\)", readme)
    out_dir = re.search(r"--out out/(\S+)", block)
    if pic and out_dir:
        made = os.path.join(tmp, "out", out_dir.group(1), "map.png")
        if "hotspot backtest" in block:
            made = os.path.join(tmp, "out", out_dir.group(1), "backtest-pai.png")
        if "hotspot pspo" in block:
            # A pack's picture is page 1 of its pack.pdf as poppler renders it.
            made = os.path.join(tmp, "page1")
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile",
                            os.path.join(tmp, "out", out_dir.group(1), "pack.pdf"), made], check=True)
            made += ".png"
        same = open(made, "rb").read() == open(os.path.join(root, pic.group(1)), "rb").read()
        if not same and "hotspot pspo" in block:
            # Chromium's PDF may shift by a pixel from one Debian security update to the next: the page must look
            # the same (same size, under 0.5% of pixels visibly different), not be the same bytes.
            same = png_close(made, os.path.join(root, pic.group(1)))
        if same: ok += 1
        else: bad += 1; print(f"  FAIL {pic.group(1)} is not what the README's command draws ({made})")
# Every project file shown (```yaml) runs: written beside the README (its paths are relative to the repository), run,
# and its output folder checked.
for k, y in enumerate(re.findall(r"```yaml\n(.*?)```", readme, re.S)):
    pf = os.path.join(root, f".readme-project-{k}.yaml")
    outdir = re.search(r"^out: (\S+)", y, re.M)
    y2 = y.replace(f"out: {outdir.group(1)}", f"out: {tmp}/project-{k}") if outdir else y
    open(pf, "w").write(y2)
    try:
        p = subprocess.run([bin_, "run", pf, "--quiet"], cwd=root, capture_output=True, text=True)
    finally:
        os.remove(pf)
    if p.returncode == 66 and "../shared" in y:
        skipped += 1; print("  skip (../shared not here): project file example"); continue
    c = subprocess.run([sys.executable, os.path.join(root, "tools/check_outputs.py"), f"{tmp}/project-{k}"], capture_output=True, text=True)
    if p.returncode == 0 and c.returncode == 0: ok += 1
    else: bad += 1; print(f"  FAIL the README's project file example: exit {p.returncode} {p.stderr[-300:]} {c.stderr[-300:]}")
# The compare table: every row's numbers equal compare-focus.csv.
table = re.search(r"\| ward \| 2018 .*?\n\|[-:| ]+\|\n((?:\|.*\|\n)+)", readme)
focus = os.path.join(tmp, "out/compare/compare-focus.csv")
if table and os.path.exists(focus):
    import csv
    rows = {r["name"]: r for r in csv.DictReader(open(focus)) if r["crime_type"] == "All crime" and r["layer"] == "wards"}
    for line in table.group(1).splitlines():
        cells = [c.strip().replace("−", "-").replace("+", "") for c in line.strip("|").split("|")]
        r = rows.get(cells[0])
        want = [r[k] for k in ["count_2018-03..2018-09", "rate_per_1000_2018-03..2018-09", "count_2022-03..2022-09",
                               "rate_per_1000_2022-03..2022-09", "change_2018-03..2018-09_to_2022-03..2022-09",
                               "pct_change_2018-03..2018-09_to_2022-03..2022-09"]] if r else None
        pv = f"{float(r['p_2018-03..2018-09_to_2022-03..2022-09']):.3f}" if r else None
        got = cells[1:7]
        if r and got == want and cells[7] == pv and cells[8] == r["borough_pct_change_2018-03..2018-09_to_2022-03..2022-09"]:
            ok += 1
        else:
            bad += 1; print(f"  FAIL README compare row {cells} != compare-focus.csv {want, pv}")
print(f"readme: {ok} passed, {bad} failed, {skipped} skipped")
sys.exit(1 if bad else 0)
