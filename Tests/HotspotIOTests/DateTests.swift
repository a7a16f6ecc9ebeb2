import Foundation
import HotspotTestSupport
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

/// Issue 22: dated data as councils and forces export them.
@Suite struct DatedLayoutTests {
    func value(_ s: String, _ order: DateOrder = .auto) -> DateValue? {
        if case .date(let v) = DateParser.read(s, order: order) { return v }
        return nil
    }
    let jan5 = CivilDate.days(year: 2022, month: 1, day: 5)

    @Test func yearFirstLayoutsNeedNoOption() {
        #expect(value("2022/01/05") == DateValue(day: jan5, isMonth: false, minute: -1))
        #expect(value("2022/1/5") == DateValue(day: jan5, isMonth: false, minute: -1))
        #expect(value("2022-01-05") == DateValue(day: jan5, isMonth: false, minute: -1))
        #expect(value("2022/01/05 14:30") == DateValue(day: jan5, isMonth: false, minute: 870))
        #expect(value("2022-01-05T14:30:59.5") == DateValue(day: jan5, isMonth: false, minute: 870))
        #expect(value("2022-01") == DateValue(day: CivilDate.days(year: 2022, month: 1, day: 1), isMonth: true, minute: -1))
        // An offset: UK civil time, the minute too (BST in June).
        #expect(value("2018-05-31T23:01:00+00:00") == DateValue(day: CivilDate.days(year: 2018, month: 6, day: 1), isMonth: false, minute: 1))
        #expect(value("2018-12-31T23:30:00Z") == DateValue(day: CivilDate.days(year: 2018, month: 12, day: 31), isMonth: false, minute: 1410))
    }

    @Test func dayOrMonthFirstIsNeverGuessed() {
        #expect(DateParser.read("05/01/2022", order: .auto) == .ambiguous)
        #expect(DateParser.read("25/01/2022", order: .auto) == .ambiguous)  // even when a day over 12 would settle it
        #expect(value("05/01/2022", .dayFirst)?.day == jan5)
        #expect(value("01/05/2022", .monthFirst)?.day == jan5)
        #expect(value("5-1-2022 08:05", .dayFirst) == DateValue(day: jan5, isMonth: false, minute: 485))
        #expect(value("05.01.2022", .dayFirst)?.day == jan5)
        #expect(DateParser.read("25/01/2022", order: .monthFirst) == .bad)
        #expect(DateOrder(text: "dd/mm/yyyy") == .dayFirst && DateOrder(text: "MM/DD/YYYY") == .monthFirst && DateOrder(text: "D/M/Y") == nil)
    }

    @Test func badDatesAndTimes() {
        for s in ["2022/13/01", "2022/02/30", "2022/01/05 25:00", "2022/01/05T", "1899/01/01", "05/01/22", "2022.01.05", "", "2022/01/05x"] {
            #expect(DateParser.read(s, order: .dayFirst) == .bad, "\(s)")
        }
        #expect(DateParser.timeOfDay("05:05") == 305 && DateParser.timeOfDay("5:05") == 305 && DateParser.timeOfDay(" 23:59:60 ") == 1439)
        for s in ["24:00", "12:60", "1205", "12:5", "12:00:61", "noon", ""] { #expect(DateParser.timeOfDay(s) == nil, "\(s)") }
        // The option parser's layouts are unchanged: --from and --to still take YYYY-MM and YYYY-MM-DD only.
        #expect(DateParser.parse("2022/01/05") == nil)
    }

    func csv(_ text: String) throws -> String {
        let p = NSTemporaryDirectory() + "hotspot-dated-\(UUID().uuidString).csv"
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    @Test func aTimeColumnIsKeptAndABadTimeIsQuarantined() throws {
        let f = try csv("longitude,latitude,date,time\n-0.02,51.45,2022/01/05,05:05\n-0.02,51.45,2022/01/06,\n-0.02,51.45,2022/01/07,25:00\n-0.02,51.45,2022/01/08 10:00,\n")
        var o = ReadOptions(); o.useStore = false
        o.mapping = ColumnMapping(lon: "longitude", lat: "latitude", date: "date", time: "time")
        let r = try IncidentReader.read(files: [f], options: o)
        #expect(r.table.minute == [305, -1, 600] && r.table.resolution == .day)
        #expect(r.quarantine.map(\.line) == [4] && r.quarantine[0].reason == .badDate && r.quarantine[0].detail.contains("'25:00'"))
        // No time anywhere: no column (monthly police.uk data keep their table).
        let m = try IncidentReader.read(files: [Paths.fixture("hostile-policeuk.csv")])
        #expect(!m.table.isTimed)
    }

    @Test func anAmbiguousDateStopsTheReadNamingItsLine() throws {
        let f = try csv("lon,lat,date\n-0.02,51.45,2022-01-05\n-0.02,51.45,05/01/2022\n")
        var o = ReadOptions(); o.useStore = false
        o.mapping = ColumnMapping(lon: "lon", lat: "lat", date: "date")
        #expect(throws: InputError.ambiguousDate(file: f, line: 3, text: "05/01/2022")) { try IncidentReader.read(files: [f], options: o) }
        #expect(InputError.ambiguousDate(file: f, line: 3, text: "05/01/2022").description.contains("give --date-format DD/MM/YYYY or --date-format MM/DD/YYYY"))
        o.mapping.dateOrder = .dayFirst
        let r = try IncidentReader.read(files: [f], options: o)
        #expect(r.table.day == [Int32(jan5), Int32(jan5)])
    }
}

/// police.uk files keep their layouts: a day-first or slashed date in `Month` is a bad row, as before issue 22.
@Suite struct PoliceUKDatesUnchangedTests {
    @Test func slashedMonthsInAPoliceUKFileAreBadRows() throws {
        let p = NSTemporaryDirectory() + "hotspot-police-\(UUID().uuidString).csv"
        try """
            Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context
            a,2022-03,M,M,-0.02,51.45,On or near X,E1,L,Burglary,,
            b,05/01/2022,M,M,-0.02,51.45,On or near X,E1,L,Burglary,,
            c,2022/03/01,M,M,-0.02,51.45,On or near X,E1,L,Burglary,,

            """.write(toFile: p, atomically: true, encoding: .utf8)
        var o = ReadOptions(); o.useStore = false
        let r = try IncidentReader.read(files: [p], options: o)
        #expect(r.accepted == 1 && r.table.resolution == .month && !r.table.isTimed)
        #expect(r.quarantine.map(\.line) == [3, 4] && r.quarantine.allSatisfy { $0.reason == .badDate })
        #expect(r.quarantine[0].detail == "cannot read '05/01/2022' as a date: YYYY-MM, YYYY-MM-DD or ISO 8601, years 1900–2099")
    }
}
