#!/usr/bin/env bash
# `hotspot serve` against real clients: GDAL's OAPIF driver, QGIS (headless), Chromium (headless), ApacheBench and curl.
# Builds the demo outputs and two weekly sets in a temporary folder, serves it on a free port, and checks:
#   1. ogrinfo lists every collection; ogr2ogr reads collections (GeoJSON and GeoPackage ones) equal to the files
#      (feature count, attribute values, coordinates to 1e-6);
#   2. QGIS's OAPIF provider opens collections as valid layers with the right feature counts;
#   3. Chromium gets the HTML collection list;
#   4. a third week built while serving appears without a restart, `latest` answers old-or-new, never a mix;
#   5. ab -n 10000 -c 50 on 1,000-feature pages: no failed or non-2xx request (prints median, p95, req/s), and the
#      median time of a 1,000-feature page (goal ≤ 50 ms);
#   6. path escapes over real HTTP (curl --path-as-is): `..`, %2e%2e, encoded slashes, symbolic links out → 404;
#      other methods → 405;
#   7. a second server on the same port exits 73 saying the port is in use; SIGTERM stops the server with 0.
# Prints `ok …`/`FAIL …` lines; exits non-zero on any failure. Usage: tools/check_serve.sh path/to/hotspot
# Environment: SERVE_AB_REQUESTS (default 10000), SERVE_AB_CONCURRENCY (50).
set -uo pipefail
cd "$(dirname "$0")/.."
bin="$(realpath "$1")"
tmp="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fails=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
check() {
  local name="$1"; shift
  if "$@" >"$tmp/log" 2>&1; then ok "$name"; else fail "$name"; sed 's/^/     /' "$tmp/log" | tail -25; fi
}
py=/usr/bin/python3   # Debian's python3 (python3-gdal, python3-qgis)

# The served folder: every demo product, and weekly layers for two weeks (a third is built while serving).
served="$tmp/served"
"$bin" demo --data Geodata/demo --out "$served" --quiet || { echo "FAIL hotspot demo"; exit 1; }
python3 tools/daily-demo.py "$served/weekly-input" "$served/weekly" >/dev/null
for w in 2025-W40 2025-W41; do "$bin" weekly "$served/weekly-input/weekly.yaml" --week "$w" --quiet || { echo "FAIL weekly $w"; exit 1; }; done
mkdir -p "$tmp/outside" && echo "secret outside the folder" > "$tmp/outside/secret.txt"
ln -s "$tmp/outside/secret.txt" "$served/secret-link.txt"
ln -s "$tmp/outside" "$served/outside-dir"
ln -s /etc/passwd "$served/passwd"

"$bin" serve "$served" --port 0 >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
for _ in $(seq 1 100); do grep -q '^hotspot serve: http' "$tmp/serve.out" 2>/dev/null && break; sleep 0.2; done
url="$(sed -n 's|^hotspot serve: \(http://[^ ]*\)/ .*|\1|p' "$tmp/serve.out" | head -1)"
if [ -z "$url" ]; then echo "FAIL hotspot serve printed no URL"; cat "$tmp/serve.out" "$tmp/serve.err"; exit 1; fi
ok "hotspot serve listening: $(head -1 "$tmp/serve.out")"
port="${url##*:}"

# The collections as the server lists them (the reference for the clients).
curl -sf "$url/collections?f=json" -o "$tmp/collections.json" || { echo "FAIL GET /collections"; exit 1; }
ncoll=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['collections']))" "$tmp/collections.json")

# A GeoJSON written by a client equals the layer file: same count, same attributes, coordinates within 1e-6.
cat > "$tmp/compare.py" <<'EOF'
import json, sys
got, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
g, w = got["features"], want["features"]
assert len(g) == len(w), f"{len(g)} features read, {len(w)} in the file"
def coords(c):
    if isinstance(c, (int, float)): return [c]
    return [x for e in c for x in coords(e)]
def flat(geom):
    # Polygons and MultiPolygons of one part compare as the same rings.
    c = geom["coordinates"]
    if geom["type"] == "MultiPolygon" and len(c) == 1: c = c[0]
    return coords(c)
for a, b in zip(sorted(g, key=lambda f: str(f["properties"].get("id"))), sorted(w, key=lambda f: str(f["properties"].get("id")))):
    pa, pb = a["properties"], b["properties"]
    for k, v in pb.items():
        x = pa.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and x is not None:
            assert abs(float(x) - v) <= 1e-9 * max(1, abs(v)), f"{pb.get('id')}.{k}: {x} != {v}"
        else:
            assert x == v, f"{pb.get('id')}.{k}: {x!r} != {v!r}"
    ca, cb = flat(a["geometry"]), flat(b["geometry"])
    assert len(ca) == len(cb), f"{pb.get('id')}: {len(ca)} coordinates, {len(cb)} in the file"
    d = max((abs(p - q) for p, q in zip(ca, cb)), default=0)
    assert d <= 1e-6, f"{pb.get('id')}: coordinates differ by {d}"
print(f"{len(g)} features equal")
EOF

# 1. GDAL's OAPIF driver.
check "ogrinfo OAPIF lists all $ncoll collections" bash -c "
  n=\$(ogrinfo -ro -q 'OAPIF:$url/' | grep -c '^[0-9]*: ') && echo \"\$n layers\" && [ \"\$n\" = $ncoll ]"
for spec in "weekly.layers.latest.wards:weekly/layers/latest/wards.geojson" \
            "weekly.layers.latest.incidents:weekly/layers/latest/incidents.geojson" \
            "areas.areas-lsoa:areas/areas-lsoa.geojson" \
            "grid.grid:grid/grid.geojson"; do
  id="${spec%%:*}"; file="${spec#*:}"
  check "ogr2ogr reads $id equal to $file" bash -c "
    ogr2ogr -f GeoJSON '$tmp/$id.geojson' 'OAPIF:$url/' '$id' -oo PAGE_SIZE=1000 && python3 '$tmp/compare.py' '$tmp/$id.geojson' '$served/$file'"
done
check "ogr2ogr reads GeoPackage table weekly.layers.latest.layers.wards equal to the table (projected to CRS84 by ogr2ogr)" bash -c "
  ogr2ogr -f GeoJSON '$tmp/lw.geojson' 'OAPIF:$url/' weekly.layers.latest.layers.wards &&
  ogr2ogr -f GeoJSON -t_srs OGC:CRS84 -lco COORDINATE_PRECISION=15 '$tmp/lw-file.geojson' '$served/weekly/layers/latest/layers.gpkg' wards &&
  python3 '$tmp/compare.py' '$tmp/lw.geojson' '$tmp/lw-file.geojson'"
check "crs=EPSG:27700 on a GeoPackage collection gives the GeoPackage's coordinates (ogr2ogr of the file)" bash -c "
  curl -sf '$url/collections/weekly.layers.latest.layers.wards/items?limit=10000&crs=http://www.opengis.net/def/crs/EPSG/0/27700' -D '$tmp/h.txt' -o '$tmp/bng.geojson' &&
  grep -qi '^Content-Crs: <http://www.opengis.net/def/crs/EPSG/0/27700>' '$tmp/h.txt' &&
  ogr2ogr -f GeoJSON -lco COORDINATE_PRECISION=15 '$tmp/gpkg.geojson' '$served/weekly/layers/latest/layers.gpkg' wards &&
  python3 '$tmp/compare.py' '$tmp/bng.geojson' '$tmp/gpkg.geojson'"

# 2. QGIS headless.
cat > "$tmp/qgis_layers.py" <<'EOF'
import json, os, sys
from qgis.core import QgsApplication, QgsVectorLayer
url, served = sys.argv[1], sys.argv[2]
app = QgsApplication([], False); app.initQgis()
bad = 0
for name, path in [("weekly.layers.latest.incidents", "weekly/layers/latest/incidents.geojson"),
                   ("weekly.layers.latest.layers.wards", "weekly/layers/latest/wards.geojson"),
                   ("grid.grid", "grid/grid.geojson")]:
    want = len(json.load(open(os.path.join(served, path)))["features"])
    layer = QgsVectorLayer(f"url='{url}' typename='{name}'", name, "OAPIF")
    got = sum(1 for _ in layer.getFeatures()) if layer.isValid() else -1
    print(name, "valid" if layer.isValid() else "INVALID", f"{got} features (file: {want})", layer.crs().authid())
    bad += (not layer.isValid()) or got != want or layer.featureCount() != want or layer.crs().authid() != "EPSG:4326"
sys.stdout.flush()
os._exit(1 if bad else 0)   # QGIS can crash in exitQgis() on its way out; the verdict is already known
EOF
if $py -c "import qgis.core" 2>/dev/null; then
  check "QGIS OAPIF provider: valid layers with the files' feature counts" env QT_QPA_PLATFORM=offscreen timeout 300 $py "$tmp/qgis_layers.py" "$url" "$served"
else
  fail "QGIS: python3-qgis not installed (apt-get install python3-qgis)"
fi

# 3. Chromium headless.
if command -v chromium >/dev/null; then
  check "Chromium gets the HTML collection list" bash -c "
    timeout 120 chromium --headless --no-sandbox --disable-gpu --dump-dom '$url/collections?f=html' 2>/dev/null > '$tmp/dom.html';
    grep -q '<table>' '$tmp/dom.html' && grep -q 'weekly.layers.latest.wards' '$tmp/dom.html' && grep -q '/collections/grid.grid/items?f=html' '$tmp/dom.html'"
else
  fail "Chromium not installed"
fi
check "a browser's Accept header gets HTML; files under the folder are served (PNG map, HTML pack)" bash -c "
  curl -sf -H 'Accept: text/html,application/xhtml+xml,*/*;q=0.8' '$url/collections/weekly.layers.latest.wards/items' | grep -q '<table>' &&
  [ \"\$(curl -s -o /dev/null -w '%{http_code} %{content_type}' '$url/weekly/layers/latest/map.png')\" = '200 image/png' ] &&
  [ \"\$(curl -s -o /dev/null -w '%{http_code}' '$url/pspo/index.html')\" = 200 ]"

# 4. A new week built while serving: appears without a restart; `latest` answers are whole (old or new).
cat > "$tmp/poll.py" <<'EOF'
import json, sys, time, urllib.request
url, stop = sys.argv[1], sys.argv[2]
import os
n, weeks = 0, set()
while not os.path.exists(stop) or n < 5:
    d = json.load(urllib.request.urlopen(f"{url}/collections/weekly.layers.latest.incidents/items?limit=10000"))
    ids = [f["id"] for f in d["features"]]
    w = {i.rsplit("-", 1)[0] for i in ids}
    assert len(w) == 1 and d["numberMatched"] == len(ids), f"a mix: {w}, {d['numberMatched']} matched, {len(ids)} returned"
    weeks |= w; n += 1
print(f"{n} answers, each one whole week: {sorted(weeks)}")
EOF
python3 "$tmp/poll.py" "$url" "$tmp/stop" >"$tmp/poll.log" 2>&1 &
poller=$!
"$bin" weekly "$served/weekly-input/weekly.yaml" --week 2025-W42 --quiet; touch "$tmp/stop"
if wait "$poller"; then ok "latest answered old or new while week 2025-W42 was swapped in, never a mix: $(tail -1 "$tmp/poll.log")"
else fail "latest while week 2025-W42 was swapped in:"; tail -5 "$tmp/poll.log" | sed 's/^/     /'; fi
check "the new week's collections appear without a restart" bash -c "
  sleep 2.5; curl -sf '$url/collections' | grep -q 'weekly.layers.2025-W42.wards-2025-W42' &&
  curl -sf '$url/collections/weekly.layers.2025-W42.wards-2025-W42/items?limit=1' | grep -q numberMatched &&
  curl -sf '$url/collections/weekly.layers.latest.incidents/items?limit=1' | grep -q '\"id\":\"2025-W42-'"

# 5. Load: 1,000-feature pages.
big="grid.grid"
n="${SERVE_AB_REQUESTS:-10000}"; c="${SERVE_AB_CONCURRENCY:-50}"
ab -q -n "$n" -c "$c" "$url/collections/$big/items?limit=1000" >"$tmp/ab.txt" 2>&1
failed=$(sed -n 's/^Failed requests: *\([0-9]*\).*/\1/p' "$tmp/ab.txt"); non2xx=$(sed -n 's/^Non-2xx responses: *\([0-9]*\).*/\1/p' "$tmp/ab.txt")
complete=$(sed -n 's/^Complete requests: *\([0-9]*\).*/\1/p' "$tmp/ab.txt")
rps=$(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' "$tmp/ab.txt"); doclen=$(sed -n 's/^Document Length: *\([0-9]*\).*/\1/p' "$tmp/ab.txt")
p50=$(awk '$1=="50%"{print $2}' "$tmp/ab.txt"); p95=$(awk '$1=="95%"{print $2}' "$tmp/ab.txt")
if [ "$complete" = "$n" ] && [ "${failed:-1}" = 0 ] && [ -z "$non2xx" ]; then
  ok "ab -n $n -c $c /collections/$big/items?limit=1000 ($doclen bytes each): $complete complete, 0 failed, 0 non-2xx; median $p50 ms, p95 $p95 ms, $rps req/s"
else
  fail "ab -n $n -c $c: complete ${complete:-?}, failed ${failed:-?}, non-2xx ${non2xx:-0}"; tail -30 "$tmp/ab.txt" | sed 's/^/     /'
fi
for i in $(seq 0 49); do curl -s -o /dev/null -w '%{time_total}\n' "$url/collections/$big/items?limit=1000&offset=$(( (i % 11) * 1000 ))"; done > "$tmp/times.txt"
median=$(sort -n "$tmp/times.txt" | awk '{a[NR]=$1} END {printf "%.1f", 1000 * a[int((NR + 1) / 2)]}')
if awk -v m="$median" 'BEGIN{exit !(m <= 50)}'; then ok "1,000-feature page, one client: median $median ms over 50 requests (goal ≤ 50 ms)"
else fail "1,000-feature page, one client: median $median ms over 50 requests (goal ≤ 50 ms)"; fi

# 6. Path escapes over real HTTP, and read-only.
for p in "/../etc/passwd" "/../../../../etc/passwd" "/%2e%2e/%2e%2e/etc/passwd" "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd" "/..%2f..%2fetc/passwd" \
         "/weekly%2flayers%2flatest%2fwards.geojson" "/secret-link.txt" "/outside-dir/secret.txt" "/passwd" "//etc/passwd" \
         "/weekly/..%5c..%5cetc/passwd" "/.served.hotspot-staging-1/x"; do
  code=$(curl -s --path-as-is -o "$tmp/esc.txt" -w '%{http_code}' "$url$p")
  if [ "$code" = 404 ] && ! grep -q -e 'secret outside' -e 'root:' "$tmp/esc.txt"; then ok "GET $p → 404"; else fail "GET $p → $code"; fi
done
for m in POST PUT DELETE PATCH; do
  code=$(curl -s -X "$m" -o /dev/null -w '%{http_code}' "$url/collections"); [ "$code" = 405 ] && ok "$m /collections → 405" || fail "$m /collections → $code"
done
check "bad bbox/limit/datetime → 400 problem JSON; unknown collection → 404 problem JSON" bash -c "
  for q in 'bbox=1,2,3' 'limit=0' 'datetime=soon'; do
    [ \"\$(curl -s -o '$tmp/p.json' -w '%{http_code} %{content_type}' '$url/collections/weekly.layers.latest.incidents/items?'\$q)\" = '400 application/problem+json' ] &&
    python3 -c \"import json; d=json.load(open('$tmp/p.json')); assert d['status']==400 and d['detail'] and d['title'] and d['type']\" || exit 1
  done
  [ \"\$(curl -s -o /dev/null -w '%{http_code} %{content_type}' '$url/collections/nope/items')\" = '404 application/problem+json' ]"

# 7. Port in use; SIGTERM.
check "a second server on port $port exits 73: port in use" bash -c "
  '$bin' serve '$served' --port $port 2>'$tmp/second.err'; rc=\$?; cat '$tmp/second.err'; [ \$rc = 73 ] && grep -q 'port $port is in use: choose another with --port' '$tmp/second.err'"
check "a missing folder exits 66, a bad --port 64" bash -c "
  '$bin' serve '$tmp/nope' --port 0; [ \$? = 66 ] || exit 1; '$bin' serve '$served' --port 70000; [ \$? = 64 ]"
check "--bind 0.0.0.0 listens on every interface (reached here on 127.0.0.1); Ctrl-C (SIGINT) stops it with 0" bash -c "
  '$bin' serve '$served' --bind 0.0.0.0 --port 0 > '$tmp/any.out' 2>&1 & p=\$!
  for _ in \$(seq 1 100); do grep -q '^hotspot serve: http://0.0.0.0:' '$tmp/any.out' && break; sleep 0.2; done
  cat '$tmp/any.out'; any=\$(sed -n 's|^hotspot serve: http://0.0.0.0:\([0-9]*\)/.*|\1|p' '$tmp/any.out')
  curl -sf \"http://127.0.0.1:\$any/collections/weekly.layers.latest.wards/items?limit=1\" | grep -q numberMatched || { kill \$p; exit 1; }
  kill -INT \$p; wait \$p"
kill -TERM "$pid"; rc=0
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then fail "SIGTERM: still running after 5 s"; else wait "$pid"; rc=$?; [ "$rc" = 0 ] && ok "SIGTERM stops the server (exit 0)" || fail "SIGTERM: exit $rc"; fi
pid=""

[ "$fails" = 0 ] && echo "check_serve: all passed" || echo "check_serve: $fails failed"
exit $((fails > 0))
