import Testing
@testable import HotspotCore

/// ProMap recency weights (Bowers, Johnson & Pease 2004): w = 1/(1 + age) for ages under the window, by hand.
@Suite struct RecencyTests {
    static func day(_ y: Int, _ m: Int, _ d: Int) -> Int32 { Int32(CivilDate.days(year: y, month: m, day: d)) }

    @Test func weeksByHand() {
        let ref = CivilDate.days(year: 2022, month: 6, day: 30)
        // 0, 6, 7, 13, 14, 55, 56 days old, and one after the reference day.
        let days = [0, 6, 7, 13, 14, 55, 56, -1].map { Int32(ref - $0) }
        let r = recencyWeights(days: days, reference: ref, window: .weeks(8))
        #expect(r.ages == [0, 0, 1, 1, 2, 7, 8, -1])
        #expect(r.weights == [1, 1, 0.5, 0.5, 1.0 / 3, 1.0 / 8, 0, 0])
        #expect(r.used == 6)
    }

    @Test func calendarMonthsByHand() {
        // police.uk months carry their first day; the reference is the last month's last day.
        let ref = CivilDate.days(year: 2018, month: 9, day: 30)
        let days = [Self.day(2018, 9, 1), Self.day(2018, 8, 1), Self.day(2018, 7, 31), Self.day(2018, 6, 1), Self.day(2017, 12, 1)]
        let r = recencyWeights(days: days, reference: ref, window: .months(3), base: [2, 2, 1, 1, 1])
        #expect(r.ages == [0, 1, 2, 3, 9])
        #expect(r.weights == [2, 1, 1.0 / 3, 0, 0] && r.used == 3)
    }

    @Test func windowsParseAndPrint() {
        #expect(RecencyWindow(parsing: "2months") == .months(2) && RecencyWindow(parsing: "1month") == .months(1))
        #expect(RecencyWindow(parsing: "8weeks") == .weeks(8) && RecencyWindow(parsing: "8 W") == .weeks(8))
        for bad in ["", "0months", "weeks", "3fortnights", "121months", "521weeks", "-2months"] { #expect(RecencyWindow(parsing: bad) == nil, "\(bad)") }
        #expect(RecencyWindow.months(2).description == "2 months" && RecencyWindow.weeks(1).description == "1 week" && RecencyWindow.weeks(8).token == "8weeks")
    }

    /// A planted moving hot spot: 30 incidents at A three months back, 10 at B last month. The plain surface peaks
    /// at A; the prospective one (2 months: A weighs 0) at B.
    @Test func aPlantedMoveIsFollowed() {
        let ref = CivilDate.days(year: 2024, month: 3, day: 31)
        var x: [Double] = [], y: [Double] = [], d: [Int32] = []
        for k in 0..<30 { x.append(1050 + Double(k % 3)); y.append(1050); d.append(Self.day(2024, 1, 10)) }
        for k in 0..<10 { x.append(1850 + Double(k % 3)); y.append(1850); d.append(Self.day(2024, 3, 10)) }
        let grid = SquareGrid(x0: 0, y0: 0, cellSize: 100, ncols: 30, nrows: 30)
        let p = KDEParameters(bandwidth: 200, unit: .perKm2, mode: .exact)
        let plain = kernelDensity(x: x, y: y, grid: grid, parameters: p)
        let w = recencyWeights(days: d, reference: ref, window: .months(2))
        let prospective = kernelDensity(x: x, y: y, weights: w.weights, grid: grid, parameters: p)
        let a = grid.index(x: 1050, y: 1050)!, b = grid.index(x: 1850, y: 1850)!
        #expect(plain.values.indices.max { plain.values[$0] < plain.values[$1] } == a)
        #expect(prospective.values.indices.max { prospective.values[$0] < prospective.values[$1] } == b)
        #expect(prospective.values[a] == 0 && abs(prospective.values[b] - plain.values[b]) < 1e-9)
    }
}
