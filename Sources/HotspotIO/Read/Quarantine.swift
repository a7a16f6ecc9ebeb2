import HotspotCore

/// Why a row was not accepted. Every rejected row gets exactly one reason.
public enum QuarantineReason: String, Sendable, Codable, CaseIterable, Comparable {
    case missingCoordinate = "missing coordinate"
    case unparsableCoordinate = "unparsable coordinate"
    case coordinateOutOfRange = "lon/lat out of range"
    /// Projected x/y beyond ±100,000 km: not a coordinate in any projected CRS.
    case projectedOutOfRange = "x/y out of range"
    case badDate = "bad date"
    case wrongFieldCount = "wrong field count"
    case invalidUTF8 = "invalid UTF-8"
    case unbalancedQuote = "unbalanced quote"
    case badWeight = "bad weight"
    case duplicateRow = "duplicate row"
    case projectionFailed = "projection failed"
    case outsideStudyArea = "outside study area"
    case outsideTimeRange = "outside time range"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One rejected row: where it was, why, and the row itself (as text, lossily decoded if not UTF-8).
public struct QuarantineEntry: Sendable, Equatable {
    public var file: String
    public var line: Int
    public var reason: QuarantineReason
    public var detail: String
    public var raw: String
    public init(file: String, line: Int, reason: QuarantineReason, detail: String, raw: String) {
        self.file = file; self.line = line; self.reason = reason; self.detail = detail; self.raw = raw
    }
}

/// Counts for one input file. Invariant: `accepted + quarantined == read`.
public struct FileSummary: Sendable, Codable, Equatable {
    public var path: String
    public var sha256: String
    public var bytes: Int
    public var format: String
    /// Data rows read (header and blank lines excluded).
    public var read: Int
    public var accepted: Int
    public var quarantined: [String: Int]
    /// Identical rows seen again (kept or dropped, see `duplicatesDropped`).
    public var duplicates: Int
    public var duplicatesDropped: Bool
    /// police.uk street files: the rows' `LSOA code` column by month (`YYYY-MM`), counted by what each code proves
    /// of its LSOA set (`DataVintage`); nil for files without that column.
    public var lsoaCodes: [String: DataVintage.CodeCounts]? = nil

    public var quarantinedTotal: Int { quarantined.values.reduce(0, +) }
    public var balances: Bool { accepted + quarantinedTotal == read }
}
