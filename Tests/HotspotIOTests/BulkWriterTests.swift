import CGDAL
import CSQLite
import Foundation
import HotspotCore
import HotspotGeo
import Testing
@testable import HotspotIO

/// The fast layer writers (issue 26): the same bytes as the String-built GeoJSON, an R-tree packed in bulk that SQLite
/// accepts and that finds what an inserted one finds, FlatGeobuf with the GeoPackage's features.
@Suite struct BulkWriterTests {
    /// Deterministic pseudo-random numbers (a 64-bit LCG).
    struct LCG { var s: UInt64; mutating func next() -> Double { s = s &* 6364136223846793005 &+ 1442695040888963407; return Double(s >> 11) / Double(1 << 53) } }

    @Test func byteTextSpellsNumbersAsFmt() {
        var r = LCG(s: 7)
        var values: [Double] = [0, -0.0, 1.5, -1.5, 0.5, -0.0000001, 538300.505, 1e15, -1e15, 9e18, 1e300, -1e-300, .nan, .infinity, -.infinity,
                                Double(Int64.max), 0.1 + 0.2, 51.4615, -0.0123456789]
        for _ in 0..<2000 { values.append((r.next() - 0.5) * pow(10, Double(Int(r.next() * 24) - 8))) }
        for v in values {
            for d in 0...9 {
                var b = ByteText(); b.fixed(v, d)
                #expect(String(decoding: b.bytes, as: UTF8.self) == Fmt.fixed(v, d), "fixed(\(v), \(d))")
            }
            var b = ByteText(); b.number(v)
            #expect(String(decoding: b.bytes, as: UTF8.self) == Fmt.number(v))
        }
        for v: Value in [.int(0), .int(-1), .int(Int.min), .int(Int.max), .null, .string(""), .string("a\"b\\c\n\t\u{1}é✓"), .string("Lewisham 001A")] {
            var b = ByteText(); b.json(v)
            #expect(String(decoding: b.bytes, as: UTF8.self) == v.json)
        }
    }

    /// The GeoJSON writer as it was (a String per value): the reference the byte writer must match.
    static func reference(name: String, geometries: [MultiPolygon], properties: Table, idColumn: String, decimals: Int) -> String {
        func geometry(_ mp: MultiPolygon) -> String {
            let g = mp.rightHandRule
            func ring(_ r: [XY]) -> String { "[" + r.map { "[" + Fmt.fixed($0.x, decimals) + "," + Fmt.fixed($0.y, decimals) + "]" }.joined(separator: ",") + "]" }
            func poly(_ p: Polygon) -> String { "[" + ([p.exterior] + p.holes).map(ring).joined(separator: ",") + "]" }
            switch g.polygons.count {
            case 0: return "null"
            case 1: return "{\"type\":\"Polygon\",\"coordinates\":" + poly(g.polygons[0]) + "}"
            default: return "{\"type\":\"MultiPolygon\",\"coordinates\":[" + g.polygons.map(poly).joined(separator: ",") + "]}"
            }
        }
        let idIndex = properties.columns.firstIndex(of: idColumn)
        var s = "{\"type\":\"FeatureCollection\",\"name\":\(Fmt.jsonString(name)),\"features\":["
        for (i, g) in geometries.enumerated() {
            if i > 0 { s += "," }
            s += "\n{\"type\":\"Feature\""
            if let k = idIndex { s += ",\"id\":" + properties.rows[i][k].json }
            s += ",\"geometry\":" + geometry(g) + ",\"properties\":{"
            for (j, c) in properties.columns.enumerated() { if j > 0 { s += "," }; s += Fmt.jsonString(c) + ":" + properties.rows[i][j].json }
            s += "}}"
        }
        return s + "\n]}\n"
    }

    @Test func geoJSONBytesEqualTheStringWriter() {
        let cw = [XY(0, 0), XY(0, 1), XY(1, 1), XY(1, 0), XY(0, 0)]
        let ccwHole = [XY(0.2, 0.2), XY(0.8, 0.2), XY(0.8, 0.8), XY(0.2, 0.8), XY(0.2, 0.2)]
        let geoms = [MultiPolygon([Polygon(exterior: cw, holes: [ccwHole, Array(ccwHole.reversed())])]),
                     MultiPolygon([Polygon(exterior: cw.reversed()), Polygon(exterior: [XY(-0.1234565, 51.5), XY(-0.1, 51.5), XY(-0.1, 51.6), XY(-0.1234565, 51.5)])]),
                     MultiPolygon([]), MultiPolygon([Polygon(exterior: [XY(1, 1), XY(2, 2)])]), MultiPolygon([Polygon(exterior: [])])]
        let t = Table(columns: ["id", "na\"me", "count", "rate", "w"],
                      rows: (0..<geoms.count).map { [.string("c\($0)"), $0 == 1 ? .string("é\n") : .null, .int(-$0), .double(Double($0) / 3, decimals: 3), .double(Double($0) * 0.1, decimals: nil)] })
        for d in [0, 2, 6] {
            #expect(GeoJSONWriter.featureCollection(name: "t\"x", geometries: geoms, properties: t, idColumn: "id", decimals: d)
                    == BulkWriterTests.reference(name: "t\"x", geometries: geoms, properties: t, idColumn: "id", decimals: d))
        }
        #expect(GeoJSONWriter.featureCollection(name: "t", geometries: geoms, properties: t, idColumn: "none")
                == BulkWriterTests.reference(name: "t", geometries: geoms, properties: t, idColumn: "none", decimals: 6))
    }

    /// A layer written in pieces (national grids) has the bytes of the whole-buffer writer, whatever the piece size,
    /// and the streamed file's SHA-256 and size are those of its bytes; a failing producer leaves no file behind.
    @Test(arguments: [1, 100, 1 << 12, 1 << 24])
    func streamedGeoJSONEqualsTheWholeBuffer(chunk: Int) throws {
        var r = LCG(s: 3)
        let geoms = (0..<500).map { i -> MultiPolygon in
            let x = -0.2 + r.next() * 0.1, y = 51.4 + r.next() * 0.1
            return MultiPolygon([Polygon(exterior: [XY(x, y), XY(x, y + 0.001), XY(x + 0.001, y + 0.001), XY(x + 0.001, y), XY(x, y)])])
        }
        let t = Table(columns: ["id", "count", "rate"], rows: geoms.indices.map { [.string("E\($0)"), .int($0 % 7), .double(r.next(), decimals: nil)] })
        let whole = GeoJSONWriter.featureCollectionBytes(name: "grid", geometries: geoms, properties: t, idColumn: "id")
        var pieces: [[UInt8]] = []
        GeoJSONWriter.streamFeatureCollection(name: "grid", count: geoms.count, properties: t, idColumn: "id", chunk: chunk, batch: geoms.count,
                                              geometries: { Array(geoms[$0]) }) { pieces.append($0) }
        #expect(pieces.flatMap { $0 } == whole)
        #expect(chunk >= whole.count ? pieces.count == 1 : pieces.count > 1)
        // Geometries asked for batch by batch, in order: the same bytes.
        for batch in [1, 7, 499, 500, 4096] {
            var batched: [UInt8] = [], asked: [Range<Int>] = []
            GeoJSONWriter.streamFeatureCollection(name: "grid", count: geoms.count, properties: t, idColumn: "id", chunk: chunk, batch: batch,
                                                  geometries: { asked.append($0); return Array(geoms[$0]) }) { batched += $0 }
            #expect(batched == whole, "batch \(batch)")
            #expect(asked.first?.lowerBound == 0 && asked.last?.upperBound == geoms.count && asked.allSatisfy { $0.count <= batch })
            #expect(zip(asked, asked.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        }

        let dir = NSTemporaryDirectory() + "hotspot-stream-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (sha, bytes) = try AtomicFile.stream(to: dir + "/grid.geojson") { emit in
            try GeoJSONWriter.streamFeatureCollection(name: "grid", count: geoms.count, properties: t, idColumn: "id", chunk: chunk, batch: 64,
                                                      geometries: { Array(geoms[$0]) }, emit: emit)
        }
        #expect(FileManager.default.contents(atPath: dir + "/grid.geojson") == Data(whole))
        #expect(sha == Hashing.sha256(Data(whole)) && bytes == whole.count)
        struct Stop: Error {}
        #expect(throws: Stop.self) { _ = try AtomicFile.stream(to: dir + "/bad.geojson") { emit in try emit([1, 2]); throw Stop() } }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["grid.geojson"])
    }

    @Test func pointAndLineBytesEqualTheStringWriter() {
        var r = LCG(s: 3)
        let n = 50
        let x = (0..<n).map { _ in (r.next() - 0.5) * 2 }, y = (0..<n).map { _ in 51 + r.next() }
        let t = Table(columns: ["id", "type", "n"], rows: (0..<n).map { [.int($0), $0 % 5 == 0 ? .null : .string("Burglary \"\($0)\""), .double(Double($0) / 7, decimals: 2)] })
        // The String writers as they were.
        func props(_ i: Int) -> String { t.columns.enumerated().map { Fmt.jsonString($1) + ":" + t.rows[i][$0].json }.joined(separator: ",") }
        for d in [1, 6] {
            var s = "{\"type\":\"FeatureCollection\",\"name\":\(Fmt.jsonString("pts")),\"features\":["
            for i in 0..<n {
                if i > 0 { s += "," }
                s += "\n{\"type\":\"Feature\",\"id\":" + t.rows[i][0].json
                s += ",\"geometry\":{\"type\":\"Point\",\"coordinates\":[\(Fmt.fixed(x[i], d)),\(Fmt.fixed(y[i], d))]}"
                s += ",\"properties\":{" + props(i) + "}}"
            }
            #expect(GeoJSONWriter.points(name: "pts", x: x, y: y, properties: t, idColumn: "id", decimals: d) == s + "\n]}\n")
            let from = (0..<n).map { XY(x[$0], y[$0]) }, to = from.reversed() as [XY]
            func xy(_ p: XY) -> String { "[" + Fmt.fixed(p.x, d) + "," + Fmt.fixed(p.y, d) + "]" }
            var l = "{\"type\":\"FeatureCollection\",\"name\":\(Fmt.jsonString("lines")),\"features\":["
            for i in 0..<n {
                if i > 0 { l += "," }
                l += "\n{\"type\":\"Feature\""
                l += ",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[" + xy(from[i]) + "," + xy(to[i]) + "]}"
                l += ",\"properties\":{" + props(i) + "}}"
            }
            #expect(GeoJSONWriter.lines(name: "lines", from: from, to: to, properties: t, idColumn: "none", decimals: d) == l + "\n]}\n")
        }
    }

    /// `n` small squares scattered over 20 km, some repeated, some with holes.
    static func squares(_ n: Int) -> [MultiPolygon] {
        var r = LCG(s: UInt64(n) + 1)
        return (0..<n).map { _ in
            let x = 530_000 + (r.next() * 20_000).rounded(), y = 170_000 + r.next() * 20_000, s = 1 + r.next() * 300
            return MultiPolygon([Polygon(exterior: [XY(x, y), XY(x + s, y), XY(x + s, y + s), XY(x, y + s), XY(x, y)])])
        }
    }

    static func query(_ db: OpaquePointer, _ sql: String) -> [String] {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK else { return ["prepare failed: " + String(cString: sqlite3_errmsg(db))] }
        defer { sqlite3_finalize(stmt) }
        var out: [String] = []
        while sqlite3_step(stmt) == SQLITE_ROW {
            out.append((0..<sqlite3_column_count(stmt)).map { String(cString: sqlite3_column_text(stmt, $0)) }.joined(separator: "|"))
        }
        return out
    }

    @Test(arguments: [0, 1, 51, 52, 2601, 20000])
    func bulkRTreeIsValidAndFindsWhatInsertsFind(n: Int) throws {
        let geoms = BulkWriterTests.squares(n)
        let t = Table(columns: ["id"], rows: (0..<n).map { [.int($0)] })
        let p = NSTemporaryDirectory() + "hotspot-rtree-\(UUID().uuidString).gpkg"
        defer { try? FileManager.default.removeItem(atPath: p) }
        let crs = GeoPackageWriter.CRS(epsg: 27700, name: "OSGB36 / British National Grid", wkt: "PROJCS[\"x\"]")
        let data = try GeoPackageWriter.write(path: p, table: "cells", geometries: geoms, properties: t, crs: crs)
        #expect(try GeoPackageWriter.write(path: p, table: "cells", geometries: geoms, properties: t, crs: crs) == data)  // deterministic
        var db: OpaquePointer?
        #expect(sqlite3_open(p, &db) == SQLITE_OK)
        defer { sqlite3_close(db) }
        #expect(BulkWriterTests.query(db!, "SELECT rtreecheck('rtree_cells_geom');") == ["ok"])
        // The same entries as SQLite's own inserts give (the module's float rounding), and the same answers.
        #expect(BulkWriterTests.query(db!, "CREATE VIRTUAL TABLE temp.ref USING rtree(id, minx, maxx, miny, maxy);").isEmpty)
        var stmt: OpaquePointer?
        sqlite3_prepare_v2(db, "INSERT INTO temp.ref VALUES (?, ?, ?, ?, ?);", -1, &stmt, nil)
        for (k, g) in geoms.enumerated() {
            let e = g.extent!
            sqlite3_reset(stmt); sqlite3_bind_int64(stmt, 1, Int64(k + 1))
            for (i, v) in [e.minX, e.maxX, e.minY, e.maxY].enumerated() { sqlite3_bind_double(stmt, Int32(i + 2), v) }
            #expect(sqlite3_step(stmt) == SQLITE_DONE)
        }
        sqlite3_finalize(stmt)
        #expect(BulkWriterTests.query(db!, "SELECT * FROM rtree_cells_geom ORDER BY id;") == BulkWriterTests.query(db!, "SELECT * FROM temp.ref ORDER BY id;"))
        var r = LCG(s: 99)
        for _ in 0..<20 {
            let x = 529_000 + r.next() * 22_000, y = 169_000 + r.next() * 22_000, w = r.next() * 3000
            let box = "minx <= \(x + w) AND maxx >= \(x) AND miny <= \(y + w) AND maxy >= \(y) ORDER BY id"
            #expect(BulkWriterTests.query(db!, "SELECT id FROM rtree_cells_geom WHERE " + box) == BulkWriterTests.query(db!, "SELECT id FROM temp.ref WHERE " + box))
        }
        #expect(BulkWriterTests.query(db!, "SELECT count(*) FROM rtree_cells_geom;") == ["\(n)"])
    }

    @Test func flatGeobufHoldsTheGeoPackagesFeatures() throws {
        let geoms = BulkWriterTests.squares(3000)
        let rows: [[Value]] = (0..<geoms.count).map { [.string("E\($0)"), .int($0 % 7), .double(Double($0) / 8, decimals: nil)] }
        let t = Table(columns: ["id", "count", "rate"], rows: rows)
        let dir = NSTemporaryDirectory() + "hotspot-fgb-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try GeoPackageWriter.write(path: dir + "/cells.gpkg", table: "cells", geometries: geoms, properties: t,
                                       crs: .init(epsg: 27700, name: "OSGB36 / British National Grid", wkt: try CRSInfo.ogcWKT(epsg: 27700)))
        let layer = PostGISWriter.Layer(table: "cells", fields: [("id", .text), ("count", .integer), ("rate", .real)],
                                        rows: rows.map { r in [.text(r[0].csvText), .int(Int(r[1].csvText)!), .real(Double(r[2].csvText)!)] },
                                        polygons: geoms, epsg: 27700)
        try FlatGeobufWriter.write(path: dir + "/cells.fgb", layer: layer)
        // Its spatial index: GDAL filters by extent through it (no index, no fast spatial filter).
        let ds = GDALOpenEx(dir + "/cells.fgb", UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY), nil, nil, nil)
        #expect(ds != nil)
        if let ds {
            #expect(OGR_L_TestCapability(GDALDatasetGetLayer(ds, 0), OLCFastSpatialFilter) == 1)
            GDALClose(ds)
        }
        let g = try OGRSource.read(dir + "/cells.gpkg"), f = try OGRSource.read(dir + "/cells.fgb")
        #expect(f.epsg == 27700 && f.fields == g.fields && f.geometries.count == 3000)
        // FlatGeobuf's spatial index orders features along a Hilbert curve: compare by id.
        func byID(_ l: OGRSource.Layer) -> [String: (values: [String?], geometry: MultiPolygon)] {
            Dictionary(uniqueKeysWithValues: l.values.indices.map { (l.values[$0][0]!, (l.values[$0], l.geometries[$0])) })
        }
        let a = byID(g), b = byID(f)
        #expect(a.count == 3000 && b.count == 3000)
        for (k, v) in a { #expect(b[k]?.values == v.values && b[k]?.geometry == v.geometry, "feature \(k)") }
    }
}
