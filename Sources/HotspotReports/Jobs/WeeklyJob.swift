import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// `hotspot weekly PROJECT --week 2026-W47` (or `--monthly --week 2025-10`): the neighbourhood team's layer set for
/// one period — an ISO week, or a calendar month for monthly data such as police.uk's — in `OUT/layers/PERIOD/`, each
/// file and layer named with the period, and, when it is the newest period built, again in `OUT/layers/latest/` under
/// fixed names (`wards.geojson`, `layers.gpkg` with table `wards`…), the address a QGIS project or web map points at once:
///
/// - `incidents`: the period's points (category, date — the month for monthly data —, ward, `stacked`: incidents of
///   the period at the same point; no free text);
/// - `wards`: per ward, `current` and `previous` period counts, `avg_short` and `avg_long` (average per period over the
///   last 4 and 13 weeks, or 3 and 12 months) with `n_short`/`n_long`, the periods averaged (windows reaching before
///   the data start average the periods that exist, never zeros for missing data), the change and its Poisson p;
///   colour classes fixed from a baseline (`weekly: baseline:`, default the data's first 52 weeks / 12 months);
/// - `hotspots`: KDE hotspot polygons of the last periods, tracked from the data: ids and status (new / continuing,
///   and the previous period's that are gone as `ended`) are derived by walking every period from the data start
///   (or `weekly: track_from:`), so building periods in any order, or one alone, gives the same layers;
/// - `gistar`: Gi* on grid cells over the last periods (cell ids `E…N…`, the same every period);
/// - `emerging`: emerging hot spots over the last periods that hold data (never over empty ones; at least
///   `minEmergingSteps`), the final step being this period;
/// - `manifest.json`: the period, the dates each layer covers, windows, baseline, parameters, inputs and outputs with
///   SHA-256 and feature counts.
///
/// The grid is anchored on the boundary's extent (never the data's). A period after the newest incident (stale
/// inputs) or without any incident is refused before anything is written.
public enum WeeklyJob {
    /// The period a layer set covers: an ISO week (`2026-W47`) or, for monthly data such as police.uk's, a calendar
    /// month (`2025-10`, `--monthly`). Windows count in this unit.
    public enum Unit: String, Sendable {
        case week, month
        /// First day of the period labelled `s`.
        public func start(_ s: String) -> Int? {
            switch self {
            case .week: return CivilDate.parseISOWeek(s)
            case .month: return DateParser.parse(s).flatMap { $0.isMonth ? $0.day : nil }
            }
        }
        public func label(_ day: Int) -> String {
            self == .week ? CivilDate.isoWeekLabel(ofDay: day) : CivilDate.monthLabel(CivilDate.monthOrdinal(ofDay: day))
        }
        /// First day of the period `k` periods after (negative: before) the one starting on `start`.
        public func shift(_ start: Int, _ k: Int) -> Int {
            switch self {
            case .week: return start + 7 * k
            case .month:
                let m = CivilDate.monthOrdinal(ofDay: start) + k
                return CivilDate.days(year: m / 12, month: m % 12 + 1, day: 1)
            }
        }
        public func end(_ start: Int) -> Int { shift(start, 1) - 1 }
        /// The period holding day `d` as an ordinal: weeks since Monday 1969-12-29 (day −3), months since year 0.
        public func ordinal(ofDay d: Int) -> Int {
            self == .week ? Int((Double(d + 3) / 7).rounded(.down)) : CivilDate.monthOrdinal(ofDay: d)
        }
        /// First day of the period with ordinal `k`.
        public func first(ofOrdinal k: Int) -> Int { self == .week ? 7 * k - 3 : CivilDate.days(year: k / 12, month: k % 12 + 1, day: 1) }
        public func label(ordinal k: Int) -> String { label(first(ofOrdinal: k)) }
        /// "week" / "month", and the title word ("Week 2026-W47", "Month 2018-09").
        public var noun: String { rawValue }
        public var title: String { self == .week ? "Week" : "Month" }
        /// Default windows in this unit: averages (short, long), hotspots, Gi*, emerging steps, the colour baseline.
        public var defaults: (short: Int, long: Int, hotspot: Int, gistar: Int, emerging: Int, baseline: Int) {
            self == .week ? (4, 13, 4, 4, 26, 52) : (3, 12, 3, 3, 12, 12)
        }
        var step: StepLength { self == .week ? .weeks : .months(1) }
    }

    /// Emerging hot spots need at least this many steps holding data: with fewer, no Mann-Kendall trend can reach
    /// p < 0.05 (n = 4: the largest S gives z = 1.70, two-sided p = 0.089; n = 5: p = 0.027).
    public static let minEmergingSteps = 5

    /// A range of periods by label (`2025-W01..2025-W52`, `2024-01..2024-12`).
    public struct PeriodRange: Sendable, Equatable {
        public var from: String, to: String
        public init(from: String, to: String) { self.from = from; self.to = to }
        /// `FROM..TO`.
        public init?(parsing s: String) {
            let parts = s.components(separatedBy: "..")
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            from = parts[0].trimmingCharacters(in: .whitespaces); to = parts[1].trimmingCharacters(in: .whitespaces)
        }
        public var description: String { "\(from)..\(to)" }
    }

    public struct Options: Sendable {
        public var unit = Unit.week
        /// Windows in periods of `unit`; nil = the unit's default (weeks: 4, 4, 26; months: 3, 3, 12).
        /// `emergingPeriods` 0 builds the set without the emerging layer.
        public var hotspotPeriods: Int?, gistarPeriods: Int?, emergingPeriods: Int?
        public var kdeCell = 100.0, gistarCell = 200.0
        /// Counts below this are blanked in the ward and grid layers (for publication); 0 = none.
        public var suppressBelow = 0
        /// The periods whose ward counts fix the ward layer's colour classes; nil = the first 52 weeks (12 months) of data.
        public var baseline: PeriodRange?
        /// The period hotspot tracking starts from; nil = the first period holding data.
        public var trackFrom: String?
        /// The period's map (Gi* bins of the last periods, hotspot polygons with their status, ward names): map-PERIOD.*.
        public var map: MapOptions? = MapOptions()
        public init() {}
        public var hotspot: Int { hotspotPeriods ?? unit.defaults.hotspot }
        public var gistar: Int { gistarPeriods ?? unit.defaults.gistar }
        public var emerging: Int { emergingPeriods ?? unit.defaults.emerging }
    }

    public struct Result { public var week: String; public var folder: String; public var features: [String: Int]; public var warnings: [String] }

    /// The period to build for `--latest`: the newest ISO week whose Sunday is not after the newest incident (months:
    /// the newest month of monthly data, else the newest whole month).
    public static func latestWeek(_ p: Project, unit: Unit = .week) throws -> String {
        let inc = try Pipeline.loadIncidents(files: p.files, options: p.read)
        guard let newest = inc.table.day.max() else { throw InputError.unusable("no accepted incidents: no period to build") }
        if unit == .month {
            // Monthly data are complete for every month they hold; dated data, up to the last whole month.
            let first = CivilDate.days(year: CivilDate.civil(days: Int(newest)).year, month: CivilDate.civil(days: Int(newest)).month, day: 1)
            if inc.table.resolution == .month || unit.end(first) == Int(newest) { return unit.label(first) }
            return unit.label(unit.shift(first, -1))
        }
        let monday = Int(newest) - ((Int(newest) % 7 + 7 + 3) % 7)
        return CivilDate.isoWeekLabel(ofDay: Int(newest) - monday == 6 ? monday : monday - 7)
    }

    /// One hotspot polygon of a period's window.
    struct Hot { var geometry: MultiPolygon; var incidents: Int; var areaM2: Double; var pai: Double }
    /// The tracked hotspots of a period: this period's with ids and status, and the previous period's that ended.
    struct Tracked { var current: [(hot: Hot, id: String, status: String)]; var ended: [(hot: Hot, id: String)]; var from: Int }

    public static func run(_ p: Project, week label: String, options o: Options = Options(), command: String) throws -> Result {
        let u = o.unit
        guard let start = u.start(label) else {
            throw InputError.unusable(u == .week ? "--week '\(label)' is not an ISO week: use YYYY-Www, e.g. 2026-W47" : "'\(label)' is not a month: use YYYY-MM")
        }
        let week = u.label(start), end = u.end(start)
        guard p.boundary != nil else { throw InputError.unusable("weekly layers need a 'boundary' in the project file: the grid is anchored on it, never on the data") }
        let layersDir = (p.out as NSString).appendingPathComponent("layers")
        let folder = (layersDir as NSString).appendingPathComponent(week)
        try OutputGuard.check(out: folder, inputs: p.files)
        let all = try p.loadInputs()
        let t = all.incidents.table
        guard t.resolution == .day || u == .month else {
            throw InputError.unusable("the incidents are dated by month (police.uk street data): weekly layers need dated incidents (YYYY-MM-DD); build monthly layers with --monthly")
        }
        // Monthly data date every incident to the 1st: the month is covered when its first day is.
        guard let newest = t.day.max().map(Int.init), newest >= (t.resolution == .month ? start : end) else {
            let newestText = t.day.max().map { t.resolution == .month ? "of \(CivilDate.monthLabel(CivilDate.monthOrdinal(ofDay: Int($0))))" : CivilDate.dayLabel(Int($0)) } ?? "none"
            throw InputError.unusable("stale inputs: the newest incident is \(newestText), before the end of \(week) (\(CivilDate.dayLabel(end))); add the newer files or build an earlier \(u.noun)")
        }
        // Weekly and monthly sets in one folder would share layers/latest and the period index.
        let other: Unit = u == .week ? .month : .week
        if let clash = ((try? FileManager.default.contentsOfDirectory(atPath: layersDir)) ?? []).sorted().first(where: { other.start($0) != nil }) {
            throw InputError.unusable("\(layersDir) holds \(other.noun)ly sets (\(clash)): \(u.noun)ly and \(other.noun)ly layers need separate 'out' folders (one project file each)")
        }
        // Every incident's period (ordinal), and the periods holding data.
        let now = u.ordinal(ofDay: start)
        let ord = t.day.map { u.ordinal(ofDay: Int($0)) }
        var perPeriod: [Int: Int] = [:]
        for k in ord { perPeriod[k, default: 0] += 1 }
        guard (perPeriod[now] ?? 0) > 0 else {
            throw InputError.unusable("\(week) (\(CivilDate.dayLabel(start)) – \(CivilDate.dayLabel(end))) holds no incident: nothing to publish")
        }
        // The first complete period holding data: a week the data start in mid-week would read as a quiet week.
        let firstDay = Int(t.day.min()!)
        let firstData = u.ordinal(ofDay: firstDay) + (u.first(ofOrdinal: u.ordinal(ofDay: firstDay)) == firstDay ? 0 : 1)
        guard now >= firstData else {
            throw InputError.unusable("\(week) is not a whole \(u.noun) of the data (they start on \(CivilDate.dayLabel(firstDay))): build \(u.label(ordinal: firstData)) or later")
        }
        var warnings = all.warnings
        func window(_ n: Int) -> JobInputs {
            var w = all
            w.incidents.table = t.filtered { ord[$0] > now - n && ord[$0] <= now }
            return w
        }
        /// A period without any incident in the whole area is missing data (a file not supplied), never zeros.
        func hasData(_ k: Int) -> Bool { (perPeriod[k] ?? 0) > 0 }
        /// The first period of an `n`-period window ending now, not before the data start.
        func windowStart(_ n: Int) -> Int { max(now - n + 1, firstData) }
        /// Periods of an `n`-period window ending now that hold data.
        func covered(_ n: Int) -> Int { (windowStart(n)...now).filter(hasData).count }
        let plural = u.noun + "s"
        let (shortN, longN) = (u.defaults.short, u.defaults.long)
        let gaps = (windowStart(max(longN, o.hotspot, o.gistar))...now).filter { !hasData($0) }
        if !gaps.isEmpty {
            warnings.append("\(gaps.map { u.label(ordinal: $0) }.joined(separator: ", ")) \(gaps.count == 1 ? "holds" : "hold") no incident at all (a missing file?): left out of the averages (n_short, n_long count the \(plural) holding data), never counted as zeros; hotspots and Gi* over windows holding such \(plural) see fewer incidents")
        }
        if windowStart(longN) > now - longN + 1 {
            warnings.append("the data start in \(u.label(ordinal: firstData)): avg_long averages the \(covered(longN)) \(plural) that exist of the last \(longN) (n_long), not zeros before the data start")
        }
        let b = all.boundary!
        let wards = all.layers.first { $0.name == "wards" } ?? all.layers.first
        if wards == nil {
            warnings.append("the project has no area layer, so the set has no wards layer and incidents carry no ward: add areas: wards: {file: …} to the project")
        }
        let thisPeriod = window(1).incidents.table

        // incidents: the period's points, lon/lat, with category, date (the month for monthly data), ward, stacked.
        var ll = (x: thisPeriod.x, y: thisPeriod.y)
        _ = try Projection(from: analysisEPSG, to: 4326).transform(x: &ll.x, y: &ll.y)
        let wardOfPoint = wards.map { $0.index.assign(x: thisPeriod.x, y: thisPeriod.y) }
        var atPoint: [XY: Int] = [:]
        for i in 0..<thisPeriod.count { atPoint[XY(thisPeriod.x[i], thisPeriod.y[i]), default: 0] += 1 }
        var incidentsTable = Table(columns: ["id", "category", "date"] + (wards.map { ["\($0.name == "wards" ? "ward" : $0.name)"] } ?? []) + ["stacked"])
        incidentsTable.rows = (0..<thisPeriod.count).map { i in
            let d = Int(thisPeriod.day[i])
            return [.string("\(week)-\(i + 1)"), .string(thisPeriod.categories[Int(thisPeriod.category[i])]),
                    .string(t.resolution == .month ? CivilDate.monthLabel(CivilDate.monthOrdinal(ofDay: d)) : CivilDate.dayLabel(d))]
                + (wards.map { w in [wardOfPoint![i] >= 0 ? .string(w.areas[Int(wardOfPoint![i])].id) : .null] } ?? [])
                + [.int(atPoint[XY(thisPeriod.x[i], thisPeriod.y[i])] ?? 1)]
        }
        let incidentStyle = LayerStyle.points(MapStyle.stackedPoints(incidentsTable.rows.map { if case .int(let n) = $0.last! { return n }; return 1 },
                                                                     field: "stacked", title: "Incidents (\(u.noun) \(week); size: incidents at the point)"))

        // wards: current and previous period, short and long averages over the periods that exist, change and p;
        // colour classes from the baseline's per-ward, per-period counts.
        var wardsTable: Table?, wardsStyle: LayerStyle?, baselineNote: String?
        let baseline: (from: Int, to: Int)
        if let r = o.baseline {
            guard let a = u.start(r.from), let z = u.start(r.to), a <= z else {
                throw InputError.unusable("weekly: baseline '\(r.description)' is not a range of \(plural): use FROM..TO, e.g. \(u == .week ? "2025-W01..2025-W52" : "2024-01..2024-12")")
            }
            baseline = (u.ordinal(ofDay: a), u.ordinal(ofDay: z))
        } else {
            baseline = (firstData, min(firstData + u.defaults.baseline - 1, ord.max()!))
            if baseline.to - baseline.from + 1 < u.defaults.baseline {
                warnings.append("the colour baseline covers only \(baseline.to - baseline.from + 1) \(plural) (\(u.label(ordinal: baseline.from)) … \(u.label(ordinal: baseline.to))): ward colours will change as data accrue until \(u.defaults.baseline) exist; fix them with weekly: baseline: FROM..TO")
            }
        }
        let baselineText = "\(u.label(ordinal: baseline.from)) … \(u.label(ordinal: baseline.to))"
        let baselinePeriods = (baseline.from...baseline.to).filter(hasData)
        guard !baselinePeriods.isEmpty else {
            throw InputError.unusable("weekly: baseline \(baselineText) holds no incident: choose \(plural) the data cover (\(u.label(ordinal: firstData)) … \(u.label(ordinal: ord.max()!)))")
        }
        if baselinePeriods.count < baseline.to - baseline.from + 1 {
            warnings.append("the colour baseline \(baselineText) has \(baseline.to - baseline.from + 1 - baselinePeriods.count) \(plural) without any incident: its classes come from the \(baselinePeriods.count) that hold data")
        }
        if let w = wards {
            let wardOf = w.index.assign(x: t.x, y: t.y)
            // counts[k][a]: incidents of ward a in period now − k, for the long window and the baseline.
            func counts(_ from: Int, _ to: Int) -> [Int] {
                var c = [Int](repeating: 0, count: w.areas.count)
                for i in 0..<t.count where ord[i] >= from && ord[i] <= to && wardOf[i] >= 0 { c[Int(wardOf[i])] += 1 }
                return c
            }
            let cur = counts(now, now), prev = counts(now - 1, now - 1)
            let short = counts(windowStart(shortN), now), long = counts(windowStart(longN), now)
            let nShort = covered(shortN), nLong = covered(longN)
            // No previous period (before the data start, or a period without any incident): previous and change empty.
            let prevCovered = now - 1 >= firstData && hasData(now - 1)
            func shown(_ n: Int) -> Value { o.suppressBelow > 0 && n > 0 && n < o.suppressBelow ? .null : .int(n) }
            var wt = Table(columns: ["id", "name", "current", "previous", "avg_short", "n_short", "avg_long", "n_long", "change", "p_change"])
            wt.rows = w.areas.indices.map { k in
                let c = poissonRateTest(before: prev[k], after: cur[k])
                let suppressed = o.suppressBelow > 0 && (cur[k] > 0 && cur[k] < o.suppressBelow || prev[k] > 0 && prev[k] < o.suppressBelow)
                return [.string(w.areas[k].id), .string(w.areas[k].name), shown(cur[k]), prevCovered ? shown(prev[k]) : .null,
                        .double(Double(short[k]) / Double(nShort), decimals: 2), .int(nShort),
                        .double(Double(long[k]) / Double(nLong), decimals: 2), .int(nLong),
                        suppressed || !prevCovered ? .null : .int(c.change), suppressed || !prevCovered ? .null : .double(c.p, decimals: 4)]
            }
            var pooled: [Double] = []
            let byPeriod = Dictionary(grouping: (0..<t.count).filter { ord[$0] >= baseline.from && ord[$0] <= baseline.to && wardOf[$0] >= 0 }, by: { ord[$0] })
            for k in baselinePeriods {
                var c = [Double](repeating: 0, count: w.areas.count)
                for i in byPeriod[k] ?? [] { c[Int(wardOf[i])] += 1 }
                pooled += c
            }
            baselineNote = "Ward colours: classes fixed from the baseline \(baselineText) (incidents per ward per \(u.noun))"
            // Blanked counts (--suppress-below) get no class either: the web map must not show what the layer hides.
            let shownCounts = cur.map { o.suppressBelow > 0 && $0 > 0 && $0 < o.suppressBelow ? 0 : Double($0) }
            let cls = MapStyle.quantiles(shownCounts, baseline: pooled, field: "current",
                                         title: "Incidents this \(u.noun) (classes from the baseline \(baselineText))", ramp: MapStyle.puBu5, decimals: 0)
            wardsTable = wt
            wardsStyle = .labelled(.classified(cls), field: "name")
        }

        // gistar: grid cells over the last periods, anchored on the boundary.
        let gw = window(o.gistar)
        let gp = try GridProduct.compute(gw.incidents.table, cellSize: o.gistarCell, boundary: b, clip: true, cellLimit: 5_000_000)
        let g = gp.choice.grid
        let mask = try GridProduct.mask(b, grid: g)
        let gcounts = gp.counts.counts.map(Double.init)
        let gi = giStar(grid: g, values: gcounts, radius: g.cellSize * 2.0.squareRoot(), mask: mask)
        let kept = (0..<g.cellCount).filter { mask[$0] && !gi.z[$0].isNaN }
        var gt = Table(columns: ["id", "count", "gi_z", "gi_p_fdr", "gi_bin"])
        gt.rows = kept.map { k in
            let n = Int(gcounts[k])
            return [.string(g.cellID(k)), o.suppressBelow > 0 && n > 0 && n < o.suppressBelow ? .null : .int(n),
                    .double(gi.z[k], decimals: 4), .double(gi.pAdjusted[k], decimals: 6), .int(Int(gi.binFDR[k]))]
        }
        warnings += sparseWarnings(counts: kept.map { gcounts[$0] }, bins: kept.map { gi.binFDR[$0] })
        let giClasses = MapStyle.codes(kept.map { Int(gi.binFDR[$0]) }, table: MapStyle.giBins, field: "gi_bin", title: "Gi* (FDR)")
        let giStyle = LayerStyle.classified(giClasses)

        // hotspots: KDE of the last periods, tracked from the data.
        if let tf = o.trackFrom, u.start(tf) == nil {
            throw InputError.unusable("weekly: track_from '\(tf)' is not a \(u.noun): use \(u == .week ? "YYYY-Www, e.g. 2025-W01" : "YYYY-MM, e.g. 2024-01")")
        }
        let tracked = try track(t: t, ord: ord, now: now, firstData: firstData, boundary: b, options: o)
        var hotspotRows: [[Value]] = [], hotspotGeoms: [MultiPolygon] = []
        for h in tracked.current {
            hotspotRows.append([.string(h.id), .string(h.status), .int(h.hot.incidents), .double(h.hot.areaM2 / 1e4, decimals: 2), .double(h.hot.pai, decimals: 2)])
            hotspotGeoms.append(h.hot.geometry)
        }
        for h in tracked.ended {
            hotspotRows.append([.string(h.id), .string("ended"), .int(0), .double(h.hot.areaM2 / 1e4, decimals: 2), .null])
            hotspotGeoms.append(h.hot.geometry)
        }
        var hotClasses = MapStyle.codes(hotspotRows.map { r in if case .string(let s) = r[1] { return ["new": 1, "continuing": 2, "ended": 3][s] ?? 0 }; return 0 },
                                        table: [(1, "#fc9272", "new"), (2, "#cb181d", "continuing"), (3, "#bdbdbd", "ended")],
                                        field: "status", title: "Hotspots")
        // `status` holds the words, so the style's categories are the words (as codes 1–3 QGIS matched none and
        // drew no hotspot; tools/qgis_render.py found it).
        hotClasses.kind = .categorized(values: ["new", "continuing", "ended"])
        // Outlines (1 mm, in the status's colour), as on the print map: what lies beneath (wards, Gi*, incidents) stays visible.
        for k in hotClasses.classes.indices { hotClasses.classes[k].outlineOnly = true; hotClasses.classes[k].lineMM = 1.0 }
        let hotStyle = LayerStyle.labelled(.classified(hotClasses), field: "id")
        let hotTable = Table(columns: ["id", "status", "incidents", "area_ha", "pai"], rows: hotspotRows)

        // emerging: steps over the last periods that hold data, the final step being this period.
        var emerging: (table: Table, geoms: [MultiPolygon], style: LayerStyle, steps: (Int, Int))?
        if o.emerging > 0 {
            var eFirst = max(now - o.emerging + 1, firstData)
            if let gap = (eFirst...now).last(where: { (perPeriod[$0] ?? 0) == 0 }) {
                warnings.append("\(u.label(ordinal: gap)) holds no incident at all (a missing file?): emerging hot spots use only the \(plural) after it, \(u.label(ordinal: gap + 1)) … \(week)")
                eFirst = gap + 1
            }
            let steps = now - eFirst + 1
            guard steps >= minEmergingSteps else {
                throw InputError.unusable("emerging hot spots need at least \(minEmergingSteps) \(plural) holding data, and only \(steps) do (\(u.label(ordinal: eFirst)) … \(week)): add the earlier files, build a later \(u.noun), or set 'emerging_periods: 0' in the project's weekly section to publish the set without the emerging layer")
            }
            if steps < o.emerging {
                warnings.append("emerging hot spots over \(steps) \(plural) (\(u.label(ordinal: eFirst)) … \(week)), the \(plural) holding data, not \(o.emerging)")
            }
            var eo = EmergingJobOptions()
            eo.cell = o.gistarCell; eo.clip = true; eo.step = u.step
            eo.start = u.first(ofOrdinal: eFirst); eo.end = end
            var ew = all
            ew.incidents.table = t.filtered { ord[$0] >= eFirst && ord[$0] <= now }
            var ep = p
            ep.products = .init(); ep.products.emerging = eo; ep.database = nil
            let e = try EmergingJob.run(ep, command: command, inputs: ew, write: false)
            warnings += e.warnings.filter { !all.warnings.contains($0) }
            let eg = e.grid!
            var et = Table(columns: ["id", "category_code", "category", "hot_steps", "trend_z"])
            et.rows = e.cells.map { k in
                let r = e.results[k]
                return [.string(eg.cellID(k)), .int(Int(r.pattern.rawValue)), .string(r.pattern.name), .int(r.hotSteps), .double(r.trendZ.z, decimals: 3)]
            }
            let emStyle = LayerStyle.classified(MapStyle.codes(e.cells.map { Int(e.results[$0].pattern.rawValue) }, table: MapStyle.emerging,
                                                               field: "category_code", title: "Emerging hot spots"))
            emerging = (et, e.cells.map { eg.cellPolygon($0) }, emStyle, (eFirst, now))
        }

        // manifest.json (also the folder's metadata.json).
        func range(_ from: Int) -> [String: String] { ["from": CivilDate.dayLabel(u.first(ofOrdinal: max(from, firstData))), "to": CivilDate.dayLabel(end)] }
        var dates: [String: Any] = ["period": range(now), "hotspots": range(now - o.hotspot + 1), "gistar": range(now - o.gistar + 1),
                                    "wards_short": range(windowStart(shortN)), "wards_long": range(windowStart(longN))]
        if let e = emerging { dates["emerging"] = range(e.steps.0) }
        var features: [String: Int] = ["incidents": thisPeriod.count, "gistar": kept.count, "hotspots": hotspotRows.count]
        if let w = wards { features["wards"] = w.areas.count }
        if let e = emerging { features["emerging"] = e.geoms.count }
        let manifestBase: [String: Any] = [
            "tool": "hotspot", "version": HotspotVersion.string, "command": command, "period": week, "unit": u.noun,
            "dates": dates,
            "windows": ["unit": u.noun, "short": shortN, "long": longN, "hotspots": o.hotspot, "gistar": o.gistar, "emerging": o.emerging,
                        "emerging_steps": emerging.map { $0.steps.1 - $0.steps.0 + 1 } ?? 0],
            "baseline": ["from": u.label(ordinal: baseline.from), "to": u.label(ordinal: baseline.to), "field": "current",
                         "what": "ward colour classes: quantiles of incidents per ward per \(u.noun) over these \(plural), reused every \(u.noun)"],
            "tracking": ["from": u.label(ordinal: tracked.from),
                         "how": "hotspots of every \(u.noun) from this one on, matched to the previous \(u.noun)'s by overlap (GEOS intersects); ids name the \(u.noun) a hotspot first appeared"],
            "parameters": ["kde_cell_m": o.kdeCell, "gistar_cell_m": o.gistarCell, "suppress_below": o.suppressBelow,
                           "threshold": "top 5 % of cells", "neighbours": "queen (cell × √2)"],
            "suppression": o.suppressBelow > 0 ? "counts from 1 to \(o.suppressBelow - 1) are blank in wards and gistar" : "none",
            "inputs": all.incidents.files.map { ["path": $0.path, "sha256": $0.sha256, "rows": $0.read, "accepted": $0.accepted] },
            "features": features, "warnings": warnings,
            "attribution": Attribution.lines(boundaries: true)]

        /// Writes the set into `dir`: dated names with `tag`, fixed names (the `latest` address) without. A map
        /// already drawn (`maps`: name → bytes of the dated set) is copied rather than drawn again.
        func publish(into dir: String, tag: String?, maps: [String: Data], context: [ContextLayer]) throws -> (maps: [String: Data], context: [ContextLayer]) {
            let set = try OutputSet(directory: dir, database: tag == nil ? nil : p.database)
            // Dated sets name every file and layer with the period; the fixed address (layers/latest) does not.
            func named(_ base: String) -> String { tag.map { "\(base)-\($0)" } ?? base }
            // Every layer also goes into one GeoPackage of the set (layers[-PERIOD].gpkg), with short field names and styles.
            var gpkgLayers: [GeoPackageWriter.Layer] = []
            func add(_ name: String, _ geoms: [MultiPolygon], _ table: Table, _ style: LayerStyle) throws {
                try set.writeLayer(named(name), geometries: geoms, properties: table, style: style)
                let f = FieldNames.layer(table)
                gpkgLayers.append(.init(table: named(name).replacingOccurrences(of: "-", with: "_"), geometries: geoms,
                                        properties: f.table, style: style.renamed(f.rename), aliases: f.aliases))
            }
            try set.writePoints(named("incidents"), x: ll.x, y: ll.y, points: (0..<thisPeriod.count).map { XY(thisPeriod.x[$0], thisPeriod.y[$0]) },
                                properties: incidentsTable, style: incidentStyle)
            let incidentFields = FieldNames.layer(incidentsTable)
            gpkgLayers.append(.init(table: named("incidents").replacingOccurrences(of: "-", with: "_"),
                                    points: (0..<thisPeriod.count).map { XY(thisPeriod.x[$0], thisPeriod.y[$0]) }, properties: incidentFields.table,
                                    style: incidentStyle.renamed(incidentFields.rename), aliases: incidentFields.aliases))
            if let w = wards, let wt = wardsTable, let ws = wardsStyle { try add("wards", w.areas.map(\.geometry), wt, ws) }
            try add("gistar", kept.map { g.cellPolygon($0) }, gt, giStyle)
            try add("hotspots", hotspotGeoms, hotTable, hotStyle)
            if let e = emerging { try add("emerging", e.geoms, e.table, e.style) }
            var drawn: [String: Data] = [:]
            if !maps.isEmpty {
                for (suffix, data) in maps.sorted(by: { $0.key < $1.key }) { try set.write(named("map") + suffix, data) }
            } else if var mo = o.map {
                mo.title = mo.title ?? "\(u.title) \(week): hot spots of the last \(o.gistar) \(o.gistar == 1 ? u.noun : plural)"
                var ctx = MapJob.Context(incidents: gw.incidents, boundary: b, layers: wards.map { [$0] } ?? [],
                                         parameters: "Gi* on \(Fmt.number(o.gistarCell)) m cells (queen, FDR) · hotspots: top 5 % of \(Fmt.number(o.kdeCell)) m cells of a quartic KDE, tracked \(u.noun) to \(u.noun) from \(u.label(ordinal: tracked.from)) (new / continuing; ended ones are in the hotspots layer)",
                                         product: "\(u.noun)ly hot spots")
                ctx.hotspotLegend = "Hotspots (id: the \(u.noun) first seen; status)"
                ctx.hotspots = tracked.current.map { ("\($0.id) (\($0.status))", $0.hot.geometry) }
                if let n = baselineNote { ctx.notes.append("Wards layer (wards.qml): " + n.replacingOccurrences(of: "Ward colours: classes", with: "classes")) }
                let cls = MapStyle.codes(kept.map { Int(gi.binFDR[$0]) }, table: MapStyle.giBins, field: "gi_bin", title: "Getis-Ord Gi* (FDR)")
                let before = Set(set.written.map(\.path))
                try MapJob.draw(ctx, features: kept.map { g.cellPolygon($0) }, classification: cls, dissolve: true, options: mo, into: set, name: named("map"))
                for f in set.written where !before.contains(f.path) && f.path.hasPrefix(named("map")) {
                    drawn[String(f.path.dropFirst(named("map").count))] = FileManager.default.contents(atPath: set.path(f.path))
                }
            }
            let crs = GeoPackageWriter.CRS(epsg: analysisEPSG, name: "OSGB36 / British National Grid", wkt: try CRSInfo.ogcWKT(epsg: analysisEPSG))
            let gpkg = try GeoPackageWriter.write(path: set.path(named("layers") + ".gpkg"), layers: gpkgLayers, crs: crs)
            set.record(named("layers") + ".gpkg", gpkg)
            // The web map (map.html, map-data.js, Leaflet) of the set's layers, listed in the manifest.
            set.webReference(boundary: b, layers: wards.map { [$0] } ?? [])
            set.webContext(context)
            let webWarnings = try set.writeWebMap(title: "\(u.title) \(week)\(tag == nil ? " (latest)" : "")", attribution: Attribution.lines(boundaries: true))
            var manifest = manifestBase
            if !webWarnings.isEmpty { manifest["warnings"] = warnings + webWarnings }
            manifest["outputs"] = set.written.sorted { $0.path < $1.path }.map { ["path": $0.path, "sha256": $0.sha256, "bytes": $0.bytes] }
            let data = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) + Data("\n".utf8)
            try set.write("manifest.json", data)
            try set.commit(metadata: data, job: "weekly")
            return (drawn, set.web.context)
        }
        let dated = try publish(into: folder, tag: week, maps: [:], context: [])
        // layers/latest: the newest period built, under fixed names (a QGIS project or web map points at it once).
        let newer = ((try? FileManager.default.contentsOfDirectory(atPath: layersDir)) ?? []).compactMap { u.start($0) }.contains { $0 > start }
        if !newer { _ = try publish(into: (layersDir as NSString).appendingPathComponent("latest"), tag: nil, maps: dated.maps, context: dated.context) }
        // layers/map.html: the web map of every period built (a selector; latest first).
        try WebMapIndex.write(folder: layersDir, title: "\(u.title)ly layers", isPeriod: { u.start($0) != nil })
        return Result(week: week, folder: folder, features: features, warnings: warnings)
    }

    /// Hotspots of every period from the tracking start to `now`, each matched to the previous period's by overlap
    /// (the first, by peak, not yet matched that it overlaps or touches keeps its id; others are new, named
    /// `PERIOD-hK`, the period they first appeared in): derived from the data alone, so any build order gives the same
    /// ids. The walk works on hot cells (`HotComponents`: a cell shared, or an edge or corner, is GEOS's `intersects`
    /// of the dissolved polygons); only the last two periods' parts are dissolved into polygons.
    static func track(t: IncidentTable, ord: [Int], now: Int, firstData: Int, boundary b: LoadedLayer, options o: Options) throws -> Tracked {
        let u = o.unit
        // From the data's first whole period, or track_from; never after the period built.
        let from = min(now, max(firstData, o.trackFrom.flatMap { u.start($0) }.map { u.ordinal(ofDay: $0) } ?? firstData))
        let studyArea = b.areas.reduce(0) { $0 + $1.geometry.area }
        // The KDE grid is anchored on the boundary, the same for every period.
        let grid = try GridProduct.compute(t, cellSize: o.kdeCell, boundary: b, clip: false, cellLimit: 5_000_000).choice.grid
        let mask = try GridProduct.mask(b, grid: grid)
        // Incidents sorted by period, so each window is a contiguous slice.
        let order = (0..<t.count).sorted { (ord[$0], $0) < (ord[$1], $1) }
        let sortedOrd = order.map { ord[$0] }
        func lowerBound(_ k: Int) -> Int {
            var lo = 0, hi = sortedOrd.count
            while lo < hi { let m = (lo + hi) / 2; if sortedOrd[m] < k { lo = m + 1 } else { hi = m } }
            return lo
        }
        func window(_ k: Int) -> (x: [Double], y: [Double]) {
            let idx = order[lowerBound(k - o.hotspot + 1)..<lowerBound(k + 1)]
            return (idx.map { t.x[$0] }, idx.map { t.y[$0] })
        }
        func parts(_ w: (x: [Double], y: [Double])) -> HotComponents? {
            guard w.x.count >= 2 else { return nil }
            let h = Bandwidth.compute(.arcgis, x: w.x, y: w.y)
            let s = kernelDensity(x: w.x, y: w.y, weights: [], grid: grid, parameters: KDEParameters(bandwidth: h, kernel: .quartic, unit: .perKm2, mode: .auto), mask: mask)
            let hot = selectHotCells(s, threshold: .topCells(percent: 5))
            return HotComponents(hot: hot.cells, values: s.values, grid: grid)
        }
        let geos = try GEOSContext()
        func polygons(_ c: HotComponents, _ w: (x: [Double], y: [Double])) throws -> [Hot] {
            var inPart = [Int](repeating: 0, count: c.count)
            for i in w.x.indices {
                if let cell = grid.index(x: w.x[i], y: w.y[i]), c.label[cell] >= 0 { inPart[Int(c.label[cell])] += 1 }
            }
            return try c.cells.indices.map { j in
                let area = Double(c.cells[j].count) * grid.cellSize * grid.cellSize
                return Hot(geometry: try geos.coverageUnion(c.cells[j].map(grid.cellPolygon)), incidents: inPart[j], areaM2: area,
                           pai: predictionAccuracyIndex(captured: Double(inPart[j]), total: Double(w.x.count), area: area, studyArea: studyArea))
            }
        }
        var prev: (parts: HotComponents, ids: [String], window: (x: [Double], y: [Double]))?
        var result = Tracked(current: [], ended: [], from: from)
        for k in from...now {
            let w = window(k)
            guard let cur = parts(w) else { prev = nil; continue }
            var continued = Set<Int>(), fresh = 0, ids: [String] = [], status: [String] = []
            for j in 0..<cur.count {
                if let p = prev, let m = cur.touching(j, in: p.parts).first(where: { !continued.contains($0) }) {
                    continued.insert(m); ids.append(p.ids[m]); status.append("continuing")
                } else {
                    fresh += 1; ids.append("\(u.label(ordinal: k))-h\(fresh)"); status.append("new")
                }
            }
            if k == now {
                let hots = try polygons(cur, w)
                result.current = hots.indices.map { (hots[$0], ids[$0], status[$0]) }
                if let p = prev {
                    let before = try polygons(p.parts, p.window)
                    result.ended = before.indices.filter { !continued.contains($0) }.map { (before[$0], p.ids[$0]) }
                }
            }
            prev = (cur, ids, w)
        }
        return result
    }
}
