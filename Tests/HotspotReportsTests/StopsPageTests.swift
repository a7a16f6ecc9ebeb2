import Foundation
import Testing
import HotspotCore
import HotspotIO
import HotspotTestSupport
@testable import HotspotReports

/// The one-page stop-and-search summary on the planted searches of `StopsTests.planted` (48 in June 2018, Black
/// searched at twice the White rate, Asian 2 suppressed as <3).
@Suite struct StopsPageTests {
    @Test func thePageHasTheHeadlinesTheRatiosSuppressedCellsAndTheCaveat() throws {
        var (p, dir) = try StopsTests.planted()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        p.products.stops?.place = "Planted"
        let r = try StopsJob.run(p, command: "hotspot stops planted.csv")
        let svg = try String(contentsOfFile: p.out + "/stops-summary.svg", encoding: .utf8)
        #expect(svg.contains("Stop and search in Planted, June 2018"))
        #expect(svg.contains(">48</text>") && svg.contains("without a location"))
        // The borough's Black row: 20 searches of 500 residents, 40.00 per 1,000, 2.00 × White; Asian shown as <3.
        #expect(svg.contains(">Black</text>") && svg.contains(">40.00</text>") && svg.contains(">2.00</text>"))
        #expect(svg.contains(">&lt;3</text>"))
        #expect(svg.contains("Residents are not the population available to be stopped"))
        #expect(svg.contains("hotspot stops planted.csv"))
        #expect(r.written.contains("stops-summary.svg") && r.written.contains("stops-summary.pdf") && !r.written.contains("stops-summary.png"))
        let pdf = try Data(contentsOf: URL(fileURLWithPath: p.out + "/stops-summary.pdf"))
        #expect(pdf.starts(with: Data("%PDF".utf8)))
    }

    @Test func onePagePerPeriodAndOnePDFOfThemAllOrNoneOnRequest() throws {
        var (p, dir) = try StopsTests.planted()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The planted searches are all dated 10 June 2018: a period of May–June and one of June alone.
        p.products.stops?.periods = [Period(parsing: "2018-05..2018-06")!, Period(parsing: "2018-06..2018-06")!]
        p.products.stops?.pages = [.svg, .pdf, .png]
        _ = try StopsJob.run(p, command: "test")
        let mayJune = try String(contentsOfFile: p.out + "/stops-summary-2018-05_2018-06.svg", encoding: .utf8)
        let june = try String(contentsOfFile: p.out + "/stops-summary-2018-06_2018-06.svg", encoding: .utf8)
        #expect(mayJune.contains("May–June 2018") && mayJune.contains(">48</text>"))
        #expect(june.contains("June 2018") && june.contains(">48</text>"))
        #expect(FileManager.default.fileExists(atPath: p.out + "/stops-summary-2018-06_2018-06.png"))
        #expect(!FileManager.default.fileExists(atPath: p.out + "/stops-summary.svg"))
        let pdf = try String(decoding: Data(contentsOf: URL(fileURLWithPath: p.out + "/stops-summary.pdf")), as: UTF8.self)
        #expect(pdf.contains("/Count 2"), "one PDF with a page per period")
        // A period in which the files date no search at all would be a page of zeros: refused, naming the dates held.
        var q = p
        q.products.stops?.periods = [Period(parsing: "2018-07..2018-08")!]
        q.out = dir + "/outside"
        #expect(throws: InputError.unusable("--period 2018-07..2018-08: no search is dated in it; the files hold searches from 2018-06-10 to 2018-06-10: choose months inside them")) {
            try StopsJob.run(q, command: "test")
        }
        p.products.stops?.pages = []
        p.products.stops?.periods = []
        p.out = dir + "/none"
        let r = try StopsJob.run(p, command: "test")
        #expect(!r.written.contains { $0.hasPrefix("stops-summary") })
    }

    @Test func thePageShowsTheCommandWithoutItsOutputFolder() {
        #expect(StopsJob.withoutOut("hotspot stops a.csv --out out/stops --quiet") == "hotspot stops a.csv --quiet")
        #expect(StopsJob.withoutOut("hotspot stops a.csv --out 'my out' --place X") == "hotspot stops a.csv --place X")
        #expect(StopsJob.withoutOut("hotspot stops a.csv --out=o") == "hotspot stops a.csv")
    }

    @Test func monthLabelsNameTheMonths() {
        let m = { (y: Int, mo: Int) in CivilDate.monthOrdinal(year: y, month: mo) }
        #expect(StopsJob.monthsLabel(m(2018, 3), m(2018, 9)) == "March–September 2018")
        #expect(StopsJob.monthsLabel(m(2018, 6), m(2018, 6)) == "June 2018")
        #expect(StopsJob.monthsLabel(m(2018, 11), m(2019, 2)) == "November 2018 – February 2019")
    }
}
