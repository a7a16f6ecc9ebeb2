import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// The figures of a PSPO evidence pack, computed from the request's incidents, the proposed restricted area and the
/// area layers; `tabulate` turns them into the exhibit tables, each shown on the page as it is.
struct PspoEvidence {
    /// The residents by ethnic group (`--residents`), the layer whose codes it uses, and the areas of that layer the
    /// restricted area touches (whose residents are the baseline).
    typealias Residents = (table: ResidentsTable, layer: String, areas: [(id: String, name: String)])

    var name: String
    /// True when the area was proposed from hotspot polygons rather than drawn by the council.
    var proposal: Bool
    /// How the proposal was made (from hotspots only).
    var proposalNote: String?
    var area: MultiPolygon
    var areaM2: Double
    /// Zones for displacement, disjoint: the area, the rings, the adjacent wards beyond the rings.
    var zones: [(name: String, geometry: MultiPolygon)]
    /// Zone of each incident (index into `zones`, −1 = elsewhere in the borough).
    var zoneOf: [Int32]
    var wardsTouched: [(id: String, name: String, share: Double)]
    var adjacentWards: [(id: String, name: String)]
    var months: [Int]
    var monthOf: [Int]
    var boroughM2: Double
    var boroughName: String
    var populationArea: Double?, populationBorough: Double?, populationSource: String?
    /// Rows read, quarantined, accepted, inside the boundary and inside the area: the one definition (`PspoCounts`).
    var counts: PspoCounts
    var residents: Residents?

    var inside: [Bool] { zoneOf.map { $0 == 0 } }

    /// "Ring 0–250 m", "Ring 250–500 m".
    static func ringNames(_ rings: [Double]) -> [String] {
        rings.enumerated().map { k, d in "Ring \(Fmt.number(k == 0 ? 0 : rings[k - 1]))–\(Fmt.number(d)) m" }
    }

    /// The restricted area from the request: the polygon file (refused when invalid) or the hotspot proposal.
    static func restrictedArea(_ r: Project.PspoRequest, gridDirectories: [String], ctx: GEOSContext) throws -> (name: String, area: MultiPolygon, proposal: Bool, note: String?) {
        if let spec = r.area {
            let l: LoadedLayer
            do { l = try Pipeline.loadLayer(spec, gridDirectories: gridDirectories, repair: false) } catch GeoError.invalidGeometry(let id, let reason) {
                throw InputError.unusable("\(spec.path): the restricted area's polygon \(id) is invalid (\(reason)); fix it (QGIS: Vector ▸ Geometry Tools ▸ Fix Geometries, or redraw it) and run again")
            }
            guard !l.areas.isEmpty else { throw InputError.unusable("\(spec.path): no polygon to use as the restricted area") }
            let u = try GEOSGeometry(ctx, MultiPolygon(l.areas.flatMap(\.geometry.polygons))).unaryUnion().multiPolygon()
            let named = l.areas.count == 1 && l.areas[0].name != l.areas[0].id && l.areas[0].name != "area" ? l.areas[0].name : nil
            return (r.name ?? named ?? ((spec.path as NSString).lastPathComponent as NSString).deletingPathExtension, u, false, nil)
        }
        guard let h = r.fromHotspots else { throw InputError.unusable("give the proposed restricted area (--area FILE) or --from-hotspots FILE") }
        let l = try Pipeline.loadLayer(LayerSpec(name: "hotspots", path: h, idField: "id", nameField: "id"), gridDirectories: gridDirectories)
        guard !l.areas.isEmpty else { throw InputError.unusable("\(h): no hotspot polygon to propose an area from") }
        let g = try GEOSGeometry(ctx, MultiPolygon(l.areas.flatMap(\.geometry.polygons))).unaryUnion().buffer(r.buffer).simplified(r.simplify)
        let note = "Proposed from \(l.areas.count) hotspot polygon(s) of \((h as NSString).lastPathComponent) (\(l.areas.map(\.id).joined(separator: ", "))): dissolved, buffered by \(Fmt.number(r.buffer)) m and simplified within \(Fmt.number(r.simplify)) m. A proposal for officers to review, not a drawn boundary."
        return (r.name ?? "Proposed area (from hotspots)", g.multiPolygon(), true, note)
    }

    /// The evidence of the request: the restricted area (refused when empty, away from the data or outside the study
    /// boundary), the borough it is compared with, the wards it touches and their neighbours, the displacement zones,
    /// each incident's zone and month, the counts, the area's estimated population and the residents' baseline.
    static func compute(_ p: Project, _ r: Project.PspoRequest, job: JobInputs) throws -> PspoEvidence {
        let inc = job.incidents, t = inc.table
        guard t.count > 0 else {
            throw InputError.unusable("empty period: no incident of the chosen types (--type) falls in the chosen period (--from/--to) inside the study area; check the dates the files cover (hotspot inspect)")
        }
        let ctx = try GEOSContext()
        let (name, area, proposal, proposalNote) = try restrictedArea(r, gridDirectories: p.gridDirectories, ctx: ctx)
        let areaG = try GEOSGeometry(ctx, area)
        let areaM2 = areaG.area
        guard areaM2 > 1 else { throw InputError.unusable("the restricted area has no area (\(Fmt.fixed(areaM2, 1)) m²)") }
        let te = t.extent!
        try checkPlacement(area, areaG, r, job: job, extent: te, ctx: ctx)
        let wards = job.layers.first { $0.name == "wards" } ?? job.layers.first
        let borough = Self.borough(job, wards: wards, extent: te)
        let (touched, adjacent) = try wardsAround(areaG, areaM2: areaM2, wards: wards, ctx: ctx)
        let zones = try Self.zones(name: name, area: area, areaG: areaG, rings: r.rings, wards: wards, adjacent: adjacent, ctx: ctx)
        let zoneIndex = try AreaIndex(areas: zones.enumerated().map { Area(id: String(format: "%03d", $0.offset), name: $0.element.name, geometry: $0.element.geometry) })
        let zoneOf = zoneIndex.assign(x: t.x, y: t.y)
        let (months, monthOf) = Self.months(p, t)
        var e = PspoEvidence(name: name, proposal: proposal, proposalNote: proposalNote, area: area, areaM2: areaM2, zones: zones, zoneOf: zoneOf,
                             wardsTouched: touched, adjacentWards: adjacent, months: months, monthOf: monthOf,
                             boroughM2: borough.m2, boroughName: borough.name,
                             counts: PspoCounts(inc, insideArea: zoneOf.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }))
        if let pop = try population(job, areaG: areaG, ctx: ctx) {
            e.populationArea = pop.area; e.populationBorough = pop.borough; e.populationSource = pop.source
        }
        if let rp = r.residents { e.residents = try residents(rp, job: job, areaG: areaG, ctx: ctx) }
        return e
    }

    /// Refuses an area away from the data (farther than the largest ring from the incidents' extent `te`) or outside
    /// the study boundary.
    static func checkPlacement(_ area: MultiPolygon, _ areaG: GEOSGeometry, _ r: Project.PspoRequest, job: JobInputs, extent te: Extent, ctx: GEOSContext) throws {
        let ae = area.extent!
        let margin = (r.rings.max() ?? 0)
        if ae.maxX + margin < te.minX || ae.minX - margin > te.maxX || ae.maxY + margin < te.minY || ae.minY - margin > te.maxY {
            throw InputError.unusable("the restricted area (\(Pipeline.describe(ae))) lies outside the data extent (\(Pipeline.describe(te)), EPSG:27700): check the area's CRS (a GeoJSON without a crs is read as WGS84; --restricted-area-epsg 27700, or epsg: 27700 in a project file, for British National Grid) and that the incident files cover the place")
        }
        if let b = job.boundary {
            let bg = try GEOSGeometry(ctx, MultiPolygon(b.areas.flatMap(\.geometry.polygons)))
            if !bg.intersects(areaG) { throw InputError.unusable("the restricted area does not overlap the study boundary (\(b.source.path))") }
        }
    }

    /// The borough the area is compared with: the study boundary, else the ward layer, else the incidents' extent `te`;
    /// its area (m², the sum of its polygons') and its name.
    static func borough(_ job: JobInputs, wards: LoadedLayer?, extent te: Extent) -> (m2: Double, name: String) {
        let boroughAreas = job.boundary?.areas ?? wards?.areas
        let boroughM2 = boroughAreas.map { $0.reduce(0) { $0 + $1.geometry.area } } ?? te.width * te.height
        let boroughName = job.boundary.flatMap { $0.areas.count == 1 && $0.areas[0].name != "boundary" ? $0.areas[0].name : nil } ?? (job.boundary != nil ? "Study area" : wards != nil ? "All wards" : "Data extent")
        return (boroughM2, boroughName)
    }

    /// The wards the area touches (over 1 m², with the share of the area in each) and the wards adjacent to those
    /// (queen contiguity), in layer order; none without a ward layer.
    static func wardsAround(_ areaG: GEOSGeometry, areaM2: Double, wards: LoadedLayer?, ctx: GEOSContext) throws
        -> (touched: [(id: String, name: String, share: Double)], adjacent: [(id: String, name: String)]) {
        var touched: [(id: String, name: String, share: Double)] = [], adjacent: [(id: String, name: String)] = []
        var touchedIdx: [Int] = []
        if let w = wards {
            for (i, a) in w.areas.enumerated() {
                let g = try GEOSGeometry(ctx, a.geometry)
                guard g.intersects(areaG) else { continue }
                let s = try g.intersection(areaG).area
                if s > 1 { touched.append((a.id, a.name, s / areaM2)); touchedIdx.append(i) }
            }
            let nb = try Contiguity.neighbourhood(w.areas, rule: .queen)
            var adj = Set<Int>()
            for i in touchedIdx { for k in nb.neighbours(of: i) { adj.insert(Int(k)) } }
            adj.subtract(touchedIdx)
            adjacent = adj.sorted().map { (w.areas[$0].id, w.areas[$0].name) }
        }
        return (touched, adjacent)
    }

    /// The displacement zones, disjoint: the area, each ring (its buffer minus the one inside it), and the adjacent
    /// wards beyond the rings (when any of them is).
    static func zones(name: String, area: MultiPolygon, areaG: GEOSGeometry, rings: [Double], wards: LoadedLayer?,
                      adjacent: [(id: String, name: String)], ctx: GEOSContext) throws -> [(name: String, geometry: MultiPolygon)] {
        var zones: [(name: String, geometry: MultiPolygon)] = [(name, area)]
        var inner = areaG
        for (k, d) in rings.enumerated() {
            let outer = try areaG.buffer(d)
            zones.append((ringNames(rings)[k], try outer.difference(inner).multiPolygon()))
            inner = outer
        }
        if let w = wards, !adjacent.isEmpty {
            let ids = Set(adjacent.map(\.id))
            let u = try GEOSGeometry(ctx, MultiPolygon(w.areas.filter { ids.contains($0.id) }.flatMap(\.geometry.polygons))).unaryUnion()
            let beyond = try u.difference(inner).multiPolygon()
            if !beyond.polygons.isEmpty { zones.append(("Adjacent wards (beyond the rings)", beyond)) }
        }
        return zones
    }

    /// The months shown (ordinals): the selection's period when given, else the data's; and each incident's month.
    static func months(_ p: Project, _ t: IncidentTable) -> (months: [Int], monthOf: [Int]) {
        let dataFirst = CivilDate.monthOrdinal(ofDay: Int(t.day.min()!)), dataLast = CivilDate.monthOrdinal(ofDay: Int(t.day.max()!))
        let first = p.read.selection.from.map { CivilDate.monthOrdinal(ofDay: $0) } ?? dataFirst
        let last = p.read.selection.to.map { CivilDate.monthOrdinal(ofDay: $0) } ?? dataLast
        let months = first <= last ? Array(first...last) : []
        return (months, t.day.map { CivilDate.monthOrdinal(ofDay: Int($0)) })
    }

    /// The population of the area by areal weighting of the finest layer with populations (Σ population × the share
    /// of each area inside), the layer's total and how it was estimated; nil when no layer has populations.
    static func population(_ job: JobInputs, areaG: GEOSGeometry, ctx: GEOSContext) throws -> (area: Double, borough: Double, source: String)? {
        guard let pl = job.layers.filter({ $0.population != nil }).min(by: { $0.areas.count > $1.areas.count }), let pop = pl.population else { return nil }
        var inArea = 0.0, total = 0.0
        for a in pl.areas {
            guard let v = pop[a.id] else { continue }
            total += v
            let g = try GEOSGeometry(ctx, a.geometry)
            if g.intersects(areaG) { inArea += v * (try g.intersection(areaG).area) / max(a.geometry.area, 1) }
        }
        return (inArea, total, "\(pl.name) populations (\((pl.populationPath as NSString?)?.lastPathComponent ?? "")), areal weighting: Σ population × (share of the \(pl.name) area inside)")
    }

    /// The residents' table at `path`, the layer whose area codes it uses (the one matching most), and that layer's
    /// areas the restricted area touches (over 1 m²); refused when no code matches.
    static func residents(_ path: String, job: JobInputs, areaG: GEOSGeometry, ctx: GEOSContext) throws -> Residents {
        let rt = try ResidentsTable.read(path)
        // The layer whose area codes the table uses (wards or LSOAs).
        let best = job.layers.map { l in (l, l.areas.filter { rt.byArea[$0.id] != nil }.count) }.max { $0.1 < $1.1 }
        guard let (layer, matched) = best, matched > 0 else {
            throw InputError.unusable("\(path): none of its area codes (first column) is an area of the layers given (--areas); give the ward or LSOA layer the table is by")
        }
        var touchedAreas: [(id: String, name: String)] = []
        for a in layer.areas where rt.byArea[a.id] != nil {
            let g = try GEOSGeometry(ctx, a.geometry)
            if g.intersects(areaG), try g.intersection(areaG).area > 1 { touchedAreas.append((a.id, a.name)) }
        }
        return (rt, layer.name, touchedAreas)
    }

    /// A label per incident file: the request's, else one from its format.
    static func sourceLabels(_ files: [FileSummary], _ given: [String: String]) -> [String] {
        files.map { f in
            given[f.path] ?? given[(f.path as NSString).lastPathComponent] ?? {
                switch f.format {
                case "policeuk", "police.uk street": return "police.uk street-level crime"
                case "stopsearch": return "police.uk stop and search"
                default: return "\((f.path as NSString).lastPathComponent) (\(f.format))"
                }
            }()
        }
    }

    /// What each kind of source means and what to be careful of.
    static func caveat(_ label: String, format: String) -> String {
        if label.lowercased().contains("police.uk") || format.lowercased().contains("police") {
            return "Crimes and anti-social behaviour recorded by the police and published on police.uk (Open Government Licence v3.0). Each location is snapped to the nearest of a fixed set of anonymous map points (street centres, public places), so a point is not an address and points on a street edge may fall either side of a boundary; dates are to the month only; anti-social behaviour categories are indicative, not crime classifications; figures can be revised after publication."
        }
        return "Records supplied by the council or partners, under their own definitions and recording practice; the pack counts them as supplied."
    }

    static func slug(_ s: String) -> String {
        let lowered = s.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }
        return String(lowered).split(separator: "_").joined(separator: "_")
    }
}

// MARK: tables

extension PspoEvidence {
    /// The exhibit tables of sections 3–7 (`exhibits/NAME.csv` each, NAME in the comments), with the notes printed
    /// under them.
    struct Tables {
        /// `incidents-by-source`: per incident file, its source label, format and incidents inside the area and in the
        /// study area.
        var incidentsBySource: Table
        /// `incidents-by-type`: per crime type present, then all selected types: inside, outside, study area, inside %.
        var incidentsByType: Table
        /// `incidents-by-month`: per month, the incidents inside the area (all, per type, per source with several
        /// sources) and in the study area.
        var incidentsByMonth: Table
        /// `concentration`: the area, the wards it touches and the borough: incidents, density, rate per 1,000
        /// residents, shares and the concentration ratio.
        var concentration: Table
        /// `trend`: Mann-Kendall tests on the monthly counts inside the area (all types, each type) and in the rest of
        /// the borough.
        var trend: Table
        /// The test on all selected types inside the area (the summary's trend); nil under 4 months.
        var insideTrend: MannKendallResult?
        /// Printed under `trend` when the data cover fewer than 12 months.
        var trendNote: String?
        /// `windows`: per complete year-on-year window and zone, the incidents and the change on the year before with
        /// its exact Poisson test.
        var windows: Table
        /// Printed under `windows` when fewer than two windows are complete.
        var windowsNote: String?
        /// `displacement-by-month`: incidents per month in each zone and in the rest of the borough.
        var displacementByMonth: Table
        /// `zones`: each zone's size and incidents over the whole period.
        var zones: Table
        /// `displacement-before-after` (with a change date): each zone's incidents per month before and after it,
        /// with the exact Poisson test.
        var displacementBeforeAfter: Table?
        /// Printed under `displacement-before-after` when the change date leaves no month on one side.
        var changeNote: String?
        /// The enforcement and equality tables (with `--enforcement`).
        var enforcement: PspoEnforcement?
    }

    /// The exhibit tables of sections 3–7: incident evidence, spatial concentration, persistence and trend, the
    /// year-on-year windows, displacement, and enforcement and equality (reading `r.enforcement`).
    func tabulate(_ r: Project.PspoRequest, job: JobInputs, selection: (from: Int?, to: Int?) = (nil, nil), gridDirectories: [String] = []) throws -> Tables {
        let x = TableIndex(self, r, job: job)
        let (bySource, byType) = sourceAndTypeTables(x)
        let monthly = monthlyCounts(x)
        let byMonth = byMonthTable(x, monthly)
        let concentration = concentrationTable(x, job: job)
        let trend = trendTable(x, monthly)
        let windows = windowsTable(x, r)
        let zm = zoneCounts(x)
        let change = r.change.map { beforeAfterTable(zm, change: $0) }
        let enforcement = try r.enforcement.map { try PspoEnforcement.read($0, k: r.suppressBelow, residents: residents) }
            ?? (r.stops.isEmpty ? nil : try PspoEnforcement.fromStops(r.stops, area: area, from: selection.from ?? months.first.map { Self.monthStart($0) },
                                                                     to: selection.to ?? months.last.map { Self.monthStart($0 + 1) - 1 }, k: r.suppressBelow,
                                                                     residents: residents, gridDirectories: gridDirectories))
        return Tables(incidentsBySource: bySource, incidentsByType: byType, incidentsByMonth: byMonth, concentration: concentration,
                      trend: trend.table, insideTrend: trend.inside, trendNote: trend.note, windows: windows.table, windowsNote: windows.note,
                      displacementByMonth: displacementTable(zm), zones: zoneTable(zm), displacementBeforeAfter: change?.table,
                      changeNote: change?.note, enforcement: enforcement)
    }

    /// The first day of month ordinal `m` (year × 12 + month − 1).
    static func monthStart(_ m: Int) -> Int { CivilDate.days(year: m / 12, month: m % 12 + 1, day: 1) }

    /// `incidents-by-source` and `incidents-by-type` (section 3), counted in one pass. With a harm table
    /// (`--weights`), `incidents-by-type` adds `harm_inside` and `harm_borough` (sums of the weights) at its end.
    fileprivate func sourceAndTypeTables(_ x: TableIndex) -> (bySource: Table, byType: Table) {
        let t = x.t, n = x.n, nIn = x.nIn, cats = t.categories, ins = x.inside
        var perFile = [(inside: Int, all: Int)](repeating: (0, 0), count: x.files.count)
        var perType = [(inside: Int, all: Int)](repeating: (0, 0), count: cats.count)
        var harm = [(inside: Double, all: Double)](repeating: (0, 0), count: cats.count + 1)  // last: all selected types
        for i in 0..<n {
            let f = Int(t.sourceFile[i]), c = Int(t.category[i]), k = ins[i] ? 1 : 0
            perFile[f].inside += k; perFile[f].all += 1
            perType[c].inside += k; perType[c].all += 1
            if t.harm {
                let w = t.weight(at: i)
                for j in [c, cats.count] { harm[j].all += w; if ins[i] { harm[j].inside += w } }
            }
        }
        func harmCells(_ j: Int) -> [Value] { t.harm ? [.double(harm[j].inside, decimals: nil), .double(harm[j].all, decimals: nil)] : [] }
        var bySource = Table(columns: ["source", "file", "format", "incidents_inside", "incidents_borough"])
        for (k, f) in x.files.enumerated() {
            bySource.rows.append([.string(x.labels[k]), .string((f.path as NSString).lastPathComponent), .string(f.format), .int(perFile[k].inside), .int(perFile[k].all)])
        }
        var byType = Table(columns: ["crime_type", "inside", "outside", "borough", "inside_share_pct"] + (t.harm ? ["harm_inside", "harm_borough"] : []))
        for c in x.usedCats {
            let a = perType[c].inside, b = perType[c].all
            byType.rows.append([.string(cats[c]), .int(a), .int(b - a), .int(b), .double(b > 0 ? 100 * Double(a) / Double(b) : 0, decimals: 1)] + harmCells(c))
        }
        byType.rows.append([.string("All selected types"), .int(nIn), .int(n - nIn), .int(n), .double(n > 0 ? 100 * Double(nIn) / Double(n) : 0, decimals: 1)]
                           + harmCells(cats.count))
        return (bySource, byType)
    }

    /// The monthly counts inside the area (all types, per type, per source label) and across the study area.
    fileprivate func monthlyCounts(_ x: TableIndex) -> MonthlyCounts {
        let t = x.t, ins = x.inside
        // With several sources, a column per source too.
        let sourceCols = x.files.count > 1 ? Array(Set(x.labels)).sorted() : []
        var c = MonthlyCounts(sourceCols: sourceCols,
                              inside: [[Int]](repeating: [Int](repeating: 0, count: t.categories.count + 1), count: months.count),
                              bySource: [[Int]](repeating: [Int](repeating: 0, count: sourceCols.count), count: months.count),
                              borough: [Int](repeating: 0, count: months.count))
        for i in 0..<x.n {
            guard let m = x.monthIndex[monthOf[i]] else { continue }
            c.borough[m] += 1
            if ins[i] {
                c.inside[m][0] += 1; c.inside[m][Int(t.category[i]) + 1] += 1
                if let s = sourceCols.firstIndex(of: x.labels[Int(t.sourceFile[i])]) { c.bySource[m][s] += 1 }
            }
        }
        return c
    }

    /// `incidents-by-month` (section 3).
    fileprivate func byMonthTable(_ x: TableIndex, _ c: MonthlyCounts) -> Table {
        let cats = x.t.categories
        var byMonth = Table(columns: ["month", "inside_total"] + x.usedCats.map { "inside_" + Self.slug(cats[$0]) }
                            + c.sourceCols.map { "inside_source_" + Self.slug($0) } + ["borough_total"])
        byMonth.rows = months.indices.map { m in
            [.string(CivilDate.monthLabel(months[m])), .int(c.inside[m][0])] + x.usedCats.map { .int(c.inside[m][$0 + 1]) }
                + c.bySource[m].map { .int($0) } + [.int(c.borough[m])]
        }
        return byMonth
    }

    /// `concentration` (section 4): the area, the wards it touches, the borough.
    fileprivate func concentrationTable(_ x: TableIndex, job: JobInputs) -> Table {
        let t = x.t, n = x.n
        var conc = Table(columns: ["unit", "code", "incidents", "area_km2", "per_km2", "population", "per_1000_residents",
                                   "share_of_incidents_pct", "share_of_area_pct", "concentration_ratio"])
        func row(_ unit: String, _ code: String, _ count: Int, _ m2: Double, _ pop: Double?) -> [Value] {
            let si = n > 0 ? Double(count) / Double(n) : 0, sa = m2 / boroughM2
            return [.string(unit), .string(code), .int(count), .double(m2 / 1e6, decimals: 3), .double(Double(count) / (m2 / 1e6), decimals: 1),
                    pop.map { .double($0, decimals: 0) } ?? .null, pop.map { $0 > 0 ? .double(1000 * Double(count) / $0, decimals: 1) : .null } ?? .null,
                    .double(100 * si, decimals: 2), .double(100 * sa, decimals: 2), .double(sa > 0 ? si / sa : 0, decimals: 2)]
        }
        conc.rows.append(row("Restricted area: \(name)", "area", x.nIn, areaM2, populationArea))
        if let w = job.layers.first(where: { $0.name == "wards" }) ?? job.layers.first {
            let wardOf = w.index.assign(x: t.x, y: t.y)
            for tw in wardsTouched {
                guard let k = w.areas.firstIndex(where: { $0.id == tw.id }) else { continue }
                let c = wardOf.filter { Int($0) == k }.count
                conc.rows.append(row("Ward: \(tw.name)", tw.id, c, w.areas[k].geometry.area, w.population?[tw.id]))
            }
        }
        conc.rows.append(row("Borough: \(boroughName)", "borough", n, boroughM2, populationBorough))
        return conc
    }

    /// `trend` (section 5): Mann-Kendall on the monthly counts inside the area and in the rest of the borough (series
    /// of 4 months or more); the first inside test; the note on too few months.
    fileprivate func trendTable(_ x: TableIndex, _ c: MonthlyCounts) -> (table: Table, inside: MannKendallResult?, note: String?) {
        let cats = x.t.categories, monthly = c.inside
        var trendT = Table(columns: ["series", "months", "first_month", "last_month", "mann_kendall_s", "tau", "z", "p", "trend_at_0.05"])
        var trend: MannKendallResult?
        func mk(_ label: String, _ series: [Int]) {
            guard series.count >= 4 else { return }
            let m = mannKendall(series.map(Double.init))
            if trend == nil && label.hasPrefix("Inside") { trend = m }
            let dir = m.p < 0.05 ? (m.s > 0 ? "increasing" : "decreasing") : "no significant trend"
            trendT.rows.append([.string(label), .int(series.count), .string(CivilDate.monthLabel(months[0])), .string(CivilDate.monthLabel(months[months.count - 1])),
                                .int(Int(m.s)), .double(m.tau, decimals: 3), .double(m.z, decimals: 3), .double(m.p, decimals: 4), .string(dir)])
        }
        mk("Inside the area: all selected types", monthly.map { $0[0] })
        for k in x.usedCats { mk("Inside the area: \(cats[k])", monthly.map { $0[k + 1] }) }
        mk("Rest of the borough", months.indices.map { c.borough[$0] - monthly[$0][0] })
        var note: String?
        if months.count < 4 { note = "The data cover \(months.count) month(s): Mann-Kendall needs at least 4, so no trend is tested." }
        else if months.count < 12 { note = "The data cover \(months.count) months, fewer than the 12 a trend over a year needs; read the trend with care." }
        return (trendT, trend, note)
    }

    /// `windows` (section 5): the year-on-year windows (e.g. March–September), complete windows only, per zone, with
    /// the change on the window before and its exact Poisson test; the note when fewer than two are complete.
    fileprivate func windowsTable(_ x: TableIndex, _ r: Project.PspoRequest) -> (table: Table, note: String?) {
        let wf = r.windowFirstMonth, wl = r.windowLastMonth
        var windows = Table(columns: ["window", "zone", "months", "incidents", "change", "pct_change", "p_poisson"])
        let years = Set(months.map { $0 / 12 }).sorted().filter { y in
            (wf...wl).allSatisfy { x.monthIndex[CivilDate.monthOrdinal(year: y, month: $0)] != nil }
        }
        var winCounts: [[Int]] = []   // [year][zone]
        for y in years {
            let lo = CivilDate.monthOrdinal(year: y, month: wf), hi = CivilDate.monthOrdinal(year: y, month: wl)
            var c = [Int](repeating: 0, count: zones.count)
            for i in 0..<x.n where monthOf[i] >= lo && monthOf[i] <= hi && zoneOf[i] >= 0 { c[Int(zoneOf[i])] += 1 }
            winCounts.append(c)
        }
        let wname = { (y: Int) in "\(MapJob.months[wf - 1].prefix(3))–\(MapJob.months[wl - 1].prefix(3)) \(y)" }
        for (k, y) in years.enumerated() {
            for (z, zn) in zones.map(\.name).enumerated() {
                let now = winCounts[k][z]
                if k > 0 {
                    let ch = poissonRateTest(before: winCounts[k - 1][z], after: now)
                    windows.rows.append([.string(wname(y)), .string(zn), .int(wl - wf + 1), .int(now), .int(ch.change),
                                         ch.percentChange.map { .double($0, decimals: 1) } ?? .null, .double(ch.p, decimals: 4)])
                } else {
                    windows.rows.append([.string(wname(y)), .string(zn), .int(wl - wf + 1), .int(now), .null, .null, .null])
                }
            }
        }
        guard years.count < 2 else { return (windows, nil) }
        return (windows, years.isEmpty
            ? "The data cover no complete \(wname(0).dropLast(2)) window, so no year-on-year comparison is possible."
            : "The data cover one complete window (\(wname(years[0]))); a year-on-year comparison needs the same months of another year.")
    }

    /// Incidents per month (of `months`) per zone, the rest of the borough last: [month][zone].
    fileprivate func zoneCounts(_ x: TableIndex) -> [[Int]] {
        var zm = [[Int]](repeating: [Int](repeating: 0, count: zones.count + 1), count: months.count)
        for i in 0..<x.n { if let m = x.monthIndex[monthOf[i]] { zm[m][zoneOf[i] >= 0 ? Int(zoneOf[i]) : zones.count] += 1 } }
        return zm
    }

    /// `displacement-by-month` (section 6).
    func displacementTable(_ zm: [[Int]]) -> Table {
        var disp = Table(columns: ["month"] + zones.map(\.name).map(Self.slug) + ["rest_of_borough"])
        disp.rows = months.indices.map { m in [.string(CivilDate.monthLabel(months[m]))] + zm[m].map { .int($0) } }
        return disp
    }

    /// `zones` (section 6): each zone's area (km²), incidents and incidents per km².
    func zoneTable(_ zm: [[Int]]) -> Table {
        var zoneTable = Table(columns: ["zone", "area_km2", "incidents", "per_km2"])
        for (z, zn) in zones.enumerated() {
            let m2 = zn.geometry.area, c = zm.reduce(0) { $0 + $1[z] }
            zoneTable.rows.append([.string(zn.name), .double(m2 / 1e6, decimals: 3), .int(c), .double(Double(c) / (m2 / 1e6), decimals: 1)])
        }
        return zoneTable
    }

    /// `displacement-before-after` (section 6): per zone, incidents per month before and after the change date (a day
    /// ordinal), the change in % and the exact Poisson test (exposure = months); the note when one side is empty.
    func beforeAfterTable(_ zm: [[Int]], change: Int) -> (table: Table, note: String?) {
        let cm = CivilDate.monthOrdinal(ofDay: change)
        let before = months.indices.filter { months[$0] < cm }, after = months.indices.filter { months[$0] >= cm }
        var ba = Table(columns: ["zone", "months_before", "incidents_before", "per_month_before", "months_after", "incidents_after",
                                 "per_month_after", "pct_change_per_month", "p_poisson"])
        for z in 0...zones.count {
            let b = before.reduce(0) { $0 + zm[$1][z] }, a = after.reduce(0) { $0 + zm[$1][z] }
            let ch = poissonRateTest(before: b, after: a, exposureBefore: Double(max(1, before.count)), exposureAfter: Double(max(1, after.count)))
            let rb = before.isEmpty ? nil : Double(b) / Double(before.count), ra = after.isEmpty ? nil : Double(a) / Double(after.count)
            let pct: Value
            if let rb, let ra, rb > 0 { pct = .double(100 * (ra - rb) / rb, decimals: 1) } else { pct = .null }
            ba.rows.append([.string(z < zones.count ? zones[z].name : "Rest of the borough"), .int(before.count), .int(b),
                            rb.map { .double($0, decimals: 2) } ?? .null, .int(after.count), .int(a), ra.map { .double($0, decimals: 2) } ?? .null,
                            pct, (before.isEmpty || after.isEmpty) ? .null : .double(ch.p, decimals: 4)])
        }
        let note = before.isEmpty || after.isEmpty ? "The change date \(CivilDate.dayLabel(change)) leaves no month on one side of it within the data." : nil
        return (ba, note)
    }
}

/// What the tables of `PspoEvidence.tabulate` share.
private struct TableIndex {
    /// The incidents analysed (inside the study boundary, of the chosen types and period).
    let t: IncidentTable
    let files: [FileSummary]
    /// A label per incident file (`PspoEvidence.sourceLabels`).
    let labels: [String]
    /// Whether each incident is inside the restricted area.
    let inside: [Bool]
    /// Incidents analysed, and of them inside the area.
    let n: Int, nIn: Int
    /// The categories that occur, in the table's order.
    let usedCats: [Int]
    /// The position in `PspoEvidence.months` of each month ordinal.
    let monthIndex: [Int: Int]

    init(_ e: PspoEvidence, _ r: Project.PspoRequest, job: JobInputs) {
        let inc = job.incidents
        t = inc.table
        files = inc.files
        inside = e.inside
        nIn = e.counts.insideArea; n = e.counts.insideBoundary
        let t = inc.table
        usedCats = t.categories.indices.filter { c in t.category.contains(UInt16(c)) }
        labels = PspoEvidence.sourceLabels(inc.files, r.sources)
        monthIndex = Dictionary(uniqueKeysWithValues: e.months.enumerated().map { ($1, $0) })
    }
}

/// Monthly counts (over `PspoEvidence.months`) for the month and trend tables.
private struct MonthlyCounts {
    /// The source labels with a column of their own (several incident files only), sorted.
    let sourceCols: [String]
    /// Inside the area: [month][0] all selected types, [month][c + 1] category c.
    var inside: [[Int]]
    /// Inside the area per source column: [month][column].
    var bySource: [[Int]]
    /// Across the study area: [month].
    var borough: [Int]
}
