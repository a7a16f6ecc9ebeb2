import Foundation
import HotspotCore
import Testing
@testable import HotspotIO

@Suite struct WriterTests {
    @Test func fixedFormatting() {
        #expect(Fmt.fixed(1.5, 0) == "2")
        #expect(Fmt.fixed(-0.0000001, 6) == "0.000000")
        #expect(Fmt.fixed(-0.0123456789, 6) == "-0.012346")
        #expect(Fmt.fixed(51.4615, 6) == "51.461500")
        #expect(Fmt.fixed(538300.505, 2) == "538300.51" || Fmt.fixed(538300.505, 2) == "538300.50")
        #expect(Fmt.number(3) == "3")
        #expect(Fmt.number(.nan) == "null")
    }

    @Test func csvQuoting() {
        let t = Table(columns: ["id", "name"], rows: [[.string("E1"), .string("A, \"B\"")], [.int(2), .null]])
        #expect(t.csv() == "id,name\nE1,\"A, \"\"B\"\"\"\n2,\n")
        // RFC 4180: CR, LF and a CR LF pair (one Swift Character) are quoted; non-ASCII text passes unchanged.
        #expect(Fmt.csvField("a\r\nb") == "\"a\r\nb\"" && Fmt.csvField("a\rb") == "\"a\rb\"" && Fmt.csvField("a\nb") == "\"a\nb\"")
        #expect(Fmt.csvField("Lewisham – Catford é") == "Lewisham – Catford é" && Fmt.csvField("é,\"ü\"") == "\"é,\"\"ü\"\"\"")
    }

    /// The streamed CSV (product tables of millions of rows) has `csv()`'s bytes at any piece size.
    @Test(arguments: [1, 10, 1 << 24])
    func csvStreamedEqualsWhole(chunk: Int) {
        let rows: [[Value]] = (0..<300).map { i in [.string("E\(i)"), .string(i % 7 == 0 ? "A, \"B\"\né" : "x"), .int(-i), .double(Double(i) / 7, decimals: nil),
                                                   .double(Double(i) / 3, decimals: 2), .null] }
        let t = Table(columns: ["id", "na,me", "count", "rate", "r2", "none"], rows: rows)
        var pieces: [[UInt8]] = []
        t.csv(chunk: chunk) { pieces.append($0) }
        #expect(String(decoding: pieces.flatMap { $0 }, as: UTF8.self) == t.csv())
        #expect(chunk > 100_000 ? pieces.count == 1 : pieces.count > 1)
    }

    @Test func geoJSONFollowsRFC7946() throws {
        // A clockwise square with a counter-clockwise hole: the writer must flip both.
        let outer = [XY(0, 0), XY(0, 1), XY(1, 1), XY(1, 0), XY(0, 0)]
        let hole = [XY(0.2, 0.2), XY(0.8, 0.2), XY(0.8, 0.8), XY(0.2, 0.8), XY(0.2, 0.2)]
        let t = Table(columns: ["id", "count"], rows: [[.string("a"), .int(3)]])
        let s = GeoJSONWriter.featureCollection(name: "t", geometries: [MultiPolygon([Polygon(exterior: outer, holes: [hole])])],
                                                properties: t, idColumn: "id")
        let d = try JSONSerialization.jsonObject(with: Data(s.utf8)) as! [String: Any]
        #expect(d["crs"] == nil)
        let f = (d["features"] as! [[String: Any]])[0]
        #expect(f["id"] as? String == "a")
        let rings = ((f["geometry"] as! [String: Any])["coordinates"] as! [[[Double]]])
        func signed(_ r: [[Double]]) -> Double { Polygon.signedArea2(r.map { XY($0[0], $0[1]) }) }
        #expect(signed(rings[0]) > 0)
        #expect(signed(rings[1]) < 0)
        #expect(s.contains("[0.200000,0.200000]"))
    }

    @Test func atomicWriteReplacesAndLeavesNoTemporaryFile() throws {
        let dir = NSTemporaryDirectory() + "hotspot-atomic-\(UUID().uuidString)"
        let p = dir + "/out.txt"
        try AtomicFile.write("one", to: p)
        try AtomicFile.write("two", to: p)
        #expect(try String(contentsOfFile: p, encoding: .utf8) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.txt"])
    }

    @Test func sha256KnownVector() {
        #expect(Hashing.sha256(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

@Suite struct GeoPackageWriterTests {
    @Test func fileHeaderAndGeometryBlob() throws {
        let square = MultiPolygon([Polygon(exterior: [XY(0, 0), XY(10, 0), XY(10, 20), XY(0, 20), XY(0, 0)])])
        let t = Table(columns: ["id", "count", "rate"], rows: [[.string("a"), .int(3), .double(1.5, decimals: 2)]])
        // A folder of its own: other tests write GeoPackages into the shared temporary folder at the same time.
        let dir = NSTemporaryDirectory() + "hotspot-gpkg-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let p = dir + "/cells.gpkg"
        let data = try GeoPackageWriter.write(path: p, table: "cells", geometries: [square], properties: t,
                                              crs: .init(epsg: 27700, name: "OSGB36 / British National Grid", wkt: "PROJCS[\"x\"]"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: p)) == data)
        #expect(data.prefix(15) == Data("SQLite format 3".utf8))
        // SQLite header: user_version at offset 60 (10300 = GeoPackage 1.3), application_id at 68 ("GPKG").
        #expect(data[60..<64].elementsEqual([0x00, 0x00, 0x28, 0x3C]))
        #expect(data[68..<72].elementsEqual(Array("GPKG".utf8)))
        let blob = GeoPackageWriter.geometryBlob(square, srs: 27700)
        #expect(blob.prefix(4).elementsEqual([0x47, 0x50, 0x00, 0x03]))         // "GP", version 0, LE + xy envelope
        #expect(blob[4..<8].elementsEqual(withUnsafeBytes(of: Int32(27700).littleEndian) { Array($0) }))
        #expect(blob[40] == 1 && blob[41] == 6)                                   // WKB little-endian MultiPolygon
        #expect(blob.count == 8 + 32 + 9 + 9 + 4 + 5 * 16)
        // Same inputs, same bytes.
        let again = try GeoPackageWriter.write(path: p, table: "cells", geometries: [square], properties: t,
                                               crs: .init(epsg: 27700, name: "OSGB36 / British National Grid", wkt: "PROJCS[\"x\"]"))
        #expect(again == data)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["cells.gpkg"])
    }
}
