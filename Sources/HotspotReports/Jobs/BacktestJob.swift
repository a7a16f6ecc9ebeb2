import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// Which hotspot parameters would have predicted best on the user's own data: rolling-origin evaluation (train on a
/// window, test on the one after it, at several origins) of every candidate — KDE bandwidth × cell size × threshold,
/// and Gi* hot cells per cell size — scored by hit rate, PAI (Chainey, Tompson & Uhlig 2008) and RRI (Levine 2008).
/// Test windows never reach the training surface. The recommendation is the candidate with the best median PAI over
/// the origins (ties: the larger bandwidth, then the larger cell, then the smaller threshold); an origin whose test
/// window holds fewer than `minTest` incidents is reported and left out of the medians.
public enum BacktestJob {
    /// A training or test window length: calendar months or days (`6months`, `12weeks`, `90days`).
    public enum Window: Sendable, Equatable {
        case months(Int), days(Int)
        public init?(parsing s: String) {
            let l = s.lowercased(), digits = l.prefix { $0.isNumber }
            guard let n = Int(digits.isEmpty ? "1" : String(digits)), n > 0, n <= 240 else { return nil }
            switch l.dropFirst(digits.count) {
            case "month", "months": self = .months(n)
            case "week", "weeks": self = .days(7 * n)
            case "day", "days": self = .days(n)
            default: return nil
            }
        }
        public var description: String {
            switch self { case .months(let n): return "\(n) month\(n == 1 ? "" : "s")"; case .days(let n): return n % 7 == 0 ? "\(n / 7) weeks" : "\(n) days" }
        }
    }

    public struct Options: Sendable {
        /// "6 months → 6 months", or "2 explicit pairs".
        public var windowsDescription: String { pairs.isEmpty ? "\(train.description) → \(test.description)" : "\(pairs.count) explicit pair\(pairs.count == 1 ? "" : "s")" }
        public var train = Window.months(6), test = Window.months(6)
        /// Between origins (default: the test window, so test windows do not overlap).
        public var step: Window?
        /// Explicit (train, test) pairs instead of rolling origins, e.g. March–September 2018 → 2022.
        public var pairs: [(Period, Period)] = []
        public var bandwidths: [Double] = [100, 150, 200, 300, 400, 600, 800]
        public var cells: [Double] = [50, 100, 200]
        public var thresholds: [HotspotThreshold] = [.topCells(percent: 1), .topCells(percent: 2), .topCells(percent: 5), .topCells(percent: 10)]
        /// Also score Gi* hot cells (95 % confidence after FDR, neighbours within cell × √2) per cell size.
        public var gistar = true
        /// Also score Local Moran's I High-High cells (p < 0.05, 999 permutations, queen: neighbours within cell × √2).
        public var moran = true
        /// Also score optimized hot spots (`OptimizedJob.findScale` on the training counts, Gi* hot at 95 % after FDR).
        public var optimized = true
        /// Also score emerging hot spot analysis of the training window (monthly steps): the cells in a hot category
        /// but Historical (New, Consecutive, Intensifying, Persistent, Diminishing, Sporadic, Oscillating).
        public var emerging = true
        /// Also score prospective (recency-weighted) surfaces: each KDE bandwidth × each window, the training
        /// incidents weighted by ProMap's 1 / (1 + age) on the training window's last day (`recencyWeights`); empty
        /// leaves them out.
        public var recency: [RecencyWindow] = [.months(2), .months(6)]
        public var kernel = Kernel.quartic
        public var minTest = 20
        public var maxCells = Limits.defaultMaxCells
        public init() {}
    }

    public struct Origin: Sendable { public var train: Period, test: Period, nTrain: Int, nTest: Int, tooFew: Bool }
    public struct Candidate: Sendable, Equatable {
        public var predictor: String, cell: Double, bandwidth: Double?, threshold: String
        /// The share of the study area a `top:P` threshold asks for (P/100); nil for other thresholds.
        public var targetShare: Double?
        /// The recency window of a prospective candidate; nil for the others.
        public var recency: RecencyWindow? = nil
        public var label: String {
            switch predictor {
            case "kde": return "KDE \(Fmt.number(cell)) m, h \(Fmt.number(bandwidth ?? 0)) m, \(threshold)"
            case "gistar": return "Gi* \(Fmt.number(cell)) m, \(threshold)"
            case "moran": return "Local Moran \(Fmt.number(cell)) m, \(threshold)"
            case "prospective": return "Prospective KDE \(Fmt.number(cell)) m, h \(Fmt.number(bandwidth ?? 0)) m, \(recency?.description ?? ""), \(threshold)"
            case "optimized": return "Optimized hot spots \(Fmt.number(cell)) m, \(threshold)"
            default: return "Emerging hot spots \(Fmt.number(cell)) m, \(threshold)"
            }
        }
    }
    public struct Score: Sendable {
        public var captured: Int, hotCells: Int, hitRate: Double, pai: Double, rri: Double?
        /// The hot area's share of the study area (a / A in the PAI).
        public var areaShare: Double
    }

    public struct Result {
        public var incidents: LoadedIncidents
        public var origins: [Origin]
        public var candidates: [Candidate]
        /// scores[candidate][origin]
        public var scores: [[Score]]
        public var best: Int
        public var rule: String
        public var summary: Table, perOrigin: Table
        public var warnings: [String]
        public var written: [String]
        public var recommended: Candidate { candidates[best] }
    }

    /// The median of the finite values (NaN when there are none).
    public static func median(_ v: [Double]) -> Double {
        let s = v.filter { $0.isFinite }.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// The (train, test) windows: explicit pairs, else rolling origins from the first date the training window fits.
    static func windows(_ o: Options, first: Int, last: Int) -> [(Period, Period)] {
        if !o.pairs.isEmpty { return o.pairs }
        var out: [(Period, Period)] = []
        func p(_ a: Int, _ b: Int) -> Period { Period(name: "\(CivilDate.dayLabel(a))..\(CivilDate.dayLabel(b))", first: a, last: b) }
        switch (o.train, o.test, o.step ?? o.test) {
        case let (.months(tr), .months(te), .months(st)):
            let f = CivilDate.monthOrdinal(ofDay: first), l = CivilDate.monthOrdinal(ofDay: last)
            func day(_ m: Int) -> Int { CivilDate.days(year: m / 12, month: m % 12 + 1, day: 1) }
            var origin = f + tr
            while origin + te - 1 <= l {
                let trainP = Period(name: "\(CivilDate.monthLabel(origin - tr))..\(CivilDate.monthLabel(origin - 1))", first: day(origin - tr), last: day(origin) - 1)
                let testP = Period(name: "\(CivilDate.monthLabel(origin))..\(CivilDate.monthLabel(origin + te - 1))", first: day(origin), last: day(origin + te) - 1)
                out.append((trainP, testP))
                origin += st
            }
        default:
            func days(_ w: Window) -> Int { if case .days(let n) = w { return n }; if case .months(let n) = w { return 30 * n }; return 0 }
            let tr = days(o.train), te = days(o.test), st = days(o.step ?? o.test)
            var origin = first + tr
            while origin + te - 1 <= last {
                out.append((p(origin - tr, origin - 1), p(origin, origin + te - 1)))
                origin += st
            }
        }
        return out
    }

    /// Scores every candidate at every origin; nothing is written.
    public static func evaluate(_ job: JobInputs, _ o: Options) throws -> (origins: [Origin], candidates: [Candidate], scores: [[Score]], warnings: [String]) {
        let t = job.incidents.table
        guard let lo = t.day.min(), let hi = t.day.max() else { throw InputError.unusable("no accepted incidents to backtest") }
        let wins = windows(o, first: Int(lo), last: Int(hi))
        guard !wins.isEmpty else {
            throw InputError.unusable("the data (\(CivilDate.dayLabel(Int(lo))) … \(CivilDate.dayLabel(Int(hi)))) are too short for a \(o.train.description) training window followed by a \(o.test.description) test window: shorten --train/--test or give more months")
        }
        var warnings: [String] = []
        let split = OriginSplit(t, windows: wins, minTest: o.minTest, warnings: &warnings)
        var candidates: [Candidate] = [], scores: [[Score]] = []
        let windows = recency(o, t, warnings: &warnings)
        for c in o.cells {
            let g = try CellGrid(job, cell: c, maxCells: o.maxCells, split: split)
            for (candidate, s) in g.kde(o) { candidates.append(candidate); scores.append(s) }
            for (candidate, s) in g.kde(o, recency: windows) { candidates.append(candidate); scores.append(s) }
            if o.gistar {
                let gs = g.gistar()
                candidates.append(Candidate(predictor: "gistar", cell: c, bandwidth: nil, threshold: "hot at 95% (FDR)", targetShare: nil))
                scores.append(gs)
            }
            if o.moran {
                candidates.append(Candidate(predictor: "moran", cell: c, bandwidth: nil, threshold: "High-High at p < 0.05", targetShare: nil))
                scores.append(g.moran())
            }
            if o.optimized {
                candidates.append(Candidate(predictor: "optimized", cell: c, bandwidth: nil, threshold: "hot at 95% (FDR), band from the data", targetShare: nil))
                scores.append(g.optimized())
            }
            if o.emerging {
                let es = g.emerging(warnings: &warnings)
                candidates.append(Candidate(predictor: "emerging", cell: c, bandwidth: nil, threshold: "hot categories (not Historical)", targetShare: nil))
                scores.append(es)
            }
        }
        return (split.origins, candidates, scores, warnings)
    }

    /// The recency windows the data can use: weeks need daily-dated incidents (monthly ones are dropped with a
    /// warning, as every incident of a month carries its first day).
    static func recency(_ o: Options, _ t: IncidentTable, warnings: inout [String]) -> [RecencyWindow] {
        guard t.resolution == .month else { return o.recency }
        let weeks = o.recency.filter { if case .weeks = $0 { return true }; return false }
        if !weeks.isEmpty {
            warnings.append("prospective candidates in weeks (\(weeks.map(\.description).joined(separator: ", "))) left out: the incidents are dated by month only; give the recency in months")
        }
        return o.recency.filter { if case .months = $0 { return true }; return false }
    }

    /// The origins and the incidents (table indices) of each one's training and test windows. An origin with fewer
    /// than `minTest` test incidents (or fewer than 2 training ones) is reported (a warning) and marked too few.
    struct OriginSplit {
        var origins: [Origin] = []
        var train: [[Int]] = [], test: [[Int]] = []
        init(_ t: IncidentTable, windows wins: [(Period, Period)], minTest: Int, warnings: inout [String]) {
            for (tr, te) in wins {
                let a = (0..<t.count).filter { Int(t.day[$0]) >= tr.first && Int(t.day[$0]) <= tr.last }
                let b = (0..<t.count).filter { Int(t.day[$0]) >= te.first && Int(t.day[$0]) <= te.last }
                let few = b.count < minTest || a.count < 2
                if few { warnings.append("origin \(te.name): \(a.count) training and \(b.count) test incidents, fewer than needed (\(minTest) to test); reported, left out of the medians") }
                origins.append(Origin(train: tr, test: te, nTrain: a.count, nTest: b.count, tooFew: few))
                train.append(a); test.append(b)
            }
        }
    }

    /// One cell size of the backtest: the grid (sfhotspot's anchoring, over the incidents), its mask by the boundary,
    /// each incident's cell (−1 outside), and the scores of each predictor's hot cells at every origin.
    struct CellGrid {
        let t: IncidentTable, split: OriginSplit
        let cell: Double, grid: SquareGrid, mask: [Bool]?
        /// Cells of the study area (in the mask; all without a boundary), and each incident's cell.
        let eligible: Int, cellOf: [Int]

        init(_ job: JobInputs, cell c: Double, maxCells: Int, split: OriginSplit) throws {
            let t = job.incidents.table
            self.t = t; self.split = split; cell = c
            let product = try GridProduct.compute(t, cellSize: c, rule: .sfhotspot, boundary: job.boundary, clip: false, cellLimit: maxCells, extent: nil)
            let g = product.choice.grid
            let mask = try job.boundary.map { try GridProduct.mask($0, grid: g) }
            grid = g; self.mask = mask
            eligible = mask.map { $0.filter { $0 }.count } ?? g.cellCount
            cellOf = (0..<t.count).map { g.index(x: t.x[$0], y: t.y[$0]) ?? -1 }
        }

        /// Hot cells `hot` scored at origin `k`: the test incidents they capture, hit rate, PAI and RRI (against the
        /// training incidents), and their share of the study area.
        func score(_ hot: [Int], _ k: Int) -> Score {
            let c = cell, trainIdx = split.train, testIdx = split.test
            let set = Set(hot)
            let n2 = testIdx[k].filter { set.contains(cellOf[$0]) }.count, n1 = trainIdx[k].filter { set.contains(cellOf[$0]) }.count
            let a = hotspotAccuracy(capturedLater: n2, totalLater: testIdx[k].count, areaM2: Double(hot.count) * c * c,
                                    studyAreaM2: Double(eligible) * c * c, capturedEarlier: n1, totalEarlier: trainIdx[k].count)
            return Score(captured: n2, hotCells: hot.count, hitRate: a.hitRate, pai: a.pai, rri: a.rri, areaShare: Double(hot.count) / Double(max(1, eligible)))
        }

        /// The KDE candidates (bandwidth by bandwidth, threshold by threshold) with their scores: one surface of the
        /// training incidents per bandwidth and origin, shared by the thresholds. With `recency` windows, the
        /// prospective candidates instead: one surface per window × bandwidth, the training incidents weighted by
        /// `recencyWeights` on the training window's last day (no window: none).
        func kde(_ o: Options, recency windows: [RecencyWindow]? = nil) -> [(Candidate, [Score])] {
            let nt = o.thresholds.count, nb = o.bandwidths.count
            let recency: [RecencyWindow?] = windows ?? [nil]
            var kdeScores = [[Score]](repeating: [], count: recency.count * nb * nt)
            for k in split.origins.indices {
                let x = split.train[k].map { t.x[$0] }, y = split.train[k].map { t.y[$0] }
                let w = t.weight.isEmpty ? [] : split.train[k].map { t.weight[$0] }
                for (ri, r) in recency.enumerated() {
                    let rw = r.map { recencyWeights(days: split.train[k].map { t.day[$0] }, reference: split.origins[k].train.last, window: $0, base: w).weights } ?? w
                    for (bi, h) in o.bandwidths.enumerated() {
                        let s = kernelDensity(x: x, y: y, weights: rw, grid: grid, parameters: KDEParameters(bandwidth: h, kernel: o.kernel, unit: .perKm2, mode: .auto), mask: mask)
                        for (ti, th) in o.thresholds.enumerated() {
                            kdeScores[(ri * nb + bi) * nt + ti].append(score(selectHotCells(s, threshold: th).cells, k))
                        }
                    }
                }
            }
            var out: [(Candidate, [Score])] = []
            for (ri, r) in recency.enumerated() {
                for (bi, h) in o.bandwidths.enumerated() {
                    for (ti, th) in o.thresholds.enumerated() {
                        var target: Double?
                        if case .topCells(let pct) = th { target = pct / 100 }
                        out.append((Candidate(predictor: r == nil ? "kde" : "prospective", cell: cell, bandwidth: h, threshold: th.description, targetShare: target, recency: r),
                                    kdeScores[(ri * nb + bi) * nt + ti]))
                    }
                }
            }
            return out
        }

        /// Gi* hot cells (95 % confidence after FDR, neighbours within cell × √2) of each origin's training incidents.
        func gistar() -> [Score] {
            split.origins.indices.map { k in
                var counts = [Double](repeating: 0, count: grid.cellCount)
                for i in split.train[k] where cellOf[i] >= 0 { counts[cellOf[i]] += 1 }
                let gi = giStar(grid: grid, values: counts, radius: cell * 2.0.squareRoot() * 1.000001, mask: mask)
                let bins = gi.bins(fdr: true)
                return score((0..<grid.cellCount).filter { bins[$0] >= 2 }, k)
            }
        }

        /// Local Moran's I High-High cells (p < 0.05, 999 seeded permutations, row-standardised queen weights: the
        /// cells within cell × √2, in the mask) of each origin's training incidents.
        func moran() -> [Score] {
            let cells = (0..<grid.cellCount).filter { mask?[$0] ?? true }
            var position = [Int](repeating: -1, count: grid.cellCount)
            for (t, k) in cells.enumerated() { position[k] = t }
            let all = GiStarJob.gridNeighbours(grid, radius: cell * 2.0.squareRoot(), mask: mask)
            let nb = Neighbourhood(lists: cells.map { k in all[k].map { position[$0] } })
            return split.origins.indices.map { k in
                var counts = [Double](repeating: 0, count: cells.count)
                for i in split.train[k] where cellOf[i] >= 0 && position[cellOf[i]] >= 0 { counts[position[cellOf[i]]] += 1 }
                guard cells.count > 1 else { return score([], k) }
                let lm = localMoran(values: counts, neighbourhood: nb, permutations: 999, seed: Limits.defaultSeed, adjustment: .none)
                return score(cells.indices.filter { lm.cluster[$0] == 1 }.map { cells[$0] }, k)
            }
        }

        /// Emerging hot spots of each origin's training window alone (monthly steps, on this grid): the cells in a hot
        /// category but Historical. A window of fewer than 2 months gets blank scores and a warning.
        func emerging(warnings: inout [String]) -> [Score] {
            var es: [Score] = []
            for (k, og) in split.origins.enumerated() {
                let days = split.train[k].map { t.day[$0] }
                let steps = TimeSteps(length: .months(1), days: days, anchor: og.train.first, end: og.train.last)
                guard steps.count >= 2, !days.isEmpty else {
                    warnings.append("emerging hot spots, origin \(og.test.name): the training window spans \(steps.count) month(s), fewer than 2; its scores are blank")
                    es.append(Score(captured: 0, hotCells: 0, hitRate: .nan, pai: .nan, rri: nil, areaShare: .nan)); continue
                }
                let loc = split.train[k].map { i -> Int32 in cellOf[i] >= 0 && (mask?[cellOf[i]] ?? true) ? Int32(cellOf[i]) : -1 }
                let cube = SpaceTimeCube(steps: steps, locations: grid.cellCount, location: loc, days: days, weights: [])
                let st = spaceTimeGiStar(grid: grid, cube: cube, radius: cell * 2.0.squareRoot() * 1.000001, window: 1, mask: mask)
                let results = classifyEmerging(z: st.z, p: st.p, counts: cube.counts, options: EmergingOptions())
                es.append(score((0..<grid.cellCount).filter { (mask?[$0] ?? true) && results[$0].pattern.rawValue >= 1 && results[$0].pattern.rawValue <= 7 }, k))
            }
            return es
        }
    }

    /// Whether a candidate may be recommended: a KDE candidate whose hot area reaches at least 90 % of what its
    /// `top:P` threshold asks for (a bandwidth so small that the surface is zero over most cells would otherwise win
    /// on PAI by shrinking its own area). Gi* candidates are scored for comparison, not recommended: their area is
    /// whatever the test finds significant.
    public static func eligible(_ c: Candidate, _ s: [Score], usable: [Int]) -> Bool {
        guard c.predictor == "kde" || c.predictor == "prospective" else { return false }
        guard let target = c.targetShare else { return true }
        return median(usable.map { s[$0].areaShare }) >= 0.9 * target
    }

    /// The eligible candidate with the best median PAI over the usable origins; ties to the larger bandwidth, the
    /// larger cell, then the smaller hot area.
    public static func pick(_ candidates: [Candidate], _ scores: [[Score]], usable: [Int]) -> Int {
        let med = scores.map { s in median(usable.map { s[$0].pai }) }
        let ok = candidates.indices.map { eligible(candidates[$0], scores[$0], usable: usable) }
        let key = candidates.indices.map { i -> (Double, Double, Double, Double) in
            let m = ok[i] && med[i].isFinite ? med[i] : -1
            let share = median(usable.map { Double(scores[i][$0].hotCells) })
            return ((m * 1e6).rounded() / 1e6, candidates[i].bandwidth ?? 0, candidates[i].cell, -(share.isFinite ? share : 0))
        }
        return candidates.indices.max { key[$0] < key[$1] || (key[$0] == key[$1] && $0 > $1) } ?? 0
    }

    /// The backtest of options `o` over the project's incidents (`compute`), written into `p.out` (`write`).
    public static func run(_ p: Project, options o: Options, command: String, inputs: JobInputs? = nil) throws -> Result {
        let job = try inputs ?? p.loadInputs(layers: false)
        var r = try compute(job, options: o)
        r.written = try write(r, options: o, into: p, command: command, inputs: job)
        return r
    }

    /// Every candidate scored at every origin, the recommendation (`pick`) and the summary and per-origin tables;
    /// nothing is written (`written` is empty). Refused when no origin has enough test incidents.
    public static func compute(_ job: JobInputs, options o: Options) throws -> Result {
        let (origins, candidates, scores, w) = try PhaseProgress.phase("backtest", total: 1, unit: "steps") { try evaluate(job, o) }
        var warnings = job.warnings + w + VintageWarnings.warnings(job.incidents)  // training and test windows across a break
        let usable = origins.indices.filter { !origins[$0].tooFew }
        if usable.isEmpty { throw InputError.unusable("no origin has enough incidents to test on (\(o.minTest) or more in the test window): lower --min-test or use longer windows") }
        if usable.count < 3 { warnings.append("only \(usable.count) usable origin(s): the medians rest on very little; more months or shorter windows give a steadier choice") }
        let best = pick(candidates, scores, usable: usable)
        let rule = "best median PAI over \(usable.count) origin(s) among the KDE and prospective candidates whose hot area reaches 90% of their threshold's; ties to the larger bandwidth, then the larger cell"
        func stats(_ v: [Double]) -> [Value] {
            let f = v.filter { $0.isFinite }
            return [.double(median(f), decimals: 3), .double(f.min() ?? .nan, decimals: 3), .double(f.max() ?? .nan, decimals: 3)]
        }
        var summary = Table(columns: ["predictor", "cell_m", "bandwidth_m", "recency", "threshold", "origins", "hit_rate_median", "hit_rate_min", "hit_rate_max",
                                      "pai_median", "pai_min", "pai_max", "rri_median", "rri_min", "rri_max", "area_pct_median", "eligible", "recommended"])
        for (i, c) in candidates.enumerated() {
            let s = usable.map { scores[i][$0] }
            summary.rows.append([.string(c.predictor), .double(c.cell, decimals: nil), c.bandwidth.map { .double($0, decimals: nil) } ?? .null, c.recency.map { .string($0.token) } ?? .null, .string(c.threshold),
                                 .int(s.count)] + stats(s.map(\.hitRate)) + stats(s.map(\.pai)) + stats(s.map { $0.rri ?? .nan })
                                + [.double(100 * median(s.map(\.areaShare)), decimals: 2), .int(eligible(c, scores[i], usable: usable) ? 1 : 0), .int(i == best ? 1 : 0)])
        }
        return Result(incidents: job.incidents, origins: origins, candidates: candidates, scores: scores, best: best, rule: rule,
                      summary: summary, perOrigin: perOriginTable(origins, candidates, scores), warnings: warnings, written: [])
    }

    /// Every candidate's score at every origin, one row each.
    static func perOriginTable(_ origins: [Origin], _ candidates: [Candidate], _ scores: [[Score]]) -> Table {
        var perOrigin = Table(columns: ["predictor", "cell_m", "bandwidth_m", "recency", "threshold", "train", "test", "n_train", "n_test", "too_few",
                                        "captured", "hot_cells", "hit_rate", "pai", "rri"])
        for (i, c) in candidates.enumerated() {
            for (k, og) in origins.enumerated() {
                let s = scores[i][k]
                perOrigin.rows.append([.string(c.predictor), .double(c.cell, decimals: nil), c.bandwidth.map { .double($0, decimals: nil) } ?? .null, c.recency.map { .string($0.token) } ?? .null, .string(c.threshold),
                                       .string(og.train.name), .string(og.test.name), .int(og.nTrain), .int(og.nTest), .int(og.tooFew ? 1 : 0),
                                       .int(s.captured), .int(s.hotCells), .double(s.hitRate, decimals: 4), .double(s.pai, decimals: 3),
                                       s.rri.map { .double($0, decimals: 3) } ?? .null])
            }
        }
        return perOrigin
    }

    /// Writes backtest.csv, backtest-origins.csv, the chart of median PAI by bandwidth and metadata.json into
    /// `p.out`; returns the files written.
    static func write(_ r: Result, options o: Options, into p: Project, command: String, inputs job: JobInputs) throws -> [String] {
        let candidates = r.candidates, scores = r.scores, best = r.best
        let usable = r.origins.indices.filter { !r.origins[$0].tooFew }
        let set = try OutputSet(p)
        try set.write("backtest.csv", r.summary.csv())
        try set.write("backtest-origins.csv", r.perOrigin.csv())
        // PAI against bandwidth, one line per threshold, at the recommended cell size.
        let rc = candidates[best].cell
        let bws = o.bandwidths
        func line(_ name: String, _ match: @escaping (Candidate) -> Bool) -> (String, [Double?]) {
            (name, bws.map { h in
                candidates.indices.first { match(candidates[$0]) && candidates[$0].cell == rc && candidates[$0].bandwidth == h }
                    .map { i in median(usable.map { scores[i][$0].pai }) }.flatMap { $0.isFinite ? $0 : nil }
            })
        }
        // KDE at each threshold; the prospective surfaces at the recommended candidate's threshold.
        let windows = Set(candidates.compactMap(\.recency))
        let series = o.thresholds.map { th in line((windows.isEmpty ? "" : "KDE, ") + th.description) { $0.predictor == "kde" && $0.threshold == th.description } }
            + windows.sorted { ($0.unit, $0.length) < ($1.unit, $1.length) }.map { r in
                line("prospective \(r.description), \(candidates[best].threshold)") { $0.predictor == "prospective" && $0.recency == r && $0.threshold == candidates[best].threshold }
            }
        var chart = LineChart(title: "Median PAI by bandwidth (\(Fmt.number(rc)) m cells, \(usable.count) origin(s), \(o.windowsDescription))",
                              yLabel: "PAI (median over origins)", categories: bws.map { "\(Fmt.number($0)) m" }, series: LineChart.styled(series))
        chart.width = 170; chart.height = 90
        var mo = MapOptions(); mo.formats = [.svg, .png]; mo.dpi = 200
        _ = try MapJob.writeRendered(chart.svg(), name: "backtest-pai", options: mo, into: set)
        let bestMed = median(usable.map { scores[best][$0].pai })
        try set.finish(command: command, parameters: [
            "job": "backtest", "windows": o.windowsDescription, "train": o.train.description, "test": o.test.description, "step": (o.step ?? o.test).description, "pairs": o.pairs.map { "\($0.0.name):\($0.1.name)" }.joined(separator: ";"),
            "origins": "\(r.origins.count)", "usable_origins": "\(usable.count)", "min_test": "\(o.minTest)",
            "bandwidths_m": bws.map { Fmt.number($0) }.joined(separator: ";"), "cells_m": o.cells.map { Fmt.number($0) }.joined(separator: ";"),
            "thresholds": o.thresholds.map(\.description).joined(separator: ";"), "kernel": o.kernel.rawValue,
            "recommended": r.recommended.label, "recommended_pai_median": Fmt.fixed(bestMed, 3), "rule": r.rule,
        ], inputs: job, warnings: r.warnings)
        return set.written.map(\.path) + ["metadata.json"]
    }
}
