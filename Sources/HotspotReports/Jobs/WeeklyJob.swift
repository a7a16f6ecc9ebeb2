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
        var build = try Build(p, label: label, options: o)
        let layers = try build.layers(command: command)
        let features = build.features(layers)
        let manifest = build.manifest(layers, features: features, command: command)
        let dated = try build.stage(layers, manifest: manifest, into: build.folder, tag: build.week, maps: [:], context: [])
        // layers/latest: the newest period built, under fixed names (a QGIS project or web map points at it once).
        let u = o.unit, layersDir = build.layersDir
        let newer = ((try? FileManager.default.contentsOfDirectory(atPath: layersDir)) ?? []).compactMap { u.start($0) }.contains { $0 > build.start }
        let latest = newer ? nil : try build.stage(layers, manifest: manifest, into: (layersDir as NSString).appendingPathComponent("latest"),
                                                   tag: nil, maps: dated.maps, context: dated.context)
        // The dated set and latest/ are one output: both are staged first, and when latest/ cannot be swapped in,
        // the previous dated folder comes back (issue 21).
        try dated.set.commit(metadata: dated.manifest, job: "weekly", afterSwap: latest.map { l in { try l.set.commit(metadata: l.manifest) } })
        // layers/map.html: the web map of every period built (a selector; latest first).
        try WebMapIndex.write(folder: layersDir, title: "\(u.title)ly layers", isPeriod: { u.start($0) != nil })
        return Result(week: build.week, folder: build.folder, features: features, warnings: build.warnings)
    }

    /// A set written but not yet swapped in: its manifest (also its metadata.json), the maps drawn and the web map's
    /// context layers (for the `latest` copy).
    private struct Staged { var set: OutputSet; var manifest: Data; var maps: [String: Data]; var context: [ContextLayer] }
    /// A polygon layer of a set: its features, attributes and style.
    private struct PolygonLayer { var geometries: [MultiPolygon]; var table: Table; var style: LayerStyle }
    /// The period's incidents: lon/lat for the GeoJSON, analysis coordinates (EPSG:27700) for the GeoPackage.
    private struct PointLayer { var lon: [Double], lat: [Double]; var points: [XY]; var table: Table; var style: LayerStyle }
    /// The periods (ordinals) whose ward counts fix the ward layer's colour classes, those of them holding data, and
    /// their labels (`FROM … TO`).
    private struct Baseline { var from: Int, to: Int; var periods: [Int]; var text: String }
    /// The Gi* layer, with its cells' FDR bins and the window's incidents (for the map).
    private struct GiStarLayer { var layer: PolygonLayer; var bins: [Int]; var incidents: LoadedIncidents }
    /// The tracked hotspots layer (this period's, then the previous period's that ended).
    private struct HotspotsLayer { var layer: PolygonLayer; var tracked: Tracked }
    /// The emerging hot spots layer and its steps (first and last period, ordinals).
    private struct EmergingLayer { var layer: PolygonLayer; var steps: (first: Int, last: Int) }
    /// Every layer of a period's set, computed before anything is written.
    private struct Layers {
        var incidents: PointLayer, wards: PolygonLayer?, gistar: GiStarLayer, hotspots: HotspotsLayer, emerging: EmergingLayer?
        var baseline: Baseline
        /// With `stops: {files}`: searches per ward dated in the period (`WeeklyStops`).
        var stops: WeeklyStops?
    }

    /// One build of a period's set: the period, the inputs, each incident's period and the warnings so far.
    private struct Build {
        let p: Project, o: Options, u: Unit
        /// The period: its label, first and last day, and ordinal.
        let week: String, start: Int, end: Int, now: Int
        /// `OUT/layers` and the period's folder in it.
        let layersDir: String, folder: String
        let all: JobInputs, t: IncidentTable
        /// Each incident's period (ordinal), and the incidents per period.
        let ord: [Int], perPeriod: [Int: Int]
        /// The first complete period holding data and the last period holding data (ordinals).
        let firstData: Int, lastData: Int
        let boundary: LoadedLayer
        /// The area layer of the wards layer and of the incidents' ward: `wards`, else the first.
        let wards: LoadedLayer?
        /// The inputs' warnings, then each layer's, in order.
        var warnings: [String]

        /// Resolves the period and loads the inputs. Refused before anything is written: a label that is no period,
        /// a project without a boundary, month-dated incidents for weekly layers, stale inputs, a folder holding the
        /// other unit's sets, a period without any incident, a period before the data's first whole one.
        init(_ p: Project, label: String, options o: Options) throws {
            let u = o.unit
            guard let start = u.start(label) else {
                throw InputError.unusable(u == .week ? "--week '\(label)' is not an ISO week: use YYYY-Www, e.g. 2026-W47" : "'\(label)' is not a month: use YYYY-MM")
            }
            let week = u.label(start), end = u.end(start)
            let noBoundary = InputError.unusable("weekly layers need a 'boundary' in the project file: the grid is anchored on it, never on the data")
            guard p.boundary != nil else { throw noBoundary }
            let layersDir = (p.out as NSString).appendingPathComponent("layers")
            let folder = (layersDir as NSString).appendingPathComponent(week)
            try OutputGuard.check(out: folder, inputs: p.files + (p.products.stops?.files ?? []))
            let all = try p.loadInputs()
            let t = all.incidents.table
            let firstDay = try Self.checkDates(t, unit: u, start: start, end: end, week: week)
            try Self.checkOneUnit(layersDir, unit: u)
            // Every incident's period (ordinal), and the periods holding data.
            let now = u.ordinal(ofDay: start)
            let ord = t.day.map { u.ordinal(ofDay: Int($0)) }
            var perPeriod: [Int: Int] = [:]
            for k in ord { perPeriod[k, default: 0] += 1 }
            guard (perPeriod[now] ?? 0) > 0 else {
                throw InputError.unusable("\(week) (\(CivilDate.dayLabel(start)) – \(CivilDate.dayLabel(end))) holds no incident: nothing to publish")
            }
            // The first complete period holding data: a week the data start in mid-week would read as a quiet week.
            let firstData = u.ordinal(ofDay: firstDay) + (u.first(ofOrdinal: u.ordinal(ofDay: firstDay)) == firstDay ? 0 : 1)
            guard now >= firstData else {
                throw InputError.unusable("\(week) is not a whole \(u.noun) of the data (they start on \(CivilDate.dayLabel(firstDay))): build \(u.label(ordinal: firstData)) or later")
            }
            guard let boundary = all.boundary else { throw noBoundary }
            self.p = p; self.o = o; self.u = u
            self.week = week; self.start = start; self.end = end; self.now = now
            self.layersDir = layersDir; self.folder = folder
            self.all = all; self.t = t; self.ord = ord; self.perPeriod = perPeriod
            self.firstData = firstData; lastData = ord.max() ?? now
            self.boundary = boundary
            wards = all.layers.first { $0.name == "wards" } ?? all.layers.first
            warnings = all.warnings
            warnCoverage()
            warnings += VintageWarnings.warnings(all.incidents)
            if wards == nil {
                warnings.append("the project has no area layer, so the set has no wards layer and incidents carry no ward: add areas: wards: {file: …} to the project")
            }
        }

        /// Refuses month-dated incidents for weekly layers, and inputs whose newest incident is before the period's
        /// end (stale); returns the first incident's day.
        static func checkDates(_ t: IncidentTable, unit u: Unit, start: Int, end: Int, week: String) throws -> Int {
            guard t.resolution == .day || u == .month else {
                throw InputError.unusable("the incidents are dated by month (police.uk street data): weekly layers need dated incidents (YYYY-MM-DD); build monthly layers with --monthly")
            }
            // Monthly data date every incident to the 1st: the month is covered when its first day is.
            guard let newest = t.day.max().map(Int.init), let first = t.day.min().map(Int.init), newest >= (t.resolution == .month ? start : end) else {
                let newestText = t.day.max().map { t.resolution == .month ? "of \(CivilDate.monthLabel(CivilDate.monthOrdinal(ofDay: Int($0))))" : CivilDate.dayLabel(Int($0)) } ?? "none"
                throw InputError.unusable("stale inputs: the newest incident is \(newestText), before the end of \(week) (\(CivilDate.dayLabel(end))); add the newer files or build an earlier \(u.noun)")
            }
            return first
        }

        /// Refuses a layers folder holding the other unit's sets: weekly and monthly sets in one folder would share
        /// layers/latest and the period index.
        static func checkOneUnit(_ layersDir: String, unit u: Unit) throws {
            let other: Unit = u == .week ? .month : .week
            if let clash = ((try? FileManager.default.contentsOfDirectory(atPath: layersDir)) ?? []).sorted().first(where: { other.start($0) != nil }) {
                throw InputError.unusable("\(layersDir) holds \(other.noun)ly sets (\(clash)): \(u.noun)ly and \(other.noun)ly layers need separate 'out' folders (one project file each)")
            }
        }

        var plural: String { u.noun + "s" }
        /// The inputs with the incidents of the `n` periods ending with this one.
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

        /// Warns of periods without any incident in the windows (left out of the averages, never zeros) and of a long
        /// average reaching before the data start.
        mutating func warnCoverage() {
            let longN = u.defaults.long
            let gaps = (windowStart(max(longN, o.hotspot, o.gistar))...now).filter { !hasData($0) }
            if !gaps.isEmpty {
                let labels = gaps.map { u.label(ordinal: $0) }.joined(separator: ", ")
                warnings.append("\(labels) \(gaps.count == 1 ? "holds" : "hold") no incident at all (a missing file?): left out of the averages (n_short, n_long count the \(plural) holding data), never counted as zeros; hotspots and Gi* over windows holding such \(plural) see fewer incidents")
            }
            if windowStart(longN) > now - longN + 1 {
                warnings.append("the data start in \(u.label(ordinal: firstData)): avg_long averages the \(covered(longN)) \(plural) that exist of the last \(longN) (n_long), not zeros before the data start")
            }
        }

        /// Every layer of the set, in the order their warnings are given.
        mutating func layers(command: String) throws -> Layers {
            let incidents = try incidentsLayer()
            let baseline = try resolveBaseline()
            let wardCounts = wards.map { self.wardsLayer($0, baseline: baseline) }
            let gistar = try gistarLayer()
            let hotspots = try hotspotsLayer()
            let emerging = o.emerging > 0 ? try emergingLayer(command: command) : nil
            let stops = try stopsLayer(baseline: baseline)
            return Layers(incidents: incidents, wards: wardCounts, gistar: gistar, hotspots: hotspots, emerging: emerging, baseline: baseline, stops: stops)
        }

        /// stops (with `stops: {files}` in the project): searches per ward dated in the period and their find rate.
        mutating func stopsLayer(baseline b: Baseline) throws -> WeeklyStops? {
            guard let files = p.products.stops?.files, !files.isEmpty else { return nil }
            guard let w = wards else {
                warnings.append("stops: the project has no area layer, so the set has no stops layer (searches are counted per ward)")
                return nil
            }
            let s = try WeeklyStops.compute(files: files, wards: w, unit: u, now: now, start: start, end: end, baseline: (b.from, b.to, b.text),
                                            suppressBelow: o.suppressBelow, gridDirectories: p.gridDirectories)
            warnings += s.warnings
            return s
        }

        /// incidents: the period's points with category, date (the month for monthly data), ward and `stacked`
        /// (incidents of the period at the same point); no free text.
        func incidentsLayer() throws -> PointLayer {
            let thisPeriod = window(1).incidents.table
            var ll = (x: thisPeriod.x, y: thisPeriod.y)
            _ = try Projection(from: analysisEPSG, to: 4326).transform(x: &ll.x, y: &ll.y)
            let wardOfPoint: [Value]? = wards.map { w in
                w.index.assign(x: thisPeriod.x, y: thisPeriod.y).map { $0 >= 0 ? .string(w.areas[Int($0)].id) : .null }
            }
            var atPoint: [XY: Int] = [:]
            for i in 0..<thisPeriod.count { atPoint[XY(thisPeriod.x[i], thisPeriod.y[i]), default: 0] += 1 }
            var table = Table(columns: ["id", "category", "date"] + (wards.map { ["\($0.name == "wards" ? "ward" : $0.name)"] } ?? []) + ["stacked"])
            table.rows = (0..<thisPeriod.count).map { i in
                let d = Int(thisPeriod.day[i])
                return [.string("\(week)-\(i + 1)"), .string(thisPeriod.categories[Int(thisPeriod.category[i])]),
                        .string(t.resolution == .month ? CivilDate.monthLabel(CivilDate.monthOrdinal(ofDay: d)) : CivilDate.dayLabel(d))]
                    + (wardOfPoint.map { [$0[i]] } ?? [])
                    + [.int(atPoint[XY(thisPeriod.x[i], thisPeriod.y[i])] ?? 1)]
            }
            let style = LayerStyle.points(MapStyle.stackedPoints(table.rows.map { if case .int(let n)? = $0.last { return n }; return 1 },
                                                                  field: "stacked", title: "Incidents (\(u.noun) \(week); size: incidents at the point)"))
            return PointLayer(lon: ll.x, lat: ll.y, points: (0..<thisPeriod.count).map { XY(thisPeriod.x[$0], thisPeriod.y[$0]) }, table: table, style: style)
        }

        /// The colour baseline: `weekly: baseline:`, else the data's first 52 weeks (12 months); refused when none of
        /// its periods holds data.
        mutating func resolveBaseline() throws -> Baseline {
            let from: Int, to: Int
            if let r = o.baseline {
                guard let a = u.start(r.from), let z = u.start(r.to), a <= z else {
                    throw InputError.unusable("weekly: baseline '\(r.description)' is not a range of \(plural): use FROM..TO, e.g. \(u == .week ? "2025-W01..2025-W52" : "2024-01..2024-12")")
                }
                (from, to) = (u.ordinal(ofDay: a), u.ordinal(ofDay: z))
            } else {
                (from, to) = (firstData, min(firstData + u.defaults.baseline - 1, lastData))
                if to - from + 1 < u.defaults.baseline {
                    warnings.append("the colour baseline covers only \(to - from + 1) \(plural) (\(u.label(ordinal: from)) … \(u.label(ordinal: to))): ward colours will change as data accrue until \(u.defaults.baseline) exist; fix them with weekly: baseline: FROM..TO")
                }
            }
            let text = "\(u.label(ordinal: from)) … \(u.label(ordinal: to))"
            let periods = (from...to).filter(hasData)
            guard !periods.isEmpty else {
                throw InputError.unusable("weekly: baseline \(text) holds no incident: choose \(plural) the data cover (\(u.label(ordinal: firstData)) … \(u.label(ordinal: lastData)))")
            }
            if periods.count < to - from + 1 {
                warnings.append("the colour baseline \(text) has \(to - from + 1 - periods.count) \(plural) without any incident: its classes come from the \(periods.count) that hold data")
            }
            return Baseline(from: from, to: to, periods: periods, text: text)
        }

        /// wards: per ward the current and previous period's counts, short and long averages over the periods that
        /// exist, the change and its Poisson p; colour classes from the baseline's per-ward, per-period counts.
        func wardsLayer(_ w: LoadedLayer, baseline: Baseline) -> PolygonLayer {
            let wardOf = w.index.assign(x: t.x, y: t.y)
            // Incidents per ward in the periods from … to.
            func counts(_ from: Int, _ to: Int) -> [Int] {
                var c = [Int](repeating: 0, count: w.areas.count)
                for i in 0..<t.count where ord[i] >= from && ord[i] <= to && wardOf[i] >= 0 { c[Int(wardOf[i])] += 1 }
                return c
            }
            let (shortN, longN) = (u.defaults.short, u.defaults.long)
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
            // Blanked counts (--suppress-below) get no class either: the web map must not show what the layer hides.
            let shownCounts = cur.map { o.suppressBelow > 0 && $0 > 0 && $0 < o.suppressBelow ? 0 : Double($0) }
            let cls = MapStyle.quantiles(shownCounts, baseline: pooled(w, wardOf: wardOf, baseline: baseline), field: "current",
                                         title: "Incidents this \(u.noun) (classes from the baseline \(baseline.text))", ramp: MapStyle.puBu5, decimals: 0)
            return PolygonLayer(geometries: w.areas.map(\.geometry), table: wt, style: .labelled(.classified(cls), field: "name"))
        }

        /// The baseline's incidents per ward, one value per ward and baseline period holding data, period by period.
        func pooled(_ w: LoadedLayer, wardOf: [Int32], baseline: Baseline) -> [Double] {
            var pooled: [Double] = []
            let byPeriod = Dictionary(grouping: (0..<t.count).filter { ord[$0] >= baseline.from && ord[$0] <= baseline.to && wardOf[$0] >= 0 }, by: { ord[$0] })
            for k in baseline.periods {
                var c = [Double](repeating: 0, count: w.areas.count)
                for i in byPeriod[k] ?? [] { c[Int(wardOf[i])] += 1 }
                pooled += c
            }
            return pooled
        }

        /// gistar: Gi* on grid cells over the last periods (queen: cell × √2, FDR), anchored on the boundary.
        mutating func gistarLayer() throws -> GiStarLayer {
            let gw = window(o.gistar)
            let gp = try GridProduct.compute(gw.incidents.table, cellSize: o.gistarCell, boundary: boundary, clip: true, cellLimit: Limits.defaultMaxCells)
            let g = gp.choice.grid
            let mask = try GridProduct.mask(boundary, grid: g)
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
            let bins = kept.map { Int(gi.binFDR[$0]) }
            let style = LayerStyle.classified(MapStyle.codes(bins, table: MapStyle.giBins, field: "gi_bin", title: "Gi* (FDR)"))
            return GiStarLayer(layer: PolygonLayer(geometries: kept.map { g.cellPolygon($0) }, table: gt, style: style), bins: bins, incidents: gw.incidents)
        }

        /// hotspots: KDE hotspots of the last periods, tracked from the data (`track`): this period's as new or
        /// continuing, then the previous period's that ended.
        func hotspotsLayer() throws -> HotspotsLayer {
            if let tf = o.trackFrom, u.start(tf) == nil {
                throw InputError.unusable("weekly: track_from '\(tf)' is not a \(u.noun): use \(u == .week ? "YYYY-Www, e.g. 2025-W01" : "YYYY-MM, e.g. 2024-01")")
            }
            let tracked = try track(t: t, ord: ord, now: now, firstData: firstData, boundary: boundary, options: o)
            var rows: [[Value]] = [], geoms: [MultiPolygon] = []
            for h in tracked.current {
                rows.append([.string(h.id), .string(h.status), .int(h.hot.incidents), .double(h.hot.areaM2 / 1e4, decimals: 2), .double(h.hot.pai, decimals: 2)])
                geoms.append(h.hot.geometry)
            }
            for h in tracked.ended {
                rows.append([.string(h.id), .string("ended"), .int(0), .double(h.hot.areaM2 / 1e4, decimals: 2), .null])
                geoms.append(h.hot.geometry)
            }
            var classes = MapStyle.codes(rows.map { r in if case .string(let s) = r[1] { return ["new": 1, "continuing": 2, "ended": 3][s] ?? 0 }; return 0 },
                                         table: [(1, "#fc9272", "new"), (2, "#cb181d", "continuing"), (3, "#bdbdbd", "ended")],
                                         field: "status", title: "Hotspots")
            // `status` holds the words, so the style's categories are the words (as codes 1–3 QGIS matched none and
            // drew no hotspot; tools/qgis_render.py found it).
            classes.kind = .categorized(values: ["new", "continuing", "ended"])
            // Outlines (1 mm, in the status's colour), as on the print map: what lies beneath (wards, Gi*, incidents) stays visible.
            for k in classes.classes.indices { classes.classes[k].outlineOnly = true; classes.classes[k].lineMM = 1.0 }
            let table = Table(columns: ["id", "status", "incidents", "area_ha", "pai"], rows: rows)
            return HotspotsLayer(layer: PolygonLayer(geometries: geoms, table: table, style: .labelled(.classified(classes), field: "id")), tracked: tracked)
        }

        /// emerging: emerging hot spots over the last periods that hold data (never over empty ones; at least
        /// `minEmergingSteps`), the final step being this period.
        mutating func emergingLayer(command: String) throws -> EmergingLayer {
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
            let e = try EmergingJob.compute(ep, inputs: ew)
            // The set's own vintage warnings (over all its incidents) stand for the emerging window's.
            warnings += e.warnings.filter { !all.warnings.contains($0) && !VintageWarnings.isVintage($0) }
            var et = Table(columns: ["id", "category_code", "category", "hot_steps", "trend_z"])
            et.rows = e.cells.map { k in
                let r = e.results[k]
                return [.string(e.ids[k]), .int(Int(r.pattern.rawValue)), .string(r.pattern.name), .int(r.hotSteps), .double(r.trendZ.z, decimals: 3)]
            }
            let style = LayerStyle.classified(MapStyle.codes(e.cells.map { Int(e.results[$0].pattern.rawValue) }, table: MapStyle.emerging,
                                                             field: "category_code", title: "Emerging hot spots"))
            return EmergingLayer(layer: PolygonLayer(geometries: e.cells.map(e.locations.geometry), table: et, style: style), steps: (eFirst, now))
        }

        /// Features per layer (the manifest's and the result's).
        func features(_ l: Layers) -> [String: Int] {
            var features: [String: Int] = ["incidents": l.incidents.points.count, "gistar": l.gistar.layer.geometries.count,
                                           "hotspots": l.hotspots.layer.table.rows.count]
            if let w = l.wards { features["wards"] = w.geometries.count }
            if let e = l.emerging { features["emerging"] = e.layer.geometries.count }
            if let s = l.stops { features["stops"] = s.table.rows.count }
            return features
        }

        /// manifest.json (also the folder's metadata.json) but its outputs: the period, the dates each layer covers,
        /// windows, baseline, tracking, parameters, inputs, feature counts and warnings.
        func manifest(_ l: Layers, features: [String: Int], command: String) -> [String: Any] {
            let (shortN, longN) = (u.defaults.short, u.defaults.long)
            func range(_ from: Int) -> [String: String] { ["from": CivilDate.dayLabel(u.first(ofOrdinal: max(from, firstData))), "to": CivilDate.dayLabel(end)] }
            var dates: [String: Any] = ["period": range(now), "hotspots": range(now - o.hotspot + 1), "gistar": range(now - o.gistar + 1),
                                        "wards_short": range(windowStart(shortN)), "wards_long": range(windowStart(longN))]
            if let e = l.emerging { dates["emerging"] = range(e.steps.first) }
            if l.stops != nil { dates["stops"] = ["from": CivilDate.dayLabel(start), "to": CivilDate.dayLabel(end)] }
            var m: [String: Any] = [
                "tool": "hotspot", "version": HotspotVersion.string, "command": command, "period": week, "unit": u.noun,
                "dates": dates,
                "windows": ["unit": u.noun, "short": shortN, "long": longN, "hotspots": o.hotspot, "gistar": o.gistar, "emerging": o.emerging,
                            "emerging_steps": l.emerging.map { $0.steps.last - $0.steps.first + 1 } ?? 0],
                "baseline": ["from": u.label(ordinal: l.baseline.from), "to": u.label(ordinal: l.baseline.to), "field": "current",
                             "what": "ward colour classes: quantiles of incidents per ward per \(u.noun) over these \(plural), reused every \(u.noun)"],
                "tracking": ["from": u.label(ordinal: l.hotspots.tracked.from),
                             "how": "hotspots of every \(u.noun) from this one on, matched to the previous \(u.noun)'s by overlap (GEOS intersects); ids name the \(u.noun) a hotspot first appeared"],
                "parameters": ["kde_cell_m": o.kdeCell, "gistar_cell_m": o.gistarCell, "suppress_below": o.suppressBelow,
                               "threshold": "top 5 % of cells", "neighbours": "queen (cell × √2)"],
                "suppression": o.suppressBelow > 0 ? "counts from 1 to \(o.suppressBelow - 1) are blank in wards and gistar\(l.stops == nil ? "" : " and stops (with the find rate they would give away)")" : "none",
                "inputs": all.incidents.files.map { ["path": $0.path, "sha256": $0.sha256, "rows": $0.read, "accepted": $0.accepted] },
                "features": features, "warnings": warnings,
                "attribution": Attribution.lines(boundaries: true)]
            if let s = l.stops { m["stops"] = s.manifest }
            return m
        }

        /// A file or layer name of the set: dated sets name every file and layer with the period (`tag`); the fixed
        /// address (layers/latest) does not.
        func named(_ base: String, _ tag: String?) -> String { tag.map { "\(base)-\($0)" } ?? base }

        /// Writes the set into a staging folder for `dir` (swapped in by `run`): dated names with `tag`, fixed names
        /// (the `latest` address) without. A map already drawn (`maps`: name suffix → bytes of the dated set) is copied
        /// rather than drawn again; returns the set with the maps drawn and the web map's context layers.
        func stage(_ l: Layers, manifest base: [String: Any], into dir: String, tag: String?, maps: [String: Data],
                   context: [ContextLayer]) throws -> Staged {
            let set = try OutputSet(directory: dir, database: tag == nil ? nil : p.database, flatGeobuf: p.flatGeobuf)
            let gpkgLayers = try writeLayers(l, into: set, tag: tag)
            var drawn: [String: Data] = [:]
            if !maps.isEmpty {
                for (suffix, data) in maps.sorted(by: { $0.key < $1.key }) { try set.write(named("map", tag) + suffix, data) }
            } else if let mo = o.map {
                drawn = try drawMap(l, options: mo, into: set, name: named("map", tag))
            }
            let crs = GeoPackageWriter.CRS(epsg: analysisEPSG, name: "OSGB36 / British National Grid", wkt: try CRSInfo.ogcWKT(epsg: analysisEPSG))
            let gpkg = try GeoPackageWriter.write(path: set.path(named("layers", tag) + ".gpkg"), layers: gpkgLayers, crs: crs)
            set.record(named("layers", tag) + ".gpkg", gpkg)
            // The web map (map.html, map-data.js, Leaflet) of the set's layers, listed in the manifest.
            set.webReference(boundary: boundary, layers: wards.map { [$0] } ?? [])
            set.webContext(context)
            let webWarnings = try set.writeWebMap(title: "\(u.title) \(week)\(tag == nil ? " (latest)" : "")", attribution: Attribution.lines(boundaries: true))
            var manifest = base
            if !webWarnings.isEmpty { manifest["warnings"] = warnings + webWarnings }
            manifest["outputs"] = set.written.sorted { $0.path < $1.path }.map { ["path": $0.path, "sha256": $0.sha256, "bytes": $0.bytes] }
            let data = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) + Data("\n".utf8)
            try set.write("manifest.json", data)
            return Staged(set: set, manifest: data, maps: drawn, context: set.web.context)
        }

        /// Writes every layer (GeoJSON + QML) into `set`, and returns them for the set's one GeoPackage
        /// (layers[-PERIOD].gpkg), with short field names and styles.
        func writeLayers(_ l: Layers, into set: OutputSet, tag: String?) throws -> [GeoPackageWriter.Layer] {
            var gpkgLayers: [GeoPackageWriter.Layer] = []
            func add(_ name: String, _ layer: PolygonLayer) throws {
                try set.writeLayer(named(name, tag), geometries: layer.geometries, properties: layer.table, style: layer.style)
                let f = FieldNames.layer(layer.table)
                gpkgLayers.append(.init(table: named(name, tag).replacingOccurrences(of: "-", with: "_"), geometries: layer.geometries,
                                        properties: f.table, style: layer.style.renamed(f.rename), aliases: f.aliases))
            }
            let i = l.incidents
            try set.writePoints(named("incidents", tag), x: i.lon, y: i.lat, points: i.points, properties: i.table, style: i.style)
            let incidentFields = FieldNames.layer(i.table)
            gpkgLayers.append(.init(table: named("incidents", tag).replacingOccurrences(of: "-", with: "_"), points: i.points,
                                    properties: incidentFields.table, style: i.style.renamed(incidentFields.rename), aliases: incidentFields.aliases))
            if let w = l.wards { try add("wards", w) }
            try add("gistar", l.gistar.layer)
            try add("hotspots", l.hotspots.layer)
            if let e = l.emerging { try add("emerging", e.layer) }
            if let s = l.stops, let w = wards { try add("stops", PolygonLayer(geometries: w.areas.map(\.geometry), table: s.table, style: s.style)) }
            return gpkgLayers
        }

        /// The period's map (Gi* bins of the last periods, hotspots with their status, ward names) drawn into `set` as
        /// `name`.*; returns the files drawn (name suffix → bytes), for the `latest` copy.
        func drawMap(_ l: Layers, options: MapOptions, into set: OutputSet, name: String) throws -> [String: Data] {
            var mo = options
            mo.title = mo.title ?? "\(u.title) \(week): hot spots of the last \(o.gistar) \(o.gistar == 1 ? u.noun : plural)"
            let tracked = l.hotspots.tracked
            var ctx = MapJob.Context(incidents: l.gistar.incidents, boundary: boundary, layers: wards.map { [$0] } ?? [],
                                     parameters: "Gi* on \(Fmt.number(o.gistarCell)) m cells (queen, FDR) · hotspots: top 5 % of \(Fmt.number(o.kdeCell)) m cells of a quartic KDE, tracked \(u.noun) to \(u.noun) from \(u.label(ordinal: tracked.from)) (new / continuing; ended ones are in the hotspots layer)",
                                     product: "\(u.noun)ly hot spots")
            ctx.hotspotLegend = "Hotspots (id: the \(u.noun) first seen; status)"
            ctx.hotspots = tracked.current.map { ("\($0.id) (\($0.status))", $0.hot.geometry) }
            if l.wards != nil { ctx.notes.append("Wards layer (wards.qml): classes fixed from the baseline \(l.baseline.text) (incidents per ward per \(u.noun))") }
            let cls = MapStyle.codes(l.gistar.bins, table: MapStyle.giBins, field: "gi_bin", title: "Getis-Ord Gi* (FDR)")
            let before = Set(set.written.map(\.path))
            try MapJob.draw(ctx, features: l.gistar.layer.geometries, classification: cls, dissolve: true, options: mo, into: set, name: name)
            var drawn: [String: Data] = [:]
            for f in set.written where !before.contains(f.path) && f.path.hasPrefix(name) {
                drawn[String(f.path.dropFirst(name.count))] = FileManager.default.contents(atPath: set.path(f.path))
            }
            return drawn
        }
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
        let windows = try HotspotWindows(t: t, ord: ord, boundary: b, periods: o.hotspot, cellSize: o.kdeCell)
        var prev: (parts: HotComponents, ids: [String], window: (x: [Double], y: [Double]))?
        var result = Tracked(current: [], ended: [], from: from)
        for k in from...now {
            let w = windows.window(k)
            guard let cur = windows.parts(w) else { prev = nil; continue }
            var continued = Set<Int>(), fresh = 0, ids: [String] = [], status: [String] = []
            for j in 0..<cur.count {
                if let p = prev, let m = cur.touching(j, in: p.parts).first(where: { !continued.contains($0) }) {
                    continued.insert(m); ids.append(p.ids[m]); status.append("continuing")
                } else {
                    fresh += 1; ids.append("\(u.label(ordinal: k))-h\(fresh)"); status.append("new")
                }
            }
            if k == now {
                let hots = try windows.polygons(cur, w)
                result.current = hots.indices.map { (hots[$0], ids[$0], status[$0]) }
                if let p = prev {
                    let before = try windows.polygons(p.parts, p.window)
                    result.ended = before.indices.filter { !continued.contains($0) }.map { (before[$0], p.ids[$0]) }
                }
            }
            prev = (cur, ids, w)
        }
        return result
    }

    /// The KDE hotspots (top 5 % of cells of a quartic KDE, ArcGIS bandwidth) of any period's window, the last
    /// `periods` periods up to it, on one grid anchored on the boundary, the same for every period.
    private struct HotspotWindows {
        let t: IncidentTable, periods: Int
        let studyArea: Double, grid: SquareGrid, mask: [Bool]
        /// Incidents sorted by period, so each window is a contiguous slice, and their periods.
        let order: [Int], sortedOrd: [Int]
        let geos: GEOSContext

        init(t: IncidentTable, ord: [Int], boundary b: LoadedLayer, periods: Int, cellSize: Double) throws {
            self.t = t; self.periods = periods
            studyArea = b.areas.reduce(0) { $0 + $1.geometry.area }
            let grid = try GridProduct.compute(t, cellSize: cellSize, boundary: b, clip: false, cellLimit: Limits.defaultMaxCells).choice.grid
            self.grid = grid
            mask = try GridProduct.mask(b, grid: grid)
            let order = (0..<t.count).sorted { (ord[$0], $0) < (ord[$1], $1) }
            self.order = order
            sortedOrd = order.map { ord[$0] }
            geos = try GEOSContext()
        }

        /// The first position in the sorted incidents whose period is `k` or later.
        func lowerBound(_ k: Int) -> Int {
            var lo = 0, hi = sortedOrd.count
            while lo < hi { let m = (lo + hi) / 2; if sortedOrd[m] < k { lo = m + 1 } else { hi = m } }
            return lo
        }
        /// The incidents (x, y) of the window ending with period `k`.
        func window(_ k: Int) -> (x: [Double], y: [Double]) {
            let idx = order[lowerBound(k - periods + 1)..<lowerBound(k + 1)]
            return (idx.map { t.x[$0] }, idx.map { t.y[$0] })
        }
        /// The window's hot cells as connected parts; nil for fewer than two incidents.
        func parts(_ w: (x: [Double], y: [Double])) -> HotComponents? {
            guard w.x.count >= 2 else { return nil }
            let h = Bandwidth.compute(.arcgis, x: w.x, y: w.y)
            let s = kernelDensity(x: w.x, y: w.y, weights: [], grid: grid, parameters: KDEParameters(bandwidth: h, kernel: .quartic, unit: .perKm2, mode: .auto), mask: mask)
            let hot = selectHotCells(s, threshold: .topCells(percent: 5))
            return HotComponents(hot: hot.cells, values: s.values, grid: grid)
        }
        /// The parts dissolved into polygons, with the window's incidents in each, area and PAI.
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
    }
}
