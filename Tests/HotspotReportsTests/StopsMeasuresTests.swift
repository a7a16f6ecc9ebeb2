import Foundation
import Testing
import HotspotCore
import HotspotIO
import HotspotTestSupport
@testable import HotspotReports

/// Population measures side by side on the planted searches of `StopsTests.planted` (Black searched at twice the
/// White rate of ward W1: residents White 1,000, Black 500 …, 2,700 in all).
@Suite struct StopsMeasuresTests {
    @Test func sharesTimesTotalsScaleTheResidentsAndKeepTheRatioOfTwo() throws {
        var (p, dir) = try StopsTests.planted()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Twice the residents in 2021 (5,400), same shares: every group doubles, every rate halves, the ratio stays 2.
        try "ward22cd,ward22nm,pop\nW1,Planted,5400\nW9,Elsewhere,10\n".write(toFile: dir + "/totals.csv", atomically: true, encoding: .utf8)
        p.products.stops?.populationByGroup = ["wards:census2011": dir + "/eth.csv"]
        p.products.stops?.populationTotals = ["wards:census2021": dir + "/totals.csv"]
        let r = try StopsJob.run(p, command: "test")
        func row(_ scope: String, _ measure: String, _ g: String) -> [Value]? {
            r.ratios.rows.first { $0[0] == .string(scope) && $0[3] == .string("officer_defined") && $0[4] == .string(g) && $0[12] == .string("All") && $0[13] == .string(measure) }
        }
        for scope in ["borough", "wards"] {
            let a = try #require(row(scope, "wards:census2011", "Black")), b = try #require(row(scope, "wards:census2021", "Black"))
            #expect(a[6] == .double(500, decimals: nil) && b[6] == .double(1000, decimals: nil))
            #expect(a[7] == .double(40, decimals: 3) && b[7] == .double(20, decimals: 3))
            #expect(a[8] == .double(2, decimals: 3) && b[8] == .double(2, decimals: 3))
        }
        #expect(r.ratios.columns.last == "population_measure")
        let side = try String(contentsOfFile: p.out + "/disproportionality-measures.csv", encoding: .utf8).split(separator: "\n")
        #expect(side[0].hasPrefix("ethnicity,group,searches,wards:census2011_population,wards:census2011_rate_per_1000,wards:census2011_ratio_to_white,"))
        #expect(side.contains("officer_defined,Black,20,500,40.000,2.000,\(try #require(row("borough", "wards:census2011", "Black")).csvTail),1000,20.000,2.000,\(try #require(row("borough", "wards:census2021", "Black")).csvTail)"))
        #expect(r.summary.contains("Under population measure wards:census2021: Black 2.00"))
    }

    @Test func theSharesAreEachAreasGroupsOverItsTotal() {
        let s = StopsMeasures.scaled(["A": [1, 1, 2, 0, 0], "B": [0, 0, 0, 0, 0], "C": [3, 1, 0, 0, 0]], totals: ["A": 100, "B": 50])
        #expect(s == ["A": [25, 25, 50, 0, 0]])
    }

    @Test func totalsWithoutAByGroupTableOrUnderTheSameNameAreRefused() throws {
        var (p, dir) = try StopsTests.planted()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "id,pop\nW1,5400\n".write(toFile: dir + "/totals.csv", atomically: true, encoding: .utf8)
        p.products.stops?.populationByGroup = [:]
        p.products.stops?.populationTotals = ["wards:census2021": dir + "/totals.csv"]
        #expect(throws: InputError.self) { try StopsJob.run(p, command: "test") }
        p.products.stops?.populationByGroup = ["wards:census2021": dir + "/eth.csv"]
        #expect(throws: InputError.self) { try StopsJob.run(p, command: "test") }
    }
}

extension Array where Element == Value {
    /// The Katz interval of a ratio row as written ("1.207,3.314").
    var csvTail: String {
        guard case .double(let lo, _) = self[9], case .double(let hi, _) = self[10] else { return "" }
        return "\(Fmt.fixed(lo, 3)),\(Fmt.fixed(hi, 3))"
    }
}
