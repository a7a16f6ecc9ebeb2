import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// Period comparison (e.g. March–September 2019, 2020, 2021): counts, rates per 1,000 residents, change and %
/// change between consecutive periods with the exact test for two Poisson counts, and the borough-wide change
/// beside each area's, per ward, per LSOA, per cell, for a focus list, by crime type.
public enum CompareJob {
    public struct Result {
        public var incidents: LoadedIncidents
        public var tables: [String: Table]
        public var focusMissing: [String]
        public var warnings: [String]
        public var written: [String]
    }

    static let all = "All crime"

    /// Counts per (period, unit, crime type) → the comparison table.
    static func table(units: [(id: String, name: String)], population: [String: Double]?, periods: [Period],
                      categories: [String], counts: [[[Int]]], borough: [[Int]]) -> Table {
        // counts[period][unit][category+1] (index 0 = all crime); borough[period][category+1].
        var cols = ["id", "name", "crime_type"]
        for p in periods { cols += ["count_\(p.name)", "rate_per_1000_\(p.name)"] }
        for k in 1..<max(1, periods.count) {
            let tag = "\(periods[k - 1].name)_to_\(periods[k].name)"
            cols += ["change_\(tag)", "pct_change_\(tag)", "p_\(tag)", "borough_pct_change_\(tag)", "pct_change_vs_borough_\(tag)"]
        }
        var t = Table(columns: cols)
        let types = [all] + categories
        for (u, unit) in units.enumerated() {
            for (c, type) in types.enumerated() {
                if c > 0 && periods.indices.allSatisfy({ counts[$0][u][c] == 0 }) { continue }
                var row: [Value] = [.string(unit.id), .string(unit.name), .string(type)]
                let pop = population?[unit.id]
                for k in periods.indices {
                    let n = counts[k][u][c]
                    row += [.int(n), pop.map { $0 > 0 ? .double(Double(n) / $0 * 1000, decimals: 3) : .null } ?? .null]
                }
                for k in 1..<max(1, periods.count) {
                    let ch = poissonRateTest(before: counts[k - 1][u][c], after: counts[k][u][c],
                                             exposureBefore: Double(periods[k - 1].days), exposureAfter: Double(periods[k].days))
                    let bch = poissonRateTest(before: borough[k - 1][c], after: borough[k][c])
                    row += [.int(ch.change), ch.percentChange.map { .double($0, decimals: 1) } ?? .null, .double(ch.p, decimals: 6),
                            bch.percentChange.map { .double($0, decimals: 1) } ?? .null,
                            (ch.percentChange.flatMap { a in bch.percentChange.map { a - $0 } }).map { .double($0, decimals: 1) } ?? .null]
                }
                t.rows.append(row)
            }
        }
        return t
    }

    /// The periods of `p.products.compare` compared per area of `p.layers`, per focus area (`p.focus`) and per cell,
    /// into `p.out`.
    public static func run(_ req: Project, command: String, inputs: JobInputs? = nil, progress: IncidentReader.Progress? = nil) throws -> Result {
        guard let c = req.products.compare, c.periods.count >= 2 else {
            throw InputError.unusable("compare needs at least two periods, e.g. --period 2019-03..2019-09 --period 2020-03..2020-09")
        }
        let periods = c.periods, focus = req.focus, cell = c.cell, profile = c.profile, out = req.out
        let job = try inputs ?? req.loadInputs(progress: progress)
        let b = job.boundary, inc = job.incidents, layers = job.layers
        var warnings = job.warnings
        let t = inc.table
        let nc = t.categories.count
        // Period of each incident (first matching period; periods may not overlap).
        let periodOf = (0..<t.count).map { i in periods.firstIndex { $0.contains(day: Int(t.day[i])) } ?? -1 }
        for (k, p) in periods.enumerated() {
            if !periodOf.contains(k) { warnings.append("period \(p.name) holds no incidents: check the files cover it"); continue }
            // Months of the period without a single incident: the files probably do not cover them.
            let months = TimeSteps(length: .months(1), days: [Int32(p.first), Int32(p.last)])
            let empty = months.emptySteps(days: t.day)
            if !empty.isEmpty {
                warnings.append("period \(p.name): \(empty.count) of its \(months.count) months hold no incidents (\(months.describe(empty))); check the files cover them, or the period's counts and rates are too low")
            }
        }
        var borough = [[Int]](repeating: [Int](repeating: 0, count: nc + 1), count: periods.count)
        for i in 0..<t.count where periodOf[i] >= 0 { borough[periodOf[i]][0] += 1; borough[periodOf[i]][Int(t.category[i]) + 1] += 1 }
        let set = try OutputSet(directory: out, database: req.database)
        var tables: [String: Table] = [:]
        var focusRows: [[Value]] = []
        let wanted = Set(focus.map { $0.lowercased() })
        var found = Set<String>()
        var profiled = Set<String>()
        var written: [String] = []
        for l in layers {
            let assign = l.index.assign(x: t.x, y: t.y)
            var counts = [[[Int]]](repeating: [[Int]](repeating: [Int](repeating: 0, count: nc + 1), count: l.areas.count), count: periods.count)
            for i in 0..<t.count where periodOf[i] >= 0 && assign[i] >= 0 {
                counts[periodOf[i]][Int(assign[i])][0] += 1
                counts[periodOf[i]][Int(assign[i])][Int(t.category[i]) + 1] += 1
            }
            let tab = table(units: l.areas.map { ($0.id, $0.name) }, population: l.population, periods: periods,
                            categories: t.categories, counts: counts, borough: borough)
            tables[l.name] = tab
            try set.write("compare-\(l.name).csv", tab.csv())
            let allRows = tab.rows.filter { if case .string(let s) = $0[2] { return s == all }; return false }
            // One feature per area (all crime); rows are in area order, one "All crime" row per area.
            try set.writeLayer("compare-\(l.name)", geometries: l.areas.map(\.geometry), properties: Table(columns: tab.columns, rows: allRows),
                               style: .outline(colour: "#555555", widthMM: 0.3, labelField: "name"))
            for r in tab.rows {
                guard case .string(let id) = r[0], case .string(let name) = r[1] else { continue }
                for key in [name.lowercased(), id.lowercased()] where wanted.contains(key) {
                    focusRows.append([.string(l.name)] + r)
                    found.insert(key)
                    break
                }
            }
            if let po = profile {
                for (u, a) in l.areas.enumerated() where wanted.contains(a.name.lowercased()) || wanted.contains(a.id.lowercased()) {
                    guard !profiled.contains(a.id) else { continue }
                    profiled.insert(a.id)
                    let rows = Table(columns: ["layer"] + tab.columns, rows: focusRows.filter { if case .string(let s) = $0[1] { return s == a.id }; return false })
                    written += try ProfilePages.draw(area: a, index: u, layer: l, incidents: t, periods: periods, periodOf: periodOf,
                                                     counts: counts, borough: borough, rows: rows, options: po, into: set)
                }
            }
        }
        let focusMissing = wanted.subtracting(found)
        if !focus.isEmpty {
            var ft = Table(columns: ["layer"] + (tables.values.first?.columns ?? []))
            ft.rows = focusRows
            tables["focus"] = ft
            try set.write("compare-focus.csv", ft.csv())
            if !focusMissing.isEmpty { warnings.append("focus area(s) not found in any layer: \(focusMissing.sorted().joined(separator: ", "))") }
        }
        // Borough-wide.
        let bt = table(units: [("all", b?.areas.first?.name ?? "All areas")], population: nil, periods: periods,
                       categories: t.categories, counts: periods.indices.map { [borough[$0]] }, borough: borough)
        tables["borough"] = bt
        try set.write("compare-borough.csv", bt.csv())
        var gridMeta: SquareGrid?
        if let c = cell {
            let ext = b?.areas.extent ?? t.extent
            guard let ext else { throw GridError.emptyExtent }
            let g = try SquareGrid(covering: ext, cellSize: c)
            gridMeta = g
            var counts = [[[Int]]](repeating: [[Int]](repeating: [0], count: g.cellCount), count: periods.count)
            for i in 0..<t.count where periodOf[i] >= 0 { if let k = g.index(x: t.x[i], y: t.y[i]) { counts[periodOf[i]][k][0] += 1 } }
            let used = (0..<g.cellCount).filter { k in periods.indices.contains { counts[$0][k][0] > 0 } }
            let ct = table(units: used.map { (g.cellID($0), g.cellID($0)) }, population: nil, periods: periods, categories: [],
                           counts: periods.indices.map { p in used.map { counts[p][$0] } }, borough: borough.map { [$0[0]] })
            tables["cells"] = ct
            try set.write("compare-cells.csv", ct.csv())
        }
        var params = ["job": "compare", "periods": periods.map(\.name).joined(separator: ","), "focus": focus.joined(separator: ";"),
                      "test": "exact conditional binomial test of equal Poisson rates, exposure = days in period"]
        if let c = cell { params["cell_m"] = Fmt.number(c) }
        try set.finish(command: command, parameters: params, inputs: job, grid: gridMeta, warnings: warnings)
        return Result(incidents: inc, tables: tables, focusMissing: focusMissing.sorted(), warnings: warnings, written: set.written.map(\.path) + ["metadata.json"])
    }
}
