// Writes N × N square grid cells (100 m, EPSG:27700, the grid product's columns) through the layer writers and prints
// the wall time of each (issue 26). Usage: WriterBench [N=1000] [OUTDIR=$TMPDIR/writerbench] [formats=geojson,gpkg,fgb,pg]
// PostGIS needs HOTSPOT_BENCH_PG (a connection URL, e.g. from tools/pgcluster).
import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO

let args = CommandLine.arguments
let n = args.count > 1 ? Int(args[1])! : 1000
let dir = args.count > 2 ? args[2] : NSTemporaryDirectory() + "/writerbench"
let formats = Set((args.count > 3 ? args[3] : "geojson,gpkg,fgb,pg").split(separator: ",").map(String.init))
try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
/// This process's CPU time (user + system, all threads): on a loaded machine, what the wall time would be alone.
func cpu() -> Double { var t = timespec(); clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9 }
func time(_ label: String, _ body: () throws -> Void) rethrows {
    let t0 = now(), c0 = cpu()
    try body()
    print(String(format: "%-34@ %7.2f s wall  %7.2f s CPU", label as NSString, now() - t0, cpu() - c0))
}

let grid = SquareGrid(x0: 500_000, y0: 150_000, cellSize: 100, ncols: n, nrows: n)
var geoms: [MultiPolygon] = [], table = Table(columns: ["id", "col", "row", "easting", "northing", "count", "weighted_count"])
time("build \(n * n) cells (not a writer)") {
    geoms = (0..<(n * n)).map { grid.cellPolygon($0) }
    table.rows = (0..<(n * n)).map { k in
        let c = grid.centre(index: k)
        return [.string(grid.cellID(k)), .int(k % n), .int(k / n), .double(c.x, decimals: 1), .double(c.y, decimals: 1),
                .int(k % 17), .double(Double(k % 17) * 1.25, decimals: nil)]
    }
}
var wgs84: [MultiPolygon] = []
time("to WGS84 (PROJ, not a writer)") { wgs84 = try! Projection(from: 27700, to: 4326).transform(geoms) }

if formats.contains("geojson") {
    time("GeoJSON") {
        let s = GeoJSONWriter.featureCollection(name: "grid", geometries: wgs84, properties: table, idColumn: "id")
        try! AtomicFile.write(s, to: dir + "/grid.geojson")
    }
}
let crs = GeoPackageWriter.CRS(epsg: 27700, name: "OSGB36 / British National Grid", wkt: try CRSInfo.ogcWKT(epsg: 27700))
if formats.contains("gpkg") {
    time("GeoPackage") { _ = try! GeoPackageWriter.write(path: dir + "/grid.gpkg", table: "grid", geometries: geoms, properties: table, crs: crs) }
}
@MainActor func ogrLayer() -> PostGISWriter.Layer {
    let fields: [(name: String, kind: PostGISWriter.Kind)] = [("id", .text), ("col", .integer), ("row", .integer), ("easting", .real),
                                                                ("northing", .real), ("count", .integer), ("weighted_count", .real)]
    let rows: [[PostGISWriter.FieldValue]] = table.rows.map { r in
        r.map { v in
            switch v {
            case .string(let s): return .text(s)
            case .int(let i): return .int(i)
            case .double(let d, _): return .real(d)
            case .null: return .null
            }
        }
    }
    return .init(table: "grid", fields: fields, rows: rows, polygons: geoms, epsg: 27700)
}
if formats.contains("fgb") {
    let l = ogrLayer()
    time("FlatGeobuf (GDAL)") { try! FlatGeobufWriter.write(path: dir + "/grid.fgb", layer: l) }
}
if formats.contains("pg"), let url = ProcessInfo.processInfo.environment["HOTSPOT_BENCH_PG"] {
    let l = ogrLayer()
    time("PostGIS") {
        try! PostGISWriter.write(url: url, schema: "bench", layers: [l], product: "bench", metadata: "{}")
    }
}
