import Foundation
import HotspotCore

/// A harm table (`--weights FILE.csv`): crime type or offence code → weight, such as the Cambridge Crime Harm Index
/// (days of imprisonment per offence) or the ONS Crime Severity Score, which the user supplies under their own
/// licence. hotspot ships neither table's values.
///
/// The file is a CSV with a header. Lines before the header that start with `#` are comments; the first one of the
/// form `# source: TEXT` is the table's source line (recorded in metadata.json), otherwise the first comment is.
/// The key column is the first one named `crime_type`, `type`, `category`, `offence`, `offence_code` or `code`; the
/// weight column the first named `weight`, `harm`, `score`, `cchi` or `css` (names matched ignoring case, and a
/// space for `_`: `Crime type`, `Offence code`); other columns are ignored. Keys match crime types ignoring case, leading and trailing
/// spaces and repeated spaces (`HarmWeights.normalise`). A weight is a finite number ≥ 0. Blank lines are skipped.
public struct HarmWeights: Sendable, Equatable {
    public var path: String
    /// Lower-case hex SHA-256 of the file's bytes.
    public var sha256: String
    /// The `# source:` line (without `# source:`), or nil when the file has no comment.
    public var source: String?
    /// Keys as written and their weights, in file order.
    public var entries: [(key: String, weight: Double)]
    /// Normalised key → weight.
    public var byKey: [String: Double]

    public static func == (a: HarmWeights, b: HarmWeights) -> Bool {
        a.path == b.path && a.sha256 == b.sha256 && a.source == b.source && a.byKey == b.byKey
    }

    public static let keyColumns = ["crime_type", "type", "category", "offence", "offence_code", "code"]
    public static let weightColumns = ["weight", "harm", "score", "cchi", "css"]

    /// "  Violence  and Sexual offences " → "violence and sexual offences".
    public static func normalise(_ s: String) -> String {
        s.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// The weight of a crime type or code, or nil when the table does not hold it.
    public func weight(of type: String) -> Double? { byKey[Self.normalise(type)] }

    /// Reads and checks a harm table: a missing file is `InputError.missingFile`; a table without the key and
    /// weight columns, with a duplicate key, a weight that is not a number ≥ 0, or no rows is
    /// `InputError.unusable`, naming the file and line.
    public static func read(path: String) throws -> HarmWeights {
        let text: String
        do { text = try InputFile.text(path, limit: 16 << 20) } catch InputError.missingFile(let f) { throw InputError.missingFile("--weights \(f)") }
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)  // "\r\n" is one Character
        var comments: [String] = []
        var skipped = 0
        while let first = lines.first, first.hasPrefix("#") || first.trimmingCharacters(in: .whitespaces).isEmpty {
            if first.hasPrefix("#") { comments.append(first.dropFirst().trimmingCharacters(in: .whitespaces)) }
            lines.removeFirst(); skipped += 1
        }
        let source = comments.first(where: { $0.lowercased().hasPrefix("source:") }).map { $0.dropFirst(7).trimmingCharacters(in: .whitespaces) }
            ?? comments.first
        let rows = parse(lines.joined(separator: "\n"))
        guard let header = rows.first else { throw InputError.unusable("\(path): an empty harm table: give a header (e.g. crime_type,weight) and one row per crime type") }
        // Header names match ignoring case, spaces and '_' against '_' ("Offence code" is offence_code).
        func name(_ s: String) -> String { normalise(s.replacingOccurrences(of: "_", with: " ")) }
        let names = header.map(name)
        func column(_ wanted: [String]) -> Int? { wanted.lazy.compactMap { w in names.firstIndex(of: name(w)) }.first }
        guard let kc = column(keyColumns), let wc = column(weightColumns) else {
            throw InputError.unusable("\(path):\(skipped + 1): a harm table's header needs a key column (\(keyColumns.joined(separator: ", "))) and a weight column (\(weightColumns.joined(separator: ", "))); it has \(header.joined(separator: ", "))")
        }
        var entries: [(key: String, weight: Double)] = [], byKey: [String: Double] = [:], lineOf: [String: Int] = [:]
        for (k, r) in rows.enumerated().dropFirst() {
            let line = skipped + k + 1
            if r.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            let key = r.count > kc ? r[kc].trimmingCharacters(in: .whitespaces) : ""
            let text = r.count > wc ? r[wc].trimmingCharacters(in: .whitespaces) : ""
            guard !key.isEmpty else { throw InputError.unusable("\(path):\(line): no crime type or code in column '\(header[kc])'; fill it or delete the line") }
            guard let w = Double(text), w.isFinite, w >= 0 else {
                throw InputError.unusable("\(path):\(line): the weight '\(text)' of '\(key)' is not a number 0 or more; correct that line")
            }
            let n = normalise(key)
            if let earlier = lineOf[n] {
                throw InputError.unusable("\(path):\(line): '\(key)' is given twice (also on line \(earlier); crime types match ignoring case and spaces); keep one")
            }
            lineOf[n] = line; byKey[n] = w; entries.append((key, w))
        }
        guard !entries.isEmpty else { throw InputError.unusable("\(path): the harm table has a header but no rows: give one row per crime type") }
        return HarmWeights(path: path, sha256: try Hashing.sha256(file: path), source: source, entries: entries, byKey: byKey)
    }

    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var scanner = CSVScanner()
        Data(text.utf8).withUnsafeBytes { raw in
            scanner.scan(raw.bindMemory(to: UInt8.self), final: true) { rec in rows.append((0..<rec.count).map { rec.string($0) ?? "" }) }
        }
        return rows
    }

    /// What to do with incidents of a type the table does not hold (`--weights-missing`).
    public enum MissingRule: String, Sendable, CaseIterable {
        /// Refuse the run, listing the types (the default).
        case stop
        /// Weight 0: they count, but add no harm.
        case zero
        /// Weight 1.
        case one
    }

    /// The weights applied to a table of incidents: per incident its type's weight; the types the table lacks,
    /// with their incidents, weigh `rule`'s value (0 or 1) or, with `.stop`, are returned for the refusal.
    public struct Applied: Sendable {
        public var weights: [Double]
        /// Types present in the incidents and in the table.
        public var matched: [String]
        /// Types present in the incidents but not in the table, with their incidents, by type.
        public var missing: [(type: String, incidents: Int)]
    }

    public func apply(to t: IncidentTable, rule: MissingRule) -> Applied {
        var n = [Int](repeating: 0, count: t.categories.count)
        for c in t.category { n[Int(c)] += 1 }
        let fill: Double = rule == .one ? 1 : 0
        let perCategory = t.categories.map { weight(of: $0) }
        let present = t.categories.indices.filter { n[$0] > 0 }
        let matched = present.filter { perCategory[$0] != nil }.map { t.categories[$0] }.sorted()
        let missing = present.filter { perCategory[$0] == nil }.map { (type: t.categories[$0], incidents: n[$0]) }.sorted { $0.type < $1.type }
        let w = perCategory.map { $0 ?? fill }
        return Applied(weights: t.category.map { w[Int($0)] }, matched: matched, missing: missing)
    }
}
