import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// The figures of a PSPO evidence pack, computed from the request's incidents, the proposed restricted area and the
/// area layers; every table here becomes an exhibit CSV and is shown on the page as it is.
struct PspoEvidence {
    var name: String
    /// True when the area was proposed from hotspot polygons rather than drawn by the council.
    var proposal: Bool
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
    var tables: [String: Table] = [:]
    /// The residents by ethnic group (`--residents`), the layer whose codes it uses, and the areas of that layer the
    /// restricted area touches (whose residents are the baseline).
    var residents: (table: ResidentsTable, layer: String, areas: [(id: String, name: String)])?
    var notes: [String: String] = [:]
    var trend: MannKendallResult?
    var warnings: [String] = []

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
        // The area must lie where the data are.
        let te = t.extent!, ae = area.extent!
        let margin = (r.rings.max() ?? 0)
        if ae.maxX + margin < te.minX || ae.minX - margin > te.maxX || ae.maxY + margin < te.minY || ae.minY - margin > te.maxY {
            throw InputError.unusable("the restricted area (\(Pipeline.describe(ae))) lies outside the data extent (\(Pipeline.describe(te)), EPSG:27700): check the area's CRS (a GeoJSON without a crs is read as WGS84; --restricted-area-epsg 27700, or epsg: 27700 in a project file, for British National Grid) and that the incident files cover the place")
        }
        if let b = job.boundary {
            let bg = try GEOSGeometry(ctx, MultiPolygon(b.areas.flatMap(\.geometry.polygons)))
            if !bg.intersects(areaG) { throw InputError.unusable("the restricted area does not overlap the study boundary (\(b.source.path))") }
        }
        let wards = job.layers.first { $0.name == "wards" } ?? job.layers.first
        // Borough: the boundary, else the ward layer, else the incidents' extent.
        let boroughAreas = job.boundary?.areas ?? wards?.areas
        let boroughM2 = boroughAreas.map { $0.reduce(0) { $0 + $1.geometry.area } } ?? te.width * te.height
        let boroughName = job.boundary.flatMap { $0.areas.count == 1 && $0.areas[0].name != "boundary" ? $0.areas[0].name : nil } ?? (job.boundary != nil ? "Study area" : wards != nil ? "All wards" : "Data extent")

        // Wards the area touches (with the share of the area in each) and the wards adjacent to those.
        var touched: [(String, String, Double)] = [], adjacent: [(String, String)] = []
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

        // Zones: the area, the rings (each buffer minus the one inside it), the adjacent wards beyond the rings.
        var zones: [(String, MultiPolygon)] = [(name, area)]
        var inner = areaG
        for (k, d) in r.rings.enumerated() {
            let outer = try areaG.buffer(d)
            zones.append((ringNames(r.rings)[k], try outer.difference(inner).multiPolygon()))
            inner = outer
        }
        if let w = wards, !adjacent.isEmpty {
            let ids = Set(adjacent.map(\.0))
            let u = try GEOSGeometry(ctx, MultiPolygon(w.areas.filter { ids.contains($0.id) }.flatMap(\.geometry.polygons))).unaryUnion()
            let beyond = try u.difference(inner).multiPolygon()
            if !beyond.polygons.isEmpty { zones.append(("Adjacent wards (beyond the rings)", beyond)) }
        }
        let zoneIndex = try AreaIndex(areas: zones.enumerated().map { Area(id: String(format: "%03d", $0.offset), name: $0.element.0, geometry: $0.element.1) })
        let zoneOf = zoneIndex.assign(x: t.x, y: t.y)

        // Months: the selection's period when given, else the data's.
        let dataFirst = CivilDate.monthOrdinal(ofDay: Int(t.day.min()!)), dataLast = CivilDate.monthOrdinal(ofDay: Int(t.day.max()!))
        let first = p.read.selection.from.map { CivilDate.monthOrdinal(ofDay: $0) } ?? dataFirst
        let last = p.read.selection.to.map { CivilDate.monthOrdinal(ofDay: $0) } ?? dataLast
        let months = first <= last ? Array(first...last) : []
        let monthOf = t.day.map { CivilDate.monthOrdinal(ofDay: Int($0)) }

        var e = PspoEvidence(name: name, proposal: proposal, area: area, areaM2: areaM2, zones: zones, zoneOf: zoneOf,
                             wardsTouched: touched, adjacentWards: adjacent, months: months, monthOf: monthOf,
                             boroughM2: boroughM2, boroughName: boroughName,
                             counts: PspoCounts(inc, insideArea: zoneOf.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }))
        if let n = proposalNote { e.notes["proposal"] = n }

        // Population of the area by areal weighting of the finest layer with populations.
        if let pl = job.layers.filter({ $0.population != nil }).min(by: { $0.areas.count > $1.areas.count }), let pop = pl.population {
            var inArea = 0.0, total = 0.0
            for a in pl.areas {
                guard let v = pop[a.id] else { continue }
                total += v
                let g = try GEOSGeometry(ctx, a.geometry)
                if g.intersects(areaG) { inArea += v * (try g.intersection(areaG).area) / max(a.geometry.area, 1) }
            }
            e.populationArea = inArea; e.populationBorough = total
            e.populationSource = "\(pl.name) populations (\((pl.populationPath as NSString?)?.lastPathComponent ?? "")), areal weighting: Σ population × (share of the \(pl.name) area inside)"
        }
        if let rp = r.residents {
            let rt = try ResidentsTable.read(rp)
            // The layer whose area codes the table uses (wards or LSOAs).
            let best = job.layers.map { l in (l, l.areas.filter { rt.byArea[$0.id] != nil }.count) }.max { $0.1 < $1.1 }
            guard let (layer, matched) = best, matched > 0 else {
                throw InputError.unusable("\(rp): none of its area codes (first column) is an area of the layers given (--areas); give the ward or LSOA layer the table is by")
            }
            var touchedAreas: [(id: String, name: String)] = []
            for a in layer.areas where rt.byArea[a.id] != nil {
                let g = try GEOSGeometry(ctx, a.geometry)
                if g.intersects(areaG), try g.intersection(areaG).area > 1 { touchedAreas.append((a.id, a.name)) }
            }
            e.residents = (rt, layer.name, touchedAreas)
        }
        try e.tabulate(p, r, job: job)
        return e
    }

    // MARK: tables

    mutating func tabulate(_ p: Project, _ r: Project.PspoRequest, job: JobInputs) throws {
        let inc = job.incidents, t = inc.table
        let ins = inside
        let nIn = counts.insideArea, n = counts.insideBoundary
        let cats = t.categories
        let usedCats = cats.indices.filter { c in t.category.contains(UInt16(c)) }
        let labels = Self.sourceLabels(inc.files, r.sources)
        let mIndex = Dictionary(uniqueKeysWithValues: months.enumerated().map { ($1, $0) })

        // 3. Incident evidence: by source, by type, by month (inside the area). One pass counts sources and types.
        var perFile = [(inside: Int, all: Int)](repeating: (0, 0), count: inc.files.count)
        var perType = [(inside: Int, all: Int)](repeating: (0, 0), count: cats.count)
        for i in 0..<n {
            let f = Int(t.sourceFile[i]), c = Int(t.category[i]), k = ins[i] ? 1 : 0
            perFile[f].inside += k; perFile[f].all += 1
            perType[c].inside += k; perType[c].all += 1
        }
        var bySource = Table(columns: ["source", "file", "format", "incidents_inside", "incidents_borough"])
        for (k, f) in inc.files.enumerated() {
            bySource.rows.append([.string(labels[k]), .string((f.path as NSString).lastPathComponent), .string(f.format), .int(perFile[k].inside), .int(perFile[k].all)])
        }
        tables["incidents-by-source"] = bySource
        var byType = Table(columns: ["crime_type", "inside", "outside", "borough", "inside_share_pct"])
        for c in usedCats {
            let a = perType[c].inside, b = perType[c].all
            byType.rows.append([.string(cats[c]), .int(a), .int(b - a), .int(b), .double(b > 0 ? 100 * Double(a) / Double(b) : 0, decimals: 1)])
        }
        byType.rows.append([.string("All selected types"), .int(nIn), .int(n - nIn), .int(n), .double(n > 0 ? 100 * Double(nIn) / Double(n) : 0, decimals: 1)])
        tables["incidents-by-type"] = byType
        // With several sources, a column per source too.
        let sourceCols = inc.files.count > 1 ? Array(Set(labels)).sorted() : []
        var bySourceMonth = [[Int]](repeating: [Int](repeating: 0, count: sourceCols.count), count: months.count)
        var byMonth = Table(columns: ["month", "inside_total"] + usedCats.map { "inside_" + Self.slug(cats[$0]) }
                            + sourceCols.map { "inside_source_" + Self.slug($0) } + ["borough_total"])
        var monthly = [[Int]](repeating: [Int](repeating: 0, count: cats.count + 1), count: months.count)
        var boroughMonthly = [Int](repeating: 0, count: months.count)
        for i in 0..<n {
            guard let m = mIndex[monthOf[i]] else { continue }
            boroughMonthly[m] += 1
            if ins[i] {
                monthly[m][0] += 1; monthly[m][Int(t.category[i]) + 1] += 1
                if let s = sourceCols.firstIndex(of: labels[Int(t.sourceFile[i])]) { bySourceMonth[m][s] += 1 }
            }
        }
        byMonth.rows = months.indices.map { m in
            [.string(CivilDate.monthLabel(months[m])), .int(monthly[m][0])] + usedCats.map { .int(monthly[m][$0 + 1]) }
                + bySourceMonth[m].map { .int($0) } + [.int(boroughMonthly[m])]
        }
        tables["incidents-by-month"] = byMonth

        // 4. Spatial concentration: the area, the wards it touches, the borough.
        var conc = Table(columns: ["unit", "code", "incidents", "area_km2", "per_km2", "population", "per_1000_residents",
                                   "share_of_incidents_pct", "share_of_area_pct", "concentration_ratio"])
        func row(_ unit: String, _ code: String, _ count: Int, _ m2: Double, _ pop: Double?) -> [Value] {
            let si = n > 0 ? Double(count) / Double(n) : 0, sa = m2 / boroughM2
            return [.string(unit), .string(code), .int(count), .double(m2 / 1e6, decimals: 3), .double(Double(count) / (m2 / 1e6), decimals: 1),
                    pop.map { .double($0, decimals: 0) } ?? .null, pop.map { $0 > 0 ? .double(1000 * Double(count) / $0, decimals: 1) : .null } ?? .null,
                    .double(100 * si, decimals: 2), .double(100 * sa, decimals: 2), .double(sa > 0 ? si / sa : 0, decimals: 2)]
        }
        conc.rows.append(row("Restricted area: \(name)", "area", nIn, areaM2, populationArea))
        if let w = job.layers.first(where: { $0.name == "wards" }) ?? job.layers.first {
            let wardOf = w.index.assign(x: t.x, y: t.y)
            for tw in wardsTouched {
                guard let k = w.areas.firstIndex(where: { $0.id == tw.id }) else { continue }
                let c = wardOf.filter { Int($0) == k }.count
                conc.rows.append(row("Ward: \(tw.name)", tw.id, c, w.areas[k].geometry.area, w.population?[tw.id]))
            }
        }
        conc.rows.append(row("Borough: \(boroughName)", "borough", n, boroughM2, populationBorough))
        tables["concentration"] = conc

        // 5. Persistence and trend: Mann-Kendall on the monthly counts inside the area and in the rest of the borough.
        var trendT = Table(columns: ["series", "months", "first_month", "last_month", "mann_kendall_s", "tau", "z", "p", "trend_at_0.05"])
        func mk(_ label: String, _ series: [Int]) {
            guard series.count >= 4 else { return }
            let m = mannKendall(series.map(Double.init))
            if trend == nil && label.hasPrefix("Inside") { trend = m }
            let dir = m.p < 0.05 ? (m.s > 0 ? "increasing" : "decreasing") : "no significant trend"
            trendT.rows.append([.string(label), .int(series.count), .string(CivilDate.monthLabel(months[0])), .string(CivilDate.monthLabel(months.last!)),
                                .int(Int(m.s)), .double(m.tau, decimals: 3), .double(m.z, decimals: 3), .double(m.p, decimals: 4), .string(dir)])
        }
        mk("Inside the area: all selected types", monthly.map { $0[0] })
        for c in usedCats { mk("Inside the area: \(cats[c])", monthly.map { $0[c + 1] }) }
        mk("Rest of the borough", months.indices.map { boroughMonthly[$0] - monthly[$0][0] })
        tables["trend"] = trendT
        if months.count < 4 { notes["trend"] = "The data cover \(months.count) month(s): Mann-Kendall needs at least 4, so no trend is tested." }
        else if months.count < 12 { notes["trend"] = "The data cover \(months.count) months, fewer than the 12 a trend over a year needs; read the trend with care." }

        // Year-on-year windows (e.g. March–September), complete windows only.
        let wf = r.windowFirstMonth, wl = r.windowLastMonth
        var windows = Table(columns: ["window", "zone", "months", "incidents", "change", "pct_change", "p_poisson"])
        let years = Set(months.map { $0 / 12 }).sorted().filter { y in
            (wf...wl).allSatisfy { mIndex[CivilDate.monthOrdinal(year: y, month: $0)] != nil }
        }
        let zoneNames = zones.map(\.name)
        var winCounts: [[Int]] = []   // [year][zone]
        for y in years {
            let lo = CivilDate.monthOrdinal(year: y, month: wf), hi = CivilDate.monthOrdinal(year: y, month: wl)
            var c = [Int](repeating: 0, count: zones.count)
            for i in 0..<n where monthOf[i] >= lo && monthOf[i] <= hi && zoneOf[i] >= 0 { c[Int(zoneOf[i])] += 1 }
            winCounts.append(c)
        }
        let wname = { (y: Int) in "\(MapJob.months[wf - 1].prefix(3))–\(MapJob.months[wl - 1].prefix(3)) \(y)" }
        for (k, y) in years.enumerated() {
            for (z, zn) in zoneNames.enumerated() {
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
        tables["windows"] = windows
        if years.count < 2 {
            notes["windows"] = years.isEmpty
                ? "The data cover no complete \(wname(0).dropLast(2)) window, so no year-on-year comparison is possible."
                : "The data cover one complete window (\(wname(years[0]))); a year-on-year comparison needs the same months of another year."
        }

        // 6. Displacement: monthly counts per zone, and before/after the change date.
        var disp = Table(columns: ["month"] + zoneNames.map(Self.slug) + ["rest_of_borough"])
        var zm = [[Int]](repeating: [Int](repeating: 0, count: zones.count + 1), count: months.count)
        for i in 0..<n { if let m = mIndex[monthOf[i]] { zm[m][zoneOf[i] >= 0 ? Int(zoneOf[i]) : zones.count] += 1 } }
        disp.rows = months.indices.map { m in [.string(CivilDate.monthLabel(months[m]))] + zm[m].map { .int($0) } }
        tables["displacement-by-month"] = disp
        var zoneTable = Table(columns: ["zone", "area_km2", "incidents", "per_km2"])
        for (z, zn) in zones.enumerated() {
            let m2 = zn.geometry.area, c = zm.reduce(0) { $0 + $1[z] }
            zoneTable.rows.append([.string(zn.name), .double(m2 / 1e6, decimals: 3), .int(c), .double(Double(c) / (m2 / 1e6), decimals: 1)])
        }
        tables["zones"] = zoneTable
        if let change = r.change {
            let cm = CivilDate.monthOrdinal(ofDay: change)
            let before = months.indices.filter { months[$0] < cm }, after = months.indices.filter { months[$0] >= cm }
            var ba = Table(columns: ["zone", "months_before", "incidents_before", "per_month_before", "months_after", "incidents_after",
                                     "per_month_after", "pct_change_per_month", "p_poisson"])
            for z in 0...zones.count {
                let b = before.reduce(0) { $0 + zm[$1][z] }, a = after.reduce(0) { $0 + zm[$1][z] }
                let ch = poissonRateTest(before: b, after: a, exposureBefore: Double(max(1, before.count)), exposureAfter: Double(max(1, after.count)))
                let rb = before.isEmpty ? nil : Double(b) / Double(before.count), ra = after.isEmpty ? nil : Double(a) / Double(after.count)
                ba.rows.append([.string(z < zones.count ? zones[z].name : "Rest of the borough"), .int(before.count), .int(b),
                                rb.map { .double($0, decimals: 2) } ?? .null, .int(after.count), .int(a), ra.map { .double($0, decimals: 2) } ?? .null,
                                (rb != nil && ra != nil && rb! > 0) ? .double(100 * (ra! - rb!) / rb!, decimals: 1) : .null,
                                (before.isEmpty || after.isEmpty) ? .null : .double(ch.p, decimals: 4)])
            }
            tables["displacement-before-after"] = ba
            if before.isEmpty || after.isEmpty { notes["change"] = "The change date \(CivilDate.dayLabel(change)) leaves no month on one side of it within the data." }
        }
        // Enforcement and equality.
        if let path = r.enforcement { try enforcement(path, k: r.suppressBelow, residents: residents) }
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
