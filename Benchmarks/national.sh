#!/usr/bin/env bash
# England and Wales: 60 million synthetic police.uk incidents (43 forces, 2016-01…2025-12, 5,160 street CSVs, ≈ 14 GB)
# and 35,000 synthetic LSOAs from Benchmarks/national/gen_national.py, measured as a user runs them: the I/O floor,
# `hotspot areas` on the LSOAs (cold: fills the store; then from the store), sparse 100 m grid, KDE, Gi* and emerging, the
# PostGIS path (load, GiST index, a grid count query) and the Python peer on one force. Issue 26, part 6.
#
#   PEERS_PYTHON=VENV/bin/python Benchmarks/national.sh [WORKDIR]   (VENV: pip install -r ../shared/peers/requirements.txt)
#   NATIONAL_N=2e5 for a quick try; NATIONAL_SKIP="hotspot pg peer" (any of them) to leave groups of steps out.
#
# WORKDIR (default $TMPDIR/hotspot-national) receives data/ (generated once, by /usr/bin/python3 with numpy, scipy,
# shapely and pyproj; ogr2ogr for the GeoPackage), a private incident store, outputs and pg/ (a throw-away PostgreSQL
# from tools/pgcluster, removed at the end). Each step is timed on its own; a step that fails is reported (exit code
# and its last stderr line) and the script goes on. Prints a markdown table for Benchmarks/README.md.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
shared="${HOTSPOT_SHARED:-$root/../shared}"
work="${1:-${TMPDIR:-/tmp}/hotspot-national}"
n="${NATIONAL_N:-60e6}"
skip=" ${NATIONAL_SKIP:-} "
py="${PEERS_PYTHON:-}"
mkdir -p "$work"
data="$work/data"
if [ ! -s "$data/manifest.json" ]; then
  /usr/bin/time -f '%e %M' -o "$work/gen-time.txt" /usr/bin/python3 "$root/Benchmarks/national/gen_national.py" \
    --n "$n" --out "$data" --jobs 2 >&2 || { echo "national.sh: generating the data failed" >&2; exit 1; }
  echo "generated: $(cat "$work/gen-time.txt") (wall s, peak KiB)" >&2
fi
bin="$root/.build/release/hotspot"
if [[ "$skip" != *" hotspot "* ]]; then
  swift build -c release --product hotspot >/dev/null || { echo "national.sh: release build failed" >&2; exit 1; }
fi
files=("$data"/20??-??/*-street.csv)
lsoa="$data/lsoa.gpkg"
[ -s "$lsoa" ] || lsoa="$data/lsoa.geojson"
export HOTSPOT_STORE="$work/store"
rm -rf "$HOTSPOT_STORE" "$work"/o-*
row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4"; }
timed() {  # label, command...: a table row with wall seconds, peak RSS and the exit code; never stops the script
  local label="$1"; shift
  local rc=0
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || rc=$?
  local wall kb
  read -r wall kb < <(tail -1 "$work/time.txt")
  if [ "$rc" = 0 ]; then
    row "$label" "$wall" "$((kb / 1024)) MiB" "ok"
  else
    row "$label" "$wall" "$((kb / 1024)) MiB" "**exit $rc**: $( { grep -i -m1 'error' "$work/err.txt" || grep -v '^Command exited' "$work/err.txt" | tail -1; } | cut -c1-160)"
  fi
  cp "$work/err.txt" "$work/err-$(echo "$label" | tr -c 'a-zA-Z0-9' '_' | cut -c1-60).txt"
}
bytes=$(cat "${files[@]}" | wc -c)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input: ${#files[@]} files, $bytes bytes; LSOAs: $lsoa; $(git rev-parse --short HEAD)"
echo
echo "| step | wall s | peak memory | result |"
echo "|---|---:|---:|---|"
timed "I/O floor: cat every file > /dev/null" sh -c 'cat "$@" > /dev/null' sh "${files[@]}"
timed "I/O floor: wc -l every file" sh -c 'cat "$@" | wc -l' sh "${files[@]}"
echo "(rows: $(( $(cat "$work/out.txt") - ${#files[@]} )))" >&2
if [[ "$skip" != *" hotspot "* ]]; then
timed "hotspot areas, LSOAs, first (reads every row, projects, fills the store)" \
  "$bin" areas "${files[@]}" --areas lsoa="$lsoa" --out "$work/o-areas" --quiet
timed "hotspot areas, LSOAs, from the store" "$bin" areas "${files[@]}" --areas lsoa="$lsoa" --out "$work/o-areas" --quiet
timed "hotspot grid --cell 100 --sparse" "$bin" grid "${files[@]}" --cell 100 --sparse --out "$work/o-grid" --quiet
timed "hotspot kde --sparse, c 100 m, h 400 m" "$bin" kde "${files[@]}" --cell 100 --bandwidth 400 --sparse --out "$work/o-kde" --quiet
timed "hotspot gistar --cell 100 --sparse" "$bin" gistar "${files[@]}" --cell 100 --sparse --out "$work/o-gi" --quiet
timed "hotspot emerging --cell 100 --sparse --step 12months" "$bin" emerging "${files[@]}" --cell 100 --sparse --step 12months --out "$work/o-em" --quiet
timed "hotspot gistar on the LSOAs, queen contiguity" "$bin" gistar "${files[@]}" --areas lsoa="$lsoa" --on lsoa --neighbours queen --out "$work/o-gi-lsoa" --quiet
# Dense grids at 1 km (≈ 0.3 M cells: under --max-cells), what works without --sparse.
timed "hotspot grid --cell 1000 (dense)" "$bin" grid "${files[@]}" --cell 1000 --out "$work/o-grid1k" --quiet
timed "hotspot kde, c 1000 m, h 2000 m (dense)" "$bin" kde "${files[@]}" --cell 1000 --bandwidth 2000 --out "$work/o-kde1k" --quiet
timed "hotspot gistar --cell 1000 (dense)" "$bin" gistar "${files[@]}" --cell 1000 --out "$work/o-gi1k" --quiet
timed "hotspot areas, LSOAs, --no-store (reads the files again)" \
  "$bin" areas "${files[@]}" --areas lsoa="$lsoa" --out "$work/o-areas-nostore" --quiet --no-store
echo "store: $(du -sh "$HOTSPOT_STORE" | cut -f1)" >&2
fi

if [[ "$skip" != *" pg "* ]]; then
  # PostGIS: the incidents themselves (`--to-db` writes products, not incidents) loaded with psql's \copy from the
  # generator's CSVs (month, longitude, latitude, crime type: the columns the store holds; the generator writes no
  # quoted fields, so `cut` splits them), projected by PostGIS, then a GiST index and a 100 m grid count.
  pgdir="$work/pg"
  "$root/tools/pgcluster" stop "$pgdir" 2>/dev/null; rm -rf "$pgdir"
  url=$("$root/tools/pgcluster" start "$pgdir" 55433) || url=""
  if [ -n "$url" ]; then
    export PGPASSWORD=analyst
    q=(psql "$url" -qX -v ON_ERROR_STOP=1 -c "SET maintenance_work_mem = '1GB'" -c "SET work_mem = '256MB'")
    "${q[@]}" -c "CREATE UNLOGGED TABLE staging (month text, lon double precision, lat double precision, crime_type text)"
    export URL="$url"
    timed "PostGIS: \\copy every row (month, lon, lat, type) into a staging table" \
      sh -c 'tail -q -n +2 "$@" | cut -d, -f2,5,6,10 | psql "$URL" -qX -v ON_ERROR_STOP=1 -c "\copy staging FROM STDIN WITH (FORMAT csv)"' \
      sh "${files[@]}"
    timed "PostGIS: incidents = staging projected to EPSG:27700 (ST_Transform)" "${q[@]}" \
      -c "CREATE TABLE incidents AS SELECT month, crime_type, ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 27700)::geometry(Point, 27700) AS geom FROM staging WHERE lon IS NOT NULL" \
      -c "DROP TABLE staging"
    timed "PostGIS: GiST index on the points" "${q[@]}" -c "CREATE INDEX incidents_geom ON incidents USING gist (geom)"
    timed "PostGIS: ANALYZE" "${q[@]}" -c "ANALYZE incidents"
    "${q[@]}" -At -c "SELECT 'table ' || pg_size_pretty(pg_table_size('incidents')) || ', index ' || pg_size_pretty(pg_relation_size('incidents_geom')) || ', rows ' || count(*) FROM incidents" >&2
    timed "PostGIS: 100 m grid count (GROUP BY floor(x/100), floor(y/100))" "${q[@]}" \
      -c "EXPLAIN (ANALYZE, BUFFERS) SELECT floor(ST_X(geom) / 100) AS col, floor(ST_Y(geom) / 100) AS row, count(*) FROM incidents GROUP BY 1, 2"
    cp "$work/out.txt" "$work/pg-grid-explain.txt"
    timed "PostGIS: count in a 1 km box in Leeds (GiST index)" "${q[@]}" \
      -c "EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM incidents WHERE geom && ST_MakeEnvelope(429000, 433000, 430000, 434000, 27700)"
    cp "$work/out.txt" "$work/pg-box-explain.txt"
    "$root/tools/pgcluster" stop "$pgdir"; rm -rf "$pgdir"
  else
    row "PostGIS: tools/pgcluster start" "–" "–" "**failed**"
  fi
fi

if [[ "$skip" != *" peer "* ]] && [ -n "$py" ]; then
  # The peer (5.5 GB on 10 M rows) cannot hold 60 M: it runs on one force, Cleveland (≈ 1 % of the rows, 10 years),
  # static steps only (grid, KDE, Gi*; no space-time, no polygons), and hotspot on the same file beside it.
  force="${NATIONAL_PEER_FORCE:-cleveland}"
  pf=("$data"/20??-??/*-"$force"-street.csv)
  { head -1 "${pf[0]}"; tail -q -n +2 "${pf[@]}"; } > "$work/peer-input.csv"
  echo "peer input: $force, $(($(wc -l < "$work/peer-input.csv") - 1)) rows" >&2
  timed "peer on $force: reference.py (grid, KDE c 100 h 400, Gi* 200 m)" env -C "$shared/peers" "$py" reference.py \
    --input "$work/peer-input.csv" --out "$work/peer" --cell 100 --bandwidth 400 --gi-radius 200 --truth none \
    --polygons none --skip st_esda,pymk,kdepy,pip,centro
  timed "hotspot on $force: grid, kde exact (c 100, h 400), gistar 200 m (three commands)" sh -c \
    "'$bin' grid '$work/peer-input.csv' --cell 100 --out '$work/o-f-grid' --quiet && '$bin' kde '$work/peer-input.csv' --cell 100 --bandwidth 400 --mode exact --out '$work/o-f-kde' --quiet && '$bin' gistar '$work/peer-input.csv' --cell 200 --out '$work/o-f-gi' --quiet"
fi
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
