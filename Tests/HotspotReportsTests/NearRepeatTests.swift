import Foundation
import HotspotCore
import HotspotIO
import HotspotTestSupport
import Testing
@testable import HotspotReports

/// `hotspot nearrepeat` (issue 22): the Knox test on the real STATS19 collisions against a plain-Python pair count
/// and pointpats 2.5.5 (tools/knox_reference.py → Tests/Fixtures/knox), its outputs, and its refusal of monthly data.
@Suite struct NearRepeatTests {
    static let stats19 = Paths.sharedFile("data/dated/stats19-collisions-lewisham-bbox-2022.csv")
    static var dated: Bool { FileManager.default.fileExists(atPath: stats19) }
    static let demo = Paths.repo.appendingPathComponent("Geodata/demo").path

    func request(_ files: [String], out: String = NSTemporaryDirectory() + "hotspot-nr-\(UUID().uuidString)") -> Project {
        var p = Project(files: files, out: out)
        p.read.useStore = false
        p.read.mapping = ColumnMapping(lon: "longitude", lat: "latitude", date: "date", time: "time")
        return p
    }

    func fixture(_ name: String) throws -> [[String: String]] {
        let lines = try String(contentsOfFile: Paths.fixture("knox/\(name)"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
    }

    /// Observed counts equal the plain pair count exactly (its smallest distance to a band edge is 5 mm, far above
    /// any PROJ difference); the exact expectation equals pointpats' ENST to 1e-6 (the fixture's 6 decimals); the Monte Carlo mean
    /// of each cumulative block (d ≤ delta, Δt ≤ tau) is within 4 standard errors of the difference of two
    /// independent 999-permutation means, 4 · sd · √(2/999), of pointpats' permuted mean.
    @Test(.enabled(if: NearRepeatTests.dated, "../shared/data/dated not found: the STATS19 reference test is skipped"))
    func stats19AgainstAPlainPairCountAndPointpats() throws {
        let t = try request([Self.stats19]).loadInputs().incidents.table
        #expect(t.count == 1713 && t.isTimed && t.resolution == .day)
        let bands = KnoxBands(distance: 100, spatialBands: 5, days: 7, temporalBands: 4)
        let k = knoxTest(x: t.x, y: t.y, day: t.day, bands: bands, permutations: 999, seed: 12345)
        for row in try fixture("observed.csv") {
            let cell = Int(row["row"]!)! * bands.columns + Int(row["column"]!)!
            #expect(k.observed[cell] == Int(row["observed"]!)!, "row \(row["row"]!) column \(row["column"]!)")
        }
        for row in try fixture("pointpats.csv") {
            let delta = Double(row["delta_m"]!)!, tau = Int(row["tau_days"]!)!
            let rows = 0...Int(delta / bands.distance), cols = 0...(tau / bands.days - 1)
            var obs = 0, exact = 0.0, mean = 0.0
            for r in rows { for c in cols { let i = r * bands.columns + c; obs += k.observed[i]; exact += k.exact[i]; mean += k.expected[i] } }
            let ppExact = Double(row["exact_expected"]!)!, ppMean = Double(row["sim_mean"]!)!, sd = Double(row["sim_sd"]!)!
            #expect(obs == Int(row["observed"]!)!, "NST at \(delta) m, \(tau) days")
            #expect(abs(exact - ppExact) <= 1e-6, "ENST at \(delta) m, \(tau) days: \(exact) vs \(ppExact)")
            #expect(abs(mean - ppMean) <= 4 * sd * (2.0 / 999).squareRoot(), "mean at \(delta) m, \(tau) days: \(mean) vs \(ppMean) (sd \(sd))")
        }
    }

    @Test(.enabled(if: NearRepeatTests.dated, "../shared/data/dated not found: the STATS19 outputs test is skipped"))
    func outputsHoldTheTableTheChartAndThePairs() throws {
        var p = request([Self.stats19])
        var r = Project.NearRepeatRequest(); r.permutations = 99
        p.products.nearrepeat = r
        let res = try NearRepeatJob.run(p, command: "test")
        let csv = try String(contentsOfFile: p.out + "/knox.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 1 + 7 * 5)
        #expect(csv[0] == "distance_band,distance_from_m,distance_to_m,time_band,days_from,days_to,observed,expected,expected_sd,exact_expected,knox_ratio,pseudo_p,near_repeat")
        #expect(csv[1].hasPrefix("same location,0,0,0–7 days,0,7,") && csv[6].hasPrefix("≤ 100 m,0,100,0–7 days,0,7,106,"))
        #expect(csv.filter { $0.hasSuffix(",yes") }.count == res.knox.significant.count { $0 })
        let svg = try String(contentsOfFile: p.out + "/knox.svg", encoding: .utf8)
        // The chart says how many bands chance alone would pass (24 tested at p ≤ 0.05: about 1.2).
        #expect(svg.contains("of 24;</text>") && svg.contains(">chance alone would pass about 1.2."))
        #expect(svg.hasPrefix("<svg") && svg.components(separatedBy: "stroke=\"#000000\" stroke-width=\"0.6\"").count - 1 == res.knox.significant.count { $0 })
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: p.out + "/near-repeat-pairs.geojson"))) as! [String: Any]
        let features = json["features"] as! [[String: Any]]
        #expect(features.count == res.knox.nearPairs.count && !features.isEmpty)
        for f in features {
            let g = f["geometry"] as! [String: Any], c = g["coordinates"] as! [[Double]]
            #expect(g["type"] as? String == "LineString" && c.count == 2)
            #expect(c.allSatisfy { $0[0] > -0.09 && $0[0] < 0.05 && $0[1] > 51.40 && $0[1] < 51.50 })  // lon, lat in the bbox
            let props = f["properties"] as! [String: Any]
            #expect((props["metres"] as! Double) <= 500 && (props["days"] as! Int) <= 28)
        }
        #expect(res.knox.nearRepeatIncidents > 0 && res.knox.nearRepeatShare < 1)
    }

    @Test func monthlyDataAreRefusedWithTheReason() throws {
        var p = Project(files: [Self.demo + "/incidents.csv"], out: NSTemporaryDirectory() + "hotspot-nr-\(UUID().uuidString)")
        p.read.useStore = false
        p.products.nearrepeat = .init()
        #expect(throws: InputError.unusable(NearRepeatJob.refusal(IncidentTable(epsg: 27700, resolution: .month))!)) {
            try NearRepeatJob.run(p, command: "test")
        }
        #expect(NearRepeatJob.refusal(IncidentTable(epsg: 27700, resolution: .month))!.contains("only the month"))
        #expect(!FileManager.default.fileExists(atPath: p.out))
    }

    @Test func aProjectFileSpellsTheBandsAndTheDateOptions() throws {
        let path = try temporaryFile("""
            inputs:
              files: [\(Self.demo)/incidents.csv]
              format: csv
              columns: {lon: longitude, lat: latitude, date: date, time: time, date_format: DD/MM/YYYY}
            products:
              nearrepeat: {distance: 150, distance_bands: 4, days: 14, time_bands: 3, permutations: 99, seed: 7}
            """)
        let p = try Project.load(path)
        #expect(p.read.mapping.time == "time" && p.read.mapping.dateOrder == .dayFirst)
        let r = try #require(p.products.nearrepeat)
        #expect(r.bands == KnoxBands(distance: 150, spatialBands: 4, days: 14, temporalBands: 3) && r.permutations == 99 && r.seed == 7)
        let bad = try temporaryFile("inputs: {files: [\(Self.demo)/incidents.csv], columns: {date: d, date_format: YYYY/DD/MM}}\nproducts: {nearrepeat: {}}\n")
        do { _ = try Project.load(bad); Issue.record("loaded") } catch let e as Project.ProjectError {
            #expect(e.key == "inputs.columns.date_format" && e.message == "use DD/MM/YYYY or MM/DD/YYYY")
        }
    }
}
