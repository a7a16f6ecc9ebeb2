import HotspotCore
import Testing
@testable import HotspotIO

@Suite struct DateTests {
    @Test func civilRoundTrip() {
        for d in stride(from: -800_000, to: 800_000, by: 997) {
            let c = CivilDate.civil(days: d)
            #expect(CivilDate.days(year: c.year, month: c.month, day: c.day) == d)
        }
        #expect(CivilDate.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilDate.days(year: 2000, month: 3, day: 1) == 11_017)
    }

    @Test func formats() {
        #expect(DateParser.parse("2022-03")! == (CivilDate.days(year: 2022, month: 3, day: 1), true))
        #expect(DateParser.parse("2022-03-17")! == (CivilDate.days(year: 2022, month: 3, day: 17), false))
        #expect(DateParser.parse("2022-03-17T10:15:00")!.day == CivilDate.days(year: 2022, month: 3, day: 17))
        #expect(DateParser.parse("2022-03-17 10:15")!.day == CivilDate.days(year: 2022, month: 3, day: 17))
    }

    /// Stop and search timestamps are UTC: the first hour of a BST day belongs to the previous UTC day.
    @Test func ukCivilTime() {
        #expect(DateParser.parse("2018-05-31T23:01:00+00:00")!.day == CivilDate.days(year: 2018, month: 6, day: 1))
        #expect(DateParser.parse("2018-05-31T22:59:00+00:00")!.day == CivilDate.days(year: 2018, month: 5, day: 31))
        #expect(DateParser.parse("2018-12-31T23:30:00Z")!.day == CivilDate.days(year: 2018, month: 12, day: 31))
        // BST starts 2018-03-25 01:00 UTC and ends 2018-10-28 01:00 UTC.
        #expect(DateParser.parse("2018-03-24T23:30:00Z")!.day == CivilDate.days(year: 2018, month: 3, day: 24))
        #expect(DateParser.parse("2018-03-25T23:30:00Z")!.day == CivilDate.days(year: 2018, month: 3, day: 26))
        #expect(DateParser.parse("2018-10-28T23:30:00Z")!.day == CivilDate.days(year: 2018, month: 10, day: 28))
        #expect(DateParser.parse("2018-06-01T00:30:00+01:00")!.day == CivilDate.days(year: 2018, month: 6, day: 1))
    }

    @Test(arguments: ["2022-13", "2022-00", "2022-02-30", "22-03", "2022/03", "", "2022-03-01T25:00", "2022-03-01T10:00+0x:00", "March 2022"])
    func rejects(_ s: String) {
        #expect(DateParser.parse(s) == nil)
    }
}
