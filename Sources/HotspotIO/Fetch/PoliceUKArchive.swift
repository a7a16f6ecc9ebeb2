import Foundation
import HotspotCore

/// A calendar month as police.uk names it (`2022-03`), counted from year 0 so months compare and step as integers.
public struct YearMonth: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var index: Int
    public init(index: Int) { self.index = index }
    /// `YYYY-MM`, or nil.
    public init?(_ text: some StringProtocol) {
        let p = text.split(separator: "-", omittingEmptySubsequences: false)
        guard p.count == 2, p[0].count == 4, p[1].count == 2, let y = Int(p[0]), let m = Int(p[1]), (1...12).contains(m), y >= 1900
        else { return nil }
        index = y * 12 + m - 1
    }
    public var description: String {
        let y = index / 12, m = index % 12 + 1
        return String(format: "%04d-%02d", y, m)
    }
    public static func < (a: YearMonth, b: YearMonth) -> Bool { a.index < b.index }
    public static func + (a: YearMonth, n: Int) -> YearMonth { YearMonth(index: a.index + n) }
    public static func - (a: YearMonth, n: Int) -> YearMonth { YearMonth(index: a.index - n) }
}

/// police.uk's archives: `YYYY-MM.zip` holds the 36 months up to its name, every force, as
/// `YYYY-MM/YYYY-MM-FORCE-KIND.csv` (KIND street, stop-and-search or outcomes). Each month is kept in the archive as
/// first published; a later archive holds the force's re-supplied version.
public enum PoliceUKArchive {
    /// Months an archive holds: 36 up to the one it is named after.
    public static let monthsHeld = 36
    public static let kinds = ["street", "stop-and-search", "outcomes"]

    /// The archive's month from a name such as `2022-09.zip`, `…/archive/2022-09.zip`, or nil (e.g. `latest.zip`).
    public static func vintage(of location: String) -> YearMonth? {
        let base = (location.split(separator: "/").last.map(String.init) ?? location)
        guard base.hasSuffix(".zip") else { return nil }
        return YearMonth(base.dropLast(4))
    }

    /// The months an archive named for `vintage` holds.
    public static func held(by vintage: YearMonth) -> ClosedRange<YearMonth> { (vintage - (monthsHeld - 1))...vintage }

    /// The member path of a force-month-kind file and the file name it is written under.
    public static func member(_ month: YearMonth, force: String, kind: String) -> String { "\(month)/\(fileName(month, force: force, kind: kind))" }
    public static func fileName(_ month: YearMonth, force: String, kind: String) -> String { "\(month)-\(force)-\(kind).csv" }

    /// A member path split into month, force and kind, or nil when it is not one.
    public static func parse(member: String) -> (month: YearMonth, force: String, kind: String)? {
        let parts = member.split(separator: "/")
        guard parts.count == 2, let month = YearMonth(parts[0]), parts[1].hasPrefix("\(parts[0])-"), parts[1].hasSuffix(".csv") else { return nil }
        let rest = parts[1].dropFirst(8).dropLast(4)
        for kind in kinds where rest.hasSuffix("-" + kind) {
            return (month, String(rest.dropLast(kind.count + 1)), kind)
        }
        return nil
    }

    /// The forces an archive's members name, sorted.
    public static func forces(_ members: [ZipMember]) -> [String] {
        Array(Set(members.compactMap { parse(member: $0.name)?.force })).sorted()
    }

    /// The months an archive's members name (first and last), or nil.
    public static func months(_ members: [ZipMember]) -> ClosedRange<YearMonth>? {
        let ms = members.compactMap { parse(member: $0.name)?.month }
        guard let lo = ms.min(), let hi = ms.max() else { return nil }
        return lo...hi
    }

    /// Which archive to read each month from: among `vintages` (the archives' months), the newest holding the month
    /// (`newest`) or the oldest (`first`, the month as first published). Months no archive holds map to nil.
    public static func choose(months: ClosedRange<YearMonth>, vintages: [YearMonth], newest: Bool) -> [(YearMonth, YearMonth?)] {
        stride(from: months.lowerBound.index, through: months.upperBound.index, by: 1).map { i in
            let m = YearMonth(index: i)
            let holding = vintages.filter { held(by: $0).contains(m) }
            return (m, newest ? holding.max() : holding.min())
        }
    }

    /// The `YYYY-MM.zip` archives an HTML listing (such as data.police.uk/data/archive/) links to, sorted by month.
    public static func listed(in page: String) -> [String] {
        var names = Set<String>()
        let pattern = try! NSRegularExpression(pattern: #"href="([^"]*?)((?:19|20)[0-9]{2}-[0-9]{2})\.zip""#)
        for m in pattern.matches(in: page, range: NSRange(page.startIndex..., in: page)) {
            if let r = Range(m.range(at: 2), in: page) { names.insert(String(page[r]) + ".zip") }
        }
        return names.sorted()
    }
}

/// The vintages of police.uk rows (what `manifest.json` records for each file): the LSOA code set and the
/// anonymisation era of the map points.
public enum PoliceUKVintage {
    /// police.uk moved to 2021 LSOA codes from this month on (`DataVintage.lsoa2021Months`, 2023-06).
    public static let codes2021From = YearMonth(index: DataVintage.lsoa2021Months)
    /// police.uk's anonymised map points were refreshed for months from this one on (`DataVintage.mapPointRefresh`,
    /// 2022-07).
    public static let refreshFrom = YearMonth(index: DataVintage.mapPointRefresh)

    /// The LSOA codes' set, from the codes (`DataVintage.codeSet`): `mixed` when some codes exist only in 2011 (retired
    /// in 2021) and some only in 2021, `2021` or `2011` when the codes prove one set, and when they prove neither (codes
    /// both sets share) `2021` from 2023-06 on and `2011` before; nil when the rows have no LSOA codes (stop and search).
    public static func lsoaCodes(_ codes: Set<Substring>, month: YearMonth) -> String? {
        if codes.isEmpty { return nil }
        switch DataVintage.codeSet(codes.map(String.init)) {
        case .mixed: return "mixed"
        case .lsoa2021: return "2021"
        case .lsoa2011: return "2011"
        case .unknown: return month >= codes2021From ? "2021" : "2011"
        }
    }

    public static func anonymisation(_ month: YearMonth) -> String { month >= refreshFrom ? "from-2022-07" : "before-2022-07" }
}
