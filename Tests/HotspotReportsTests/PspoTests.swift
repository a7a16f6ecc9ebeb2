import Foundation
import HotspotCore
import HotspotIO
import HotspotTestSupport
import Testing
@testable import HotspotReports

/// PSPO packs on planted data whose every figure is known: a 200 m square area, incidents planted inside it, in the
/// two rings and far away, month by month (issue 10).
@Suite struct PspoTests {
    func tmp(_ ext: String = "") -> String { NSTemporaryDirectory() + "hotspot-pspo-\(UUID().uuidString)\(ext)" }

    /// Inside: m incidents in month m of 2024 (78); ring 0–100 m: 2 a month (24); ring 100–200 m: 1 a month (12);
    /// far away: 5 a month (60).
    func planted() throws -> (Project, String) {
        var csv = "when,E,N,kind\n"
        for m in 1...12 {
            let d = String(format: "2024-%02d-15", m)
            for _ in 0..<m { csv += "\(d),538100,175100,Drugs\n" }
            for _ in 0..<2 { csv += "\(d),538250,175100,Drugs\n" }
            csv += "\(d),538350,175100,Public order\n"
            for _ in 0..<5 { csv += "\(d),539500,176500,Drugs\n" }
        }
        let inc = tmp(".csv"), area = tmp(".geojson")
        try csv.write(toFile: inc, atomically: true, encoding: .utf8)
        try """
        {"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[{"type":"Feature","properties":{"id":"sq","name":"Planted Square"},"geometry":{"type":"Polygon","coordinates":[[[538000,175000],[538200,175000],[538200,175200],[538000,175200],[538000,175000]]]}}]}
        """.write(toFile: area, atomically: true, encoding: .utf8)
        var read = ReadOptions(); read.mapping = ColumnMapping(x: "E", y: "N", date: "when", category: "kind")
        var r = Project.PspoRequest()
        r.area = LayerSpec(name: "area", path: area)
        r.rings = [100, 200]; r.change = CivilDate.days(year: 2024, month: 7, day: 1); r.pdf = false
        return (request([inc], read: read, out: tmp()) { $0.pspo = r }, area)
    }

    func csv(_ dir: String, _ name: String) throws -> [[String]] {
        try String(contentsOfFile: "\(dir)/exhibits/\(name).csv", encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test func plantedFiguresComeOutExactly() throws {
        let (p, _) = try planted()
        let r = try PspoJob.run(p, command: "test")
        #expect(r.name == "Planted Square" && r.inside == 78)
        let s = Dictionary(uniqueKeysWithValues: try csv(p.out, "summary").dropFirst().map { ($0[0], $0[1]) })
        #expect(s["incidents_inside"] == "78" && s["incidents_borough"] == "174" && s["area_ha"] == "4.00")
        // Borough = the incidents' extent, 1,400 m × 1,400 m: ratio (78/174)/(0.04/1.96).
        #expect(s["concentration_ratio"] == Fmt.fixed((78.0 / 174) / (40_000.0 / 1_960_000), 2))
        let zones = try csv(p.out, "zones").dropFirst().map { ($0[0], $0[2]) }
        #expect(zones.map(\.0) == ["Planted Square", "Ring 0–100 m", "Ring 100–200 m"] && zones.map(\.1) == ["78", "24", "12"])
        // Before/after 2024-07: 21 in 6 months against 57 in 6, the exact Poisson test.
        let ba = try csv(p.out, "displacement-before-after")
        let row = try #require(ba.first { $0[0] == "Planted Square" })
        #expect(row[2] == "21" && row[5] == "57" && row[3] == "3.50" && row[6] == "9.50")
        #expect(row[8] == Fmt.fixed(poissonRateTest(before: 21, after: 57, exposureBefore: 6, exposureAfter: 6).p, 4))
        // Trend: 1, 2, …, 12 a month is increasing; the far-away constant series is not.
        let trend = try csv(p.out, "trend")
        let inside = try #require(trend.first { $0[0] == "Inside the area: all selected types" })
        #expect(inside[4] == "66" && inside[8] == "increasing")
        #expect(inside[7] == Fmt.fixed(mannKendall((1...12).map(Double.init)).p, 4))
        // Monthly series inside and by type.
        let months = try csv(p.out, "incidents-by-month").dropFirst()
        #expect(months.map { $0[1] } == (1...12).map { "\($0)" })
        // One complete March–September window only: said, not compared.
        let w = try csv(p.out, "windows").dropFirst()
        #expect(w.allSatisfy { $0[0] == "Mar–Sep 2024" } && w.first?[3] == "42")
        #expect(try String(contentsOfFile: p.out + "/index.html", encoding: .utf8).contains("one complete window"))
        // No enforcement data: section 7 is a marked, empty placeholder.
        #expect(try String(contentsOfFile: p.out + "/index.html", encoding: .utf8).contains("No enforcement data were supplied"))
        #expect(try PackManifest.verify(p.out).ok && PackManifest.verify(r.zip).ok)
    }

    @Test func aRerunIsByteIdentical() throws {
        var (p, _) = try planted()
        p.products.pspo?.asOf = "2025-01-31"
        let a = try PspoJob.run(p, command: "test")
        let first = try Data(contentsOf: URL(fileURLWithPath: a.zip))
        let b = try PspoJob.run(p, command: "test")
        #expect(try Data(contentsOf: URL(fileURLWithPath: b.zip)) == first)
    }

    @Test func badInputsStopBeforeAnythingIsWritten() throws {
        var (p, area) = try planted()
        p.products.pspo?.change = nil
        // A crime type that matches nothing.
        var q = p; q.read.selection.types = ["Burglary"]
        #expect(throws: InputError.self) { _ = try PspoJob.run(q, command: "t") }
        // An empty period.
        q = p; q.read.selection.from = CivilDate.days(year: 2025, month: 1, day: 1)
        do { _ = try PspoJob.run(q, command: "t"); Issue.record("no error") } catch { #expect("\(error)".contains("empty period")) }
        // An area outside the data.
        let far = tmp(".geojson")
        try String(contentsOfFile: area, encoding: .utf8).replacingOccurrences(of: ",538", with: ",438").replacingOccurrences(of: "[538", with: "[438").write(toFile: far, atomically: true, encoding: .utf8)
        q = p; q.products.pspo?.area = LayerSpec(name: "area", path: far)
        do { _ = try PspoJob.run(q, command: "t"); Issue.record("no error") } catch { #expect("\(error)".contains("outside the data extent")) }
        // An invalid polygon (a bow-tie).
        let bow = tmp(".geojson")
        try String(contentsOfFile: area, encoding: .utf8).replacingOccurrences(of: "[538200,175000],[538200,175200]", with: "[538200,175200],[538200,175000]").write(toFile: bow, atomically: true, encoding: .utf8)
        q = p; q.products.pspo?.area = LayerSpec(name: "area", path: bow)
        do { _ = try PspoJob.run(q, command: "t"); Issue.record("no error") } catch { #expect("\(error)".contains("is invalid")) }
        #expect(!FileManager.default.fileExists(atPath: p.out) && !FileManager.default.fileExists(atPath: p.out + ".zip"))
    }

    @Test func aProposalFromHotspotsIsBufferedAndMarked() throws {
        var (p, _) = try planted()
        let hs = tmp(".geojson")
        try """
        {"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[{"type":"Feature","properties":{"id":"h1"},"geometry":{"type":"Polygon","coordinates":[[[538050,175050],[538150,175050],[538150,175150],[538050,175150],[538050,175050]]]}}]}
        """.write(toFile: hs, atomically: true, encoding: .utf8)
        p.products.pspo?.area = nil; p.products.pspo?.fromHotspots = hs; p.products.pspo?.buffer = 50; p.products.pspo?.simplify = 0
        let r = try PspoJob.run(p, command: "t")
        #expect(r.inside == 78)
        let s = Dictionary(uniqueKeysWithValues: try csv(p.out, "summary").dropFirst().map { ($0[0], $0[1]) })
        // 100 m square buffered by 50 m: 100² + 4·100·50 + the corners, a circle of 50 m as a 32-gon
        // (GEOS, 8 segments a quadrant): ½·32·50²·sin(2π/32).
        let ha = try #require(Double(s["area_ha"] ?? ""))
        let expected = (10_000 + 20_000 + 0.5 * 32 * 2500 * sin(2 * Double.pi / 32)) / 1e4
        #expect(abs(ha - expected) < 0.006, "\(ha) ha, expected \(expected)")
        #expect(try String(contentsOfFile: p.out + "/exhibits/restricted-area.geojson", encoding: .utf8).contains("proposal"))
    }
}
