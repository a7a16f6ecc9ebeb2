import Foundation
import Testing
import HotspotCore
import HotspotIO
import HotspotTestSupport
@testable import HotspotReports

/// `hotspot stops`: Wilson and Katz against statsmodels/scipy golden values, planted searches (a group searched at
/// exactly twice the White rate; small counts suppressed; rows without a location and unknown spellings kept),
/// and the real Lewisham figures recomputed in Python (tools/check_stops.py, run by tools/e2e).
@Suite struct StopsTests {
    @Test func wilsonAndKatzEqualTheGoldenValues() throws {
        let text = try String(contentsOfFile: Paths.fixture("stops/golden.csv"), encoding: .utf8)
        var checked = 0
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if f[0] == "wilson" {
                let w = WilsonInterval(k: Int(f[1])!, n: Int(f[2])!)
                #expect(abs(w.share! - Double(f[5])!) < 1e-12)
                #expect(abs(w.low! - Double(f[6])!) < 1e-9, "Wilson low \(f)")
                #expect(abs(w.high! - Double(f[7])!) < 1e-9, "Wilson high \(f)")
            } else if f[0] == "ztest" {
                let z = TwoProportionTest(k1: Int(f[1])!, n1: Int(f[2])!, k2: Int(f[3])!, n2: Int(f[4])!)
                #expect(abs(z.difference! - Double(f[5])!) < 1e-12)
                #expect(abs(z.z! - Double(f[6])!) < 1e-9, "z \(f)")
                #expect(abs(z.p! - Double(f[7])!) < 1e-9 * max(1, Double(f[7])!), "p \(f)")
            } else {
                let r = RateRatio(a: Int(f[1])!, popA: Double(f[3])!, b: Int(f[2])!, popB: Double(f[4])!)
                #expect(abs(r.ratio! - Double(f[5])!) < 1e-12)
                #expect(abs(r.low! / Double(f[6])! - 1) < 1e-9, "Katz low \(f)")
                #expect(abs(r.high! / Double(f[7])! - 1) < 1e-9, "Katz high \(f)")
            }
            checked += 1
        }
        #expect(checked == 16)
        #expect(WilsonInterval(k: 0, n: 0).share == nil)
        #expect(RateRatio(a: 0, popA: 10, b: 4, popB: 10).ratio == nil)
    }

    /// One square ward around (−0.02, 51.45); residents White 1,000, Black 500, Asian 1,000, Mixed 100, Other 100.
    /// Searches (officer-defined): White 20, Black 20 (twice White's rate), Asian 2 (suppressed below 3), Other 5;
    /// one Black search without a location; one search with an outcome spelling hotspot does not know.
    static func planted() throws -> (Project, String) {
        var rows = ["Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing"]
        func add(_ n: Int, _ eth: String, outcome: String = "Arrest", lat: String = "51.45", lon: String = "-0.02") {
            for _ in 0..<n { rows.append("Person search,2018-06-10T12:00:00+00:00,False,,\(lat),\(lon),Male,18-24,,\(eth),Police and Criminal Evidence Act 1984 (section 1),Stolen goods,\(outcome),True,") }
        }
        add(10, "White"); add(10, "White", outcome: "A no further action disposal")
        add(20, "Black"); add(2, "Asian"); add(4, "Other"); add(1, "Other", outcome: "Strange outcome")
        add(1, "Black", lat: "", lon: "")
        let csv = try temporaryFile(rows.joined(separator: "\n") + "\n", named: "2018-06-metropolitan-stop-and-search.csv")
        let dir = (csv as NSString).deletingLastPathComponent
        let ward = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"W1","name":"Planted"},"geometry":{"type":"Polygon","coordinates":[[[-0.03,51.44],[-0.01,51.44],[-0.01,51.46],[-0.03,51.46],[-0.03,51.44]]]}}]}"#
        try ward.write(toFile: dir + "/ward.geojson", atomically: true, encoding: .utf8)
        try "code,White,Black,Asian,Mixed,Other\nW1,1000,500,1000,100,100\n".write(toFile: dir + "/eth.csv", atomically: true, encoding: .utf8)
        var read = ReadOptions(); read.useStore = false
        let p = request([csv], read: read, layers: [LayerSpec(name: "wards", path: dir + "/ward.geojson", idField: "code", nameField: "name")],
                        out: dir + "/out") { $0.stops = .init(suppressBelow: 3, populationByGroup: ["wards": dir + "/eth.csv"]) }
        return (p, dir)
    }

    static func row(_ t: Table, _ match: [Int: String]) -> [Value]? {
        t.rows.first { r in match.allSatisfy { r[$0.key] == .string($0.value) } }
    }

    @Test func plantedTwiceTheRateIsARatioOfTwoWithItsIntervalAndSmallCountsSuppressed() throws {
        let (p, dir) = try Self.planted()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try StopsJob.run(p, command: "test")
        let black = try #require(Self.row(r.ratios, [0: "wards", 1: "W1", 3: "officer_defined", 4: "Black"]))
        #expect(black[5] == .int(20))
        guard case .double(let rr, _) = black[8], case .double(let lo, _) = black[9], case .double(let hi, _) = black[10] else { Issue.record("no ratio"); return }
        #expect(abs(rr - 2) < 1e-12)
        #expect(lo < 2 && 2 < hi)
        // Katz: exp(ln 2 ± 1.96·√(1/20 + 1/20)).
        #expect(abs(lo - 2 * Double.exp(-1.959963984540054 * 0.1.squareRoot())) < 1e-9)
        // Asian 2 < 3: the count hidden, no rate and no ratio; Other 5 shown.
        let asian = try #require(Self.row(r.ratios, [0: "wards", 1: "W1", 3: "officer_defined", 4: "Asian"]))
        #expect(asian[5] == .string("<3") && asian[7] == .null && asian[8] == .null && asian[11] == .string("yes"))
        let other = try #require(Self.row(r.ratios, [0: "wards", 1: "W1", 3: "officer_defined", 4: "Other"]))
        #expect(other[5] == .int(5) && other[11] == .string("no"))
        // Exactly the small cells are suppressed: every "<3" is a count of 1 or 2.
        #expect(r.ratios.rows.filter { $0[5] == .string("<3") }.count == r.ratios.rows.filter { $0[11] == .string("yes") }.count)
        let written = try String(contentsOfFile: p.out + "/disproportionality.csv", encoding: .utf8)
        #expect(!written.contains(",2,1000,"), "the suppressed count must not be written")
    }

    @Test func plantedRowsWithoutLocationAndUnknownSpellingsAreKeptAndListed() throws {
        let (p, dir) = try Self.planted()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try StopsJob.run(p, command: "test")
        #expect(r.read == 48 && r.inScope == 48 && r.noLocation == 1)
        let counts = StopsTables.counts(r.scopes[1], r.table)
        #expect(Self.row(counts, [0: "no_location", 2: "type"])?[4] == .int(1))
        #expect(Self.row(counts, [0: "W1", 2: "outcome", 3: "Strange outcome"])?[4] == .int(1))
        #expect(r.unknown["Outcome"] == ["Strange outcome": 1])
        #expect(r.warnings.contains { $0.hasPrefix("Outcome: 1 search(es) with a spelling hotspot does not know ('Strange outcome')") })
        let meta = try String(contentsOfFile: p.out + "/metadata.json", encoding: .utf8)
        #expect(meta.contains("Strange outcome (1)"))
        #expect(meta.contains("residents are not the population available to be stopped"))
        #expect(meta.contains("its 'missing coordinate' rows are the searches without a location"))
        // Find rate of the ward: 47 located, 1 unknown outcome left out: k = 36 (not NFA), n = 46.
        let f = try #require(Self.row(r.findRates, [0: "wards", 1: "W1", 3: "All", 4: "found"]))
        #expect(f[5] == .int(36) && f[6] == .int(46))
        let linked = try #require(Self.row(r.findRates, [0: "wards", 1: "W1", 3: "All", 4: "linked"]))
        #expect(linked[5] == .int(47) && linked[6] == .int(47))
        let summary = try String(contentsOfFile: p.out + "/summary.txt", encoding: .utf8)
        #expect(summary.contains("1 without a location"))
    }

    @Test func byTypeRepeatsEachTableForEachTypeAndTestsPersonAgainstPersonAndVehicle() throws {
        var (p, dir) = try Self.planted()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        p.products.stops?.byType = true
        let r = try StopsJob.run(p, command: "test")
        // Every planted search is a person search: its rows equal the All rows, type for type.
        let all = r.findRates.rows.filter { $0[10] == .string("All") }.map { Array($0[0..<10]) }
        let person = r.findRates.rows.filter { $0[10] == .string("Person search") }.map { Array($0[0..<10]) }
        #expect(!all.isEmpty && all == person)
        let tt = try #require(r.typeTest)
        let w1 = try #require(Self.row(tt, [0: "wards", 1: "W1"]))
        #expect(w1[4] == .int(36) && w1[5] == .int(46) && w1[9] == .int(0) && w1[13] == .null)
        #expect(FileManager.default.fileExists(atPath: p.out + "/type-test.csv"))
    }

    @Test func searchesDatedOutsideTheFilesMonthAreWarnedAndKept() throws {
        let text = "Type,Date,Latitude,Longitude,Outcome\n"
            + "Person search,2018-06-30T22:30:00+00:00,51.45,-0.02,Arrest\n"   // 23:30 BST, 30 June: inside
            + "Person search,2018-06-30T23:30:00+00:00,51.45,-0.02,Arrest\n"   // 00:30 BST, 1 July: outside
            + "Person search,2018-05-10T12:00:00+00:00,,,Arrest\n"             // May, no location: outside
        let csv = try temporaryFile(text, named: "2018-06-metropolitan-stop-and-search.csv")
        defer { try? FileManager.default.removeItem(atPath: (csv as NSString).deletingLastPathComponent) }
        let t = try StopSearchReader.read(files: [csv])
        #expect(t.count == 3 && t.column("Outcome").text(0) == "Arrest" && t.column("Gender").text(0) == "")
        let w = StopsJob.monthWarnings(t, files: [csv])
        #expect(w == ["2018-06-metropolitan-stop-and-search.csv: 2 search(es) dated outside the file's month (by their UK civil date); counted by their own date"])
        #expect(StopsJob.monthWarnings(t, files: ["/x/searches.csv"]).isEmpty)
    }

    @Test func areasWithoutResidentsByGroupAreWarnedAndHaveNoRates() throws {
        let (p, dir) = try Self.planted()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "code,White,Black,Asian,Mixed,Other\nW9,1,1,1,1,1\n".write(toFile: dir + "/eth.csv", atomically: true, encoding: .utf8)
        let r = try StopsJob.run(p, command: "test")
        #expect(r.warnings.contains { $0.hasPrefix("layer wards: no population by group for 1 area(s), e.g. W1") })
        #expect(!r.ratios.rows.contains { $0[1] == .string("W1") })
    }
}
