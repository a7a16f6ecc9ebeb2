import Foundation
import HotspotCore
@testable import HotspotIO
import HotspotTestSupport
import Testing
@testable import HotspotReports

/// The `stops` layer of weekly sets (issue 23 part 6): searches per ward dated in the week by their UK civil date,
/// their find rate, suppression, the fixed name in latest/ and the manifest's counts.
@Suite struct WeeklyStopsTests {
    /// Planted searches at the first demo incident's point: in 2025-W42 (13–19 October 2025) five dated 14 October
    /// (three arrests, two no further action) and one at 23:30 UTC on Sunday 12 October (00:30 BST on Monday the 13th:
    /// in W42, an arrest), one without a location; outside it one at 23:30 UTC on Sunday 19 October (Monday the 20th in
    /// London: W43) and four on 21 October.
    static func stopsFile(_ dir: String) throws -> String {
        var rows = ["Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing"]
        func add(_ n: Int, _ date: String, _ outcome: String, lat: String = "51.441002", lon: String = "-0.029845") {
            for _ in 0..<n { rows.append("Person search,\(date),False,,\(lat),\(lon),Male,18-24,,White,Misuse of Drugs Act 1971 (section 23),Controlled drugs,\(outcome),,") }
        }
        add(3, "2025-10-14T12:00:00+00:00", "Arrest"); add(2, "2025-10-14T13:00:00+00:00", "A no further action disposal")
        add(1, "2025-10-12T23:30:00+00:00", "Arrest"); add(1, "2025-10-15T10:00:00+00:00", "Arrest", lat: "", lon: "")
        add(1, "2025-10-19T23:30:00+00:00", "Arrest"); add(4, "2025-10-21T09:00:00+00:00", "Arrest")
        let path = dir + "/2025-10-metropolitan-stop-and-search.csv"
        try (rows.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func build(suppress: Int) throws -> (dir: String, layers: String) {
        let made = try WeeklyTests.dailyProject()
        let stops = try stopsFile(made.dir)
        var p = try made.project("wk")
        p.products.stops = .init(); p.products.stops!.files = [stops]
        var o = p.weekly
        o.suppressBelow = suppress; o.emergingPeriods = 0; o.map = nil
        _ = try WeeklyJob.run(p, week: "2025-W42", options: o, command: "hotspot weekly")
        return (made.dir, made.dir + "/wk/layers")
    }

    static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    @Test func searchesDatedInTheWeekAreCountedPerWardWithTheirFindRate() throws {
        let (dir, layers) = try Self.build(suppress: 0)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let f = try Self.json(layers + "/2025-W42/stops-2025-W42.geojson")
        let props = (f["features"] as! [[String: Any]]).map { $0["properties"] as! [String: Any] }
        let hit = props.filter { ($0["searches"] as? Int ?? 0) > 0 }
        #expect(hit.count == 1)
        #expect(hit.first?["searches"] as? Int == 6 && hit.first?["found"] as? Int == 4 && hit.first?["with_outco"] as? Int == 6)
        #expect(abs((hit.first?["find_rate"] as? Double ?? 0) - 4.0 / 6) < 1e-4)
        let w = WilsonInterval(k: 4, n: 6)
        #expect(abs((hit.first?["find_ci_lo"] as? Double ?? 0) - w.low!) < 1e-4)
        // The fields of `hotspot stops`'s ward layer, names cut to 10 characters as every layer's (.fields.csv maps them).
        #expect(props.allSatisfy { $0.keys.sorted() == ["find_ci_hi", "find_ci_lo", "find_rate", "found", "id", "name", "searches", "with_outco"] })
        let m = try Self.json(layers + "/2025-W42/manifest.json")
        let s = m["stops"] as! [String: Any]
        #expect(s["searches"] as? Int == 7 && s["no_location"] as? Int == 1 && s["outside_wards"] as? Int == 0 && s["read"] as? Int == 12)
        #expect((m["features"] as! [String: Any])["stops"] as? Int == props.count)
        // latest/: the same features under the fixed name, and a table `stops` in layers.gpkg.
        #expect(try Self.json(layers + "/latest/stops.geojson")["features"] as? NSArray == f["features"] as? NSArray)
        #expect(FileManager.default.fileExists(atPath: layers + "/latest/stops.qml"))
        let web = try String(contentsOfFile: layers + "/latest/map-data.js", encoding: .utf8)
        #expect(web.contains("\"stops\""))
    }

    @Test func suppressBelowBlanksSmallCountsAndTheFindRateTheyWouldGiveAway() throws {
        let (dir, layers) = try Self.build(suppress: 5)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let f = try Self.json(layers + "/2025-W42/stops-2025-W42.geojson")
        let props = (f["features"] as! [[String: Any]]).map { $0["properties"] as! [String: Any] }
        // 6 searches (shown), 4 found (blank, below 5), 6 with an outcome (shown): the rate would give 4 away.
        let hit = props.filter { ($0["searches"] as? Int ?? 0) > 0 }
        #expect(hit.count == 1 && hit.first?["found"] is NSNull && hit.first?["find_rate"] is NSNull && hit.first?["with_outco"] as? Int == 6)
        #expect(try String(contentsOfFile: layers + "/2025-W42/manifest.json", encoding: .utf8).contains("and stops"))
    }

    @Test func aMonthOfTheWeekWithoutAnySearchIsWarned() {
        var t = StopSearchTable()
        t.day = [Int32(CivilDate.days(year: 2025, month: 9, day: 30))]
        // 2025-W40 runs from 29 September to 5 October: October holds no search.
        let start = CivilDate.days(year: 2025, month: 9, day: 29)
        let w = WeeklyStops.gaps(t, start: start, end: start + 6, unit: .week)
        #expect(w.count == 1 && w[0].contains("2025-10"))
    }
}
