import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO

/// Stop and search as the pack's enforcement section (`hotspot pspo --stops FILE…`, or `stops: {files}` in the
/// project): police.uk's stop-and-search records dated in the pack's period (`--from`/`--to`, by the UK civil date of
/// their timestamp) and located inside the restricted area, read and counted as `hotspot stops` reads and counts them
/// (`StopSearchReader`, `StopsJob.project`/`assign`, `StopsTables.findRates`), in the pack's tables:
///
/// - `enforcement-by-restriction`: object of search × outcome (police.uk's texts; a blank outcome is "not recorded");
/// - `enforcement-by-characteristic`: type, legislation, age range, gender, officer- and self-defined ethnicity and
///   "outcome linked to object of search", each × outcome;
/// - `enforcement-find-rates`: per object of search (All first), the find rate — k outcomes other than no further
///   action of n with a known outcome — with its Wilson 95 % interval; k or n of 1…K−1 shown as "<K", no share;
/// - `enforcement-vs-residents` (with `--residents`): officer-defined ethnic group against residents, as for records.
///
/// Counts of 1…K−1 are suppressed as in every enforcement table (`Suppression`). Searches without a location cannot
/// be placed inside or outside the area: they are counted in the summary, in no table.
extension PspoEnforcement {
    /// The columns read into the tables: the key (object of search), the outcome, then the characteristics;
    /// officer-defined ethnicity first, so that `vsResidents` uses it.
    static let stopColumns = ["Object of search", "Outcome", "Type", "Legislation", "Age range", "Gender", "Officer-defined ethnicity",
                              "Self-defined ethnicity", "Outcome linked to object of search"]

    static func fromStops(_ files: [String], area: MultiPolygon, from: Int?, to: Int?, k: Int, residents: PspoEvidence.Residents?,
                          gridDirectories: [String]) throws -> PspoEnforcement {
        let t = try StopSearchReader.read(files: files)
        guard t.count > 0 else {
            throw InputError.unusable("--stops \(files.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")): no search in the file(s); give police.uk stop-and-search files with rows")
        }
        let (x, y) = try StopsJob.project(t, gridDirectories: gridDirectories)
        let located = (0..<t.count).map { t.hasLocation($0) }
        let index = try AreaIndex(areas: [Area(id: "area", name: "restricted area", geometry: area)])
        let idx = (0..<t.count).filter { located[$0] }
        let assigned = index.assign(x: idx.map { x[$0] }, y: idx.map { y[$0] })
        var inArea = [Int32](repeating: -1, count: t.count)
        for (j, i) in idx.enumerated() { inArea[i] = assigned[j] }
        let lo = Int32(clamping: from ?? Int(Int32.min)), hi = Int32(clamping: to ?? Int(Int32.max))
        let dated = (0..<t.count).map { t.day[$0] >= lo && t.day[$0] <= hi }
        // One scope, the area: as `hotspot stops` scopes its areas (StopsScope), -1 for a search not counted.
        let scope = StopsScope(name: "restricted_area", ids: ["area"], names: ["restricted area"],
                               member: (0..<t.count).map { dated[$0] && inArea[$0] >= 0 ? 0 : -1 }, population: [nil])
        let rows = (0..<t.count).filter { scope.member[$0] >= 0 }
        let cols = stopColumns.map { t.column($0) }
        // A blank object of search or outcome is "not recorded" (characteristics: the tally names blanks so).
        let body = rows.map { i in cols.enumerated().map { c, col in col.text(i).isEmpty && c <= 1 ? "not recorded" : col.text(i) } }
        var rec = Records(header: stopColumns, body: body, restriction: 0, outcome: 1, skip: [0, 1])
        rec.rowLabel = "object_of_search"
        let noLocation = (0..<t.count).filter { dated[$0] && !located[$0] }.count
        let period = [from, to].map { $0.map(CivilDate.dayLabel) ?? "…" }.joined(separator: " to ")
        let names = files.map { ($0 as NSString).lastPathComponent }
        let summary = "Source: police.uk stop and search (\(files.count) file(s): \(names.prefix(3).joined(separator: ", "))\(names.count > 3 ? ", …" : "")). "
            + "\(Suppression.count(rows.count, k: k)) search(es) inside the restricted area dated in the pack's period, \(period) (the UK civil date of each search); \(noLocation) search(es) of the period without a location could not be placed and are in no table. Only counts are shown, never a person's record."
        var e = tables(rec, summary: summary + missingMonths(t, from: from, to: to), k: k, residents: residents)
        e.captions = ("Stop and search inside the area by object of search and outcome (police.uk).",
                      "Stop and search outcomes by recorded characteristic (police.uk; ethnicity officer-defined and self-defined).",
                      "Each officer-defined ethnic group's share of the searches beside its share of the residents of the areas the restricted area touches.")
        (e.findRates, e.findRatesNote) = findRateTable(scope, t, k: k, withheld: revealing(e.byRestriction, byCharacteristic: e.byCharacteristic))
        return e
    }

    /// " No search at all is dated in 2018-04, 2018-05: …" for the months of the pack's period without a single search
    /// anywhere in the files (a month's file is probably missing; its searches would be missing from every table).
    static func missingMonths(_ t: StopSearchTable, from: Int?, to: Int?) -> String {
        guard let from, let to, from <= to else { return "" }
        let held = Set(t.day.map { CivilDate.monthOrdinal(ofDay: Int($0)) })
        let missing = (CivilDate.monthOrdinal(ofDay: from)...CivilDate.monthOrdinal(ofDay: to)).filter { !held.contains($0) }
        guard !missing.isEmpty else { return "" }
        return " No search at all is dated in \(missing.map(CivilDate.monthLabel).joined(separator: ", ")) of the pack's period: a month's file is probably missing, and its searches are in no table."
    }

    /// The find rates ("OBJECT|measure"; `All` for the total row) that would give a withheld cell away: `found`'s k
    /// and n follow from the object's row total, its no-further-action cells and its cells outside k and n (not
    /// recorded, unknown spellings) in `byObject`, so they are shown only when all of those are; `linked`'s (All)
    /// from the True and False totals of "Outcome linked to object of search" in `byCharacteristic`.
    static func revealing(_ byObject: Table, byCharacteristic: Table) -> Set<String> {
        var out = Set<String>()
        for row in byCharacteristic.rows where row[0] == .string("Outcome linked to object of search") && row[1] != .string("Total") {
            if case .string(let v) = row[row.count - 1], v.hasPrefix("<") || v == "*", case .string(let value) = row[1], StopsCodes.linked(value) != nil {
                out.insert("All|linked")
            }
        }
        for row in byObject.rows {
            guard case .string(let label) = row[0] else { continue }
            for (j, col) in byObject.columns.enumerated().dropFirst() {
                guard case .string(let v) = row[j], v.hasPrefix("<") || v == "*" else { continue }
                let outcome = col == "not recorded" ? "" : col
                if col == "total" || StopsCodes.found(outcome) != true { out.insert((label == "Total" ? "All" : label) + "|found") }
            }
        }
        return out
    }

    /// `enforcement-find-rates`: `StopsTables.findRates` of the area in percent, suppressed below `k` and wherever
    /// it would give a withheld cell of `byObject` (object of search × outcome) away.
    static func findRateTable(_ scope: StopsScope, _ t: StopSearchTable, k: Int, withheld: Set<String>) -> (Table, String) {
        var out = Table(columns: ["object_of_search", "measure", "k", "n", "share_pct", "ci_low_pct", "ci_high_pct"])
        var hidden = 0
        func small(_ v: Int) -> Bool { k > 1 && v > 0 && v < k }
        for r in StopsTables.findRates(scope, t).rows {
            guard case .int(let kk) = r[5], case .int(let n) = r[6], n > 0 || r[3] == .string("All") else { continue }
            let label: Value = r[3] == .string("(blank)") ? .string("not recorded") : r[3]
            guard case .string(let name) = label else { continue }
            // n − k (no further action, or False) is a count too: a small one would be given away; so would a cell
            // the object × outcome table withholds.
            guard case .string(let measure) = r[4] else { continue }
            let guarded = withheld.contains(name + "|" + measure)
            let hide = small(kk) || small(n) || small(n - kk) || guarded
            if hide { hidden += 1 }
            func pct(_ v: Value) -> Value { if case .double(let d, _) = v, !hide { return .double(100 * d, decimals: 1) }; return .null }
            out.rows.append([label, r[4], hide && !small(n) ? .string("*") : small(kk) ? .string("<\(k)") : .int(kk),
                             small(n) ? .string("<\(k)") : guarded ? .string("*") : .int(n),
                             pct(r[7]), pct(r[8]), pct(r[9])])
        }
        var note = "found: k searches with an outcome other than no further action (\(StopsCodes.noFurtherAction.sorted().joined(separator: "; "))) of n with a known outcome; linked: k with \"outcome linked to object of search\" True of n True or False (blank in the Met's files of 2018: n = 0). 95 % intervals by the Wilson score method."
        if hidden > 0 { note += " k or n of 1 to \(k - 1) is shown as <\(k), and k (and n) as * where n − k is 1 to \(k - 1) or the table of objects withholds a cell they would give away, without a share (\(hidden) row\(hidden == 1 ? "" : "s"))." }
        return (out, note)
    }
}
