import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography
import HotspotTestSupport
import Testing
@testable import HotspotReports

/// --type/--from/--to (issue 8): the analysis sees only the selected incidents; the rest are counted, not lost.
@Suite struct SelectionTests {
    static let demo = Paths.repo.appendingPathComponent("Geodata/demo").path

    @Test func typesAndDatesSelectAndTheBooksBalance() throws {
        var o = ReadOptions()
        let all = try Pipeline.loadIncidents(files: [Self.demo + "/incidents.csv"], options: o)
        o.selection = Selection(types: ["burglary", "Vehicle crime"], from: CivilDate.days(year: 2024, month: 3, day: 1),
                                to: CivilDate.days(year: 2024, month: 9, day: 30))
        let sel = try Pipeline.loadIncidents(files: [Self.demo + "/incidents.csv"], options: o)
        // Brute force over the unselected table.
        let want = (0..<all.table.count).filter { i in
            ["Burglary", "Vehicle crime"].contains(all.table.categories[Int(all.table.category[i])])
                && all.table.day[i] >= Int32(o.selection.from!) && all.table.day[i] <= Int32(o.selection.to!)
        }.count
        #expect(sel.table.count == want && want > 0)
        #expect(sel.notSelected == all.table.count - want)
        #expect(sel.balances && sel.accepted == all.accepted)
        #expect(Set(sel.table.category.map { sel.table.categories[Int($0)] }) == ["Burglary", "Vehicle crime"])
        let c = Pipeline.counts(sel)
        #expect(c.analysed == want && c.notSelected + c.analysed == c.accepted)
    }

    @Test func anUnknownTypeListsThoseThatExist() throws {
        var o = ReadOptions(); o.selection = Selection(types: ["Burglarly"])
        do { _ = try Pipeline.loadIncidents(files: [Self.demo + "/incidents.csv"], options: o); Issue.record("no error") } catch {
            #expect("\(error)".contains("'Burglarly'") && "\(error)".contains("Burglary, Criminal damage"))
        }
    }

    @Test func metadataRecordsCoverageAndAttribution() throws {
        let out = NSTemporaryDirectory() + "hotspot-sel-\(UUID().uuidString)"
        var o = ReadOptions(); o.selection = Selection(types: ["Burglary"], from: CivilDate.days(year: 2024, month: 3, day: 1))
        _ = try GridJob.run(request([Self.demo + "/incidents.csv"], read: o, boundary: LayerSpec(name: "boundary", path: Self.demo + "/boundary.geojson"),
                                    out: out) { $0.grid = .init(); $0.grid?.cell = 500 }, command: "t")
        let m = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/metadata.json"))) as! [String: Any]
        let cov = m["coverage"] as! [String: Any]
        #expect(cov["first_date"] as? String == "2024-03-01" && cov["last_date"] as? String == "2025-12-31")
        #expect((cov["types"] as? [String: Int])?.keys.sorted() == ["Burglary"])
        #expect((m["attribution"] as? [String])?.contains(Attribution.policeData) == true)
        #expect((m["attribution"] as? [String])?.contains(Attribution.boundaries) == true)
    }
}
