#!/usr/bin/env bash
# Issue 23 performance lines: the whole Met's stop and search for June 2018 (10,581 rows) summarised with its page
# and layers in ≤ 2 s; a year of the Met (≈150,000 rows: the month repeated 14 times, dates shifted a month each,
# written to a temporary folder, never committed) in ≤ 5 s. Release build; London's boroughs as the area layer.
# Usage: Benchmarks/stops.sh [path/to/hotspot]   (needs ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-$(swift build -c release --show-bin-path)/hotspot}"
S="${HOTSPOT_SHARED:-../shared}"; M=$S/data/policeuk/met-stop-and-search-full/2018-06-metropolitan-stop-and-search.csv.gz
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export HOTSPOT_STORE="$tmp/store"
python3 - "$M" "$tmp/year" <<'PY'
import calendar, csv, gzip, os, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
rows = list(csv.reader(gzip.open(src, "rt", encoding="utf-8-sig")))
n = 0
for k in range(14):   # 2018-01 … 2019-02
    y, m = 2018 + k // 12, k % 12 + 1
    with open(f"{out}/{y}-{m:02d}-metropolitan-stop-and-search.csv", "w", newline="") as f:
        w = csv.writer(f); w.writerow(rows[0])
        for r in rows[1:]:
            d = r[1]
            if d:
                # Same day and time in month k (the day clamped to the month's length); a row dated late on 31 May
                # UTC (1 June in BST) keeps its offset in days from the file's month.
                oy, om, od = int(d[0:4]), int(d[5:7]), int(d[8:10])
                ty, tm = (y, m) if om == 6 else ((y, m - 1) if m > 1 else (y - 1, 12))
                r = r[:1] + [f"{ty}-{tm:02d}-{min(od, calendar.monthrange(ty, tm)[1]):02d}{d[10:]}"] + r[2:]
            w.writerow(r); n += 1
print(f"year: {n} rows in 14 files", file=sys.stderr)
PY
args=(--areas "boroughs=$S/geodata/london/london-boroughs.gpkg" --place "the Met" --pages svg pdf png --quiet)
t() { local s e; s=$(date +%s%N); "$bin" stops "$@" "${args[@]}" --out "$tmp/o" >/dev/null; e=$(date +%s%N); printf '%d.%03d' $(((e - s) / 1000000000)) $((((e - s) / 1000000) % 1000)); }
"$bin" stops "$M" "${args[@]}" --out "$tmp/warm" >/dev/null
for what in month year; do
  times=()
  for _ in 1 2 3; do
    if [ $what = month ]; then times+=("$(t "$M")"); else times+=("$(t "$tmp"/year/*.csv)"); fi
  done
  printf '%-6s %s s (runs: %s)\n' "$what" "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)" "${times[*]}"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
