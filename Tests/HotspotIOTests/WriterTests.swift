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
