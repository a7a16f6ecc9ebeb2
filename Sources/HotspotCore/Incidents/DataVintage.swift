/// police.uk data-vintage breaks (issue 25): the July 2022 refresh of the anonymous map points, and the change of the
/// street files' `LSOA code` column from 2011 to 2021 LSOA codes (police.uk: June 2023; each archive keeps a month
/// in the vintage it was first published in). Pure functions: what the rows a command combines say of them.
public enum DataVintage {
    /// Month ordinal (`CivilDate.monthOrdinal`) of 2022-07, the first month on the refreshed map points.
    public static let mapPointRefresh = 2022 * 12 + 6
    /// Month ordinal of 2023-06, the first month police.uk publishes with 2021 LSOA codes.
    public static let lsoa2021Months = 2023 * 12 + 5
    /// Highest 2011 LSOA number (ONS): England E01000001–E01033768, Wales W01000001–W01001958. Every 2021 LSOA
    /// created in 2021 (split, merged or redrawn) has a number above these.
    public static let last2011England = 33768, last2011Wales = 1958
    /// Numbers from here on are no ONS LSOA code (2021 added about 2,000 above the 2011 range): such a code (the
    /// demo data's `E019…`) proves nothing.
    public static let newCodeLimitEngland = 40000, newCodeLimitWales = 4000
    /// 2011 LSOAs with no 2021 LSOA of the same code (split or merged in 2021), as numbers of E01 codes: the
    /// Lewisham 2011 LSOAs (`lewisham/population_census2011_lsoa11.csv`, 169) absent from the London 2021 LSOAs
    /// (`london/population-lsoa21-census2021.csv`, 4,994) of the project's shared geodata: E01003250 (Lewisham
    /// 001E), E01003296 (012E), E01003317 (020A). Outside Lewisham a retired code is not known from this list.
    public static let retired2011England: Set<Int> = [3250, 3296, 3317]

    /// What one LSOA code proves of the set it belongs to.
    public enum CodeKind: Sendable, Equatable {
        /// A 2011 code retired in 2021 (in `retired2011England`): the 2011 set.
        case only2011
        /// A code created in 2021 (above the 2011 range): the 2021 set.
        case only2021
        /// A code of both sets (unchanged LSOA), or one this list cannot place: proves nothing.
        case shared
        /// Blank, or not an England/Wales LSOA code (E01/W01 and six digits).
        case notLSOA
    }

    static let retiredRange = retired2011England.min()!...retired2011England.max()!

    /// The kind of one code (ASCII bytes, e.g. `E01033770`); read for every police.uk row, so byte by byte.
    public static func kind(_ b: UnsafeBufferPointer<UInt8>) -> CodeKind {
        guard b.count == 9, b[1] == UInt8(ascii: "0"), b[2] == UInt8(ascii: "1") else { return .notLSOA }
        let england = b[0] == UInt8(ascii: "E")
        guard england || b[0] == UInt8(ascii: "W") else { return .notLSOA }
        var n = 0
        for i in 3..<9 {
            let d = b[i] &- UInt8(ascii: "0")
            guard d < 10 else { return .notLSOA }
            n = n * 10 + Int(d)
        }
        if england {
            if n >= newCodeLimitEngland { return .shared }
            if n > last2011England { return .only2021 }
            return retiredRange.contains(n) && retired2011England.contains(n) ? .only2011 : .shared
        }
        return n >= newCodeLimitWales ? .shared : n > last2011Wales ? .only2021 : .shared
    }

    public static func kind(_ code: String) -> CodeKind { Array(code.utf8).withUnsafeBufferPointer { kind($0) } }

    /// The LSOA set a collection of codes is in, from the codes alone.
    public enum CodeSet: Sendable, Equatable { case lsoa2011, lsoa2021, mixed, unknown }

    public static func codeSet<S: Sequence>(_ codes: S) -> CodeSet where S.Element == String {
        var old = false, new = false
        for c in codes {
            switch kind(c) {
            case .only2011: old = true
            case .only2021: new = true
            default: break
            }
        }
        return old && new ? .mixed : old ? .lsoa2011 : new ? .lsoa2021 : .unknown
    }

    /// Rows of one month carrying an LSOA code, and those whose code proves a set (with up to three example codes,
    /// the smallest).
    public struct CodeCounts: Sendable, Codable, Equatable {
        public var rows = 0
        public var only2011 = 0, only2021 = 0
        public var examples2011: [String] = [], examples2021: [String] = []
        public init() {}

        /// Counts one row's code.
        public mutating func add(_ code: UnsafeBufferPointer<UInt8>) {
            let k = kind(code)
            guard k != .notLSOA else { return }
            rows += 1
            switch k {
            case .only2011: only2011 += 1; Self.example(String(decoding: code, as: UTF8.self), into: &examples2011)
            case .only2021: only2021 += 1; Self.example(String(decoding: code, as: UTF8.self), into: &examples2021)
            default: break
            }
        }

        public mutating func merge(_ o: CodeCounts) {
            rows += o.rows; only2011 += o.only2011; only2021 += o.only2021
            for e in o.examples2011 { Self.example(e, into: &examples2011) }
            for e in o.examples2021 { Self.example(e, into: &examples2021) }
        }

        static func example(_ code: String, into list: inout [String]) {
            guard !list.contains(code) else { return }
            if list.count == 3 { guard code < list[2] else { return }; list.removeLast() }
            list.append(code)
            list.sort()
        }
    }

    /// How the months analysed (incidents per month ordinal) fall either side of the map-point refresh; nil when
    /// they all fall on one side.
    public static func refreshSplit(_ months: [Int: Int]) -> (before: ClosedRange<Int>, nBefore: Int, after: ClosedRange<Int>, nAfter: Int)? {
        let b = months.filter { $0.key < mapPointRefresh && $0.value > 0 }, a = months.filter { $0.key >= mapPointRefresh && $0.value > 0 }
        guard let b0 = b.keys.min(), let b1 = b.keys.max(), let a0 = a.keys.min(), let a1 = a.keys.max() else { return nil }
        return (b0...b1, b.values.reduce(0, +), a0...a1, a.values.reduce(0, +))
    }

    /// Evidence that the rows analysed mix 2011 and 2021 LSOA codes: 2021 codes proven by a 2021-only code, 2011
    /// codes by a retired 2011 code or, lacking one, by rows of months police.uk published with 2011 codes (before
    /// 2023-06, other than the 2021-only ones). Nil when the rows do not mix the sets as far as this can tell.
    public struct LSOAMix: Sendable, Equatable {
        /// Rows with a 2021-only code, and their months (ordinals).
        public var rows2021: Int, months2021: ClosedRange<Int>, examples2021: [String]
        /// Rows with a retired 2011 code (0 when the 2011 side rests on the publication date only).
        public var retired2011: Int, examples2011: [String]
        /// Rows with any code in months before 2023-06 (not 2021-only), and their months; nil when none.
        public var rowsBefore2023: Int, monthsBefore2023: ClosedRange<Int>?
    }

    public static func lsoaMix(_ byMonth: [Int: CodeCounts]) -> LSOAMix? {
        var all = CodeCounts()
        for (_, c) in byMonth { all.merge(c) }
        let new = byMonth.filter { $0.value.only2021 > 0 }.keys
        let before = byMonth.filter { $0.key < lsoa2021Months && $0.value.rows > $0.value.only2021 }
        guard let n0 = new.min(), let n1 = new.max(), all.only2011 > 0 || !before.isEmpty else { return nil }
        let bm = before.keys.min().map { $0...before.keys.max()! }
        return LSOAMix(rows2021: all.only2021, months2021: n0...n1, examples2021: all.examples2021,
                       retired2011: all.only2011, examples2011: all.examples2011,
                       rowsBefore2023: before.values.reduce(0) { $0 + $1.rows - $1.only2021 }, monthsBefore2023: bm)
    }
}
