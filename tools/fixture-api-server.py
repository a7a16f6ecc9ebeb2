#!/usr/bin/env python3
"""A loopback fixture server for `hotspot fetch api` and `hotspot fetch boundaries` (tests without the internet).

Serves, on 127.0.0.1 (threaded http.server):
  /api/forces/<id>                   police.uk's specific-force method (metropolitan, city-of-london)
  /api/crimes-street/all-crime       GET or POST (form body), date=YYYY-MM&poly=lat,lng:lat,lng:...: the rows of the
                                     police.uk street CSVs given (--policeuk, real files) for that month whose point is in
                                     the polygon, as the API's JSON (persistent_id = Crime ID, slugs for crime types);
                                     HTTP 503 when more than --limit crimes fall inside (police.uk: 10,000), HTTP 429 on
                                     the request numbers of --throttle (with Retry-After: 1 on the first of them only)
  /arcgis/rest/services/<service>/FeatureServer/0[/query]
                                     ArcGIS REST layers built from the Lewisham boundaries (--lewisham, the shared
                                     geodata folder), projected to EPSG:27700 with pyproj, with --max-records features a
                                     page at most (exceededTransferLimit), plus one decoy feature of another authority:
      Wards_December_2024_Boundaries_UK_BFC            WD24CD, WD24NM, LAD24CD (the 2022 wards, BNG GeoJSON)
      Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BFC_V10   LSOA21CD, LSOA21NM (the LSOA 2011 polygons)
      LSOA21_WD24_LAD24_EW_LU                          the LSOA -> ward lookup (a table, no geometry)
      LSOA11_LSOA21_LAD22_EW_LU_v5                     a synthetic LSOA 2011 -> 2021 lookup (every LSOA unchanged)
Every request is logged to --log as one JSON line {t, method, path, status} (t: monotonic seconds), so a test can
count requests and check the rate. The chosen port is written to --port-file.
"""
import argparse
import csv
import glob
import json
import os
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLUGS = {
    "Anti-social behaviour": "anti-social-behaviour", "Bicycle theft": "bicycle-theft", "Burglary": "burglary",
    "Criminal damage and arson": "criminal-damage-arson", "Drugs": "drugs", "Other theft": "other-theft",
    "Possession of weapons": "possession-of-weapons", "Public order": "public-order", "Robbery": "robbery",
    "Shoplifting": "shoplifting", "Theft from the person": "theft-from-the-person", "Vehicle crime": "vehicle-crime",
    "Violence and sexual offences": "violent-crime", "Other crime": "other-crime",
}
FORCES = {"metropolitan": "Metropolitan Police Service", "city-of-london": "City of London Police"}


def in_ring(x, y, ring):
    """Even-odd test of a point against a ring of (x, y)."""
    c = False
    n = len(ring)
    for i in range(n):
        (ax, ay), (bx, by) = ring[i], ring[(i + 1) % n]
        if (ay > y) != (by > y) and x < ax + (y - ay) / (by - ay) * (bx - ax):
            c = not c
    return c


def load_crimes(folders):
    """month -> list of API records, from every *-street.csv of the folders (ids: file order, stable)."""
    by_month, next_id = {}, 1
    for folder in folders:
        for path in sorted(glob.glob(os.path.join(folder, "*-street.csv"))):
            with open(path, newline="", encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    next_id += 1
                    if not row["Longitude"] or not row["Latitude"]:
                        continue
                    outcome = row["Last outcome category"]
                    by_month.setdefault(row["Month"], []).append({
                        "category": SLUGS[row["Crime type"]], "location_type": "Force",
                        "location": {"latitude": row["Latitude"], "longitude": row["Longitude"],
                                     "street": {"id": 1000 + next_id, "name": row["Location"]}},
                        "context": row["Context"], "persistent_id": row["Crime ID"], "id": next_id,
                        "location_subtype": "", "month": row["Month"],
                        "outcome_status": {"category": outcome, "date": row["Month"]} if outcome else None,
                    })
    return by_month


def ring_area2(r):
    return sum(r[i][0] * r[(i + 1) % len(r)][1] - r[(i + 1) % len(r)][0] * r[i][1] for i in range(len(r)))


def esri_rings(geometry, project=None):
    """GeoJSON (Multi)Polygon -> Esri rings: outer rings clockwise, holes anticlockwise."""
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    rings = []
    for poly in polys:
        for k, ring in enumerate(poly):
            pts = [tuple(p[:2]) for p in ring]
            if project:
                xs, ys = project.transform([p[0] for p in pts], [p[1] for p in pts])
                pts = list(zip(xs, ys))
            clockwise = ring_area2(pts) < 0
            if clockwise != (k == 0):
                pts = pts[::-1]
            rings.append([list(p) for p in pts])
    return rings


def load_layers(lewisham):
    from pyproj import Transformer
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    wards = json.load(open(os.path.join(lewisham, "lbl_wd22_proposed_bng.geojson")))
    lsoas = json.load(open(os.path.join(lewisham, "lbl_lsoa11_full.json")))
    decoy = {"rings": [[[530000, 170000], [530000, 171000], [531000, 171000], [531000, 170000], [530000, 170000]]]}
    ward_feats = [{"attributes": {"WD24CD": f["properties"]["WD22CD_proposed"], "WD24NM": f["properties"]["WD22NM_proposed"],
                                  "LAD24CD": "E09000023"}, "geometry": {"rings": esri_rings(f["geometry"])}}
                  for f in wards["features"]]
    ward_feats.append({"attributes": {"WD24CD": "E05999999", "WD24NM": "Decoy", "LAD24CD": "E09000022"}, "geometry": decoy})
    lsoa_feats = [{"attributes": {"LSOA21CD": f["properties"]["LSOA11CD"], "LSOA21NM": f["properties"]["LSOA11NM"]},
                   "geometry": {"rings": esri_rings(f["geometry"], to_bng)}} for f in lsoas["features"]]
    lsoa_feats.append({"attributes": {"LSOA21CD": "E01999999", "LSOA21NM": "Decoy 001A"}, "geometry": decoy})
    names = {f["properties"]["LSOA11CD"]: f["properties"]["LSOA11NM"] for f in lsoas["features"]}
    lookup = []
    with open(os.path.join(lewisham, "lbl_lsoa11_wd22_proposed.csv"), newline="") as f:
        for r in csv.DictReader(f):
            lookup.append({"attributes": {"LSOA21CD": r["LSOA11CD"], "LSOA21NM": names[r["LSOA11CD"]],
                                          "WD24CD": r["WD22CD_proposed"], "WD24NM": r["WD22NM_proposed"],
                                          "LAD24CD": "E09000023", "LAD24NM": "Lewisham"}})
    lookup.append({"attributes": {"LSOA21CD": "E01999999", "LSOA21NM": "Decoy 001A", "WD24CD": "E05999999",
                                  "WD24NM": "Decoy", "LAD24CD": "E09000022", "LAD24NM": "Decoy"}})
    # The LSOA 2011 -> 2021 lookup: synthetic (each Lewisham LSOA unchanged, U), only to exercise the fetch.
    lsoa11 = [{"attributes": {"LSOA11CD": c, "LSOA11NM": n, "LSOA21CD": c, "LSOA21NM": n, "CHGIND": "U",
                              "LAD22CD": "E09000023", "LAD22NM": "Lewisham"}} for c, n in sorted(names.items())]
    lsoa11.append({"attributes": {"LSOA11CD": "E01999999", "LSOA11NM": "Decoy 001A", "LSOA21CD": "E01999999",
                                  "LSOA21NM": "Decoy 001A", "CHGIND": "U", "LAD22CD": "E09000022", "LAD22NM": "Decoy"}})
    layers = {}
    for name, feats in [("LSOA11_LSOA21_LAD22_EW_LU_v5", lsoa11),("Wards_December_2024_Boundaries_UK_BFC", ward_feats),
                        ("Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BFC_V10", lsoa_feats),
                        ("LSOA21_WD24_LAD24_EW_LU", lookup)]:
        for i, f in enumerate(feats):
            f["attributes"]["FID"] = i + 1
        layers[name] = feats
    return layers


def where_filter(clause):
    """The two where-clause forms hotspot sends: FIELD = 'v' and FIELD IN ('a','b',...)."""
    clause = clause.strip()
    if clause in ("1=1", ""):
        return lambda a: True
    field, rest = clause.split(None, 1)
    rest = rest.strip()
    if rest.startswith("="):
        value = rest[1:].strip().strip("'")
        return lambda a: str(a.get(field)) == value
    if rest.upper().startswith("IN"):
        values = {v.strip().strip("'") for v in rest[2:].strip().strip("()").split(",")}
        return lambda a: str(a.get(field)) in values
    raise ValueError("unsupported where clause: " + clause)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        st = self.server.state
        with st["lock"]:
            with open(st["log"], "a") as f:
                f.write(json.dumps({"t": time.monotonic(), "method": self.command, "path": self.path.split("?")[0],
                                    "status": status, "ua": self.headers.get("User-Agent", "")}) + "\n")

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        self.route(url.path, dict(urllib.parse.parse_qsl(url.query)))

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(n).decode()))
        url = urllib.parse.urlsplit(self.path)
        form.update(dict(urllib.parse.parse_qsl(url.query)))
        self.route(url.path, form)

    def route(self, path, q):
        st = self.server.state
        if path.startswith("/api/forces/"):
            fid = path.rsplit("/", 1)[1]
            return self.answer(200, {"id": fid, "name": FORCES[fid]}) if fid in FORCES else self.answer(404, b"")
        if path == "/api/crimes-street/all-crime":
            with st["lock"]:
                st["crime_requests"] += 1
                k = st["crime_requests"]
            if k in st["throttle"]:
                first = k == min(st["throttle"])
                return self.answer(429, b"", {"Retry-After": "1"} if first else {})
            ring = [tuple(float(v) for v in p.split(",")) for p in q.get("poly", "").split(":") if p]
            if len(ring) < 3:
                return self.answer(400, b"")
            inside = [c for c in st["crimes"].get(q.get("date", ""), [])
                      if in_ring(float(c["location"]["latitude"]), float(c["location"]["longitude"]), ring)]
            if len(inside) > st["limit"]:
                return self.answer(503, b"")
            return self.answer(200, inside)
        parts = path.split("/")
        # /arcgis/rest/services/<service>/FeatureServer/0[/query]
        if len(parts) >= 7 and parts[1:4] == ["arcgis", "rest", "services"] and parts[5] == "FeatureServer" and parts[6] == "0":
            feats = st["layers"].get(parts[4])
            if feats is None:
                return self.answer(200, {"error": {"code": 400, "message": "Invalid URL", "details": []}})
            if len(parts) == 7:
                fields = ["FID"] + [k for k in feats[0]["attributes"] if k != "FID"]
                return self.answer(200, {"name": parts[4], "type": "Feature Layer" if "geometry" in feats[0] else "Table",
                                         "maxRecordCount": st["max_records"], "objectIdField": "FID",
                                         "fields": [{"name": n} for n in fields],
                                         "editingInfo": {"lastEditDate": 1700000000000}})
            if len(parts) == 8 and parts[7] == "query":
                try:
                    keep = where_filter(q.get("where", "1=1"))
                except ValueError as e:
                    return self.answer(200, {"error": {"code": 400, "message": str(e), "details": []}})
                if q.get("returnGeometry", "true") == "true" and "geometry" in feats[0] and q.get("outSR") != "27700":
                    return self.answer(200, {"error": {"code": 400, "message": "fixture serves outSR=27700 only", "details": []}})
                chosen = sorted((f for f in feats if keep(f["attributes"])), key=lambda f: f["attributes"][q.get("orderByFields", "FID")])
                offset = int(q.get("resultOffset", "0"))
                count = min(int(q.get("resultRecordCount", str(st["max_records"]))), st["max_records"])
                page = chosen[offset:offset + count]
                out_fields = q.get("outFields", "*").split(",")
                body = {"features": [dict({"attributes": {k: v for k, v in f["attributes"].items() if out_fields == ["*"] or k in out_fields}},
                                          **({"geometry": f["geometry"]} if q.get("returnGeometry", "true") == "true" and "geometry" in f else {}))
                                     for f in page]}
                if offset + count < len(chosen):
                    body["exceededTransferLimit"] = True
                return self.answer(200, body)
        return self.answer(404, b"")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--policeuk", action="append", default=[], help="a folder of police.uk street CSVs (repeatable)")
    ap.add_argument("--lewisham", help="the shared Lewisham geodata folder")
    ap.add_argument("--limit", type=int, default=500, help="more crimes than this in a polygon: HTTP 503")
    ap.add_argument("--throttle", default="3,4", help="crimes-street request numbers answered 429")
    ap.add_argument("--max-records", type=int, default=7)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    state = {"lock": threading.Lock(), "crime_requests": 0, "limit": a.limit, "log": a.log, "max_records": a.max_records,
             "throttle": {int(v) for v in a.throttle.split(",") if v}, "crimes": load_crimes(a.policeuk),
             "layers": load_layers(a.lewisham) if a.lewisham else {}}
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.state = state
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(a.port_file + ".tmp", a.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
