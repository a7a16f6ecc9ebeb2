import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotTestSupport
@testable import HotspotServe

/// A small output folder written with the project's own writers, in a fresh temporary directory:
///
///     ROOT/set/layers/latest/points.geojson (+ points.fields.csv)  250 dated points, lon/lat
///     ROOT/set/layers/latest/cells.geojson + cells.gpkg            60 square cells (the GeoPackage hidden by the GeoJSON)
///     ROOT/set/layers/latest/layers.gpkg                           tables points, cells in EPSG:27700
///     ROOT/set/demo/wards.geojson                                  Geodata/demo/wards.geojson (EPSG:27700 `crs` member)
///     ROOT/set/map.html, ROOT/set/.staging/hidden.geojson
///     ROOT/outside/secret.txt, ROOT/set/secret-link → it, ROOT/set/outside-dir → ROOT/outside
///
/// The served folder is ROOT/set.
struct Fixture {
    let root: String
    var folder: String { root + "/set" }
    var latest: String { folder + "/layers/latest" }
    /// The 27700 coordinates written to the GeoPackage (points) and the cell squares.
    let pointsBNG: [XY]
    let cellsBNG: [MultiPolygon]
    let dates: [String]

    static func make() throws -> Fixture {
        let root = NSTemporaryDirectory() + "hotspot-serve-\(UUID().uuidString)"
        let fm = FileManager.default
        let latest = root + "/set/layers/latest"
        try fm.createDirectory(atPath: latest, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/set/demo", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/set/.staging", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/outside", withIntermediateDirectories: true)

        // Points: a fixed LCG over a 10 km square of south-east London, dated through October 2025.
        var seed: UInt64 = 42
        func next() -> Double { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Double(seed >> 11) / Double(1 << 53) }
        var pts: [XY] = [], dates: [String] = [], cats: [String] = []
        let categories = ["Burglary", "Robbery", "Drugs", "Anti-social behaviour"]
        for i in 0..<250 {
            pts.append(XY(530000 + (next() * 10000).rounded() / 1 + 0.25, 168000 + (next() * 10000).rounded() + 0.5))
            dates.append(String(format: "2025-10-%02d", 1 + i % 31))
            cats.append(categories[i % categories.count])
        }
        var lon = pts.map(\.x), lat = pts.map(\.y)
        _ = try Projection(from: 27700, to: 4326).transform(x: &lon, y: &lat)
        let pointRows: [[Value]] = (0..<250).map { [.string("p-\($0 + 1)"), .string(cats[$0]), .string(dates[$0]), .int($0 % 7)] }
        let pointTable = Table(columns: ["id", "category", "date", "n_vehicle"], rows: pointRows)
        try GeoJSONWriter.points(name: "points", x: lon, y: lat, properties: pointTable, idColumn: "id")
            .write(toFile: latest + "/points.geojson", atomically: true, encoding: .utf8)
        try "field,column,type\nid,id,text\ncategory,category,text\ndate,date,text\nn_vehicle,count_vehicle_crime,integer\n"
            .write(toFile: latest + "/points.fields.csv", atomically: true, encoding: .utf8)

        // Cells: 500 m squares, 10 × 6.
        var cells: [MultiPolygon] = [], cellRows: [[Value]] = []
        for r in 0..<6 {
            for c in 0..<10 {
                let x0 = 530000.0 + Double(c) * 500, y0 = 170000.0 + Double(r) * 500
                cells.append(MultiPolygon([Polygon(exterior: [XY(x0, y0), XY(x0 + 500, y0), XY(x0 + 500, y0 + 500), XY(x0, y0 + 500), XY(x0, y0)], holes: [])]))
                cellRows.append([.string("c\(r)-\(c)"), .int(r * 10 + c), .double(Double(r * 10 + c) / 7, decimals: 3)])
            }
        }
        let cellTable = Table(columns: ["id", "count", "rate1000"], rows: cellRows)
        let toLonLat = try Projection(from: 27700, to: 4326)
        let cellsLonLat = try toLonLat.transform(cells)
        try GeoJSONWriter.featureCollection(name: "cells", geometries: cellsLonLat, properties: cellTable, idColumn: "id")
            .write(toFile: latest + "/cells.geojson", atomically: true, encoding: .utf8)
        let crs = GeoPackageWriter.CRS(epsg: 27700, name: "OSGB36 / British National Grid", wkt: try CRSInfo.ogcWKT(epsg: 27700))
        _ = try GeoPackageWriter.write(path: latest + "/cells.gpkg", table: "cells", geometries: cells, properties: cellTable, crs: crs)
        _ = try GeoPackageWriter.write(path: latest + "/layers.gpkg", layers: [
            .init(table: "points", points: pts, properties: pointTable),
            .init(table: "cells", geometries: cells, properties: cellTable),
        ], crs: crs)

        try fm.copyItem(atPath: Paths.repo.path + "/Geodata/demo/wards.geojson", toPath: root + "/set/demo/wards.geojson")
        try "<!DOCTYPE html><title>map</title>".write(toFile: root + "/set/map.html", atomically: true, encoding: .utf8)
        try "{\"type\":\"FeatureCollection\",\"features\":[]}".write(toFile: root + "/set/.staging/hidden.geojson", atomically: true, encoding: .utf8)
        try "secret".write(toFile: root + "/outside/secret.txt", atomically: true, encoding: .utf8)
        try "{\"type\":\"FeatureCollection\",\"features\":[]}".write(toFile: root + "/outside/outside.geojson", atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: root + "/set/secret-link", withDestinationPath: root + "/outside/secret.txt")
        try fm.createSymbolicLink(atPath: root + "/set/outside-dir", withDestinationPath: root + "/outside")
        try fm.createSymbolicLink(atPath: root + "/set/outside-layer.geojson", withDestinationPath: root + "/outside/outside.geojson")
        return Fixture(root: root, pointsBNG: pts, cellsBNG: cells, dates: dates)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

extension Reply {
    var json: JSON { (try? JSONParser.parse(body)) ?? .null }
}
