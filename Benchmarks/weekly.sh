#!/usr/bin/env bash
# Issue 19 performance line: a weekly set built from the incident store in ≤ 1 s for the demo (the daily-dated demo
# incidents, tools/daily-demo.py: 7,000 incidents over 2023–2025, 145 weeks of hotspot tracking). Times `hotspot weekly
# --week 2025-W42` three times after a first run has filled the store, with and without the print map; release build.
# Usage: Benchmarks/weekly.sh [path/to/hotspot]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-$(swift build -c release --show-bin-path)/hotspot}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export HOTSPOT_STORE="$tmp/store"
python3 tools/daily-demo.py "$tmp/in" "$tmp/out" >/dev/null
"$bin" weekly "$tmp/in/weekly.yaml" --week 2025-W41 --quiet   # fills the incident store
t() { local s e; s=$(date +%s%N); "$bin" weekly "$tmp/in/weekly.yaml" --week 2025-W42 --quiet "$@"; e=$(date +%s%N); printf '%d.%03d' $(((e - s) / 1000000000)) $((((e - s) / 1000000) % 1000)); }
for what in "no map" "with map"; do
  times=()
  for _ in 1 2 3; do if [ "$what" = "no map" ]; then times+=("$(t --no-map)"); else times+=("$(t)"); fi; done
  echo "weekly set 2025-W42 ($what; dated set + latest + web maps): ${times[*]} s"
done
