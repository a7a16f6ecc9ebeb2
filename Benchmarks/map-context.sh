#!/usr/bin/env bash
# Issue 18 performance line: a map with three context layers and a cached basemap costs ≤ 1 s beyond the analysis
# (A4, 300 dpi, SVG + PDF + PNG). Real Lewisham burglary, March–September 2022, kde with wards; release build.
# Usage: Benchmarks/map-context.sh [path/to/hotspot]   (needs ../shared; starts tools/tileserver.py on 127.0.0.1)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-$(swift build -c release --show-bin-path)/hotspot}"
S="${HOTSPOT_SHARED:-../shared}"; L=$S/geodata/lewisham; C=$L/context
tmp=$(mktemp -d); trap 'kill $tsp 2>/dev/null; rm -rf "$tmp"' EXIT
python3 tools/tileserver.py "$tmp/tiles.log" 600 > "$tmp/port" & tsp=$!
for _ in $(seq 20); do [ -s "$tmp/port" ] && break; sleep 0.2; done
URL="http://127.0.0.1:$(head -1 "$tmp/port")/{z}/{x}/{y}.png"
export HOTSPOT_TILE_CACHE="$tmp/cache" HOTSPOT_STORE="$tmp/store"
base=("$S"/data/policeuk/met-burglary-lewisham/2022-0[3-9]-*.csv --type Burglary --boundary $L/lbl_wd22_proposed_bng.geojson --clip
      --cell 100 --min-incidents 3 --areas wards=$L/lbl_wd22_proposed_bng.geojson --quiet)
map=(--map --focus "Rushey Green" --focus "Lewisham Central")
ctx=(--context roads=$C/major-roads-dft-mrn-2018.gpkg --context-attribution "roads=DfT MRN 2018, OGL v3.0."
     --context stations=$C/stations-osm-2024-11.geojson --context towns=$C/town-centres.geojson
     --context-attribution "towns=GLA town centres, OGL v3.0." --basemap "$URL" --basemap-attribution "local test tiles")
"$bin" kde "${base[@]}" "${map[@]}" "${ctx[@]}" --out "$tmp/warm"   # fills the incident store and the tile cache
t() { local s e; s=$(date +%s%N); "$bin" kde "${base[@]}" "$@" --out "$tmp/o" >/dev/null; e=$(date +%s%N); printf '%d.%03d' $(((e - s) / 1000000000)) $((((e - s) / 1000000) % 1000)); }
ctxonly=("${ctx[@]:0:10}")   # the three context layers without the basemap
bm=("${ctx[@]:10}")          # the basemap alone
for what in analysis map map+context map+basemap map+context+basemap; do
  times=()
  for _ in 1 2 3; do
    case $what in
      analysis) times+=("$(t)");;
      map) times+=("$(t "${map[@]}")");;
      map+context) times+=("$(t "${map[@]}" "${ctxonly[@]}")");;
      map+basemap) times+=("$(t "${map[@]}" "${bm[@]}")");;
      *) times+=("$(t "${map[@]}" "${ctx[@]}")");;
    esac
  done
  printf '%-22s %s s\n' "$what" "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)"
done
