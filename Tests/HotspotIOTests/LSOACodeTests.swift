import Foundation
import HotspotCore
import HotspotTestSupport
import Testing
@testable import HotspotIO

/// The reader counts police.uk's `LSOA code` column by month and kind (issue 25, vintage warnings).
@Suite struct LSOACodeTests {
    @Test func plantedCodesCountedByMonth() throws {
        let header = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
        func row(_ id: String, _ month: String, _ code: String) -> String {
            "\(id),\(month),Met,Met,-0.02,51.45,On or near X,\(code),Lewisham 001A,Burglary,,\n"
        }
        let path = try temporaryFile(header + row("a", "2018-03", "E01003250") + row("b", "2018-03", "E01003189") + row("c", "2023-07", "E01033770")
                                     + row("d", "2023-07", "") + row("e", "2023-07", "E01003189") + "f,2023-07,Met,Met,,,No location,E01033771,x,Burglary,,\n",
                                     named: "planted.csv")
        let f = try IncidentReader.read(files: [path], options: { var o = ReadOptions(); o.useStore = false; return o }()).files[0]
        let c = try #require(f.lsoaCodes)
        #expect(Set(c.keys) == ["2018-03", "2023-07"])
        #expect(c["2018-03"]?.rows == 2 && c["2018-03"]?.only2011 == 1 && c["2018-03"]?.examples2011 == ["E01003250"])
        // The blank code and the rejected row (no location) are not counted.
        #expect(c["2023-07"]?.rows == 2 && c["2023-07"]?.only2021 == 1 && c["2023-07"]?.examples2021 == ["E01033770"])
    }

    @Test func noColumnNoCounts() throws {
        let path = try temporaryFile("x,y,date\n530000,180000,2024-01-02\n", named: "mapped.csv")
        var o = ReadOptions(); o.useStore = false; o.mapping = ColumnMapping(x: "x", y: "y", date: "date")
        #expect(try IncidentReader.read(files: [path], options: o).files[0].lsoaCodes == nil)
    }

    /// The real 2022-09 Lewisham month holds 2011 codes retired in 2021 beside a code created in 2021 (E01034391);
    /// the 2018 months hold no 2021 code.
    @Test(.enabled(if: Paths.sharedAvailable, "../shared not found: real police.uk files skipped"))
    func realLewishamMonths() throws {
        var o = ReadOptions(); o.useStore = false
        let dir = "data/policeuk/met-burglary-lewisham/"
        let r = try IncidentReader.read(files: [Paths.sharedFile(dir + "2018-06-metropolitan-street.csv"), Paths.sharedFile(dir + "2022-09-metropolitan-street.csv")], options: o)
        let a = try #require(r.files[0].lsoaCodes?["2018-06"]), b = try #require(r.files[1].lsoaCodes?["2022-09"])
        #expect(a.rows == 191 && a.only2021 == 0 && a.only2011 > 0)
        #expect(b.only2021 > 0 && b.examples2021.contains("E01034391") && b.only2011 > 0)
    }

    /// The embedded list of retired 2011 codes is what the shared geodata give: Lewisham's 2011 LSOAs that are not
    /// London 2021 LSOAs.
    @Test(.enabled(if: Paths.sharedAvailable, "../shared not found: geodata skipped"))
    func retiredListFromSharedGeodata() throws {
        func codes(_ rel: String, _ column: String) throws -> Set<String> {
            let lines = try String(contentsOfFile: Paths.sharedFile(rel), encoding: .utf8).split(whereSeparator: \.isNewline)
            let k = try #require(lines[0].split(separator: ",").firstIndex { $0 == column })
            return Set(lines.dropFirst().map { String($0.split(separator: ",", omittingEmptySubsequences: false)[k]) })
        }
        let lsoa11 = try codes("geodata/lewisham/population_census2011_lsoa11.csv", "LSOA11CD")
        let lsoa21 = try codes("geodata/london/population-lsoa21-census2021.csv", "lsoa21cd")
        #expect(lsoa11.count == 169 && lsoa21.count == 4994)
        let retired = Set(lsoa11.subtracting(lsoa21).map { Int($0.dropFirst(3))! })
        #expect(retired == DataVintage.retired2011England)
        // Every code above the 2011 range among the London 2021 codes is read as created in 2021, none below it.
        #expect(lsoa21.filter { DataVintage.kind($0) == .only2021 } == lsoa21.filter { Int($0.dropFirst(3))! > DataVintage.last2011England })
        #expect(lsoa11.allSatisfy { DataVintage.kind($0) != .only2021 })
    }
}
