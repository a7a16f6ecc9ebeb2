#!/usr/bin/env python3
"""Runs the examples of README.md and of every page under docs/ and checks that what they print is what the page shows.

Usage: tools/check_readme.py path/to/hotspot [PAGE.md …] (default: README.md and docs/**/*.md). Each ```bash block
holding `hotspot` commands is run with bash from the repository root, the blocks of a page in order (the `--out out/…`
folders go to a temporary folder of the page's own, so a later block may read what an earlier one wrote); a block whose
input files are missing (exit 66) fails, unless it reads ../shared and ../shared is absent (then it is skipped, said
on a line). Lines `# …` after a command are its expected output: each must appear in what the block printed (a line
ending in "…" is a prefix). A picture right after a block must be what the block drew. ```yaml blocks are project
files (see check_page). The compare example's table must equal compare-focus.csv."""
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
root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
if len(sys.argv) > 2:
    pages = [os.path.relpath(os.path.abspath(a), root) for a in sys.argv[2:]]
else:
    pages = ["README.md"] + sorted(os.path.relpath(os.path.join(d, f), root)
                                   for d, _, fs in os.walk(os.path.join(root, "docs")) for f in fs if f.endswith(".md"))
ok = bad = skipped = 0
shared_absent = not os.path.isdir(os.path.join(root, "..", "shared", "data"))


def check_page(page):
    """Runs one Markdown page's examples in order, in a temporary folder of its own; returns (ok, bad, skipped)."""
    ok = bad = skipped = 0
    text = open(os.path.join(root, page), encoding="utf-8").read()
    here = os.path.dirname(os.path.join(root, page))
    # HOTSPOT_DOCS_KEEP=DIR keeps each page's outputs at DIR/PAGE (tools/snapshot hashes them).
    keep = os.environ.get("HOTSPOT_DOCS_KEEP")
    tmp = os.path.join(keep, page.replace("/", "_")) if keep else tempfile.mkdtemp()
    os.makedirs(tmp, exist_ok=True)
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    # Project files shown as ```yaml blocks. One whose first line is `# NAME.yaml …` is written as NAME.yaml at the
    # repository root while the page runs (its paths are relative to the repository; its `out: out/…` goes to the
    # temporary folder), so that the page's commands can use it; one that no command uses is run with `hotspot run`.
    projects = []
    for k, y in enumerate(re.findall(r"```yaml\n(.*?)```", text, re.S)):
        m = re.match(r"# (\S+\.ya?ml)\b", y)
        # Unnamed ones are named after their page too: pages run side by side (HOTSPOT_DOCS_JOBS).
        name = m.group(1) if m else f".docs-project-{page.replace('/', '_')}-{k}.yaml"
        path = os.path.join(root, name)
        if os.path.exists(path) and m:
            print(f"  FAIL {page}: the page's project file {name} would overwrite a file of the repository")
            return ok, bad + 1, skipped
        y2 = re.sub(r"^out: (\S+)", lambda o: f"out: {tmp}/out/{o.group(1).split('out/', 1)[-1]}", y, flags=re.M)
        # Files the page's commands wrote under out/ (e.g. a cleaned copy of an input) are read from there too.
        y2 = re.sub(r"(?<=[\s\[,])out/", f"{tmp}/out/", y2)
        open(path, "w").write(y2)
        used = bool(m) and any(name in b for b in blocks)
        projects.append((name, path, y, used))
    try:
        # A block using a project file that reads ../shared reads ../shared too.
        shared_projects = [name for name, _, y, used in projects if used and "../shared" in y]
        for block in blocks:
            o, b, s = check_block(page, text, here, tmp, block, shared_projects)
            ok += o; bad += b; skipped += s
        for name, path, y, used in projects:
            if used: continue
            outdir = re.search(r"^out: (\S+)", y, re.M)
            made = f"{tmp}/out/{outdir.group(1).split('out/', 1)[-1]}" if outdir else None
            p = subprocess.run([bin_, "run", name, "--quiet"], cwd=root, capture_output=True, text=True)
            if p.returncode == 66 and "../shared" in y and shared_absent:
                skipped += 1; print(f"  skip (../shared is absent): {page}: project file {name}"); continue
            c = subprocess.run([sys.executable, os.path.join(root, "tools/check_outputs.py"), made], capture_output=True, text=True) if made else None
            if p.returncode == 0 and (c is None or c.returncode == 0): ok += 1
            else: bad += 1; print(f"  FAIL {page}: project file {name}: exit {p.returncode} {p.stderr[-300:]} {c.stderr[-300:] if c else ''}")
    finally:
        for _, path, _, _ in projects:
            if os.path.exists(path): os.remove(path)
    o, b = check_compare_table(text, tmp)
    return ok + o, bad + b, skipped


def check_block(page, text, here, tmp, block, shared_projects=()):
    ok = bad = skipped = 0
    lines = block.splitlines()
    if not any(l.startswith("hotspot ") for l in lines) or "tools/" in block:
        return 0, 0, 0
    expected, seen_cmd = [], False
    for l in lines:
        if l.startswith("hotspot ") or re.match(r"^[A-Z]+=", l): seen_cmd = True
        elif l.startswith("# ") and seen_cmd: expected.append(l[2:].rstrip())
    script = "\n".join(l for l in lines if not l.startswith("# "))
    script = re.sub(r"(?<=[\s=])out/", f"{tmp}/out/", script)
    p = subprocess.run(["bash", "-c", f'set -e\nhotspot() {{ "{bin_}" "$@"; }}\n' + script], cwd=root, capture_output=True, text=True)
    first = f"{page}: {lines[0][:70]}"
    if p.returncode == 66 and ("../shared" in block or any(n in block for n in shared_projects)) and shared_absent:
        print(f"  skip (../shared is absent): {first}"); return 0, 0, 1
    if p.returncode != 0:
        print(f"  FAIL exit {p.returncode}: {first}\n{p.stderr[-400:]}"); return 0, 1, 0
    printed = [l.rstrip() for l in (p.stdout + p.stderr).splitlines()]
    for e in expected:
        hit = any(l.startswith(e[:-1].rstrip()) for l in printed) if e.endswith("…") else e in printed
        if hit: ok += 1
        else: bad += 1; print(f"  FAIL {page} shows a line the command does not print:\n    {e}\n  printed:\n    " + "\n    ".join(printed[-8:]))
    if not expected: ok += 1
    # A picture shown right after the block is what the block draws, byte for byte.
    pic = re.search(re.escape(block) + r"```\n\n!\[[^\]]*\]\(([^)]+\.png)\)", text)
    out_dir = re.search(r"--out out/(\S+)", block)
    if pic and out_dir:
        made = os.path.join(tmp, "out", out_dir.group(1), "map.png")
        if not os.path.exists(made):
            # `areas --map` draws one map per layer: map-NAME.png (the page shows the first).
            maps = sorted(f for f in os.listdir(os.path.dirname(made)) if re.fullmatch(r"map-.+\.png", f)) if os.path.isdir(os.path.dirname(made)) else []
            if maps: made = os.path.join(os.path.dirname(made), maps[0])
        if "hotspot backtest" in block:
            made = os.path.join(tmp, "out", out_dir.group(1), "backtest-pai.png")
        if "hotspot context" in block:
            # One page per category: the picture is the page of its own name.
            made = os.path.join(tmp, "out", out_dir.group(1), os.path.basename(pic.group(1)))
        if "hotspot stops" in block:
            # With --map the map (stops-map.png); else the one-page summary (its command shown without --out, so the
            # page's own folder does not change it).
            made = os.path.join(tmp, "out", out_dir.group(1), "stops-map.png" if re.search(r"--map\b", block) else "stops-summary.png")
        if "hotspot pspo" in block:
            # A pack's picture is page 1 of its pack.pdf as poppler renders it.
            made = os.path.join(tmp, "page1")
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile",
                            os.path.join(tmp, "out", out_dir.group(1), "pack.pdf"), made], check=True)
            made += ".png"
        shown = os.path.normpath(os.path.join(here, pic.group(1)))
        if not os.path.exists(shown):
            print(f"  FAIL {page}: the picture {pic.group(1)} does not exist"); return ok, bad + 1, 0
        same = os.path.exists(made) and open(made, "rb").read() == open(shown, "rb").read()
        if not same and "hotspot pspo" in block:
            # Chromium's PDF may shift by a pixel from one Debian security update to the next: the page must look
            # the same (same size, under 0.5% of pixels visibly different), not be the same bytes.
            same = png_close(made, shown)
        if same: ok += 1
        else: bad += 1; print(f"  FAIL {page}: {pic.group(1)} is not what the command before it draws ({made})")
    return ok, bad, 0


def check_compare_table(text, tmp):
    """The compare table: every row's numbers equal compare-focus.csv."""
    ok = bad = 0
    table = re.search(r"\| ward \| 2018 .*?\n\|[-:| ]+\|\n((?:\|.*\|\n)+)", text)
    focus = os.path.join(tmp, "out/compare/compare-focus.csv")
    if not (table and os.path.exists(focus)):
        return 0, 0
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
    return ok, bad


# Pages are independent (a temporary folder and project-file names of their own): HOTSPOT_DOCS_JOBS of them (default
# 2, the cores CI has) run side by side; each page's messages are printed together when it ends, in page order.
def run_page(page):
    import contextlib, io
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        res = check_page(page)
    return res, buf.getvalue()


jobs = max(1, int(os.environ.get("HOTSPOT_DOCS_JOBS", "2")))
if jobs == 1:
    results = map(run_page, pages)
else:
    from concurrent.futures import ProcessPoolExecutor
    pool = ProcessPoolExecutor(max_workers=jobs)
    results = pool.map(run_page, pages)
for (o, b, k), text in results:
    sys.stdout.write(text)
    ok += o; bad += b; skipped += k
print(f"readme: {ok} passed, {bad} failed, {skipped} skipped")
sys.exit(1 if bad else 0)
