#!/usr/bin/env bash
# W10M: a full analysis of 10 million synthetic Lewisham incidents (36 months, all coordinates distinct, a 2.27 GB
# police.uk CSV from ../shared/peers/gen_incidents.py), measured as a user runs it, side by side with the I/O floor
# and the Python peer (../shared/peers/reference.py) in the same run, with the machine's load. Issue 12.
#
#   PEERS_PYTHON=~/peers-venv/bin/python Benchmarks/w10m.sh [WORKDIR]
#
# WORKDIR (default $TMPDIR/hotspot-w10m) receives the data (generated once), a private incident store and outputs.
# Prints a markdown table (wall seconds, peak memory) for Benchmarks/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
shared="${HOTSPOT_SHARED:-$root/../shared}"
work="${1:-${TMPDIR:-/tmp}/hotspot-w10m}"
py="${PEERS_PYTHON:-}"
mkdir -p "$work"
swift build -c release --product hotspot >/dev/null
bin="$root/.build/release/hotspot"
csv="$work/data/incidents.csv"
if [ ! -s "$csv" ]; then
  [ -n "$py" ] || { echo "set PEERS_PYTHON to a python with ../shared/peers/requirements.txt to generate the data" >&2; exit 64; }
  (cd "$shared/peers" && "$py" gen_incidents.py --n 1e7 --months 36 --formats police --seed 42 --out "$work/data" >/dev/null)
fi
cat > "$work/project.yaml" <<EOF
# W10M: areas (wards, LSOAs), grid counts, exact KDE (c = 100 m, h = 400 m), Gi* (200 m), emerging hot spots monthly.
inputs:
  files: [$csv]
  format: policeuk
areas:
  wards: {file: $shared/geodata/lewisham/lbl_wd22_proposed.geojson}
  lsoa: {file: $shared/geodata/lewisham/lbl_lsoa11_full.json}
out: $work/out
products:
  areas: {map: false}
  grid: {cell: 100}
  kde: {cell: 100, bandwidth: 400, mode: exact}
  gistar: {cell: 200}
  emerging: {cell: 200, step: month}
EOF
export HOTSPOT_STORE="$work/store"
rm -rf "$HOTSPOT_STORE"
row() { printf '| %s | %s | %s |\n' "$1" "$2" "$3"; }
timed() {  # label, command...: prints a table row with wall seconds and peak RSS
  local label="$1"; shift
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || { cat "$work/err.txt" >&2; exit 1; }
  read -r wall kb < "$work/time.txt"
  row "$label" "$wall" "$((kb / 1024)) MiB"
}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input: $(stat -L -c %s "$csv") bytes, $(($(wc -l < "$csv") - 1)) rows"
echo
echo "| step | wall s | peak memory |"
echo "|---|---:|---:|"
cat "$csv" > /dev/null  # page cache
timed "I/O floor: dd the file (page cache, 4 MiB reads)" dd if="$csv" of=/dev/null bs=4M
timed "I/O floor: wc -l" wc -l "$csv"
timed "hotspot inspect, nothing stored (reads, validates; projects 82 points)" "$bin" inspect "$csv" --no-store
timed "hotspot run, first (reads, validates, projects; fills the store)" "$bin" run "$work/project.yaml" --quiet
rm -rf "$work/out.first"; cp -r "$work/out" "$work/out.first"
for i in 1 2 3; do timed "hotspot run, again ($i): from the store" "$bin" run "$work/project.yaml" --quiet; done
diff -r -q "$work/out.first" "$work/out" >/dev/null && echo "(outputs of the first and later runs: byte-identical)" >&2
timed "second command: hotspot inspect" "$bin" inspect "$csv"
timed "second command: hotspot grid --cell 100" "$bin" grid "$csv" --cell 100 --out "$work/o-grid" --quiet
timed "second command: hotspot areas (wards, LSOAs)" "$bin" areas "$csv" --areas wards="$shared/geodata/lewisham/lbl_wd22_proposed.geojson" --areas lsoa="$shared/geodata/lewisham/lbl_lsoa11_full.json" --out "$work/o-areas" --quiet
timed "second command: hotspot kde exact c100 h400" "$bin" kde "$csv" --cell 100 --bandwidth 400 --mode exact --out "$work/o-kde" --quiet
timed "second command: hotspot gistar --cell 200" "$bin" gistar "$csv" --cell 200 --out "$work/o-gi" --quiet
timed "second command: hotspot emerging --cell 200" "$bin" emerging "$csv" --cell 200 --out "$work/o-em" --quiet
if [ -n "$py" ]; then
  timed "peer: reference.py (pandas, pyproj, scipy, esda, pymannkendall, geopandas)" env -C "$shared/peers" "$py" reference.py --input "$csv" --out "$work/peer" --cell 100 --bandwidth 400 --gi-radius 200 --truth none
  "$py" - "$work/peer/summary.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["timings_s"]
print("\npeer steps (s): " + ", ".join(f"{k} {v:.2f}" for k, v in t.items()))
PY
fi
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
