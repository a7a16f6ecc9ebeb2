import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotTestSupport
import Testing
@testable import HotspotReports

@Suite struct PipelineTests {
    static let demo = Paths.repo.appendingPathComponent("Geodata/demo").path

    @Test func boundaryFilterQuarantinesOutsidePoints() throws {
        let b = try Pipeline.loadLayer(LayerSpec(name: "b", path: Self.demo + "/boundary.geojson"))
        let inc = try Pipeline.loadIncidents(files: [Paths.fixture("hostile-policeuk.csv")], options: ReadOptions(), boundary: b)
        // The fixture's points are in real Lewisham, the demo borough too; check the bookkeeping either way.
        #expect(inc.balances)
        #expect(inc.quarantine.filter { $0.reason == .outsideStudyArea }.count + inc.table.count == 7)
    }

    @Test func demoAreasAreDeterministicAndBalance() throws {
        let out1 = NSTemporaryDirectory() + "hotspot-det-\(UUID().uuidString)"
        let out2 = NSTemporaryDirectory() + "hotspot-det-\(UUID().uuidString)"
        let spec = [LayerSpec(name: "wards", path: Self.demo + "/wards.geojson", population: Self.demo + "/wards_population.csv")]
        let r1 = try AreasJob.run(input: [Self.demo + "/incidents.csv"], read: ReadOptions(), layers: spec, boundary: nil,
                                  gridDirectories: [], out: out1, command: "test")
        _ = try AreasJob.run(input: [Self.demo + "/incidents.csv"], read: ReadOptions(), layers: spec, boundary: nil,
                             gridDirectories: [], out: out2, command: "test")
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
