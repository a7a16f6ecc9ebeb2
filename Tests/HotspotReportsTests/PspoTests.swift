import Foundation
import HotspotCore
@testable import HotspotIO
import HotspotCartography
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

    static let demo = Paths.repo.appendingPathComponent("Geodata/demo").path

    /// The demo project's pack (suppression 3, residents by ward, no PDF for speed).
    func demoPack(_ edit: (inout Project.PspoRequest) -> Void = { _ in }) throws -> (Project, PspoJob.Result) {
        var p = try Project.load(Self.demo + "/project.yaml")
        p.out = tmp()
        var r = try #require(p.products.pspo)
        r.pdf = false
        edit(&r)
        p.products = .init(); p.products.pspo = r
        return (p, try PspoJob.run(p, command: "test"))
    }

    /// Issue 18 item 11: read / quarantined / accepted / inside the boundary / inside the area are one set of values,
    /// and every place of the pack gives the same.
    @Test func countsAreDefinedOnceAndAgreeEverywhere() throws {
        let (p, r) = try demoPack()
        let c = r.counts
        // The demo: 7,605 rows, 16 without a location and 8 (of any type) outside the boundary; 3,105 of the three
        // chosen types inside it, 205 inside the restricted area.
        #expect(c.read == 7605 && c.quarantined == 24 && c.accepted == 7581 && c.insideBoundary == 3105 && c.insideArea == 205)
        #expect(c.quarantinedByReason.map(\.reason) == ["missing coordinate", "outside study area"] && c.quarantinedByReason.map(\.count) == [16, 8])
        #expect(c.balances && r.inside == c.insideArea)
        let s = Dictionary(uniqueKeysWithValues: try csv(p.out, "summary").dropFirst().map { ($0[0], $0[1]) })
        #expect(s["rows_read"] == "7605" && s["rows_accepted"] == "7581" && s["rows_quarantined"] == "24" && s["incidents_borough"] == "3105" && s["incidents_inside"] == "205")
        let inputs = try csv(p.out, "inputs").filter { $0[0] == "incidents" }
        #expect(inputs.count == 1 && inputs[0][3] == "7605" && inputs[0][4] == "7581" && inputs[0][5] == "24")
        let q = try String(contentsOfFile: p.out + "/quarantine.csv", encoding: .utf8)
        #expect(q.components(separatedBy: ",outside study area,").count - 1 == 8)
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: p.out + "/metadata.json"))) as! [String: Any]
        let mc = meta["counts"] as! [String: Any]
        #expect(mc["read"] as? Int == 7605 && mc["accepted"] as? Int == 7581 && mc["quarantined"] as? Int == 24 && mc["analysed"] as? Int == 3105 && mc["inside_restricted_area"] as? Int == 205)
        let html = try String(contentsOfFile: p.out + "/index.html", encoding: .utf8)
        #expect(html.contains("7,581</span> accepted + <span class=\"n\" data-exhibit=\"exhibits/counts.csv\">24</span> quarantined"))
        #expect(c.sentence() == "7,605 rows read = 7,581 accepted + 24 quarantined (16 missing coordinate, 8 outside study area); 3,105 of the chosen types and period inside the study boundary, 205 of them inside the restricted area")
    }

    /// --suppress-below 3: counts of 1–2 are "<3", a second cell is withheld wherever one could be recovered from a
    /// total, totals stay true; 0 shows every count.
    @Test func enforcementCountsAreSuppressed() throws {
        let (p, _) = try demoPack()
        let t = try csv(p.out, "enforcement-by-restriction")
        #expect(t[0] == ["restriction", "Fixed penalty notice", "Fixed penalty notice paid", "Referred to support services", "Warning", "total"])
        #expect(t[1] == ["Aggressive begging", "<3", "*", "<3", "*", "12"] && t.last! == ["Total", "8", "13", "10", "17", "48"])
        let byChar = try csv(p.out, "enforcement-by-characteristic").dropFirst().map { Array($0.dropFirst()) }
        for row in Array(t.dropFirst()) + byChar {
            #expect(!row.dropFirst().contains { Int($0).map { $0 > 0 && $0 < 3 } ?? false }, "\(row)")
            #expect(row.filter { $0 == "<3" || $0 == "*" }.count != 1, "\(row)")
        }
        #expect(try String(contentsOfFile: p.out + "/index.html", encoding: .utf8).contains("Counts of 1 to 2 are shown as &lt;3"))
        let (q, _) = try demoPack { $0.suppressBelow = 0 }
        let u = try csv(q.out, "enforcement-by-restriction")
        let uh = try String(contentsOfFile: q.out + "/index.html", encoding: .utf8)
        #expect(u[1] == ["Aggressive begging", "2", "3", "1", "6", "12"] && !uh.contains("are shown as &lt;"))
        // The rule on its own: one withheld cell in a line gets a second (the smallest positive one).
        let m = Suppression.marks([[1, 5, 9, 15], [4, 4, 4, 12], [5, 9, 13, 27]], k: 3)
        #expect(m[0] == [.primary, .secondary, .shown, .shown] && m[1][0] == .secondary && m[1][1] == .secondary && m[2][3] == .shown)
        // A grand total of 1…K−1 would name the cells behind it (a total of one search): every cell is withheld, and a
        // sentence gives the count as "fewer than K".
        let one = Suppression.crossTab(labels: [["Controlled drugs"]], counts: [[1]], k: 3)
        #expect(one.rows.allSatisfy { $0.dropFirst().allSatisfy { $0 == .string("<3") } })
        #expect(Suppression.count(1, k: 3) == "fewer than 3" && Suppression.count(3, k: 3) == "3" && Suppression.count(0, k: 3) == "0")
    }

    /// A pack's stop-and-search summary names the months of its period in which no search is dated at all.
    @Test func monthsWithoutAnySearchAreNamed() {
        var t = StopSearchTable()
        t.day = [Int32(CivilDate.days(year: 2018, month: 3, day: 10)), Int32(CivilDate.days(year: 2018, month: 5, day: 2))]
        let from = CivilDate.days(year: 2018, month: 3, day: 1), to = CivilDate.days(year: 2018, month: 5, day: 31)
        #expect(PspoEnforcement.missingMonths(t, from: from, to: to).contains("No search at all is dated in 2018-04 of the pack's period"))
        t.day.append(Int32(CivilDate.days(year: 2018, month: 4, day: 20)))
        #expect(PspoEnforcement.missingMonths(t, from: from, to: to).isEmpty)
    }

    /// --residents: each group's share of enforcement beside its share of the residents of the wards the area
    /// touches, the ratio, and the rate ratio against White.
    @Test func enforcementIsComparedWithResidents() throws {
        let (p, _) = try demoPack()
        let t = try csv(p.out, "enforcement-vs-residents")
        // The area touches one ward, Millpond (E05900009); its synthetic residents 15,254 (46% White, 27% Black…).
        let rows = Dictionary(uniqueKeysWithValues: t.dropFirst().map { ($0[0], $0) })
        #expect(rows["Total"]?[1] == "48" && rows["Total"]?[3] == "15254")
        let w = try #require(rows["White"]), b = try #require(rows["Black"])
        #expect(w[1] == "8" && w[3] == "7017" && b[1] == "9" && b[3] == "4119")
        // Shares of the 40 records with a group: Black 9/40 = 22.5%, residents 4119/15254 = 27.0%; ratio 0.83;
        // rate ratio (9/4119)/(8/7017) = 1.92.
        #expect(b[2] == "22.5" && b[4] == "27.0" && b[5] == Fmt.fixed((9.0 / 40) / (4119.0 / 15254), 2) && b[7] == Fmt.fixed((9.0 / 4119) / (8.0 / 7017), 2))
        #expect(try String(contentsOfFile: p.out + "/index.html", encoding: .utf8).contains("Millpond (E05900009)"))
        // A group whose count is suppressed gets no share and no ratio (they would give the count away).
        let (q, _) = try demoPack { $0.suppressBelow = 9 }
        let s = Dictionary(uniqueKeysWithValues: try csv(q.out, "enforcement-vs-residents").dropFirst().map { ($0[0], $0) })
        #expect(s["White"]?[1] == "<9" && s["White"]?[2] == "" && s["Asian"]?[1] == "9" && s["Asian"]?[7] == "")
    }

    /// On real data (the e2e real pack): 23,339 rows read, 13,034 outside the borough, 10,305 accepted.
    @Test func realCountsAgree() throws {
        let shared = Paths.shared
        let f = shared + "/data/policeuk/api-points-lewisham-bbox/api-points-2018-MarSep.csv", L = shared + "/geodata/lewisham"
        guard FileManager.default.fileExists(atPath: f) else { print("skip realCountsAgree: \(f) is absent"); return }
        var read = ReadOptions(); read.selection.types = ["Drugs", "Public order", "Criminal damage and arson"]
        var r = Project.PspoRequest()
        r.area = LayerSpec(name: "area", path: Paths.repo.appendingPathComponent("Tests/Fixtures/pspo/catford-town-centre.geojson").path)
        r.pdf = false; r.enforcement = Self.demo + "/enforcement.csv"; r.residents = L + "/lbl_ethnicity_wd22.csv"
        var p = request([f], read: read, out: tmp()) { $0.pspo = r }
        p.boundary = LayerSpec(name: "boundary", path: L + "/lbl_wd22_proposed_bng.geojson")
        p.layers = [LayerSpec(name: "wards", path: L + "/lbl_wd22_proposed_bng.geojson", population: L + "/population_census2011_wd22.csv")]
        let res = try PspoJob.run(p, command: "test")
        #expect(res.counts.read == 23339 && res.counts.accepted == 10305 && res.counts.quarantined == 13034 && res.counts.insideBoundary == 3081 && res.counts.insideArea == 131)
        #expect(res.counts.balances)
        let t = try csv(p.out, "enforcement-vs-residents")
        #expect(t.last?[3] == "32960")
    }
}
