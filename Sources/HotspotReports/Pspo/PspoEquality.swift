import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography

/// Small-count suppression of the pack's enforcement and equality tables (they are published, and a count of one or
/// two people of a group can identify them).
///
/// Primary: a count of 1…K−1 is shown as "<K". Secondary: a row or column (with its total shown) that holds exactly
/// one suppressed cell would give it away by subtraction, so its next smallest cell (positive if there is one) is
/// withheld too, shown as "*"; repeated until no row or column has exactly one. Totals are the true totals.
/// K = 0 or 1 shows every count.
enum Suppression {
    enum Mark: Equatable { case shown, primary, secondary }

    /// Marks for a table whose last row and last column are its totals (the last cell, the grand total, is shown
    /// unless it is itself 1…K−1: a total of one would name the one cell behind it): each row and each column, total
    /// included, is one additive line, so a line with exactly one withheld cell gets a second.
    static func marks(_ m: [[Int]], k: Int, lockLast: Bool = true) -> [[Mark]] {
        var mk = m.map { $0.map { (k > 1 && $0 >= 1 && $0 < k) ? Mark.primary : .shown } }
        guard k > 1, !m.isEmpty else { return mk }
        let rows = m.count, cols = m[0].count
        if lockLast && mk[rows - 1][cols - 1] == .primary { return mk.map { $0.map { _ in .primary } } }
        if lockLast { mk[rows - 1][cols - 1] = .shown }
        var changed = true
        func protect(_ cells: [(Int, Int)]) {
            guard cells.count > 1, cells.filter({ mk[$0.0][$0.1] != .shown }).count == 1 else { return }
            let open = cells.filter { mk[$0.0][$0.1] == .shown && !(lockLast && $0.0 == rows - 1 && $0.1 == cols - 1) }
            let pick = open.filter { m[$0.0][$0.1] > 0 }.min { m[$0.0][$0.1] < m[$1.0][$1.1] } ?? open.min { m[$0.0][$0.1] < m[$1.0][$1.1] }
            if let p = pick { mk[p.0][p.1] = .secondary; changed = true }
        }
        while changed {
            changed = false
            for i in 0..<rows { protect((0..<cols).map { (i, $0) }) }
            for j in 0..<cols { protect((0..<rows).map { ($0, j) }) }
        }
        return mk
    }

    /// A count in a sentence: "fewer than K" when it is 1…K−1 (it would be a suppressed cell), else the count.
    static func count(_ n: Int, k: Int) -> String { k > 1 && n >= 1 && n < k ? "fewer than \(k)" : Fmt.grouped(n) }

    /// The cell as printed: the count, "<K" or "*".
    static func value(_ n: Int, _ mark: Mark, k: Int) -> Value {
        switch mark {
        case .shown: return .int(n)
        case .primary: return .string("<\(k)")
        case .secondary: return .string("*")
        }
    }

    /// The note printed under a suppressed table (nil when nothing was withheld).
    static func note(_ marks: [[Mark]], k: Int) -> String? {
        let p = marks.joined().filter { $0 == .primary }.count, s = marks.joined().filter { $0 == .secondary }.count
        guard p + s > 0 else { return nil }
        var t = "Counts of 1 to \(k - 1) are shown as <\(k) (\(p) cell\(p == 1 ? "" : "s"))"
        if s > 0 { t += "; * marks \(s) further count\(s == 1 ? "" : "s") withheld so that a suppressed count cannot be worked out by subtraction from its row or column total" }
        return t + ". Totals are the true totals; the exhibit CSV is suppressed the same way."
    }

    /// A cross-tabulation `rows × columns` with a total column and a total row, suppressed.
    /// A row or column total of 1…K−1 is itself shown as "<K"; a grand total of 1…K−1 withholds every cell.
    /// - Returns: the table rows (labels, counts, total) and the marks, for the note.
    static func crossTab(labels: [[String]], counts: [[Int]], k: Int) -> (rows: [[Value]], marks: [[Mark]]) {
        let cols = counts.first?.count ?? 0
        var ext = counts.map { $0 + [$0.reduce(0, +)] }
        ext.append((0...cols).map { j in ext.reduce(0) { $0 + $1[j] } })
        let mk = marks(ext, k: k)
        var rows: [[Value]] = []
        let pad = max(0, (labels.first?.count ?? 1) - 1)
        for (i, c) in ext.enumerated() {
            let label: [Value] = i < labels.count ? labels[i].map { .string($0) } : [.string("Total")] + [Value](repeating: .string(""), count: pad)
            rows.append(label + c.indices.map { value(c[$0], mk[i][$0], k: k) })
        }
        return (rows, mk)
    }
}

/// The census ethnic groups as police.uk stop-and-search reports group self-defined and officer-defined ethnicity.
enum EthnicGroup: String, CaseIterable, Sendable {
    case asian = "Asian", black = "Black", mixed = "Mixed", other = "Other", white = "White"

    /// The group of an enforcement record's ethnicity as recorded ("White", "White - Irish",
    /// "Black/African/Caribbean/Black British - African", "Mixed/Multiple ethnic groups - …", "Asian/Asian British - …",
    /// "Other ethnic group - Any other ethnic group"); nil for not stated / not recorded / blank.
    static func of(recorded s: String) -> EthnicGroup? {
        let v = s.trimmingCharacters(in: .whitespaces).lowercased()
        if v.isEmpty || v.contains("not stated") || v.contains("not recorded") || v.contains("unknown") || v.contains("prefer not") { return nil }
        for g in allCases where v.hasPrefix(g.rawValue.lowercased()) { return g }
        return nil
    }
}

/// A census ethnicity table by area (e.g. 2011 Census KS201 by ward or LSOA): the first column the area code, then
/// `White`, `Mixed`, `Asian`, `Black`, `Other` (or their sub-group columns "White: Irish", "Asian/Asian British:
/// Indian", "Other ethnic group: Arab", … which are then added up), residents (persons).
struct ResidentsTable {
    var path: String
    var byArea: [String: [EthnicGroup: Double]]

    static func read(_ path: String) throws -> ResidentsTable {
        let rows = try CSVRows.read(path)
        guard let header = rows.first?.map({ $0.trimmingCharacters(in: .whitespaces) }), header.count > 1 else { throw InputError.emptyFile(path) }
        let low = header.map { $0.lowercased() }
        var cols: [EthnicGroup: [Int]] = [:]
        for g in EthnicGroup.allCases {
            if let c = low.firstIndex(of: g.rawValue.lowercased()) { cols[g] = [c]; continue }
            let prefix = g == .other ? "other ethnic group" : g.rawValue.lowercased()
            let subs = low.indices.filter { $0 > 0 && low[$0].hasPrefix(prefix) && (low[$0].contains(":") || low[$0].contains(" - ")) }
            if !subs.isEmpty { cols[g] = subs }
        }
        let missing = EthnicGroup.allCases.filter { cols[$0] == nil }.map(\.rawValue)
        guard missing.isEmpty else {
            throw InputError.badHeader(file: path, format: "residents by ethnic group (area code, then White, Mixed, Asian, Black, Other)", missing: missing)
        }
        var by: [String: [EthnicGroup: Double]] = [:]
        for (n, r) in rows.dropFirst().enumerated() where r.count == header.count && !r[0].isEmpty {
            var d: [EthnicGroup: Double] = [:]
            for (g, cs) in cols {
                d[g] = try cs.reduce(0.0) { acc, c in
                    guard let v = Double(r[c].replacingOccurrences(of: ",", with: "")), v >= 0 else {
                        throw InputError.unusable("\(path), line \(n + 2): '\(r[c])' in column '\(header[c])' is not a count of residents")
                    }
                    return acc + v
                }
            }
            by[r[0].trimmingCharacters(in: .whitespaces)] = d
        }
        return ResidentsTable(path: path, byArea: by)
    }
}

/// The enforcement and equality exhibits of a pack (`--enforcement`; `exhibits/NAME.csv` each, NAME in the
/// comments), suppressed below K (`Suppression`), with the notes printed under them.
struct PspoEnforcement {
    /// What the tables count: the number of records and their file.
    var summary: String
    /// `enforcement-by-restriction`: restriction × outcome, with totals.
    var byRestriction: Table
    /// What `byRestriction` withholds (nil when nothing).
    var byRestrictionNote: String?
    /// `enforcement-by-characteristic`: each protected characteristic's values × outcome, with totals.
    var byCharacteristic: Table
    /// What `byCharacteristic` withholds (nil when nothing).
    var byCharacteristicNote: String?
    /// `enforcement-vs-residents` (with residents and an ethnicity column): each ethnic group's share of enforcement
    /// beside its share of residents.
    var vsResidents: Table?
    /// How `vsResidents` is made, and what it withholds.
    var vsResidentsNote: String?
    /// `enforcement-find-rates` (police.uk stop and search): per object of search, the share of searches with an
    /// outcome other than no further action, with its Wilson interval (`StopsTables.findRates`).
    var findRates: Table?
    var findRatesNote: String?
    /// The tables' captions on the page (enforcement records, or stop and search).
    var captions = (byRestriction: "Enforcement by restriction and outcome.",
                    byCharacteristic: "Enforcement outcomes by protected characteristic (as recorded).",
                    vsResidents: "Each ethnic group's share of enforcement beside its share of the residents of the areas the restricted area touches.")

    /// The enforcement records of a CSV (or of stop and search, `PspoStops`): its header and the rows with every
    /// field (blank rows dropped).
    struct Records {
        var header: [String]
        /// The header in lower case.
        var low: [String]
        var body: [[String]]
        /// Columns of the restriction and the outcome.
        var ri: Int, oi: Int
        /// Columns that are no protected characteristic: restriction, outcome, date, id, notes…
        var skip: Set<Int>
        /// The outcomes, sorted.
        var outcomes: [String]
        /// The first column's name in `enforcement-by-restriction`.
        var rowLabel = "restriction"

        /// Records held in memory: `ri` the rows' key (restriction, object of search), `oi` the outcome, `skip`
        /// the columns that are no protected characteristic.
        init(header: [String], body: [[String]], restriction ri: Int, outcome oi: Int, skip: Set<Int>) {
            self.header = header; low = header.map { $0.lowercased() }; self.body = body
            self.ri = ri; self.oi = oi; self.skip = skip
            outcomes = Array(Set(body.map { $0[oi] })).sorted()
        }

        init(_ path: String) throws {
            let rows = try CSVRows.read(path)
            guard let header = rows.first?.map({ $0.trimmingCharacters(in: .whitespaces) }) else { throw InputError.emptyFile(path) }
            let low = header.map { $0.lowercased() }
            guard let ri = low.firstIndex(of: "restriction"), let oi = low.firstIndex(of: "outcome") else {
                throw InputError.badHeader(file: path, format: "enforcement CSV (date, restriction, outcome, then protected characteristics)",
                                           missing: ["restriction", "outcome"].filter { !low.contains($0) })
            }
            self.header = header; self.low = low; self.ri = ri; self.oi = oi
            skip = Set([ri, oi]).union(low.indices.filter { ["date", "id", "ref", "reference", "notes", "location", "name"].contains(low[$0]) })
            body = rows.dropFirst().filter { $0.count == header.count && !$0.allSatisfy(\.isEmpty) }
            outcomes = Array(Set(body.map { $0[oi] })).sorted()
        }

        /// Records per key × outcome: the keys sorted, a row of counts per key.
        func tally(_ keyOf: ([String]) -> String) -> (keys: [String], counts: [[Int]]) {
            var d: [String: [Int]] = [:]
            let column = Dictionary(uniqueKeysWithValues: outcomes.enumerated().map { ($1, $0) })
            for rr in body { if let o = column[rr[oi]] { d[keyOf(rr), default: [Int](repeating: 0, count: outcomes.count)][o] += 1 } }
            let keys = d.keys.sorted()
            return (keys, keys.map { d[$0] ?? [] })
        }
    }

    /// The enforcement tables of the records at `path`, suppressed below `k`: by restriction × outcome, by each
    /// protected characteristic × outcome, and (with residents) each ethnic group's share of enforcement beside its
    /// share of residents.
    static func read(_ path: String, k: Int, residents: PspoEvidence.Residents?) throws -> PspoEnforcement {
        let rec = try Records(path)
        return tables(rec, summary: "\(Suppression.count(rec.body.count, k: k)) enforcement record(s) from \((path as NSString).lastPathComponent); only counts are shown, never a person's record.",
                      k: k, residents: residents)
    }

    /// The tables of `rec` (see `read`), suppressed below `k`.
    static func tables(_ rec: Records, summary: String, k: Int, residents: PspoEvidence.Residents?) -> PspoEnforcement {
        let byR = rec.tally { $0[rec.ri] }
        let ct1 = Suppression.crossTab(labels: byR.keys.map { [$0] }, counts: byR.counts, k: k)
        var t1 = Table(columns: [rec.rowLabel] + rec.outcomes + ["total"])
        t1.rows = ct1.rows
        var allMarks: [[Suppression.Mark]] = []
        var t2 = Table(columns: ["characteristic", "value"] + rec.outcomes + ["total"])
        for c in rec.header.indices where !rec.skip.contains(c) {
            let byC = rec.tally { $0[c].isEmpty ? "not recorded" : $0[c] }
            let ct = Suppression.crossTab(labels: byC.keys.map { [rec.header[c], $0] }, counts: byC.counts, k: k)
            var rs = ct.rows
            rs[rs.count - 1][1] = .string("Total")
            rs[rs.count - 1][0] = .string(rec.header[c])
            t2.rows += rs
            allMarks += ct.marks
        }
        var e = PspoEnforcement(summary: summary,
                                byRestriction: t1, byRestrictionNote: Suppression.note(ct1.marks, k: k),
                                byCharacteristic: t2, byCharacteristicNote: Suppression.note(allMarks, k: k))
        if let res = residents, let ei = rec.header.indices.first(where: { !rec.skip.contains($0) && rec.low[$0].contains("ethnic") }) {
            let v = vsResidents(rec, ethnicity: ei, residents: res, k: k)
            e.vsResidents = v.table; e.vsResidentsNote = v.note
        }
        return e
    }

    /// Each ethnic group's share of enforcement beside its share of the residents of the areas the restricted area
    /// touches, the ratio of the two, and the rate ratio against White (as stop-and-search reports give it); and the
    /// note saying how.
    static func vsResidents(_ rec: Records, ethnicity ei: Int, residents res: PspoEvidence.Residents, k: Int) -> (table: Table, note: String) {
        let body = rec.body
        var pop: [EthnicGroup: Double] = [:]
        for a in res.areas { for (g, v) in res.table.byArea[a.id] ?? [:] { pop[g, default: 0] += v } }
        let popTotal = pop.values.reduce(0, +)
        let groups = EthnicGroup.allCases
        var count = [Int](repeating: 0, count: groups.count + 1)
        for rr in body { count[EthnicGroup.of(recorded: rr[ei]).flatMap { groups.firstIndex(of: $0) } ?? groups.count] += 1 }
        let recorded = count.prefix(groups.count).reduce(0, +)
        let mk = Suppression.marks(count.map { [$0] } + [[body.count]], k: k).map { $0[0] }
        var t3 = Table(columns: ["ethnic_group", "enforcement", "share_of_enforcement_pct", "residents", "share_of_residents_pct",
                                 "disproportionality_ratio", "per_1000_residents", "rate_ratio_vs_white"])
        let wi = groups.firstIndex(of: .white) ?? 0
        let whitePop = pop[.white] ?? 0
        let whiteRate = (mk[wi] == .shown && count[wi] >= max(k, 1) && whitePop > 0) ? Double(count[wi]) / whitePop : nil
        for (gi, g) in groups.enumerated() {
            let n = count[gi], p = pop[g] ?? 0
            let usable = mk[gi] == .shown && n >= max(k, 1) && recorded > 0 && p > 0 && popTotal > 0
            let se = Double(n) / Double(max(recorded, 1)), sr = p / max(popTotal, 1)
            t3.rows.append([.string(g.rawValue), Suppression.value(n, mk[gi], k: k),
                            mk[gi] == .shown && recorded > 0 ? .double(100 * se, decimals: 1) : .null,
                            .double(p, decimals: 0), .double(100 * sr, decimals: 1),
                            usable ? .double(se / sr, decimals: 2) : .null,
                            usable ? .double(1000 * Double(n) / p, decimals: 2) : .null,
                            usable && g != .white ? whiteRate.map { .double(Double(n) / p / $0, decimals: 2) } ?? .null : (g == .white && usable ? .double(1, decimals: 2) : .null)])
        }
        t3.rows.append([.string("Not stated or not recorded"), Suppression.value(count[groups.count], mk[groups.count], k: k), .null, .null, .null, .null, .null, .null])
        t3.rows.append([.string("Total"), Suppression.value(body.count, mk[groups.count + 1], k: k), .null, .double(popTotal, decimals: 0), .null, .null, .null, .null])
        let areaList = res.areas.map { "\($0.name) (\($0.id))" }.joined(separator: ", ")
        let note = ([Suppression.note([mk], k: k)].compactMap { $0 } + [
            "Ethnicity as recorded in column '\(rec.header[ei])', grouped as police.uk stop-and-search groups it (Asian, Black, Mixed, Other, White); shares of enforcement are of the \(recorded) record(s) with a group recorded. Residents: \((res.table.path as NSString).lastPathComponent), the \(res.areas.count) area(s) of the '\(res.layer)' layer the restricted area touches: \(areaList). Disproportionality ratio = share of enforcement ÷ share of residents; rate ratio = the group's enforcement per resident ÷ White's. A ratio is given only where the group's count is shown (at least \(max(k, 1))) and, for the rate ratio, White's too; residents are where people live, not who is in the area."
        ]).joined(separator: " ")
        return (t3, note)
    }
}
