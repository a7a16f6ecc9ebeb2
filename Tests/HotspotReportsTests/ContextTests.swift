import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography
import HotspotTestSupport
import Testing
@testable import HotspotReports

/// `hotspot context` (issue 24) on planted MPS files: rates, changes, ranks, percentiles by hand; what matches nothing
/// is listed; periods and layouts checked.
@Suite struct ContextTests {
    func file(_ text: String, _ ext: String = "csv") throws -> String {
        let p = NSTemporaryDirectory() + "hotspot-ctx-\(UUID().uuidString).\(ext)"
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
    /// Three boroughs × one ward each (plus a ward code the population file lacks, and a unit in no borough), two
    /// categories, months 2024-01 … 2024-04. Borough A doubles its burglary from Jan–Feb to Mar–Apr.
    func planted() throws -> ContextJob.Options {
        let ward = """
            MajorText,MinorText,WardName,WardCode,LookUp_BoroughName,202401,202402,202403,202404
            BURGLARY,BURGLARY - RESIDENTIAL,Alpha,E05000001,Aborough,5,5,10,10
            THEFT,SHOPLIFTING,Alpha,E05000001,Aborough,1,1,1,1
            BURGLARY,BURGLARY - RESIDENTIAL,Beta,E05000002,Bborough,10,10,10,10
            THEFT,SHOPLIFTING,Beta,E05000002,Bborough,4,4,2,2
            BURGLARY,BURGLARY - RESIDENTIAL,Gamma,E05000003,Cborough,20,20,15,15
            BURGLARY,BURGLARY - RESIDENTIAL,Ghost,E05999999,Cborough,1,0,0,1
            THEFT,THEFT FROM THE PERSON,Airside,E05000004,Aviation Security (SO18),3,3,3,3
            """
        let bp = "Code,Name,Geography,All ages\nE09000001,Aborough,London Borough,10000\nE09000002,Bborough,London Borough,20000\nE09000003,Cborough,London Borough,40000\nE09000009,City of London,London Borough,8000\n"
        let wp = "ward22cd,ward22nm,pop_census2021\nE05000001,Alpha,10000\nE05000002,Beta,20000\nE05000003,Gamma,40000\nE05000004,Airside,100\n"
        var o = ContextJob.Options()
        o.files = [try file(ward)]; o.boroughPopulation = try file(bp); o.wardPopulation = try file(wp)
        o.boroughs = ["Aborough"]; o.periods = [Period(parsing: "2024-01..2024-02")!, Period(parsing: "2024-03..2024-04")!]
        o.out = NSTemporaryDirectory() + "hotspot-ctx-\(UUID().uuidString)"
        return o
    }

    func rows(_ t: Table, _ match: [String: String]) -> [[String: String]] {
        t.rows.map { r in Dictionary(uniqueKeysWithValues: zip(t.columns, r.map(\.csvText))) }
            .filter { d in match.allSatisfy { d[$0.key] == $0.value } }
    }

    @Test func aDoublingIsPlus100PercentAndRanksFirst() throws {
        let r = try ContextJob.compute(try planted())
        let a = try #require(rows(r.boroughs, ["area": "Aborough", "major": "BURGLARY", "level": "major"]).first)
        #expect(a["count_a"] == "10" && a["count_b"] == "20" && a["change_pct"] == "100.00" && a["rank_change"] == "1")
        // Rates per 1,000 residents over the period: 20 / 10,000 → 2; B 20 / 20,000 → 1; C 30 / 40,000 → 0.75.
        #expect(a["rate_b"] == "2.0000" && a["rank_rate"] == "1" && a["ranked_of"] == "3")
        let c = try #require(rows(r.boroughs, ["area": "Cborough", "major": "BURGLARY", "level": "major"]).first)
        #expect(c["count_a"] == "41" && c["count_b"] == "31" && c["rank_rate"] == "3" && c["rank_change"] == "3")
        // London: every row, the unit in no borough too (theft 6 → 6), over the 3 boroughs' 70,000 residents (not the City's).
        let l = try #require(rows(r.boroughs, ["area": "London", "level": "all"]).first)
        #expect(l["count_a"] == "10+2+20+8+41+6".split(separator: "+").map { Int($0)! }.reduce(0, +).description)
        #expect(l["population"] == "70000")
        #expect(r.londonDefinition.contains("without the City of London") && r.londonDefinition.contains("Aviation Security (SO18)"))
    }

    /// `--include-city`: the City's residents (8,000 here) join London's, the definition says so, and the City's
    /// population row without crimes is listed.
    @Test func includeCityAddsTheCitysResidents() throws {
        var o = try planted(); o.includeCity = true
        let r = try ContextJob.compute(o)
        let l = try #require(rows(r.boroughs, ["area": "London", "level": "all"]).first)
        #expect(l["population"] == "78000" && r.londonDefinition.contains("and the City of London"))
        // The City has residents but no MPS rows (it has its own police force): listed, never silently dropped.
        #expect(rows(r.unmatched, [:]).contains { $0["name"]! == "City of London (E09000009)" })
    }

    @Test func wardPercentilesAndWhatMatchedNothing() throws {
        let r = try ContextJob.compute(try planted())
        let w = try #require(r.wards)
        let alpha = try #require(rows(w, ["ward_code": "E05000001", "major": "BURGLARY", "level": "major"]).first)
        // Burglary rates in Mar–Apr per 1,000: Alpha 2, Beta 1, Gamma 0.75, Airside 0: 3 below Alpha, Alpha itself
        // counting half: 100 × 3.5 / 4.
        #expect(alpha["pct_rate"] == "87.5" && alpha["london_wards"] == "4" && alpha["small"] == "0")
        // Changes: Alpha +100 %, Beta 0 %, Gamma −25 % (Airside has no burglary before): 100 × 2.5 / 3.
        #expect(alpha["pct_change"] == "83.3")
        // Ties count half: three zeros among four values stand at 37.5, the one above them at 87.5.
        #expect(ContextJob.percentile(0, among: [0, 0, 0, 1]) == 37.5 && ContextJob.percentile(1, among: [0, 0, 0, 1]) == 87.5)
        // The binary search over sorted values (London's wards, sorted once per category) gives the same percentiles.
        var g = SystemRandomNumberGenerator()
        for n in [1, 2, 7, 100, 679] {
            let all = (0..<n).map { _ in Double(Int.random(in: 0...20, using: &g)) / 4 }
            for x in all + [-1, 0.1, 5, 99] { #expect(ContextJob.percentile(x, amongSorted: all.sorted()) == ContextJob.percentile(x, among: all)) }
        }
        let theft = try #require(rows(w, ["ward_code": "E05000001", "major": "THEFT", "level": "major"]).first)
        #expect(theft["small"] == "1")
        let un = rows(r.unmatched, [:]).map { $0["name"]! }
        #expect(un.contains("Ghost (E05999999)") && un.contains("Aviation Security (SO18)") && !un.contains { $0.contains("City of London") })
    }

    /// `--wards-layer`: a "<borough>'s wards in London" page per category group after the borough's page, each ward
    /// filled by the class of its rate's percentile among London's wards and its wards.csv figures in the table.
    @Test func wardPagesDrawTheWardsByTheirLondonPercentile() throws {
        var o = try planted()
        let square = { (x: Int) in "[[[\(x),170000],[\(x + 1000),170000],[\(x + 1000),171000],[\(x),171000],[\(x),170000]]]" }
        o.wardsLayer = try file("""
            {"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[
            {"type":"Feature","properties":{"code":"E05000001","name":"Alpha"},"geometry":{"type":"Polygon","coordinates":\(square(530000))}}]}
            """, "geojson")
        o.pageFormats = [.svg]
        let (r, written) = try ContextJob.run(o, command: "test")
        #expect(written.contains("aborough-in-london-burglary.svg") && written.contains("aborough-wards-in-london-burglary.svg"))
        let svg = try String(contentsOfFile: o.out + "/aborough-wards-in-london-burglary.svg", encoding: .utf8)
        // Alpha: burglary 20 in Mar–Apr over 10,000 residents = 2.00 per 1,000, +100 %, the 87.5th percentile of rates.
        let wards = try #require(r.wards)
        let w = try #require(rows(wards, ["ward_code": "E05000001", "major": "BURGLARY", "level": "major"]).first)
        #expect(w["pct_rate"] == "87.5")
        // The ward's fill (white-stroked path, not the key's grey-stroked box): the 75–90th class.
        #expect(svg.contains("fill=\"\(LondonContextPage.ramp[3])\" stroke=\"#ffffff\"") && !svg.contains("fill=\"\(LondonContextPage.ramp[4])\" stroke=\"#ffffff\""))
        #expect(svg.contains(">Alpha</text>") && svg.contains(">2.00</text>") && svg.contains(">+100.0%</text>"))
        #expect(svg.contains("among London's 4 wards"))
        // Theft in Alpha is 2 and 2: below the small count, marked and explained.
        let theft = try String(contentsOfFile: o.out + "/aborough-wards-in-london-theft.svg", encoding: .utf8)
        #expect(theft.contains(">Alpha *</text>") && theft.contains("fewer than 10 crimes in a period"))
        #expect(LondonWardsPage.classIndex(25) == 0 && LondonWardsPage.classIndex(25.1) == 1 && LondonWardsPage.classIndex(90.5) == 4)
    }

    @Test func periodsOutsideTheFileAndUnknownLayoutsAreRefused() throws {
        var o = try planted()
        o.periods = [Period(parsing: "2023-11..2023-12")!, Period(parsing: "2024-03..2024-04")!]
        #expect { try ContextJob.compute(o) } throws: { "\($0)".contains("2023-11..2023-12 is outside") && "\($0)".contains("2024-01 … 2024-04") }
        o = try planted()
        o.files = [try file("Crime type,Month,Count\nBurglary,2024-01,3\n")]
        #expect { try ContextJob.compute(o) } throws: { "\($0)".contains("not an MPS recorded crime file") && "\($0)".contains("WardCode") }
        o = try planted(); o.boroughs = ["Nowhere"]
        #expect { try ContextJob.compute(o) } throws: { "\($0)".contains("--borough Nowhere") && "\($0)".contains("Aborough") && "\($0)".contains("Cborough") }
    }

    @Test func theBoroughLayoutAndACodeForTheBorough() throws {
        var o = try planted()
        let boroughFile = "Group,SubGroup,BOCU,202401,202402,202403,202404\nBURGLARY,BURGLARY - RESIDENTIAL,Aborough,1,1,4,4\nBURGLARY,BURGLARY - RESIDENTIAL,Bborough,2,2,2,2\n"
        o.files = [try file(boroughFile)]; o.wardPopulation = nil; o.boroughs = ["E09000001"]
        let r = try ContextJob.compute(o)
        #expect(r.chosen == ["Aborough"] && r.wards == nil)
        let a = try #require(rows(r.boroughs, ["area": "Aborough", "level": "all"]).first)
        #expect(a["count_a"] == "2" && a["count_b"] == "8" && a["change_pct"] == "300.00")
        #expect(r.sources[0].layout == "MPS Borough Level Crime (most recent 24 months)")
    }

    @Test func ranksShareTies() {
        #expect(ContextJob.ranks([3, 1, 3, nil, 2]) == [1, 4, 1, nil, 3])
        // One below, two equal (counting half): 100 × (1 + 1) / 4.
        #expect(ContextJob.percentile(2, among: [1, 2, 2, 5]) == 50)
    }
}

/// `context:` in a project file spells `hotspot context`: the same tables, written into the run's `context/`.
@Suite struct ContextProjectTests {
    @Test func aProjectSectionMakesTheSameTables() throws {
        let dir = NSTemporaryDirectory() + "hotspot-ctxp-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let mps = "MajorText,MinorText,WardName,WardCode,LookUp_BoroughName,202401,202402\nBURGLARY,BURGLARY,Alpha,E05000001,Aborough,2,4\nBURGLARY,BURGLARY,Beta,E05000002,Bborough,3,3\n"
        try mps.write(toFile: dir + "/mps.csv", atomically: true, encoding: .utf8)
        try "Code,Name,All ages\nE09000001,Aborough,1000\nE09000002,Bborough,2000\n".write(toFile: dir + "/pop.csv", atomically: true, encoding: .utf8)
        let demo = Paths.repo.appendingPathComponent("Geodata/demo/incidents.csv").path
        let yaml = "out: \(dir)/out\ninputs:\n  files: [\(demo)]\nproducts:\n  context:\n    mps: mps.csv\n    borough_population: pop.csv\n    borough: Aborough\n    periods: [2024-01, 2024-02]\n    pages: none\n"
        try yaml.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        let p = try Project.load(dir + "/p.yaml")
        let o = try #require(p.products.context)
        #expect(o.files == [dir + "/mps.csv"] && o.boroughs == ["Aborough"] && o.pageFormats.isEmpty)
        _ = try ProjectJob.run(p, command: "t", log: { _ in })
        let table = try String(contentsOfFile: dir + "/out/context/boroughs.csv", encoding: .utf8)
        #expect(table.contains("\nAborough,E09000001,1000,1,all,,,2,4,2.0000,4.0000,2,100.00,2.0000,"))
        // A section without periods names what is missing.
        try yaml.replacingOccurrences(of: "    periods: [2024-01, 2024-02]\n", with: "").write(toFile: dir + "/q.yaml", atomically: true, encoding: .utf8)
        #expect { try Project.load(dir + "/q.yaml") } throws: { "\($0)".contains("'periods' is missing") }
    }
}
