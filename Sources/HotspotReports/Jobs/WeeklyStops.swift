import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// The `stops` layer of a weekly or monthly set (a project with `products: stops: {files: [...]}`): per ward, the
/// stop-and-search records dated in the period and their find rate, counted by `StopsTables` as `hotspot stops`
/// counts them (its `stops-wards` layer has the same fields).
///
/// A search is in a period by the UK civil date of its police.uk timestamp (`StopSearchReader`): a week holds the
/// searches dated Monday to Sunday, whichever monthly file they come from, so a week spanning two months needs both
/// files (a month of the period without any search is warned about). `found` counts searches with an outcome other
/// than no further action, `with_outcome` those with a known outcome; `find_rate` = found / with_outcome with its
/// Wilson 95 % interval. Searches without a location and those in no ward are counted in the manifest only.
/// `suppress_below` K blanks counts of 1…K−1, and `found` with the find rate where `found`, `with_outcome` or their
/// difference (no further action) is 1…K−1 or `with_outcome` is blanked; blanked
/// counts get no colour class. Classes: quantiles of searches per ward per period over the set's colour baseline.
struct WeeklyStops {
    var table: Table
    var style: LayerStyle
    /// manifest.json's `stops` entry.
    var manifest: [String: Any]
    var warnings: [String]

    /// The fields of the layer, as `hotspot stops`'s `stops-NAME` layers.
    static let columns = ["id", "name", "searches", "found", "with_outcome", "find_rate", "find_ci_low", "find_ci_high"]

    /// The layer for the period with ordinal `now` of unit `u` (first day `start`, last `end`) over `wards`.
    /// `baseline`: the periods (ordinals, from … to) whose searches per ward fix the colour classes.
    static func compute(files: [String], wards w: LoadedLayer, unit u: WeeklyJob.Unit, now: Int, start: Int, end: Int,
                        baseline: (from: Int, to: Int, text: String), suppressBelow k: Int, gridDirectories: [String]) throws -> WeeklyStops {
        let t = try StopSearchReader.read(files: files)
        let (x, y) = try StopsJob.project(t, gridDirectories: gridDirectories)
        let located = (0..<t.count).map { t.hasLocation($0) }
        let ward = StopsJob.assign(w, x, y, located)
        let ord = t.day.map { u.ordinal(ofDay: Int($0)) }
        let n = Int32(w.areas.count)
        // Scope: each ward, then "no_location" and "outside" (located, in no ward); -1: not dated in the period.
        let member = (0..<t.count).map { i -> Int32 in ord[i] != now ? -1 : !located[i] ? n : ward[i] >= 0 ? ward[i] : n + 1 }
        let scope = StopsScope(name: w.name, ids: w.areas.map(\.id) + ["no_location", "outside"],
                               names: w.areas.map(\.name) + ["no location", "outside every ward"], member: member,
                               population: [[Double]?](repeating: nil, count: w.areas.count + 2))
        let totals = StopsTables.totals(scope)
        let table = properties(w, scope: scope, t: t, totals: totals, k: k)
        let shown = w.areas.indices.map { hidden(totals[$0], k) ? 0 : Double(totals[$0]) }
        let cls = MapStyle.quantiles(shown, baseline: pooled(ward: ward, ord: ord, areas: w.areas.count, baseline: baseline), field: "searches",
                                     title: "Stop and search this \(u.noun) (classes from the baseline \(baseline.text))", ramp: MapStyle.puBu5, decimals: 0)
        var warnings = StopsJob.monthWarnings(t, files: files).map { "stops: " + $0 }
        warnings += gaps(t, start: start, end: end, unit: u)
        let rows = (0..<t.count).filter { member[$0] >= 0 }
        for (col, s) in StopsCodes.unknownSpellings(t, rows: rows).sorted(by: { $0.key < $1.key }) {
            warnings.append("stops: \(col): \(s.values.reduce(0, +)) search(es) with a spelling hotspot does not know (\(s.keys.sorted().prefix(3).map { "'\($0)'" }.joined(separator: ", "))): left out of the find rate")
        }
        warnings += StopsJob.readerWarnings(t).map { "stops: " + $0 }
        let manifest: [String: Any] = [
            "covers": "stop-and-search records dated in the \(u.noun) (the UK civil date of police.uk's timestamp), \(CivilDate.dayLabel(start)) to \(CivilDate.dayLabel(end)), whichever monthly file holds them",
            "searches": rows.count, "in_wards": rows.count - totals[Int(n)] - totals[Int(n) + 1],
            "no_location": totals[Int(n)], "outside_wards": totals[Int(n) + 1],
            "read": t.read, "unreadable_dates": t.unreadableDates, "bad_locations": t.badLocations,
            "find_rate": "found / with_outcome: outcomes other than no further action among searches with a known outcome (Wilson 95 % interval)",
            "suppression": k > 1 ? "counts from 1 to \(k - 1) are blank, and found with the find rate where found, with_outcome or with_outcome − found is" : "none",
            "inputs": try files.map { ["path": $0, "sha256": try Hashing.sha256(file: $0)] }]
        return WeeklyStops(table: table, style: .labelled(.classified(cls), field: "name"), manifest: manifest, warnings: warnings)
    }

    /// A count of 1…K−1 is blanked (K ≤ 1: none).
    static func hidden(_ c: Int, _ k: Int) -> Bool { k > 1 && c > 0 && c < k }

    /// The layer's table: per ward its searches and the `found` find rate of `StopsTables.findRates` (object "All").
    static func properties(_ w: LoadedLayer, scope: StopsScope, t: StopSearchTable, totals: [Int], k: Int) -> Table {
        let found = StopsTables.findRates(scope, t).rows.filter { $0[3] == .string("All") && $0[4] == .string("found") }
        var out = Table(columns: columns)
        for (a, area) in w.areas.enumerated() {
            let f = found[a]
            guard case .int(let fk) = f[5], case .int(let fn) = f[6] else { continue }
            // with_outcome − found (no further action) is a count too: a small one would be given away by the two.
            let blank = hidden(fk, k) || hidden(fn, k) || hidden(fn - fk, k) || hidden(totals[a], k)
            out.rows.append([.string(area.id), .string(area.name), hidden(totals[a], k) ? .null : .int(totals[a]),
                             blank ? .null : .int(fk), hidden(fn, k) || hidden(totals[a], k) ? .null : .int(fn)]
                            + (blank ? [.null, .null, .null] : Array(f[7...9])))
        }
        return out
    }

    /// Searches per ward in each baseline period holding any search, pooled (one value per ward and period).
    static func pooled(ward: [Int32], ord: [Int], areas: Int, baseline b: (from: Int, to: Int, text: String)) -> [Double] {
        var by: [Int: [Double]] = [:]
        for i in ord.indices where ord[i] >= b.from && ord[i] <= b.to {
            if by[ord[i]] == nil { by[ord[i]] = [Double](repeating: 0, count: areas) }
            if ward[i] >= 0 { by[ord[i]]![Int(ward[i])] += 1 }
        }
        return by.keys.sorted().flatMap { by[$0]! }
    }

    /// Warns of a calendar month of the period without any search (a police.uk file not given): the layer then
    /// counts only the period's other days.
    static func gaps(_ t: StopSearchTable, start: Int, end: Int, unit u: WeeklyJob.Unit) -> [String] {
        let held = Set(t.day.map { CivilDate.monthOrdinal(ofDay: Int($0)) })
        let months = Array(Set([start, end].map { CivilDate.monthOrdinal(ofDay: $0) })).sorted()
        return months.filter { !held.contains($0) }.map {
            "stops: no stop-and-search record is dated in \(CivilDate.monthLabel($0)) (a police.uk file not given?): the stops layer of \(u.label(start)) counts only the searches of its other days"
        }
    }
}
