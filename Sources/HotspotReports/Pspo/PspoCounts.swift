import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography

/// The rows and incidents of a PSPO pack, defined once: every page, table, note, `metadata.json` and the stderr line
/// of `hotspot pspo` print these values and nothing recomputed elsewhere (issue 18, item 11).
///
/// The funnel, each a count of rows of the incident files:
/// - `read`: data rows read (header and blank lines excluded);
/// - `quarantined`: rows set aside, by reason (`quarantine.csv` lists each): unreadable rows, and valid rows outside
///   the study boundary ("outside study area"), of any crime type or date;
/// - `accepted`: valid rows inside the study boundary, of any type or date; `accepted + quarantined = read`;
/// - `insideBoundary`: the accepted rows of the chosen crime types and period (the incidents analysed);
/// - `insideArea`: of those, the incidents inside the proposed restricted area.
public struct PspoCounts: Sendable, Equatable {
    public struct File: Sendable, Equatable {
        public var path: String
        public var read: Int, accepted: Int, quarantined: Int
    }
    public var read: Int
    /// Quarantined rows by reason (`QuarantineReason` raw values), sorted by reason.
    public var quarantinedByReason: [(reason: String, count: Int)]
    public var accepted: Int
    /// Accepted rows of other types or dates than the chosen ones.
    public var notSelected: Int
    public var insideBoundary: Int
    public var insideArea: Int
    /// The same per incident file (each balances: accepted + quarantined = read).
    public var files: [File]

    public var quarantined: Int { quarantinedByReason.reduce(0) { $0 + $1.count } }

    public static func == (a: Self, b: Self) -> Bool {
        a.read == b.read && a.accepted == b.accepted && a.notSelected == b.notSelected && a.insideBoundary == b.insideBoundary
            && a.insideArea == b.insideArea && a.files == b.files
            && a.quarantinedByReason.map(\.reason) == b.quarantinedByReason.map(\.reason) && a.quarantinedByReason.map(\.count) == b.quarantinedByReason.map(\.count)
    }

    /// The one place the counts are computed: from the incidents as loaded (boundary checked on every row,
    /// `Pipeline.loadIncidents(boundaryFirst:)`) and the incidents inside the restricted area.
    public init(_ inc: LoadedIncidents, insideArea: Int) {
        read = inc.read
        quarantinedByReason = inc.quarantinedByReason.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        accepted = inc.accepted
        notSelected = inc.notSelected
        insideBoundary = inc.table.count
        self.insideArea = insideArea
        files = inc.files.map { File(path: $0.path, read: $0.read, accepted: $0.accepted, quarantined: $0.quarantinedTotal) }
    }

    /// The invariants: accepted + quarantined = read, overall and per file; the per-file counts add up to the totals;
    /// accepted = analysed + not selected; inside the area ≤ inside the boundary.
    public var balances: Bool {
        accepted + quarantined == read && files.allSatisfy { $0.accepted + $0.quarantined == $0.read }
            && files.reduce(0) { $0 + $1.read } == read && files.reduce(0) { $0 + $1.accepted } == accepted
            && insideBoundary + notSelected == accepted && insideArea <= insideBoundary
    }

    /// `exhibits/counts.csv`: the single definition the pack's checker compares every other count with.
    public var table: Table {
        var t = Table(columns: ["count", "value", "definition"])
        t.rows.append([.string("read"), .int(read), .string("data rows read from the incident files")])
        t.rows.append([.string("quarantined"), .int(quarantined), .string("rows set aside, each with its reason, in quarantine.csv")])
        for q in quarantinedByReason {
            t.rows.append([.string("quarantined: \(q.reason)"), .int(q.count), .string(q.reason == QuarantineReason.outsideStudyArea.rawValue
                ? "valid rows (any type or date) outside the study boundary" : "rows that could not be used")])
        }
        t.rows.append([.string("accepted"), .int(accepted), .string("valid rows inside the study boundary, any type or date (read − quarantined)")])
        t.rows.append([.string("not selected"), .int(notSelected), .string("of the rows accepted, those of other crime types or dates than the chosen ones")])
        t.rows.append([.string("inside the boundary"), .int(insideBoundary), .string("of the rows accepted, those of the chosen types and period: the incidents analysed")])
        t.rows.append([.string("inside the restricted area"), .int(insideArea), .string("of those, inside the proposed restricted area")])
        return t
    }

    /// The funnel in words, for the page, the methods appendix and stderr (numbers grouped: 23,339).
    /// `mark` wraps each number (the page marks it with its exhibit).
    public func sentence(mark: (String) -> String = { $0 }) -> String {
        func g(_ n: Int) -> String { mark(Fmt.grouped(n)) }
        let reasons = quarantinedByReason.isEmpty ? "" : " (" + quarantinedByReason.map { "\(g($0.count)) \($0.reason)" }.joined(separator: ", ") + ")"
        return "\(g(read)) rows read = \(g(accepted)) accepted + \(g(quarantined)) quarantined\(reasons); "
            + "\(g(insideBoundary)) of the chosen types and period inside the study boundary, \(g(insideArea)) of them inside the restricted area"
    }
}
