import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// Searches beside street crime (`hotspot stops STOPFILES --crime CRIMEFILES`; in a project file the project's
/// inputs are the crimes and `stops: {files: […]}` the searches): per area of each layer and per grid cell, the
/// searches and crimes, searches per 100 crimes, both per 1,000 residents where the layer has residents, and the
/// rank of each (1 = most; ties share their average rank); per layer, Spearman's rank correlation of searches and
/// crimes over its areas (`SpearmanCorrelation`: Fisher z interval with SE 1.06/√(n−3), t-approximation p).
public struct StopsCrime: Sendable {
    /// searches-vs-crime.csv: the borough, then per scope its areas, `no_location` and `outside`.
    public var table: Table
    /// searches-vs-crime-summary.csv: per scope (layer or grid) n, ρ, its interval and p.
    public var summary: Table
    /// The correlations by scope name, in scope order.
    public var correlations: [(scope: String, r: SpearmanCorrelation)]
    /// The crimes in the analysis (inside the boundary, of --type, within --from/--to).
    public var crimes: Int
    /// The lines summary.txt gains.
    public var lines: [String]
    public var warnings: [String]

    /// How ρ, its interval and p are computed (metadata.json `correlation_method`).
    public static let method = "Spearman's rank correlation of searches and crimes over the areas of each layer (average ranks for ties, as scipy.stats.spearmanr); 95 % CI by Fisher's z with SE 1.06/sqrt(n-3) (Fieller, Hartley & Pearson 1957); two-sided p from t = rho*sqrt((n-2)/(1-rho^2)) on n-2 degrees of freedom"

    public static let columns = ["scope", "area_id", "area_name", "searches", "crimes", "searches_per_100_crimes", "residents",
                                 "searches_per_1000_residents", "crimes_per_1000_residents", "searches_rank", "crimes_rank"]
}

extension StopsJob {
    /// Compares the searches of `r` with the crimes of `job` (the project's incidents) over every scope of `r`.
    static func crimeComparison(_ r: Result, job: JobInputs) -> StopsCrime {
        let crime = job.incidents.table
        var table = Table(columns: StopsCrime.columns)
        var summary = Table(columns: ["scope", "areas", "searches", "crimes", "rho", "ci_low", "ci_high", "p_value"])
        var correlations: [(scope: String, r: SpearmanCorrelation)] = []
        let borough = r.scopes[0]
        let located = StopsTables.totals(borough)[0]
        table.rows.append([.string("borough"), .string("borough"), .string(borough.names[0]), .int(located), .int(crime.count),
                           per(located, crime.count, 100, 2), .null, .null, .null, .null, .null])
        for s in r.scopes.dropFirst() {
            guard let crimes = crimeCounts(s, crime: crime, layers: job.layers, grid: r.grid) else { continue }
            let searches = StopsTables.totals(s)
            let n = s.ids.count - 2
            // The layer's --population when it has one, else the sum of its residents by group (never a mix).
            let total = job.layers.first { $0.name == s.name }?.population
            let residents: [Double?] = (0..<n).map { a in total.map { $0[s.ids[a]] } ?? s.population[a].map { $0.reduce(0, +) } }
            let rs = averageRanks((0..<n).map { Double(searches[$0]) }, descending: true)
            let rc = averageRanks((0..<n).map { Double(crimes[$0]) }, descending: true)
            for a in 0..<n {
                let pop = residents[a]
                table.rows.append([.string(s.name), .string(s.ids[a]), .string(s.names[a]), .int(searches[a]), .int(crimes[a]),
                                   per(searches[a], crimes[a], 100, 2), pop.map { .double($0, decimals: nil) } ?? .null,
                                   perResidents(searches[a], pop), perResidents(crimes[a], pop), .double(rs[a], decimals: 1), .double(rc[a], decimals: 1)])
            }
            table.rows.append([.string(s.name), .string("no_location"), .string("no location"), .int(searches[n]), .null, .null, .null, .null, .null, .null, .null])
            table.rows.append([.string(s.name), .string("outside"), .string(s.names[n + 1]), .int(searches[n + 1]), .int(crimes[n]), .null, .null, .null, .null, .null, .null])
            let c = SpearmanCorrelation((0..<n).map { Double(searches[$0]) }, (0..<n).map { Double(crimes[$0]) })
            correlations.append((s.name, c))
            summary.rows.append([.string(s.name), .int(n), .int(searches[0..<n].reduce(0, +)), .int(crimes[0..<n].reduce(0, +)),
                                 StopsTables.opt(c.rho, 4), StopsTables.opt(c.low, 4), StopsTables.opt(c.high, 4), pValue(c.p)])
        }
        var out = StopsCrime(table: table, summary: summary, correlations: correlations, crimes: crime.count, lines: [], warnings: [])
        out.lines = crimeLines(out, located: located, crime: crime)
        out.warnings = monthCoverageWarnings(r, crime: crime)
        return out
    }

    /// Crimes per area of scope `s` (its areas, then one count of crimes in none), or nil for the borough.
    static func crimeCounts(_ s: StopsScope, crime: IncidentTable, layers: [LoadedLayer], grid: GridProduct?) -> [Int]? {
        let n = s.ids.count - 2
        var counts = [Int](repeating: 0, count: n + 1)
        if let l = layers.first(where: { $0.name == s.name }) {
            for a in l.index.assign(x: crime.x, y: crime.y) { counts[a >= 0 ? Int(a) : n] += 1 }
        } else if s.name == "grid", let product = grid {
            let g = product.choice.grid
            var position: [Int: Int] = [:]
            for (k, c) in product.cells.enumerated() { position[c] = k }
            for i in 0..<crime.count { counts[g.index(x: crime.x[i], y: crime.y[i]).flatMap { position[$0] } ?? n] += 1 }
        } else {
            return nil
        }
        return counts
    }

    /// A p-value to four decimals, or below 0.0001 to three significant digits (1.37e-10).
    static func pValue(_ p: Double?) -> Value {
        guard let p else { return .null }
        guard p < 1e-4, p > 0 else { return .double(p, decimals: 4) }
        // Dividing by a power of ten that is exact (up to 1e22) gives the double nearest the decimal: "1.37e-10".
        let power = pow(10, 2 - floor(log10(p)))
        return .double((p * power).rounded() / power, decimals: nil)
    }

    /// a per `scale` of b (nil when b = 0).
    static func per(_ a: Int, _ b: Int, _ scale: Double, _ decimals: Int) -> Value {
        b > 0 ? .double(Double(a) * scale / Double(b), decimals: decimals) : .null
    }
    static func perResidents(_ k: Int, _ pop: Double?) -> Value {
        guard let pop, pop > 0 else { return .null }
        return .double(Double(k) * 1000 / pop, decimals: 3)
    }

    /// summary.txt's lines on searches beside crime.
    static func crimeLines(_ c: StopsCrime, located: Int, crime: IncidentTable) -> [String] {
        var lines = ["Street crime beside the searches: \(Fmt.grouped(crime.count)) crimes (\(MapJob.types(crime)), \(MapJob.period(crime)));"
                     + " \(Fmt.grouped(located)) located searches = \(c.crimes > 0 ? Fmt.fixed(Double(located) / Double(c.crimes) * 100, 1) : "–") per 100 crimes."]
        for (scope, r) in c.correlations {
            guard let rho = r.rho else {
                lines.append("\(scope): no rank correlation (n = \(r.n) areas; every count tied or fewer than 2 areas)."); continue
            }
            // "−0.23 to 0.67" rather than "-0.23–0.67" when the interval crosses zero.
            let ci = r.low.map { lo in "95 % CI \(Fmt.fixed(lo, 2))\(lo < 0 ? " to " : "–")\(Fmt.fixed(r.high!, 2)), Fisher z; " } ?? ""
            let p = r.p.map { $0 < 0.0001 ? "p < 0.0001" : "p = \(Fmt.fixed($0, 4))" } ?? "p not defined"
            lines.append("\(scope): Spearman's rank correlation of searches and crimes over \(r.n) \(scope == "grid" ? "cells" : "areas") ρ = \(Fmt.fixed(rho, 2)) (\(ci)\(p)).")
        }
        return lines
    }

    /// A warning when the searches and the crimes cover different calendar months (the comparison is then of
    /// different periods).
    static func monthCoverageWarnings(_ r: Result, crime: IncidentTable) -> [String] {
        let t = r.table, b = r.scopes[0]
        func month(_ d: Int32) -> Int { CivilDate.monthOrdinal(ofDay: Int(d)) }
        let sm = Set((0..<t.count).filter { b.member[$0] >= 0 }.map { month(t.day[$0]) })
        let cm = Set(crime.day.map(month))
        guard !sm.isEmpty, !cm.isEmpty, sm != cm else { return [] }
        let label = { (s: Set<Int>) in
            s.count == 1 ? CivilDate.monthLabel(s.min()!) : "\(CivilDate.monthLabel(s.min()!))…\(CivilDate.monthLabel(s.max()!)) (\(Fmt.counted(s.count, "month")) with data)"
        }
        return ["the searches cover \(label(sm)) and the crimes \(label(cm)): searches and crimes are compared over different months (use --from/--to)"]
    }
}

extension StopsJob {
    /// The stop-and-search files of a request: `stops: {files}` when given (the project's inputs are then street
    /// crime), else the project's inputs.
    static func stopFiles(_ p: Project) -> [String] {
        let f = p.products.stops?.files ?? []
        return f.isEmpty ? p.files : f
    }

    /// stops-points, searches-vs-crime*.csv (with crime) and stops-map (with a map); returns what metadata.json
    /// records of them.
    static func writeCrimeAndMap(_ r: inout Result, _ p: Project, job: JobInputs, set: OutputSet) throws -> [String: String] {
        let (x, y) = try project(r.table, gridDirectories: p.gridDirectories)
        try writePoints(r, x: x, y: y, set: set)
        var params: [String: String] = [:]
        if let c = r.crime {
            try set.write("searches-vs-crime.csv", c.table.csv())
            try set.write("searches-vs-crime-summary.csv", c.summary.csv())
            params = ["stop_files": stopFiles(p).joined(separator: ";"), "crime_files": p.files.joined(separator: ";"),
                      "crimes_analysed": "\(c.crimes)", "correlation_method": StopsCrime.method,
                      "quarantine_note": "quarantine.csv and the counts in metadata.json are the crime files' (the project's incidents); the searches are read whole by the stop-and-search reader, their rows without a location kept in the no_location rows of the tables"]
        }
        if let mo = p.products.stops?.map {
            let drawn = try drawMap(r, job: job, x: x, y: y, options: mo, into: set, warnings: &r.warnings)
            params.merge(drawn.parameters) { _, new in new }
        }
        return params
    }
}

extension StopsJob.Result {
    /// Adds searches beside crime: its lines before summary.txt's last line (the caveat on residents), its warnings.
    mutating func attach(_ c: StopsCrime) {
        crime = c
        var lines = summary.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        lines.insert(contentsOf: c.lines, at: max(0, lines.count - 1))
        summary = lines.joined(separator: "\n") + "\n"
        warnings += c.warnings
    }
}
