import Foundation
import HotspotCore
import HotspotIO

extension ContextJob {
    /// The ward level: every London ward's figures per category, and the percentiles of the chosen boroughs' wards
    /// among them (of the rate in the second period, and of the % change).
    struct WardLevel {
        var cube: Cube = [:]
        var name: [String: String] = [:], borough: [String: String] = [:]
        /// Ward code → residents, for the wards matched to the population file (by code, else by name).
        var residents: [String: Double] = [:]
        var unmatched: [(String, String, Int)] = []

        init(_ t: MPSCrimeTable, population: ContextPopulation?, includeCity: Bool, ranges: (Range<Int>, Range<Int>)) {
            var isCity: [String: Bool] = [:]
            for r in t.rows {
                if !includeCity, isCity[r.borough] ?? { let c = key(r.borough) == "city of london"; isCity[r.borough] = c; return c }() { continue }
                let code = r.wardCode ?? ""
                add(&cube, area: code, major: r.major, minor: r.minor, counts: r.counts)
                name[code] = r.wardName ?? code; borough[code] = r.borough
            }
            let byCode = Dictionary((population?.entries ?? []).map { ($0.code, $0.residents) }, uniquingKeysWith: { a, _ in a })
            let byName = Dictionary((population?.entries ?? []).map { (key($0.name), $0.residents) }, uniquingKeysWith: { a, _ in a })
            for code in cube.keys.sorted() {
                if let p = byCode[code] ?? byName[key(name[code] ?? "")] { residents[code] = p } else {
                    let n = figures(cube[code]?[.all], ranges, population: nil)
                    unmatched.append(("ward in \(t.path)", "\(name[code] ?? "") (\(code))", n.counts.0 + n.counts.1))
                }
            }
            let matched = Set(residents.keys), names = Set(name.values.map(key))
            for e in population?.entries ?? [] where !matched.contains(e.code) && !names.contains(key(e.name)) {
                unmatched.append(("population row of \(population!.path)", "\(e.name) (\(e.code))", 0))
            }
        }

        /// One row per ward of the chosen boroughs per category, with percentiles among every London ward with
        /// residents; `small` when a period's count is below `small`.
        func table(_ ranges: (Range<Int>, Range<Int>), chosen: [String], categories: [Category], small: Int) -> Table {
            var t = Table(columns: ["ward_code", "ward_name", "borough", "population", "level", "major", "minor"] + figureColumns
                          + ["pct_rate", "pct_change", "london_wards", "small"])
            let london = residents.keys.sorted()
            let mine = london.filter { chosen.contains(borough[$0] ?? "") }.sorted { (borough[$0]!, name[$0]!, $0) < (borough[$1]!, name[$1]!, $1) }
            for c in categories {
                let f = Dictionary(uniqueKeysWithValues: london.map { ($0, figures(cube[$0]?[c], ranges, population: residents[$0])) })
                let rates = london.compactMap { f[$0]?.rates.1 }, changes = london.compactMap { f[$0]?.test.percentChange }
                for w in mine {
                    let x = f[w]!
                    t.rows.append([.string(w), .string(name[w] ?? ""), .string(borough[w] ?? ""), .double(residents[w]!, decimals: 0),
                                   .string(c.level), .string(c.major), .string(c.minor)] + cells(x)
                                  + [x.rates.1.map { .double(percentile($0, among: rates), decimals: 1) } ?? .null,
                                     x.test.percentChange.map { .double(percentile($0, among: changes), decimals: 1) } ?? .null,
                                     .int(london.count), .int(min(x.counts.0, x.counts.1) < small ? 1 : 0)])
                }
            }
            return t
        }
    }

    /// Reads the files and populations and computes every table; nothing is written.
    public static func compute(_ o: Options) throws -> Result {
        let tables = try o.files.map { try MPSCrimeReader.read($0) }
        let wardFiles = tables.filter { $0.level == .ward }, boroughFiles = tables.filter { $0.level == .borough }
        guard wardFiles.count <= 1, boroughFiles.count <= 1, !tables.isEmpty else {
            throw InputError.unusable("give one MPS ward-level file and/or one borough-level file (got \(wardFiles.count) ward-level, \(boroughFiles.count) borough-level)")
        }
        guard o.periods.count == 2, o.periods[0].last < o.periods[1].first else {
            throw InputError.unusable("give two --period, the first before the second, e.g. --period 2024-03..2024-09 --period 2025-03..2025-09")
        }
        let bp = try o.boroughPopulation.map(ContextPopulation.read), wp = try o.wardPopulation.map(ContextPopulation.read)
        let source = boroughFiles.first ?? wardFiles[0]
        let br = (try monthRange(o.periods[0], in: source), try monthRange(o.periods[1], in: source))
        let b = BoroughLevel(source, population: bp, includeCity: o.includeCity, ranges: br)
        let chosen = try resolve(o.boroughs, names: Array(b.cube.keys), population: bp)
        var warnings: [String] = []
        if bp == nil { warnings.append("no borough population (--population boroughs=FILE): counts and changes only, no rates or ranks") }
        var wardTable: Table?, unmatched = b.unmatched
        if let wf = wardFiles.first {
            let wr = (try monthRange(o.periods[0], in: wf), try monthRange(o.periods[1], in: wf))
            let w = WardLevel(wf, population: wp, includeCity: o.includeCity, ranges: wr)
            unmatched += w.unmatched
            if wp != nil { wardTable = w.table(wr, chosen: chosen, categories: Array(Set(w.cube.values.flatMap(\.keys))).sorted(), small: o.smallCount) }
            else { warnings.append("no ward population (--population wards=FILE): no ward table") }
        }
        if let bf = boroughFiles.first, let wf = wardFiles.first { warnings.append("boroughs and London from \(bf.path) (\(bf.coverage)); wards from \(wf.path) (\(wf.coverage)): separate snapshots, so wards do not sum to their borough exactly") }
        let (series, trends) = ContextJob.series(b, months: source.months, chosen: chosen)
        var un = Table(columns: ["where", "name", "count_both_periods"])
        un.rows = unmatched.map { [.string($0.0), .string($0.1), .int($0.2)] }
        return Result(boroughs: b.table(br, chosen: chosen), wards: wardTable, series: series, trends: trends, unmatched: un,
                      londonDefinition: b.definition, chosen: chosen, sources: tables, populations: [bp, wp].compactMap { $0 }, warnings: warnings,
                      level: b, ranges: br, months: source.months)
    }
}
