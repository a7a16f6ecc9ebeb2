import Foundation
import HotspotCore

/// Metropolitan Police recorded crime counts as the London Datastore publishes them (OGL): one row per area ×
/// category, one column per month (`YYYYMM`). Two levels:
/// - ward: `MajorText, MinorText, WardName, WardCode, LookUp_BoroughName, 202401, …` ("MPS Ward Level Crime", both
///   the most-recent-24-months and the historical files);
/// - borough: `Group, SubGroup, BOCU, 202407, …` (most recent 24 months) or `MajorText, MinorText,
///   LookUp_BoroughName, 201004, …` (historical).
public struct MPSCrimeTable: Sendable {
    public enum Level: String, Sendable { case ward, borough }
    public struct Row: Sendable {
        /// Home Office major and minor category (the borough file's group and subgroup).
        public var major: String, minor: String
        /// The ward's code and name (ward level; nil at borough level).
        public var wardCode: String?, wardName: String?
        /// The borough or policing unit the row belongs to (`LookUp_BoroughName`, `BOCU`).
        public var borough: String
        /// One count per month of `months`.
        public var counts: [Int]
        /// 1-based line of the file.
        public var line: Int
    }
    public var path: String
    public var level: Level
    /// The layout's name as the Datastore publishes it.
    public var layout: String
    /// Month ordinals (year·12 + month − 1) of the count columns, in order.
    public var months: [Int]
    public var rows: [Row]
    public var sha256: String

    /// "2024-01 … 2025-12".
    public var coverage: String { "\(CivilDate.monthLabel(months.first ?? 0)) … \(CivilDate.monthLabel(months.last ?? 0))" }
}

public enum MPSCrimeReader {
    /// The layouts understood, for messages.
    public static let layouts = "the London Datastore's MPS ward-level files (MajorText, MinorText, WardName, WardCode, LookUp_BoroughName, then YYYYMM month columns) or borough-level files (Group, SubGroup, BOCU, then YYYYMM; or MajorText, MinorText, LookUp_BoroughName, then YYYYMM)"

    /// Reads one file; an unknown header, a month column out of order, or a count that is not a whole number ≥ 0 is
    /// refused naming the file and line (exit 65).
    public static func read(_ path: String) throws -> MPSCrimeTable {
        let data = try InputFile.contents(path)
        var rows: [[String]] = []
        var scanner = CSVScanner()
        data.withUnsafeBytes { raw in
            scanner.scan(raw.bindMemory(to: UInt8.self), final: true) { rec in rows.append((0..<rec.count).map { rec.string($0) ?? "" }) }
        }
        guard let header = rows.first?.map({ $0.trimmingCharacters(in: .whitespaces) }) else { throw InputError.emptyFile(path) }
        let (level, layout, names) = try detect(header, path: path)
        let first = names.count
        var months: [Int] = []
        for (k, h) in header.dropFirst(first).enumerated() {
            guard h.count == 6, let v = Int(h), let m = Int(h.suffix(2)), (1...12).contains(m), v / 100 >= 1990 else {
                throw InputError.unusable("\(path): column \(first + k + 1) '\(h)' is not a month (YYYYMM); \(layouts)")
            }
            let o = CivilDate.monthOrdinal(year: v / 100, month: m)
            if let last = months.last, o != last + 1 {
                throw InputError.unusable("\(path): month columns must follow one another; '\(h)' comes after \(CivilDate.monthLabel(last))")
            }
            months.append(o)
        }
        guard !months.isEmpty else { throw InputError.unusable("\(path): no month columns (YYYYMM) after \(names.joined(separator: ", "))") }
        var out: [MPSCrimeTable.Row] = []
        out.reserveCapacity(rows.count)
        for (i, r) in rows.enumerated().dropFirst() {
            if r.allSatisfy({ $0.isEmpty }) { continue }
            guard r.count == header.count else {
                throw InputError.unusable("\(path):\(i + 1): \(r.count) fields where the header has \(header.count)")
            }
            var counts = [Int](repeating: 0, count: months.count)
            for k in 0..<months.count {
                let raw = r[first + k]
                let s = Int(raw) != nil || raw.isEmpty ? raw : raw.trimmingCharacters(in: .whitespaces)
                guard let c = s.isEmpty ? 0 : Int(s), c >= 0 else {
                    throw InputError.unusable("\(path):\(i + 1): '\(s)' in \(header[first + k]) is not a count (a whole number, 0 or more)")
                }
                counts[k] = c
            }
            switch level {
            case .ward: out.append(.init(major: r[0], minor: r[1], wardCode: r[3], wardName: r[2], borough: r[4], counts: counts, line: i + 1))
            case .borough: out.append(.init(major: r[0], minor: r[1], wardCode: nil, wardName: nil, borough: r[2], counts: counts, line: i + 1))
            }
        }
        return MPSCrimeTable(path: path, level: level, layout: layout, months: months, rows: out, sha256: Hashing.sha256(data))
    }

    /// The level and layout of a header, and its leading (non-month) columns.
    static func detect(_ h: [String], path: String) throws -> (MPSCrimeTable.Level, String, [String]) {
        let known: [(MPSCrimeTable.Level, String, [String])] = [
            (.ward, "MPS Ward Level Crime", ["MajorText", "MinorText", "WardName", "WardCode", "LookUp_BoroughName"]),
            (.borough, "MPS Borough Level Crime (most recent 24 months)", ["Group", "SubGroup", "BOCU"]),
            (.borough, "MPS Borough Level Crime (historical)", ["MajorText", "MinorText", "LookUp_BoroughName"]),
        ]
        for k in known where h.count > k.2.count && Array(h.prefix(k.2.count)).map({ $0.lowercased() }) == k.2.map({ $0.lowercased() }) {
            return k
        }
        throw InputError.unusable("\(path): not an MPS recorded crime file (header \(h.prefix(6).joined(separator: ","))…); hotspot context reads \(layouts)")
    }
}
