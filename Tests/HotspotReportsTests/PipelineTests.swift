import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography
import HotspotTestSupport
import Testing
@testable import HotspotReports

@Suite struct PipelineTests {
    static let demo = Paths.repo.appendingPathComponent("Geodata/demo").path

    @Test func boundaryFilterQuarantinesOutsidePoints() throws {
        let b = try Pipeline.loadLayer(LayerSpec(name: "b", path: Self.demo + "/boundary.geojson"))
        let inc = try Pipeline.loadIncidents(files: [Paths.fixture("hostile-policeuk.csv")], options: ReadOptions(), boundary: b)
        // The fixture's seven good points lie in real Lewisham, inside the demo borough's box: none may be dropped.
        #expect(inc.balances)
        #expect(inc.table.count == 7)
        #expect(!inc.quarantine.contains { $0.reason == .outsideStudyArea })
    }

    @Test func demoAreasAreDeterministicAndBalance() throws {
        let out1 = NSTemporaryDirectory() + "hotspot-det-\(UUID().uuidString)"
        let out2 = NSTemporaryDirectory() + "hotspot-det-\(UUID().uuidString)"
        let spec = [LayerSpec(name: "wards", path: Self.demo + "/wards.geojson", population: Self.demo + "/wards_population.csv")]
        let r1 = try AreasJob.run(request([Self.demo + "/incidents.csv"], layers: spec, out: out1), command: "test")
        _ = try AreasJob.run(request([Self.demo + "/incidents.csv"], layers: spec, out: out2), command: "test")
        for f in r1.written {
            #expect(FileManager.default.contents(atPath: out1 + "/" + f) == FileManager.default.contents(atPath: out2 + "/" + f), "\(f)")
        }
        #expect(r1.incidents.balances)
        let c = r1.layers[0]
        #expect(c.rows.count == 12)
        #expect(c.rows.reduce(0) { $0 + $1.count } + c.unassigned == r1.incidents.table.count)
        #expect(c.rows.allSatisfy { $0.ratePer1000 != nil })
    }

    /// Real Lewisham burglary, March–September: ward and LSOA counts must equal geopandas' (../shared/reference).
    @Test(.enabled(if: Paths.sharedAvailable, "../shared not found: real-data reference counts skipped"),
          arguments: ["2018", "2022"])
    func lewishamCountsEqualReference(year: String) throws {
        let files = (3...9).map { Paths.sharedFile("data/policeuk/met-burglary-lewisham/\(year)-0\($0)-metropolitan-street.csv") }
        let inc = try Pipeline.loadIncidents(files: files, options: ReadOptions())
        #expect(inc.table.count == (year == "2018" ? 1377 : 1075))
        for (layer, file, ref) in [("wards", "lbl_wd22_proposed_bng.geojson", "polygons_wards.csv"), ("lsoa", "lbl_lsoa11_full.json", "polygons_lsoa.csv")] {
            let l = try Pipeline.loadLayer(LayerSpec(name: layer, path: Paths.sharedFile("geodata/lewisham/\(file)")))
            let counts = AreaCounts.compute(inc.table, layer: l)
            let text = try String(contentsOfFile: Paths.sharedFile("reference/lewisham-burglary/marsep-\(year)/\(ref)"), encoding: .utf8)
            var want: [String: Int] = [:]
            for line in text.split(whereSeparator: \.isNewline).dropFirst() {
                let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                want[f[1]] = Int(f[3])
            }
            let got = Dictionary(uniqueKeysWithValues: counts.rows.map { ($0.id, $0.count) })
            #expect(got == want, "\(layer) \(year)")
            if layer == "wards" {
                #expect(counts.rows.contains { $0.name == "Rushey Green" })
                #expect(counts.rows.contains { $0.name == "Lewisham Central" })
            }
        }
    }
}

@Suite struct QuarantineAfterReadingTests {
    /// Rows outside the --boundary, and rows PROJ cannot transform, are quarantined with their file and line;
    /// accepted + quarantined = read still holds.
    @Test func outsideStudyAreaAndProjectionFailures() throws {
        let dir = NSTemporaryDirectory() + "hotspot-q-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // A 1 km square boundary in EPSG:27700 around (538000, 174000).
        let boundary = dir + "/b.geojson"
        try """
            {"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[
            {"type":"Feature","properties":{"code":"B1","name":"box"},"geometry":{"type":"Polygon","coordinates":[[[537500,173500],[538500,173500],[538500,174500],[537500,174500],[537500,173500]]]}}]}
            """.write(toFile: boundary, atomically: true, encoding: .utf8)
        let csv = dir + "/i.csv"
        try "id,date,x,y\n1,2024-01-01,538000,174000\n2,2024-01-02,540000,174000\n3,2024-01-03,538100,174100\n".write(toFile: csv, atomically: true, encoding: .utf8)
        var o = ReadOptions()
        o.mapping = ColumnMapping(x: "x", y: "y", date: "date", id: "id")
        let b = try Pipeline.loadLayer(LayerSpec(name: "b", path: boundary))
        let inc = try Pipeline.loadIncidents(files: [csv], options: o, boundary: b)
        #expect(inc.table.count == 2)
        #expect(inc.quarantine.map(\.line) == [3] && inc.quarantine[0].reason == .outsideStudyArea)
        #expect(inc.balances)
        // UTM 31N coordinates far beyond the projection's domain: PROJ fails on them (returns HUGE_VAL).
        let merc = dir + "/m.csv"
        try "id,date,x,y\n1,2024-01-01,300000,5700000\n2,2024-01-02,9e7,9e7\n".write(toFile: merc, atomically: true, encoding: .utf8)
        o.mapping.epsg = 32631
        let m = try Pipeline.loadIncidents(files: [merc], options: o)
        #expect(m.table.count == 1)
        #expect(m.quarantine.map(\.reason) == [.projectionFailed] && m.quarantine[0].line == 3)
        #expect(m.balances)
    }
}

@Suite struct HexGiStarTests {
    /// Gi* on hexagons: an interior hexagon has its six edge neighbours and itself; z follows the closed form.
    @Test func hexagonNeighbourhoods() throws {
        let demo = PipelineTests.demo
        let out = NSTemporaryDirectory() + "hotspot-hexgi-\(UUID().uuidString)"
        let r = try GiStarJob.run(request([demo + "/incidents.csv"], out: out) {
            var g = Project.GiStarRequest(); g.cell = 400; g.maxCells = 1_000_000; g.seed = 1; g.hex = .flat; $0.gistar = g
        }, command: "test")
        #expect(r.gi.neighbours.max() == 7)
        #expect(r.gi.neighbours.filter { $0 == 7 }.count > r.gi.neighbours.count / 2)
        #expect(r.ids.allSatisfy { $0.hasPrefix("h") })
        #expect(r.gi.z.allSatisfy { !$0.isNaN })
    }
}
