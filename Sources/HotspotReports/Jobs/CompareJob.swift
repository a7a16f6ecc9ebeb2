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

    /// Counts per (period, unit, crime type) → the comparison table; with `harm` (the sums of a harm table's weights,
    /// `--weights`, in the same layout) a `harm_PERIOD` column follows each `count_PERIOD`.
    static func table(units: [(id: String, name: String)], population: [String: Double]?, periods: [Period],
                      categories: [String], counts: [[[Int]]], borough: [[Int]], harm: [[[Double]]]? = nil) -> Table {
        // counts[period][unit][category+1] (index 0 = all crime); borough[period][category+1].
        var cols = ["id", "name", "crime_type"]
        for p in periods { cols += ["count_\(p.name)"] + (harm == nil ? [] : ["harm_\(p.name)"]) + ["rate_per_1000_\(p.name)"] }
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
                    row += [.int(n)] + (harm.map { [.double($0[k][u][c], decimals: nil)] } ?? [])
                        + [pop.map { $0 > 0 ? .double(Double(n) / $0 * 1000, decimals: 3) : .null } ?? .null]
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

    /// The periods of `p.products.compare` compared per area of `p.layers`, per focus area (`p.focus`) and per cell
    /// (`compute`), into `p.out` (`write`).
    public static func run(_ req: Project, command: String, inputs: JobInputs? = nil) throws -> Result {
        guard let c = req.products.compare, c.periods.count >= 2 else {
            throw InputError.unusable("compare needs at least two periods, e.g. --period 2019-03..2019-09 --period 2020-03..2020-09")
        }
        let job = try inputs ?? req.loadInputs()
        let comparison = try compute(c, focus: req.focus, inputs: job)
        return try write(comparison, into: req, command: command, inputs: job)
    }

    /// A comparison before anything is written.
    struct Comparison {
        /// One area layer's comparison: counts[period][area][category+1] (index 0 = all crime), its table, and the
        /// focus areas to profile (area index, their focus rows so far).
        struct Layer { var layer: LoadedLayer; var counts: [[[Int]]]; var table: Table; var profiles: [(index: Int, rows: Table)] }
        var request: Project.CompareRequest
        /// Each incident's period (−1: none), and borough-wide counts per period and category+1.
        var periodOf: [Int], borough: [[Int]]
        var layers: [Layer]
        /// The focus areas' rows (nil without focus areas), the borough-wide table and the cells' (with their grid).
        var focus: Table?, boroughTable: Table, cells: (grid: SquareGrid, table: Table)?
        /// Every table by name (layer names, `focus`, `borough`, `cells`), as `Result.tables`.
        var tables: [String: Table]
        var focusMissing: Set<String>
        var warnings: [String]
    }

    /// The comparison of `c.periods` over the job's incidents: per area layer, per focus area, borough-wide and per
    /// cell; nothing is written.
    static func compute(_ c: Project.CompareRequest, focus: [String], inputs job: JobInputs) throws -> Comparison {
        let periods = c.periods, t = job.incidents.table
        var warnings = job.warnings
        // Period of each incident (first matching period; periods may not overlap).
        let periodOf = (0..<t.count).map { i in periods.firstIndex { $0.contains(day: Int(t.day[i])) } ?? -1 }
        warnings += coverageWarnings(periods, periodOf: periodOf, days: t.day)
        warnings += VintageWarnings.compareWarnings(job.incidents, periods: periods, periodOf: periodOf)
        var borough = [[Int]](repeating: [Int](repeating: 0, count: t.categories.count + 1), count: periods.count)
        for i in 0..<t.count where periodOf[i] >= 0 { borough[periodOf[i]][0] += 1; borough[periodOf[i]][Int(t.category[i]) + 1] += 1 }
        var tables: [String: Table] = [:]
        var focusRows: [[Value]] = []
        let wanted = Set(focus.map { $0.lowercased() })
        var found = Set<String>(), profiled = Set<String>()
        var layers: [Comparison.Layer] = []
        for l in job.layers {
            let counts = areaCounts(l, t, periodOf: periodOf, periods: periods.count)
            let tab = table(units: l.areas.map { ($0.id, $0.name) }, population: l.population, periods: periods,
                            categories: t.categories, counts: counts, borough: borough,
                            harm: t.harm ? areaHarm(l.index.assign(x: t.x, y: t.y), units: l.areas.count, t, periodOf: periodOf, periods: periods.count) : nil)
            tables[l.name] = tab
            for r in tab.rows {
                guard case .string(let id) = r[0], case .string(let name) = r[1] else { continue }
                for key in [name.lowercased(), id.lowercased()] where wanted.contains(key) {
                    focusRows.append([.string(l.name)] + r)
                    found.insert(key)
                    break
                }
            }
            var profiles: [(index: Int, rows: Table)] = []
            if c.profile != nil {
                for (u, a) in l.areas.enumerated() where wanted.contains(a.name.lowercased()) || wanted.contains(a.id.lowercased()) {
                    guard !profiled.contains(a.id) else { continue }
                    profiled.insert(a.id)
                    profiles.append((u, Table(columns: ["layer"] + tab.columns, rows: focusRows.filter { if case .string(let s) = $0[1] { return s == a.id }; return false })))
                }
            }
            layers.append(.init(layer: l, counts: counts, table: tab, profiles: profiles))
        }
        let focusMissing = wanted.subtracting(found)
        var focusTable: Table?
        if !focus.isEmpty {
            focusTable = Table(columns: ["layer"] + (tables.values.first?.columns ?? []), rows: focusRows)
            tables["focus"] = focusTable
            if !focusMissing.isEmpty { warnings.append("focus area(s) not found in any layer: \(focusMissing.sorted().joined(separator: ", "))") }
        }
        // Borough-wide.
        let bt = table(units: [("all", job.boundary?.areas.first?.name ?? "All areas")], population: nil, periods: periods,
                       categories: t.categories, counts: periods.indices.map { [borough[$0]] }, borough: borough,
                       harm: t.harm ? areaHarm([Int32](repeating: 0, count: t.count), units: 1, t, periodOf: periodOf, periods: periods.count) : nil)
        tables["borough"] = bt
        let cells = try c.cell.map { try cellsTable($0, extent: job.boundary?.areas.extent ?? t.extent, t, periodOf: periodOf, periods: periods, borough: borough) }
        if let cells { tables["cells"] = cells.table }
        return Comparison(request: c, periodOf: periodOf, borough: borough, layers: layers, focus: focusTable, boroughTable: bt, cells: cells,
                          tables: tables, focusMissing: focusMissing, warnings: warnings)
    }

    /// Periods without any incident, and months of a period without any (the files probably do not cover them).
    static func coverageWarnings(_ periods: [Period], periodOf: [Int], days: [Int32]) -> [String] {
        var warnings: [String] = []
        for (k, p) in periods.enumerated() {
            if !periodOf.contains(k) { warnings.append("period \(p.name) holds no incidents: check the files cover it"); continue }
            let months = TimeSteps(length: .months(1), days: [Int32(p.first), Int32(p.last)])
            let empty = months.emptySteps(days: days)
            if !empty.isEmpty {
                warnings.append("period \(p.name): \(empty.count) of its \(months.count) months hold no incidents (\(months.describe(empty))); check the files cover them, or the period's counts and rates are too low")
            }
        }
        return warnings
    }

    /// counts[period][area][category+1] of layer `l` (index 0 = all crime).
    static func areaCounts(_ l: LoadedLayer, _ t: IncidentTable, periodOf: [Int], periods: Int) -> [[[Int]]] {
        let assign = l.index.assign(x: t.x, y: t.y)
        var counts = [[[Int]]](repeating: [[Int]](repeating: [Int](repeating: 0, count: t.categories.count + 1), count: l.areas.count), count: periods)
        for i in 0..<t.count where periodOf[i] >= 0 && assign[i] >= 0 {
            counts[periodOf[i]][Int(assign[i])][0] += 1
            counts[periodOf[i]][Int(assign[i])][Int(t.category[i]) + 1] += 1
        }
        return counts
    }

    /// harm[period][unit][category+1] (index 0 = all crime): the sums of the incidents' harm weights, by the unit
    /// `assign` gives each incident (−1: none).
    static func areaHarm(_ assign: [Int32], units: Int, _ t: IncidentTable, periodOf: [Int], periods: Int) -> [[[Double]]] {
        var harm = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: t.categories.count + 1), count: units), count: periods)
        for i in 0..<t.count where periodOf[i] >= 0 && assign[i] >= 0 {
            harm[periodOf[i]][Int(assign[i])][0] += t.weight(at: i)
            harm[periodOf[i]][Int(assign[i])][Int(t.category[i]) + 1] += t.weight(at: i)
        }
        return harm
    }

    /// The comparison per square cell of `cell` metres over `extent` (the boundary's, else the incidents'), all
    /// crime, the cells holding an incident in some period only.
    static func cellsTable(_ cell: Double, extent: Extent?, _ t: IncidentTable, periodOf: [Int], periods: [Period],
                           borough: [[Int]]) throws -> (grid: SquareGrid, table: Table) {
        guard let ext = extent else { throw GridError.emptyExtent }
        let g = try SquareGrid(covering: ext, cellSize: cell)
        var counts = [[[Int]]](repeating: [[Int]](repeating: [0], count: g.cellCount), count: periods.count)
        for i in 0..<t.count where periodOf[i] >= 0 { if let k = g.index(x: t.x[i], y: t.y[i]) { counts[periodOf[i]][k][0] += 1 } }
        let used = (0..<g.cellCount).filter { k in periods.indices.contains { counts[$0][k][0] > 0 } }
        let ct = table(units: used.map { (g.cellID($0), g.cellID($0)) }, population: nil, periods: periods, categories: [],
                       counts: periods.indices.map { p in used.map { counts[p][$0] } }, borough: borough.map { [$0[0]] })
        return (g, ct)
    }

    /// Writes each layer's table and layer (and the profiles of its focus areas), then the focus, borough-wide and
    /// per-cell tables and metadata.json into `p.out`.
    static func write(_ c: Comparison, into req: Project, command: String, inputs job: JobInputs) throws -> Result {
        let periods = c.request.periods, t = job.incidents.table
        let set = try OutputSet(directory: req.out, database: req.database)
        // With a `context:` section, each profile gets the London context block (MPS files read once).
        let london = try c.request.profile != nil ? req.products.context.map(ContextJob.SectionMaker.init) : nil
        for lc in c.layers {
            let l = lc.layer, tab = lc.table
            try set.write("compare-\(l.name).csv", tab.csv())
            let allRows = tab.rows.filter { if case .string(let s) = $0[2] { return s == all }; return false }
            // One feature per area (all crime); rows are in area order, one "All crime" row per area.
            try set.writeLayer("compare-\(l.name)", geometries: l.areas.map(\.geometry), properties: Table(columns: tab.columns, rows: allRows),
                               style: .outline(colour: "#555555", widthMM: 0.3, labelField: "name"))
            guard let po = c.request.profile else { continue }
            for (u, rows) in lc.profiles {
                _ = try ProfilePages.draw(area: l.areas[u], index: u, layer: l, incidents: t, periods: periods, periodOf: c.periodOf,
                                          counts: lc.counts, borough: c.borough, rows: rows, options: po, into: set)
                if let london { _ = try ProfilePages.drawLondon(london, area: l.areas[u], types: req.read.selection.types.isEmpty ? t.categories : req.read.selection.types, options: po, into: set) }
            }
        }
        if let ft = c.focus { try set.write("compare-focus.csv", ft.csv()) }
        try set.write("compare-borough.csv", c.boroughTable.csv())
        if let cells = c.cells { try set.write("compare-cells.csv", cells.table.csv()) }
        var params = ["job": "compare", "periods": periods.map(\.name).joined(separator: ","), "focus": req.focus.joined(separator: ";"),
                      "test": "exact conditional binomial test of equal Poisson rates, exposure = days in period"]
        if let cell = c.request.cell { params["cell_m"] = Fmt.number(cell) }
        try set.finish(command: command, parameters: params, inputs: job, grid: c.cells?.grid, warnings: c.warnings)
        return Result(incidents: job.incidents, tables: c.tables, focusMissing: c.focusMissing.sorted(), warnings: c.warnings,
                      written: set.written.map(\.path) + ["metadata.json"])
    }
}
