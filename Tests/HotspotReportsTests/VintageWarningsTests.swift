import Foundation
import HotspotCore
import HotspotIO
import HotspotTestSupport
import Testing
@testable import HotspotReports

/// The data-vintage warnings (issue 25, part 4) on planted police.uk rows.
@Suite struct VintageWarningsTests {
    static let header = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n"

    /// A police.uk street file of `rows` (month, LSOA code), all at one Lewisham point.
    func street(_ rows: [(String, String)]) throws -> String {
        try temporaryFile(Self.header + rows.enumerated().map { "id\($0.offset),\($0.element.0),Met,Met,-0.020000,51.450000,On or near X,\($0.element.1),Lewisham 001A,Burglary,,\n" }.joined(),
                          named: "street.csv")
    }

    func load(_ files: [String], _ o: ReadOptions = ReadOptions()) throws -> LoadedIncidents {
        var o = o; o.useStore = false
        return try Pipeline.loadIncidents(files: files, options: o)
    }

    func period(_ s: String) -> Period { Period(parsing: s)! }

    @Test func periodsBeforeAfterAndAcrossTheRefreshAreNamed() throws {
        let inc = try load([try street([("2022-03", "E01003189"), ("2022-06", "E01003189"), ("2022-09", "E01003189"), ("2023-01", "E01003189")])])
        func warn(_ ps: [String]) -> [String] {
            let periods = ps.map(period)
            let of = inc.table.day.map { d in periods.firstIndex { $0.contains(day: Int(d)) } ?? -1 }
            return VintageWarnings.compareWarnings(inc, periods: periods, periodOf: of)
        }
        let two = warn(["2022-03..2022-06", "2022-09..2023-01"])
        #expect(two.count == 1 && two[0].contains("(2022-03..2022-06 before it; 2022-09..2023-01 after it)"), "\(two)")
        let across = warn(["2022-03..2022-09", "2023-01"])
        #expect(across.count == 1 && across[0].contains("(2023-01 after it; 2022-03..2022-09 across it)"), "\(across)")
        #expect(warn(["2022-09", "2023-01"]).isEmpty)
        #expect(warn(["2022-03", "2022-06"]).isEmpty)
        // A period holding no rows on one side does not count: 2022-03..2022-06 with 2024-01 (no rows there).
        #expect(warn(["2022-03..2022-06", "2024-01"]).isEmpty)
    }

    @Test func mixedCodesAreSaidWithTheirRowsAndMonths() throws {
        let inc = try load([try street([("2023-05", "E01003189"), ("2023-05", "E01003190")]), try street([("2023-07", "E01034391"), ("2023-07", "E01003189")])])
        let w = VintageWarnings.warnings(inc)
        #expect(w == ["the 'LSOA code' column mixes 2011 and 2021 LSOA codes (1 row of 2023-07 has a code created in 2021, E01034391; 2 are of 2023-05, months police.uk published with 2011 codes): hotspot's own tables are not affected (they count by the --areas boundaries, not by this column), but a table made from the column would count two sets of areas as one; translate the codes through the ONS LSOA (2011) to LSOA (2021) lookup first (hotspot fetch boundaries --lsoa11-lookup fetches it), or count by boundary with --areas lsoa=FILE"])
        // Only the rows kept count: the 2023-07 ones alone hold no 2011 evidence.
        #expect(VintageWarnings.warnings(inc, keep: { inc.table.day[$0] >= Int32(CivilDate.days(year: 2023, month: 7, day: 1)) }).isEmpty)
    }

    @Test func onlyPoliceUKRowsCount() throws {
        // The same months in a mapped CSV: no police.uk map points, no LSOA column.
        var o = ReadOptions(); o.mapping = ColumnMapping(x: "E", y: "N", date: "when")
        let csv = try temporaryFile("when,E,N\n2018-03-01,538000,175000\n2022-09-01,538000,175000\n", named: "mapped.csv")
        #expect(VintageWarnings.warnings(try load([csv], o)).isEmpty)
        let street = try load([try street([("2018-03", "E01003189"), ("2022-09", "E01003189")])])
        #expect(VintageWarnings.warnings(street) == ["the incidents span police.uk's July 2022 refresh of its anonymous map points (1 incident of 2018-03 before it, 1 of 2022-09 after): counts per map point, cell or area either side differ by the anonymisation as well as by crime; analyse or compare months on one side only (to 2022-06, or from 2022-07)"])
    }
}
