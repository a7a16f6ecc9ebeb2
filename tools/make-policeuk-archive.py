#!/usr/bin/env python3
"""Builds police.uk-layout archives for the fetch tests (never the internet), from the real street and stop-and-search
files in SHARED/data/policeuk, into OUT:

  OUT/2018-09.zip   months 2015-10 … 2018-09: the real Metropolitan street files 2018-03 … 2018-09 (2018-06 is the whole
                    Met burglary file, the other months its Lewisham rows), the real Met stop-and-search files 2018-03 …
                    2018-09 (2018-06 whole), City of London 2016-07 and 2017-07, West Yorkshire 2018-07;
  OUT/2022-09.zip   months 2019-10 … 2022-09: the real Metropolitan street files 2022-03 … 2022-09 (Lewisham burglary);
  OUT/2022-10.zip   months 2019-11 … 2022-10: as 2022-09.zip, but 2022-03 re-supplied without its last row (standing
                    for a force that re-supplied a month) and a 2022-10 month;

each member at YYYY-MM/YYYY-MM-FORCE-KIND.csv as police.uk names them, deflated. Every other force-month-kind of the
43 forces (street, stop-and-search, outcomes; outcomes and stop and search not for every force, as in police.uk's
archives) is a filler member of incompressible bytes (stored), sized by the force (the Met's the largest), so the
archive has police.uk's layout: ~4,000 members, one force-month a small part of it. 2022-09.zip holds SIZE_MB of filler
(default 120; ~2 s here), the others an eighth of that. The real archives are ~1.7 GB: SIZE_MB=1700 builds that size,
in time and disk linear in it; the central directory (what a fetch reads besides its members) does not grow with it
(see Benchmarks/README.md). Same inputs, same bytes (fixed dates, seeded filler).

Usage: tools/make-policeuk-archive.py SHARED OUT [SIZE_MB]
"""
import gzip, os, random, sys, zipfile

SHARED, OUT = sys.argv[1], sys.argv[2]
SIZE_MB = float(sys.argv[3]) if len(sys.argv) > 3 else 120
P = os.path.join(SHARED, "data", "policeuk")
FORCES = """avon-and-somerset bedfordshire btp cambridgeshire cheshire city-of-london cleveland cumbria derbyshire
devon-and-cornwall dorset durham dyfed-powys essex gloucestershire greater-manchester gwent hampshire hertfordshire
humberside kent lancashire leicestershire lincolnshire merseyside metropolitan norfolk north-wales north-yorkshire
northamptonshire northumbria nottinghamshire south-wales south-yorkshire staffordshire suffolk surrey sussex
thames-valley warwickshire west-mercia west-midlands west-yorkshire""".split()
assert len(FORCES) == 43
WEIGHT = {"metropolitan": 12, "west-midlands": 4, "greater-manchester": 4, "west-yorkshire": 3, "thames-valley": 3}
KIND_WEIGHT = {"street": 1.0, "outcomes": 0.5, "stop-and-search": 0.15}
STAMP = (2024, 1, 1, 0, 0, 0)


def months(last, n=36):
    y, m = map(int, last.split("-"))
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def read(path):
    if path.endswith(".gz"):
        with gzip.open(path, "rb") as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


def real_members():
    real = {}
    for m in [f"2018-{i:02d}" for i in range(3, 10)]:
        real[(m, "metropolitan", "street")] = read(f"{P}/met-burglary-lewisham/{m}-metropolitan-street.csv")
        real[(m, "metropolitan", "stop-and-search")] = read(f"{P}/met-stop-and-search-lewisham-bbox/{m}-metropolitan-stop-and-search.csv")
    real[("2018-06", "metropolitan", "street")] = read(f"{P}/met-burglary-full/2018-06-metropolitan-street.csv.gz")
    real[("2018-06", "metropolitan", "stop-and-search")] = read(f"{P}/met-stop-and-search-full/2018-06-metropolitan-stop-and-search.csv.gz")
    for m in ("2016-07", "2017-07"):
        real[(m, "city-of-london", "street")] = read(f"{P}/city-of-london/{m}-city-of-london-street.csv")
    real[("2018-07", "west-yorkshire", "street")] = read(f"{P}/west-yorkshire/2018-07-west-yorkshire-street.csv.gz")
    for m in [f"2022-{i:02d}" for i in range(3, 10)]:
        real[(m, "metropolitan", "street")] = read(f"{P}/met-burglary-lewisham/{m}-metropolitan-street.csv")
    return real


def build(name, real, size_mb, resupply=None):
    last = name[:-4]
    layout = []
    for m in months(last):
        for force in FORCES:
            for kind in ("street", "outcomes", "stop-and-search"):
                if kind == "stop-and-search" and force in ("btp", "north-wales"):
                    continue
                if kind == "outcomes" and force == "greater-manchester":
                    continue
                layout.append((m, force, kind))
    fillers = [x for x in layout if x not in real]
    total_weight = sum(WEIGHT.get(f, 1) * KIND_WEIGHT[k] for _, f, k in fillers)
    per = size_mb * 1e6 / total_weight
    rng = random.Random(name)
    pool = rng.randbytes(int(per * 12 * 1.1) + 4096)  # the largest filler member, then slices of it
    tmp = os.path.join(OUT, f".{name}.tmp")
    with zipfile.ZipFile(tmp, "w") as z:
        for (m, force, kind) in layout:
            member = f"{m}/{m}-{force}-{kind}.csv"
            info = zipfile.ZipInfo(member, STAMP)
            if (m, force, kind) in real:
                data = real[(m, force, kind)]
                if resupply and (m, force, kind) == resupply:
                    lines = data.splitlines(keepends=True)
                    data = b"".join(lines[:-1])
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data, compresslevel=6)
            else:
                n = int(per * WEIGHT.get(force, 1) * KIND_WEIGHT[kind] * rng.uniform(0.9, 1.1))
                start = rng.randrange(0, len(pool) - n)
                info.compress_type = zipfile.ZIP_STORED
                z.writestr(info, pool[start:start + n])
    os.replace(tmp, os.path.join(OUT, name))


os.makedirs(OUT, exist_ok=True)
real = real_members()
build("2018-09.zip", real, SIZE_MB / 8)
build("2022-09.zip", real, SIZE_MB)
build("2022-10.zip", real, SIZE_MB / 8, resupply=("2022-03", "metropolitan", "street"))
