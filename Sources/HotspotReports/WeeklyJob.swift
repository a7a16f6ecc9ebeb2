import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO

/// `hotspot weekly PROJECT --week 2026-W47`: the neighbourhood team's layer set for one ISO week, in
/// `OUT/layers/2026-W47/` (and mirrored in `OUT/layers/latest/`), each file and layer named with the week:
///
/// - `incidents-WEEK.geojson`: the week's points (category, date, ward; no free text);
/// - `wards-WEEK`: per ward, this week, last week, the 4- and 13-week weekly averages, the change and its p;
/// - `hotspots-WEEK`: KDE hotspot polygons of the last 4 weeks, with ids kept from last week's set where they
///   overlap (`status` new / continuing, and last week's that are gone as `ended`);
/// - `gistar-WEEK`: Gi* on grid cells over the last 4 weeks (cell ids `E…N…`, the same every week);
/// - `emerging-WEEK`: emerging hot spots over the last 26 weekly steps, the final step being this week;
/// - `manifest.json`: the week, the dates each layer covers, parameters, inputs and outputs with SHA-256 and
///   feature counts.
///
/// The grid is anchored on the boundary's extent (never the data's). Monthly data (police.uk) are refused: weeks need
/// dated incidents. A week after the newest incident (stale inputs) or without any incident is refused before
/// anything is written.
public enum WeeklyJob {
    /// The period a layer set covers: an ISO week (`2026-W47`) or, for monthly data such as police.uk's, a calendar
    /// month (`2025-10`, `--monthly`). Windows (4, 13, 26) count in this unit.
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
        var step: StepLength { self == .week ? .weeks : .months(1) }
    }

    public struct Options: Sendable {
        public var unit = Unit.week
        public var hotspotWeeks = 4, gistarWeeks = 4, emergingWeeks = 26
        public var kdeCell = 100.0, gistarCell = 200.0
        /// Counts below this are blanked in the ward and grid layers (for publication); 0 = none.
        public var suppressBelow = 0
        /// The week's map (Gi* bins of the last weeks, hotspot polygons with their status, ward names): map-WEEK.*.
        public var map: MapOptions? = MapOptions()
        public init() {}
    }

    public struct Result { public var week: String; public var folder: String; public var features: [String: Int]; public var warnings: [String] }

    /// The week to build for `--latest`: the newest ISO week whose Sunday is not after the newest incident.
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

    public static func run(_ p: Project, week label: String, options o: Options = Options(), command: String) throws -> Result {
        let u = o.unit
        guard let start = u.start(label) else {
            throw InputError.unusable(u == .week ? "--week '\(label)' is not an ISO week: use YYYY-Www, e.g. 2026-W47" : "'\(label)' is not a month: use YYYY-MM")
        }
        let week = u.label(start), end = u.end(start)
        guard p.boundary != nil else { throw InputError.unusable("weekly layers need a 'boundary' in the project file: the grid is anchored on it, never on the data") }
        let folder = ((p.out as NSString).appendingPathComponent("layers") as NSString).appendingPathComponent(week)
        try OutputGuard.check(out: folder, inputs: p.files)
        let all = try p.loadInputs()
        let t = all.incidents.table
        guard t.resolution == .day || u == .month else {
            throw InputError.unusable("the incidents are dated by month (police.uk street data): weekly layers need dated incidents (YYYY-MM-DD); build monthly layers with --monthly")
        }
        // Monthly data date every incident to the 1st: the month is covered when its first day is.
        guard let newest = t.day.max().map(Int.init), newest >= (t.resolution == .month ? start : end) else {
            throw InputError.unusable("stale inputs: the newest incident is \(t.day.max().map { CivilDate.dayLabel(Int($0)) } ?? "none"), before the end of \(week) (\(CivilDate.dayLabel(end))); add the newer files or build an earlier week")
        }
        func window(_ weeks: Int) -> JobInputs {
            let from = Int32(u.shift(start, -(weeks - 1))), to = Int32(end)
            var w = all
            w.incidents.table = t.filtered { t.day[$0] >= from && t.day[$0] <= to }
            return w
        }
        let thisWeek = window(1).incidents.table
        guard thisWeek.count > 0 else { throw InputError.unusable("\(week) (\(CivilDate.dayLabel(start)) – \(CivilDate.dayLabel(end))) holds no incident: nothing to publish") }
        /// Writes the set into `dir`: dated names with `tag`, fixed names (the `latest` address) without.
        func publish(into dir: String, tag: String?) throws -> (features: [String: Int], warnings: [String]) {
            var warnings = all.warnings, features: [String: Int] = [:]
            let set = try OutputSet(directory: dir, database: tag == nil ? nil : p.database)
            // Dated sets name every file and layer with the period; the fixed address (layers/latest) does not.
            func named(_ base: String) -> String { tag.map { "\(base)-\($0)" } ?? base }
            // Every layer also goes into one GeoPackage of the week (layers-WEEK.gpkg), with short field names and styles.
            var gpkgLayers: [GeoPackageWriter.Layer] = []
            func collect(_ name: String, _ geoms: [MultiPolygon], _ table: Table, _ style: LayerStyle?) {
                let f = FieldNames.layer(table)
                gpkgLayers.append(.init(table: name.replacingOccurrences(of: "-", with: "_"), geometries: geoms,
                                        properties: f.table, style: style?.renamed(f.rename), aliases: f.aliases))
            }
            let b = all.boundary!
            let wards = all.layers.first { $0.name == "wards" } ?? all.layers.first

            // incidents: the week's points, lon/lat, with category, date and ward (no free text).
            let wardOf = wards.map { $0.index.assign(x: thisWeek.x, y: thisWeek.y) }
            var ll = (x: thisWeek.x, y: thisWeek.y)
            _ = try Projection(from: analysisEPSG, to: 4326).transform(x: &ll.x, y: &ll.y)
            var it = Table(columns: ["id", "category", "date"] + (wards.map { ["\($0.name == "wards" ? "ward" : $0.name)"] } ?? []))
            it.rows = (0..<thisWeek.count).map { i in
                [.string("\(week)-\(i + 1)"), .string(thisWeek.categories[Int(thisWeek.category[i])]), .string(CivilDate.dayLabel(Int(thisWeek.day[i])))]
                    + (wards.map { w in [wardOf![i] >= 0 ? .string(w.areas[Int(wardOf![i])].id) : .null] } ?? [])
            }
            let incidentFields = FieldNames.layer(it)
            try set.write(named("incidents") + ".fields.csv", incidentFields.dictionary.csv())
            try set.write(named("incidents") + ".geojson", GeoJSONWriter.points(name: named("incidents"), x: ll.x, y: ll.y,
                                                                          properties: incidentFields.table, idColumn: "id"))
            features["incidents"] = thisWeek.count
            gpkgLayers.append(.init(table: named("incidents").replacingOccurrences(of: "-", with: "_"),
                                    points: (0..<thisWeek.count).map { XY(thisWeek.x[$0], thisWeek.y[$0]) }, properties: incidentFields.table))

            // wards: this week, last week, 4- and 13-week weekly averages, change and its Poisson p.
            if let w = wards {
                func counts(_ weeksBack: Int, _ weeks: Int) -> [Int] {
                    let from = Int32(u.shift(start, -(weeksBack + weeks - 1))), to = Int32(u.end(u.shift(start, -weeksBack)))
                    return AreaCounts.compute(t.filtered { t.day[$0] >= from && t.day[$0] <= to }, layer: w).rows.map(\.count)
                }
                let now = counts(0, 1), last = counts(1, 1), four = counts(0, 4), thirteen = counts(0, 13)
                func shown(_ n: Int) -> Value { o.suppressBelow > 0 && n > 0 && n < o.suppressBelow ? .null : .int(n) }
                var wt = Table(columns: ["id", "name", "this_week", "last_week", "avg_4w", "avg_13w", "change", "p_change"])
                wt.rows = w.areas.indices.map { k in
                    let c = poissonRateTest(before: last[k], after: now[k])
                    let suppressed = o.suppressBelow > 0 && (now[k] > 0 && now[k] < o.suppressBelow || last[k] > 0 && last[k] < o.suppressBelow)
                    return [.string(w.areas[k].id), .string(w.areas[k].name), shown(now[k]), shown(last[k]),
                            .double(Double(four[k]) / 4, decimals: 2), .double(Double(thirteen[k]) / 13, decimals: 2),
                            suppressed ? .null : .int(c.change), suppressed ? .null : .double(c.p, decimals: 4)]
                }
                let cls = MapStyle.quantiles(now.map(Double.init), field: "this_week", title: "Incidents this week", ramp: MapStyle.puBu5, decimals: 0)
                try set.writeLayer(named("wards"), geometries: w.areas.map(\.geometry), properties: wt, style: .classified(cls))
                collect(named("wards"), w.areas.map(\.geometry), wt, .classified(cls))
                features["wards"] = w.areas.count
            }

            // gistar: grid cells over the last weeks, anchored on the boundary.
            let gw = window(o.gistarWeeks)
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
            let giStyle = LayerStyle.classified(MapStyle.codes(kept.map { Int(gi.binFDR[$0]) }, table: MapStyle.giBins, field: "gi_bin", title: "Gi* (FDR)"))
            try set.writeLayer(named("gistar"), geometries: kept.map { g.cellPolygon($0) }, properties: gt, style: giStyle)
            collect(named("gistar"), kept.map { g.cellPolygon($0) }, gt, giStyle)
            features["gistar"] = kept.count

            // hotspots: KDE of the last weeks; ids kept from last week's set where the polygons overlap.
            let hw = window(o.hotspotWeeks).incidents.table
            var hotspotRows: [[Value]] = [], hotspotGeoms: [MultiPolygon] = []
            if hw.count >= 2 {
                let kg = try GridProduct.compute(hw, cellSize: o.kdeCell, boundary: b, clip: false, cellLimit: 5_000_000).choice.grid
                let h = Bandwidth.compute(.arcgis, x: hw.x, y: hw.y)
                let s = kernelDensity(x: hw.x, y: hw.y, weights: [], grid: kg, parameters: KDEParameters(bandwidth: h, kernel: .quartic, unit: .perKm2, mode: .auto),
                                      mask: try GridProduct.mask(b, grid: kg))
                let hot = selectHotCells(s, threshold: .topCells(percent: 5))
                let area = b.areas.reduce(0) { $0 + $1.geometry.area }
                let polys = try HotspotPolygonBuilder.build(surface: s, hot: hot, smooth: false, x: hw.x, y: hw.y, studyAreaM2: area)
                let previous = try lastWeeksHotspots(out: p.out, before: start, unit: u)
                let geos = try GEOSContext()
                let prevG = try previous.map { try GEOSGeometry(geos, $0.geometry) }
                var continued = Set<Int>(), fresh = 0
                for hp in polys {
                    let gg = try GEOSGeometry(geos, hp.geometry)
                    var id: String, status: String
                    if let k = prevG.indices.first(where: { !continued.contains($0) && previous[$0].status != "ended" && gg.intersects(prevG[$0]) }) {
                        continued.insert(k); id = previous[k].id; status = "continuing"
                    } else { fresh += 1; id = "\(week)-h\(fresh)"; status = "new" }
                    hotspotRows.append([.string(id), .string(status), .int(hp.incidents), .double(hp.areaM2 / 1e4, decimals: 2), .double(hp.pai, decimals: 2)])
                    hotspotGeoms.append(hp.geometry)
                }
                for (k, prev) in previous.enumerated() where !continued.contains(k) && prev.status != "ended" {
                    hotspotRows.append([.string(prev.id), .string("ended"), .int(0), .double(prev.geometry.area / 1e4, decimals: 2), .null])
                    hotspotGeoms.append(prev.geometry)
                }
            }
            var hotClasses = MapStyle.codes(hotspotRows.map { r in if case .string(let s) = r[1] { return ["new": 1, "continuing": 2, "ended": 3][s] ?? 0 }; return 0 },
                                            table: [(1, "#fc9272", "new"), (2, "#cb181d", "continuing"), (3, "#bdbdbd", "ended")],
                                            field: "status", title: "Hotspots")
            // `status` holds the words, so the style's categories are the words (as codes 1–3 QGIS matched none and
            // drew no hotspot; tools/qgis_render.py found it).
            hotClasses.kind = .categorized(values: ["new", "continuing", "ended"])
            let hotStyle = LayerStyle.classified(hotClasses)
            let hotTable = Table(columns: ["id", "status", "incidents", "area_ha", "pai"], rows: hotspotRows)
            try set.writeLayer(named("hotspots"), geometries: hotspotGeoms, properties: hotTable, style: hotStyle)
            collect(named("hotspots"), hotspotGeoms, hotTable, hotStyle)
            features["hotspots"] = hotspotRows.count

            // emerging: weekly steps over the last weeks, the final step being this week.
            let scratch = NSTemporaryDirectory() + "hotspot-weekly-\(getpid())-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            var eo = EmergingJobOptions()
            eo.cell = o.gistarCell; eo.clip = true; eo.step = u.step
            eo.start = u.shift(start, -(o.emergingWeeks - 1)); eo.end = end
            let ew = window(o.emergingWeeks)
            var ep = p
            ep.out = scratch; ep.products = .init(); ep.products.emerging = eo; ep.database = nil
            let e = try EmergingJob.run(ep, command: command, inputs: ew)
            warnings += e.warnings
            let eg = e.grid!
            var et = Table(columns: ["id", "category_code", "category", "hot_steps", "trend_z"])
            et.rows = e.cells.map { k in
                let r = e.results[k]
                return [.string(eg.cellID(k)), .int(Int(r.pattern.rawValue)), .string(r.pattern.name), .int(r.hotSteps), .double(r.trendZ.z, decimals: 3)]
            }
            let emStyle = LayerStyle.classified(MapStyle.codes(e.cells.map { Int(e.results[$0].pattern.rawValue) }, table: MapStyle.emerging,
                                                               field: "category_code", title: "Emerging hot spots"))
            try set.writeLayer(named("emerging"), geometries: e.cells.map { eg.cellPolygon($0) }, properties: et, style: emStyle)
            collect(named("emerging"), e.cells.map { eg.cellPolygon($0) }, et, emStyle)
            features["emerging"] = e.cells.count
            if var mo = o.map {
                mo.title = mo.title ?? "Week \(week): hot spots of the last \(o.gistarWeeks) \(u == .week ? "weeks" : "months")"
                var ctx = MapJob.Context(incidents: gw.incidents, boundary: b, layers: wards.map { [$0] } ?? [],
                                         parameters: "Gi* on \(Fmt.number(o.gistarCell)) m cells (queen, FDR) · hotspots: top 5 % of \(Fmt.number(o.kdeCell)) m cells of a quartic KDE, ids kept from last \(u.rawValue) (new / continuing / ended)",
                                         product: "weekly hot spots")
                ctx.hotspotLegend = "Hotspots (id kept across \(u.rawValue)s; status)"
                ctx.hotspots = zip(hotspotRows, hotspotGeoms).compactMap { r, g in
                    guard case .string(let id) = r[0], case .string(let st) = r[1], st != "ended" else { return nil }
                    return ("\(id) (\(st))", g)
                }
                let cls = MapStyle.codes(kept.map { Int(gi.binFDR[$0]) }, table: MapStyle.giBins, field: "gi_bin", title: "Getis-Ord Gi* (FDR)")
                try MapJob.draw(ctx, features: kept.map { g.cellPolygon($0) }, classification: cls, dissolve: true, options: mo, into: set, name: named("map"))
            }
            let crs = GeoPackageWriter.CRS(epsg: analysisEPSG, name: "OSGB36 / British National Grid", wkt: try CRSInfo.ogcWKT(epsg: analysisEPSG))
            let all5 = try GeoPackageWriter.write(path: set.path(named("layers") + ".gpkg"), layers: gpkgLayers, crs: crs)
            set.record(named("layers") + ".gpkg", all5)

            // manifest.json (also the folder's metadata.json).
            func range(_ weeks: Int) -> [String: String] { ["from": CivilDate.dayLabel(u.shift(start, -(weeks - 1))), "to": CivilDate.dayLabel(end)] }
            let manifest: [String: Any] = [
                "tool": "hotspot", "version": HotspotVersion.string, "command": command, "week": week,
                "dates": ["week": range(1), "hotspots": range(o.hotspotWeeks), "gistar": range(o.gistarWeeks), "emerging": range(o.emergingWeeks), "wards_13w": range(13)],
                "parameters": ["kde_cell_m": o.kdeCell, "gistar_cell_m": o.gistarCell, "hotspot_weeks": o.hotspotWeeks, "gistar_weeks": o.gistarWeeks,
                               "emerging_weeks": o.emergingWeeks, "suppress_below": o.suppressBelow, "threshold": "top 5 % of cells", "neighbours": "queen (cell × √2)"],
                "suppression": o.suppressBelow > 0 ? "counts from 1 to \(o.suppressBelow - 1) are blank in wards and gistar" : "none",
                "inputs": all.incidents.files.map { ["path": $0.path, "sha256": $0.sha256, "rows": $0.read, "accepted": $0.accepted] },
                "features": features, "warnings": warnings,
                "outputs": set.written.sorted { $0.path < $1.path }.map { ["path": $0.path, "sha256": $0.sha256, "bytes": $0.bytes] },
                "attribution": Attribution.lines(boundaries: true)]
            let data = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) + Data("\n".utf8)
            try set.write("manifest.json", data)
            try set.commit(metadata: data, job: "weekly")
            return (features, warnings)
        }
        let (features, warnings) = try publish(into: folder, tag: week)
        // layers/latest: the newest period built, under fixed names (a QGIS project or web map points at it once).
        let layers = (p.out as NSString).appendingPathComponent("layers")
        let newer = ((try? FileManager.default.contentsOfDirectory(atPath: layers)) ?? []).compactMap { u.start($0) }.contains { $0 > start }
        if !newer { _ = try publish(into: (layers as NSString).appendingPathComponent("latest"), tag: nil) }
        return Result(week: week, folder: folder, features: features, warnings: warnings)
    }

    /// The hotspots of the newest week built before `day` (from its GeoPackage), with their ids and status.
    static func lastWeeksHotspots(out: String, before day: Int, unit: Unit) throws -> [(id: String, status: String, geometry: MultiPolygon)] {
        let layers = (out as NSString).appendingPathComponent("layers")
        let weeks = ((try? FileManager.default.contentsOfDirectory(atPath: layers)) ?? [])
            .compactMap { w in unit.start(w).map { (w, $0) } }.filter { $0.1 < day }.sorted { $0.1 < $1.1 }
        guard let (w, _) = weeks.last else { return [] }
        let path = ((layers as NSString).appendingPathComponent(w) as NSString).appendingPathComponent("hotspots-\(w).gpkg")
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let g = try GeoPackageReader.read(path: path)
        return g.geometries.indices.map { (g.text["id"]?[$0] ?? "", g.text["status"]?[$0] ?? "", g.geometries[$0]) }
    }

}
