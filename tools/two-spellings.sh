#!/usr/bin/env bash
# A command line and a project file are two spellings of one request: each product made by `hotspot run` from a
# project file equals, byte for byte (all but metadata.json, which records the command), the same product made by
# its own command from the equivalent flags. Usage: tools/two-spellings.sh HOTSPOT_BIN WORK_DIR
set -euo pipefail
bin="$1"; w="$2"; d="$PWD/Geodata/demo"
mkdir -p "$w"
cat > "$w/two.yaml" <<YAML
inputs: {files: ["$d/incidents.csv"], types: [Burglary, Robbery], from: 2023-06, to: 2025-12}
boundary: $d/boundary.geojson
areas:
  wards: {file: $d/wards.geojson, population: $d/wards_population.csv}
  lsoa: {file: $d/lsoa.geojson}
focus: [Millpond]
out: $w/run
products:
  areas: {}
  grid: {cell: 300, hex: flat, clip: true}
  kde: {cell: 100, bandwidth: 350, kernel: epanechnikov, threshold: "share:30", smooth: true, min_incidents: 2, clip: true}
  gistar: {on: lsoa, neighbours: rook, permutations: 99, seed: 7, adjust: by}
  moran: {cell: 250, clip: true, adjust: holm, permutations: 199, seed: 3}
  optimized: {hex: pointy, clip: true, bands: 8}
  emerging: {cell: 250, step: month, window: 2, clip: true, adjust: bonferroni}
  compare: {periods: [2024-03..2024-09, 2025-03..2025-09], cell: 500}
YAML
"$bin" run "$w/two.yaml" --quiet
common=("$d/incidents.csv" --type Burglary --type Robbery --from 2023-06 --to 2025-12 --boundary "$d/boundary.geojson" --quiet)
layers=(--areas "wards=$d/wards.geojson" --population "wards=$d/wards_population.csv" --areas "lsoa=$d/lsoa.geojson")
"$bin" areas "${common[@]}" "${layers[@]}" --out "$w/cli/areas"
"$bin" grid "${common[@]}" "${layers[@]}" --cell 300 --hex flat --clip --out "$w/cli/grid"
"$bin" kde "${common[@]}" "${layers[@]}" --cell 100 --bandwidth 350 --kernel epanechnikov --threshold share:30 --smooth --min-incidents 2 --clip --out "$w/cli/kde"
"$bin" gistar "${common[@]}" "${layers[@]}" --on lsoa --neighbours rook --permutations 99 --seed 7 --adjust by --out "$w/cli/gistar"
"$bin" moran "${common[@]}" "${layers[@]}" --cell 250 --clip --adjust holm --permutations 199 --seed 3 --out "$w/cli/moran"
"$bin" optimized "${common[@]}" "${layers[@]}" --hex pointy --clip --bands 8 --out "$w/cli/optimized"
"$bin" emerging "${common[@]}" "${layers[@]}" --cell 250 --step month --window 2 --clip --adjust bonferroni --out "$w/cli/emerging"
"$bin" compare "${common[@]}" "${layers[@]}" --focus Millpond --period 2024-03..2024-09 --period 2025-03..2025-09 --cell 500 --out "$w/cli/compare"
for p in areas grid kde gistar moran optimized emerging compare; do
  diff -r -x metadata.json "$w/run/$p" "$w/cli/$p"
  [ "$(ls "$w/run/$p" | wc -l)" -ge 3 ]
done
# The backtested bandwidth, spelled both ways (bandwidth_rule: backtest, backtest_windows = --backtest-windows).
cat > "$w/bt.yaml" <<YAML
inputs: {files: ["$d/incidents.csv"]}
boundary: $d/boundary.geojson
out: $w/run-bt
products:
  kde: {cell: 200, bandwidth_rule: backtest, backtest_windows: "3months:3months"}
YAML
"$bin" run "$w/bt.yaml" --quiet
"$bin" kde "$d/incidents.csv" --boundary "$d/boundary.geojson" --cell 200 --bandwidth-rule backtest --backtest-windows 3months:3months --quiet --out "$w/cli/kde-bt"
diff -r -x metadata.json "$w/run-bt/kde" "$w/cli/kde-bt"
[ -s "$w/run-bt/kde/backtest.csv" ]
echo "two spellings, one request: 9 products identical"
