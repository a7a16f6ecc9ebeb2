import Testing
@testable import HotspotCore

/// police.uk data-vintage breaks (issue 25): each code's kind, a set of codes, the refresh split, the LSOA mix.
@Suite struct DataVintageTests {
    static func m(_ y: Int, _ mo: Int) -> Int { CivilDate.monthOrdinal(year: y, month: mo) }

    static func counts(_ codes: [String]) -> DataVintage.CodeCounts {
        var c = DataVintage.CodeCounts()
        for k in codes { Array(k.utf8).withUnsafeBufferPointer { c.add($0) } }
        return c
    }

    @Test func eachCodeByItsNumber() {
        #expect(DataVintage.kind("E01033770") == .only2021)  // created in 2021
        #expect(DataVintage.kind("E01033769") == .only2021)  // the first number after the 2011 range
        #expect(DataVintage.kind("E01033768") == .shared)    // the last 2011 number
        #expect(DataVintage.kind("E01034391") == .only2021)  // Lewisham 020G, in the real 2022-09 file
        #expect(DataVintage.kind("W01001959") == .only2021)
        #expect(DataVintage.kind("W01001958") == .shared)
        #expect(DataVintage.kind("E01003250") == .only2011)  // Lewisham 001E, retired in 2021
        #expect(DataVintage.kind("E01003317") == .only2011)
        #expect(DataVintage.kind("E01003189") == .shared)    // Lewisham 034A, in both sets
        #expect(DataVintage.kind("E01900001") == .shared)    // the demo data's made-up codes prove nothing
        #expect(DataVintage.kind("") == .notLSOA)
        #expect(DataVintage.kind("E0100325") == .notLSOA)
        #expect(DataVintage.kind("E02003250") == .notLSOA)   // an MSOA
        #expect(DataVintage.kind("E01O03250") == .notLSOA)
        #expect(DataVintage.kind("S01003250") == .notLSOA)
    }

    @Test func aSetOfCodesFromTheCodesAlone() {
        #expect(DataVintage.codeSet(["E01003189", "E01033770"]) == .lsoa2021)
        #expect(DataVintage.codeSet(["E01003189", "E01003250"]) == .lsoa2011)
        #expect(DataVintage.codeSet(["E01003189", "E01003190", "W01000001"]) == .unknown)
        #expect(DataVintage.codeSet([String]()) == .unknown)
        #expect(DataVintage.codeSet(["E01003250", "E01034391"]) == .mixed)
    }

    @Test func countsKeepTheSmallestThreeExamples() {
        let c = Self.counts(["E01035000", "E01034391", "E01035000", "E01033770", "E01033800", "", "E01003250", "E01003189"])
        #expect(c.rows == 7)  // the blank code is not counted
        #expect(c.only2021 == 5 && c.only2011 == 1)
        #expect(c.examples2021 == ["E01033770", "E01033800", "E01034391"])
        var d = Self.counts(["E01033769"])
        d.merge(c)
        #expect(d.examples2021 == ["E01033769", "E01033770", "E01033800"] && d.only2021 == 6 && d.rows == 8)
    }

    @Test func monthsEitherSideOfTheRefresh() {
        let s = DataVintage.refreshSplit([Self.m(2018, 3): 5, Self.m(2018, 9): 2, Self.m(2022, 9): 3])
        #expect(s?.before == Self.m(2018, 3)...Self.m(2018, 9) && s?.nBefore == 7)
        #expect(s?.after == Self.m(2022, 9)...Self.m(2022, 9) && s?.nAfter == 3)
        #expect(DataVintage.refreshSplit([Self.m(2022, 6): 1, Self.m(2022, 7): 1]) != nil)  // the break itself
        #expect(DataVintage.refreshSplit([Self.m(2018, 3): 5, Self.m(2022, 6): 1]) == nil)
        #expect(DataVintage.refreshSplit([Self.m(2022, 7): 5, Self.m(2025, 1): 1]) == nil)
        #expect(DataVintage.refreshSplit([Self.m(2018, 3): 5, Self.m(2022, 9): 0]) == nil)  // no incident after it
    }

    @Test func lsoaCodesSpanning2023June() {
        // 2018 rows of shared codes, 2023-07 rows with a 2021-only code: mixed by the publication date.
        let spanning = [Self.m(2018, 3): Self.counts(["E01003189", "E01003190"]), Self.m(2023, 7): Self.counts(["E01003189", "E01033770"])]
        let x = DataVintage.lsoaMix(spanning)
        #expect(x?.rows2021 == 1 && x?.months2021 == Self.m(2023, 7)...Self.m(2023, 7) && x?.examples2021 == ["E01033770"])
        #expect(x?.retired2011 == 0 && x?.rowsBefore2023 == 2 && x?.monthsBefore2023 == Self.m(2018, 3)...Self.m(2018, 3))
        // A retired 2011 code and a 2021 one in months after 2023-06: mixed by the codes alone.
        let late = DataVintage.lsoaMix([Self.m(2024, 1): Self.counts(["E01003250"]), Self.m(2024, 2): Self.counts(["E01034391"])])
        #expect(late?.retired2011 == 1 && late?.examples2011 == ["E01003250"] && late?.monthsBefore2023 == nil)
    }

    @Test func oneSetIsNoMix() {
        // 2011 codes only (retired ones included), 2021 codes from 2023-06 on only, and shared codes across the break.
        #expect(DataVintage.lsoaMix([Self.m(2018, 3): Self.counts(["E01003250", "E01003189"]), Self.m(2022, 3): Self.counts(["E01003317"])]) == nil)
        #expect(DataVintage.lsoaMix([Self.m(2023, 6): Self.counts(["E01033770"]), Self.m(2024, 6): Self.counts(["E01003189"])]) == nil)
        #expect(DataVintage.lsoaMix([Self.m(2018, 3): Self.counts(["E01003189"]), Self.m(2024, 6): Self.counts(["E01003189"])]) == nil)
        #expect(DataVintage.lsoaMix([:]) == nil)
    }
}
