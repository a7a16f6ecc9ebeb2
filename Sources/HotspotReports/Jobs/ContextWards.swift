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
                    let (ca, cb) = periodCounts(cube[code]?[.all], ranges)
                    unmatched.append(("ward in \(t.path)", "\(name[code] ?? "") (\(code))", ca + cb))
                }
            }
            let matched = Set(residents.keys), names = Set(name.values.map(key))
            for e in population?.entries ?? [] where !matched.contains(e.code) && !names.contains(key(e.name)) {
                unmatched.append(("population row of \(population!.path)", "\(e.name) (\(e.code))", 0))
            }
        }

        /// One chosen ward's figures for one category, and where they stand among London's wards.
        struct Row {
            var code: String, name: String, borough: String, residents: Double
            var figures: Figures
            /// Percentile ranks among every London ward with residents (nil: no rate, or no change).
            var pctRate: Double?, pctChange: Double?
            var londonWards: Int
            /// A period's count is below the small-count threshold: the change is unstable.
            var small: Bool
        }

        /// The chosen boroughs' wards (by borough, then name) for category `c`, with percentiles among every London
        /// ward with residents; `small` when a period's count is below `small`. The one computation behind
        /// wards.csv and the ward pages.
        func rows(_ ranges: (Range<Int>, Range<Int>), chosen: [String], category c: Category, small: Int) -> [Row] {
            let london = residents.keys.sorted()
            let mine = london.filter { chosen.contains(borough[$0] ?? "") }.sorted { (borough[$0]!, name[$0]!, $0) < (borough[$1]!, name[$1]!, $1) }
            // Every London ward's rate and % change (the test only for the chosen wards), sorted once for the percentiles.
            var rates: [Double] = [], changes: [Double] = []
            for w in london {
                let (a, b) = periodCounts(cube[w]?[c], ranges)
                if let r = Figures.rate(b, residents[w]) { rates.append(r) }
                if let p = CountChange.percentChange(before: a, after: b) { changes.append(p) }
            }
            rates.sort(); changes.sort()
            return mine.map { w in
                let x = figures(cube[w]?[c], ranges, population: residents[w])
                return Row(code: w, name: name[w] ?? "", borough: borough[w] ?? "", residents: residents[w]!, figures: x,
                           pctRate: x.rates.1.map { percentile($0, amongSorted: rates) }, pctChange: x.test.percentChange.map { percentile($0, amongSorted: changes) },
                           londonWards: london.count, small: min(x.counts.0, x.counts.1) < small)
            }
        }

        /// wards.csv: one row per ward of the chosen boroughs per category (`rows`).
        func table(_ ranges: (Range<Int>, Range<Int>), chosen: [String], categories: [Category], small: Int) -> Table {
            var t = Table(columns: ["ward_code", "ward_name", "borough", "population", "level", "major", "minor"] + figureColumns
                          + ["pct_rate", "pct_change", "london_wards", "small"])
            for c in categories {
                for w in rows(ranges, chosen: chosen, category: c, small: small) {
                    t.rows.append([.string(w.code), .string(w.name), .string(w.borough), .double(w.residents, decimals: 0),
                                   .string(c.level), .string(c.major), .string(c.minor)] + cells(w.figures)
                                  + [w.pctRate.map { .double($0, decimals: 1) } ?? .null, w.pctChange.map { .double($0, decimals: 1) } ?? .null,
                                     .int(w.londonWards), .int(w.small ? 1 : 0)])
                }
            }
            return t
        }
    }

    /// Reads the files and populations and computes every table; nothing is written.
    public static func compute(_ o: Options) throws -> Result {
        // The layers are checked whether or not pages are drawn: a mistyped path is an error, never ignored.
        for path in [o.boroughsLayer, o.wardsLayer].compactMap({ $0 }) where !path.hasPrefix("PG:") {
            try InputFile.check(PolygonLayerReader.ogrSource(path)?.0 ?? path)
        }
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
        var wardTable: Table?, unmatched = b.unmatched, wardLevel: WardLevel?, wardRanges: (Range<Int>, Range<Int>)?
        if let wf = wardFiles.first {
            let wr = (try monthRange(o.periods[0], in: wf), try monthRange(o.periods[1], in: wf))
            let w = WardLevel(wf, population: wp, includeCity: o.includeCity, ranges: wr)
            unmatched += w.unmatched
            if wp != nil { wardLevel = w; wardRanges = wr }
            if wp != nil { wardTable = w.table(wr, chosen: chosen, categories: Array(Set(w.cube.values.flatMap(\.keys))).sorted(), small: o.smallCount) }
            else { warnings.append("no ward population (--population wards=FILE): no ward table") }
        }
        if let bf = boroughFiles.first, let wf = wardFiles.first { warnings.append("boroughs and London from \(bf.path) (\(bf.coverage)); wards from \(wf.path) (\(wf.coverage)): separate snapshots, so wards do not sum to their borough exactly") }
        let (series, trends) = ContextJob.series(b, months: source.months, chosen: chosen)
        var un = Table(columns: ["where", "name", "count_both_periods"])
        un.rows = unmatched.map { [.string($0.0), .string($0.1), .int($0.2)] }
        return Result(boroughs: b.table(br, chosen: chosen), wards: wardTable, series: series, trends: trends, unmatched: un,
                      londonDefinition: b.definition, chosen: chosen, sources: tables, populations: [bp, wp].compactMap { $0 }, warnings: warnings,
                      level: b, ranges: br, months: source.months, wardLevel: wardLevel, wardRanges: wardRanges)
    }
}
