import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// `hotspot pspo`: the quantitative part of a Public Spaces Protection Order evidence pack, in one run and
/// reproducibly. Writes the pack folder (`index.html`, `pack.pdf`, `exhibits/`, `manifest.json`, `metadata.json`,
/// `quarantine.csv`), swapped in as a whole, and `FOLDER.zip` beside it (fixed timestamps). `hotspot verify` checks
/// either against `manifest.json`.
public enum PspoJob {
    public struct Result {
        public var incidents: LoadedIncidents
        public var name: String
        public var inside: Int
        /// Rows read … inside the area, as the pack prints them (`PspoCounts`).
        public var counts: PspoCounts
        public var zip: String
        public var files: [String]
        public var warnings: [String]
    }

    /// Refuses a zip path this run cannot replace: anything but a regular file, or a regular file that is not the
    /// zip of a pack named `pack` (a ZIP holding `pack/manifest.json`), which would be a file the user made.
    static func checkZipTarget(_ path: String, pack: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }  // nothing there yet
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw OutputError.cannotWrite(path, "it is not a file (a folder or link is there): the pack's zip goes there; move it, or choose another --out")
        }
        let ours: Bool = {
            guard let fd = Optional(open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)), fd >= 0 else { return false }
            defer { close(fd) }
            // The central directory names every entry; it is at the end of the file (read at most its last 4 MiB).
            let size = Int(st.st_size), n = min(size, 4 << 20)
            var tail = [UInt8](repeating: 0, count: n)
            guard pread(fd, &tail, n, off_t(size - n)) == n, size >= 4 else { return false }
            var head = [UInt8](repeating: 0, count: 4)
            guard pread(fd, &head, 4, 0) == 4, head == [0x50, 0x4B, 0x03, 0x04] else { return false }
            let needle = Array("\(pack)/\(PackManifest.name)".utf8)
            return tail.count >= needle.count && (0...(tail.count - needle.count)).contains { i in tail[i..<(i + needle.count)].elementsEqual(needle) }
        }()
        guard ours else {
            throw OutputError.cannotWrite(path, "a file hotspot did not write as this pack's zip is there: move it, or choose another --out")
        }
    }

    /// The pack of `request.products.pspo`: its zip target and the PDF printer checked first, the inputs loaded, the
    /// evidence and its tables computed (`PspoEvidence`), the density and emerging hot spots around the area, then
    /// the exhibits (tables, charts, maps, the area and the incidents inside it), the page, its PDF, metadata.json,
    /// manifest.json and the zip.
    public static func run(_ request: Project, command: String) throws -> Result {
        guard var r = request.products.pspo else { throw InputError.unusable("pspo needs a restricted area: --area FILE or --from-hotspots FILE") }
        // The project's stop-and-search files (stops: {files}) are the pack's enforcement when no records are given.
        if r.stops.isEmpty, r.enforcement == nil { r.stops = request.products.stops?.files ?? [] }
        if r.enforcement != nil && !r.stops.isEmpty { throw InputError.unusable("pspo: give enforcement records (--enforcement) or stop-and-search files (--stops), not both") }
        var p = request
        if let ty = r.types { p.read.selection.types = ty }
        let target = try packTarget(p, r)
        // Everything that can be wrong with the inputs is found before anything is written.
        let job = try p.loadInputs(boundaryFirst: true)
        let (e, figures) = try PhaseProgress.phase("PSPO figures", total: 1, unit: "steps") {
            let e = try PspoEvidence.compute(p, r, job: job)
            return (e, try e.tabulate(r, job: job, selection: (p.read.selection.from, p.read.selection.to), gridDirectories: p.gridDirectories))
        }
        let packDate = r.asOf ?? lastDay(job.incidents.table)
        var warnings = job.warnings + job.layers.flatMap(\.warnings)
        let set = try OutputSet(p)
        try FileManager.default.createDirectory(atPath: set.path("exhibits"), withIntermediateDirectories: true)

        // Surroundings: density with hotspots, and emerging hot spot categories, each on the whole borough.
        let kde = try density(r, job: job, warnings: &warnings)
        // Exhibits: tables.
        let x = PspoExhibits(evidence: figures, emerging: emerging(p, r, e, job: job), summary: summaryTable(e, trend: figures.insideTrend, job: job),
                             parameters: parameterTable(p, r, e, job: job, kde: kde, packDate: packDate), inputs: try inputTable(p, r, e, job: job),
                             counts: e.counts.table, software: softwareTable(pdf: r.pdf))
        for (k, tab) in x.all { try set.write("exhibits/\(k).csv", tab.csv()) }

        // Exhibits: charts and maps as SVG (their PNGs are drawn below, beside the PDF).
        let charts = try Charts(e, figures, r)
        let contexts = try MapJob.loadContext(p.map.context)
        let areaMap = try mapOfArea(e, r, job: job, asOf: r.asOf, contexts: contexts, basemap: p.map.basemap)
        let hotMap = try mapOfSurroundings(e, r, job: job, kde: kde, asOf: r.asOf, contexts: contexts, basemap: p.map.basemap)
        // With a `context:` section: the borough and the wards the area touches in London (section 4).
        let london = try p.products.context.map { o in
            try ContextJob.SectionMaker(o).section(types: r.types ?? (p.read.selection.types.isEmpty ? job.incidents.table.categories : p.read.selection.types), highlight: e.wardsTouched.flatMap { [$0.id, $0.name] })
        }
        if let l = london {
            try set.write("exhibits/london-borough.csv", l.boroughRows.csv())
            if !l.wardRows.rows.isEmpty { try set.write("exhibits/london-wards.csv", l.wardRows.csv()) }
        }
        let drawings = charts.all + [("map-restricted-area", areaMap), ("map-hotspots", hotMap)] + (london.map { [("london-context", $0.page)] } ?? [])
        for (name, svg) in drawings { try set.write("exhibits/\(name).svg", svg) }
        try writeArea(e, job: job, into: set)

        // The page, then the PDF printed from it.
        let doc = PspoPage.document(e, x, r, job: job, charts: charts, areaMap: areaMap, hotMap: hotMap, command: command, packDate: packDate, london: london)
        try set.write("index.html", doc.html())
        try drawAndPrint(drawings, pdf: r.pdf, date: packDate, into: set)
        try finish(set, target, out: p.out, command: command, parameters: x.parameters, job: job, warnings: warnings, insideArea: e.counts.insideArea)
        let written = (try? PackManifest.files(in: p.out)) ?? []
        return Result(incidents: job.incidents, name: e.name, inside: e.counts.insideArea, counts: e.counts, zip: target.zip, files: written + [PackManifest.name], warnings: warnings)
    }

    /// The pack's zip path (FOLDER.zip beside the folder) and name (the folder's), refused before any work when the
    /// zip cannot be replaced (a folder, or a file that is not this pack's zip) or when pack.pdf cannot be printed.
    /// The pack is the folder and its zip: both or neither.
    static func packTarget(_ p: Project, _ r: Project.PspoRequest) throws -> (zip: String, pack: String) {
        let zipPath = p.out.hasSuffix("/") ? String(p.out.dropLast()) + ".zip" : p.out + ".zip"
        let packName = (p.out as NSString).lastPathComponent
        try checkZipTarget(zipPath, pack: packName)
        // No browser to print pack.pdf: said before any work, naming the pack (not its staging folder).
        if r.pdf && HTMLPrinter.browser == nil {
            throw OutputError.cannotWrite((p.out as NSString).appendingPathComponent("pack.pdf"), "headless Chromium (Debian package chromium) is needed to print it: install it (sudo apt install chromium, or tools/setup), set HOTSPOT_CHROMIUM, or ask for --no-pdf")
        }
        return (zipPath, packName)
    }

    /// Kernel density over the whole study area (`r.kdeCell` m cells, ArcGIS's bandwidth, hotspots the top 5 % of
    /// cells); its warnings not already in `warnings` added.
    static func density(_ r: Project.PspoRequest, job: JobInputs, warnings: inout [String]) throws -> KDEJob.Computed {
        let t = job.incidents.table
        var ko = KDEOptions(); ko.cell = r.kdeCell; ko.clip = job.boundary != nil; ko.threshold = .topCells(percent: 5)
        var kdeWarnings: [String] = []
        let kde = try KDEJob.compute(job, ko, bandwidth: Bandwidth.compute(.arcgis, x: t.x, y: t.y), warnings: &kdeWarnings)
        warnings += kdeWarnings.filter { !warnings.contains($0) }
        return kde
    }

    /// Emerging hot spots over the whole study area (`r.emergingCell` m cells, clipped to the boundary, monthly
    /// steps; computed, not written) and the cells that intersect the restricted area, per category; the note says
    /// how, or why the analysis could not be run on these data.
    static func emerging(_ p: Project, _ r: Project.PspoRequest, _ e: PspoEvidence, job: JobInputs) -> PspoEmerging {
        var eq = p
        eq.products = .init()
        var eo = EmergingJobOptions(); eo.cell = r.emergingCell; eo.clip = job.boundary != nil; eo.step = .months(1)
        eq.products.emerging = eo
        let note: String
        var cells = Table(columns: ["cell", "easting", "northing", "category", "hot_months", "trend_z", "trend_p"])
        do {
            let em = try EmergingJob.compute(eq, inputs: job)
            try appendCells(em, intersecting: e.area, to: &cells)
            note = "Emerging hot spot analysis on \(Fmt.number(r.emergingCell)) m cells over the whole study area, monthly steps (\(em.cube.steps.count) months), space-time Gi* with a one-step window, Mann-Kendall trend on the Gi* z series; the cells listed intersect the restricted area."
        } catch {
            note = "Emerging hot spot analysis could not be run on these data: \(error)"
        }
        var summary = Table(columns: ["category", "cells"])
        var ec: [String: Int] = [:]
        for row in cells.rows { if case .string(let s) = row[3] { ec[s, default: 0] += 1 } }
        summary.rows = ec.sorted { $0.key < $1.key }.map { [.string($0.key), .int($0.value)] }
        return PspoEmerging(note: note, cells: cells, summary: summary)
    }

    /// Appends to `cells` a row per grid cell of `em` that intersects `area` (id, centre, category, hot months and
    /// the Gi* trend).
    static func appendCells(_ em: EmergingJob.Result, intersecting area: MultiPolygon, to cells: inout Table) throws {
        let ctx = try GEOSContext(), areaG = try GEOSGeometry(ctx, area)
        for k in em.cells {
            guard let (g, cell) = em.locations.cell(k) else { return }
            let c = g.centre(index: cell)
            guard let ae = area.extent, c.x > ae.minX - g.cellSize, c.x < ae.maxX + g.cellSize, c.y > ae.minY - g.cellSize, c.y < ae.maxY + g.cellSize,
                  try GEOSGeometry(ctx, g.cellPolygon(cell)).intersects(areaG) else { continue }
            let res = em.results[k]
            cells.rows.append([.string(g.cellID(cell)), .double(c.x, decimals: 0), .double(c.y, decimals: 0), .string(res.pattern.name),
                               .int(res.hotSteps), .double(res.trendZ.z, decimals: 3), .double(res.trendZ.p, decimals: 4)])
        }
    }

    /// The restricted area's exhibits: its boundary (GeoJSON WGS84, GeoPackage EPSG:27700) and the incidents inside
    /// it (WGS84 points).
    static func writeArea(_ e: PspoEvidence, job: JobInputs, into set: OutputSet) throws {
        let t = job.incidents.table
        var bt = Table(columns: ["id", "name", "status", "area_m2", "area_ha"])
        bt.rows = [[.string("restricted-area"), .string(e.name), .string(e.proposal ? "proposal (from hotspots)" : "proposed restricted area"),
                    .double(e.areaM2, decimals: 1), .double(e.areaM2 / 1e4, decimals: 2)]]
        try set.writeLayer("restricted-area", geometries: [e.area], properties: bt,
                           style: .outline(colour: "#000000", widthMM: 0.8, labelField: "name"), folder: "exhibits")
        let ins = e.inside
        let idx = (0..<t.count).filter { ins[$0] }
        var lx = idx.map { t.x[$0] }, ly = idx.map { t.y[$0] }
        _ = try Projection(from: analysisEPSG, to: 4326).transform(x: &lx, y: &ly)
        // Only the category and the month or date beside the location: no personal data, no free text.
        var it = Table(columns: ["id", "category", t.resolution == .month ? "month" : "date"])
        it.rows = idx.enumerated().map { n, i in
            [.int(n + 1), .string(t.categories[Int(t.category[i])]),
             .string(t.resolution == .month ? CivilDate.monthLabel(e.monthOf[i]) : CivilDate.dayLabel(Int(t.day[i])))]
        }
        let itFields = FieldNames.layer(it)
        try set.write("exhibits/incidents-inside.fields.csv", itFields.dictionary.csv())
        try set.write("exhibits/incidents-inside.geojson", GeoJSONWriter.points(name: "incidents-inside", x: lx, y: ly, properties: itFields.table, idColumn: "id"))
    }

    /// The figures' PNGs (200 dpi, rsvg-convert) and, with `pdf`, pack.pdf printed from index.html (headless
    /// Chromium), drawn side by side.
    static func drawAndPrint(_ drawings: [(String, String)], pdf: Bool, date: String, into set: OutputSet) throws {
        try PhaseProgress.phase("print pack.pdf, draw PNGs", total: 1, unit: "steps") {
            let drawing = try drawings.map { ($0.0, try MapRaster.start(svg: set.path("exhibits/\($0.0).svg"), to: .png, dpi: 200)) }
            let printing = try pdf ? HTMLPrinter.start(html: set.path("index.html"), date: date) : nil
            // Every process is waited for, even after a failure, before the first failure is reported.
            var failure: Error?
            for (name, wait) in drawing { do { try set.write("exhibits/\(name).png", try wait()) } catch { failure = failure ?? error } }
            if let printing { do { try set.write("pack.pdf", try printing()) } catch { failure = failure ?? error } }
            if let failure { throw failure }
        }
    }

    /// Finishes the pack: metadata.json (its parameters those of the `parameters` exhibit), manifest.json listing
    /// every file, and the zip of the folder and its manifest. The zip is written beside its final name before the
    /// folder is swapped in, and renamed over it just after: a run that fails before the swap leaves the earlier
    /// folder and zip as they were.
    static func finish(_ set: OutputSet, _ target: (zip: String, pack: String), out: String, command: String, parameters: Table, job: JobInputs,
                       warnings: [String], insideArea: Int) throws {
        let zipStaged = target.zip + ".hotspot-staging-\(getpid())"
        defer { unlink(zipStaged) }
        try set.finish(command: command, parameters: parameters.rows.reduce(into: ["job": "pspo"]) { d, row in
            if case .string(let k) = row[0] { d[k] = row[1].csvText }
        }, inputs: job, warnings: warnings, insideArea: insideArea, beforeCommit: {
            // manifest.json lists every file of the pack; the zip holds the pack and its manifest.
            let staging = (set.path("index.html") as NSString).deletingLastPathComponent
            try AtomicFile.write(try PackManifest.build(folder: staging, pack: target.pack), to: set.path(PackManifest.name))
            let files = try PackManifest.files(in: staging) + [PackManifest.name]
            let zipData = try ZipArchive.write(try files.sorted().map { ("\(target.pack)/\($0)", try InputFile.contents((staging as NSString).appendingPathComponent($0), limit: 1 << 32)) })
            try AtomicFile.write(zipData, to: zipStaged)
        }, afterSwap: {
            // The folder and its zip are one output: when the zip cannot go in, the previous pack folder comes back.
            guard rename(zipStaged, target.zip) == 0 else {
                throw OutputError.cannotWrite(target.zip, "\(String(cString: strerror(errno))) (nothing replaced: the previous pack \(out) is as it was)")
            }
        })
    }

    /// The last day the incidents cover (the month's last day for monthly data), YYYY-MM-DD.
    static func lastDay(_ t: IncidentTable) -> String {
        guard let d = t.day.max().map(Int.init) else { return "1980-01-01" }
        if t.resolution == .month {
            let c = CivilDate.civil(days: d)
            return CivilDate.dayLabel(CivilDate.days(year: c.year, month: c.month, day: CivilDate.daysInMonth(year: c.year, month: c.month)))
        }
        return CivilDate.dayLabel(d)
    }

    // MARK: tables

    static func summaryTable(_ e: PspoEvidence, trend: MannKendallResult?, job: JobInputs) -> Table {
        let t = job.incidents.table, c = e.counts, n = c.insideBoundary, nIn = c.insideArea
        let si = n > 0 ? Double(nIn) / Double(n) : 0, sa = e.areaM2 / e.boroughM2
        var s = Table(columns: ["measure", "value"])
        func add(_ k: String, _ v: Value) { s.rows.append([.string(k), v]) }
        add("area_name", .string(e.name))
        add("area_km2", .double(e.areaM2 / 1e6, decimals: 3))
        add("area_ha", .double(e.areaM2 / 1e4, decimals: 2))
        add("wards_touched", .string(e.wardsTouched.map(\.name).joined(separator: "; ")))
        add("first_month", .string(CivilDate.monthLabel(e.months.first!)))
        add("last_month", .string(CivilDate.monthLabel(e.months.last!)))
        add("months", .int(e.months.count))
        add("crime_types", .string(MapJob.types(t)))
        add("incidents_inside", .int(nIn))
        add("incidents_borough", .int(n))
        add("share_of_incidents_pct", .double(100 * si, decimals: 2))
        add("share_of_area_pct", .double(100 * sa, decimals: 2))
        add("concentration_ratio", .double(sa > 0 ? si / sa : 0, decimals: 2))
        add("per_km2_inside", .double(Double(nIn) / (e.areaM2 / 1e6), decimals: 1))
        add("per_km2_borough", .double(Double(n) / (e.boroughM2 / 1e6), decimals: 1))
        if let pa = e.populationArea, let pb = e.populationBorough, pa > 0, pb > 0 {
            add("population_inside_estimate", .double(pa, decimals: 0))
            add("per_1000_residents_inside", .double(1000 * Double(nIn) / pa, decimals: 1))
            add("per_1000_residents_borough", .double(1000 * Double(n) / pb, decimals: 1))
        }
        if let m = trend {
            add("trend_inside", .string(m.p < 0.05 ? (m.s > 0 ? "increasing" : "decreasing") : "no significant trend"))
            add("trend_mann_kendall_z", .double(m.z, decimals: 3))
            add("trend_mann_kendall_p", .double(m.p, decimals: 4))
        }
        let monthly = Double(nIn) / Double(max(1, e.months.count))
        add("incidents_inside_per_month", .double(monthly, decimals: 1))
        add("rows_read", .int(c.read))
        add("rows_quarantined", .int(c.quarantined))
        add("rows_accepted", .int(c.accepted))
        add("rows_not_selected", .int(c.notSelected))
        add("incidents_analysed", .int(c.insideBoundary))
        return s
    }

    static func parameterTable(_ p: Project, _ r: Project.PspoRequest, _ e: PspoEvidence, job: JobInputs, kde: KDEJob.Computed, packDate: String) -> Table {
        var s = Table(columns: ["parameter", "value"])
        func add(_ k: String, _ v: String) { s.rows.append([.string(k), .string(v)]) }
        add("restricted_area", r.area?.path ?? "proposed from \(r.fromHotspots ?? "")")
        if r.fromHotspots != nil { add("proposal_buffer_m", Fmt.number(r.buffer)); add("proposal_simplify_m", Fmt.number(r.simplify)) }
        add("crime_types", p.read.selection.types.isEmpty ? "all" : p.read.selection.types.joined(separator: "; "))
        add("period_from", p.read.selection.from.map { CivilDate.dayLabel($0) } ?? "first date in the data")
        add("period_to", p.read.selection.to.map { CivilDate.dayLabel($0) } ?? "last date in the data")
        add("rings_m", r.rings.map { Fmt.number($0) }.joined(separator: "; "))
        add("window_months", "\(MapJob.months[r.windowFirstMonth - 1])–\(MapJob.months[r.windowLastMonth - 1])")
        add("change_date", r.change.map { CivilDate.dayLabel($0) } ?? "none")
        add("kde_cell_m", Fmt.number(r.kdeCell))
        add("kde_bandwidth_m", Fmt.fixed(kde.surface.parameters.bandwidth, 1))
        add("kde_bandwidth_source", "arcgis (ArcGIS Pro's spatial Silverman rule)")
        add("kde_kernel", kde.surface.parameters.kernel.rawValue)
        add("kde_hotspots", "top 5% of cells")
        add("emerging_cell_m", Fmt.number(r.emergingCell))
        add("trend_test", "Mann-Kendall (two-sided, normal approximation with tie correction), α 0.05")
        add("change_test", "exact conditional test of two Poisson counts (binomial), exposure = months")
        add("concentration_ratio", "share of the borough's incidents ÷ share of the borough's area (= PAI)")
        add("population_method", e.populationSource ?? "no population supplied")
        add("suppress_below", r.suppressBelow > 1 ? "\(r.suppressBelow) (enforcement counts of 1–\(r.suppressBelow - 1) shown as <\(r.suppressBelow))" : "\(r.suppressBelow) (no suppression)")
        add("residents", r.residents.map { "\($0) (\(e.residents.map { "\($0.areas.count) \($0.layer) area(s) the restricted area touches" } ?? ""))" } ?? "none")
        add("analysis_crs", "EPSG:27700 (British National Grid)")
        add("projection", job.incidents.projection.map { "\($0.operation) (accuracy \($0.accuracyMetres < 0 ? "unknown" : "\(Fmt.number($0.accuracyMetres)) m"))" } ?? "none (data in EPSG:27700)")
        add("pack_date", packDate)
        return s
    }

    static func inputTable(_ p: Project, _ r: Project.PspoRequest, _ e: PspoEvidence, job: JobInputs) throws -> Table {
        var s = Table(columns: ["role", "file", "kind", "rows_read", "accepted", "quarantined", "sha256"])
        let labels = PspoEvidence.sourceLabels(job.incidents.files, r.sources)
        for (k, f) in job.incidents.files.enumerated() {
            let c = e.counts.files[k]
            s.rows.append([.string("incidents"), .string(f.path), .string(labels[k]), .int(c.read), .int(c.accepted), .int(c.quarantined), .string(f.sha256)])
        }
        for l in (job.boundary.map { [$0] } ?? []) + job.layers {
            let m = l.metadata
            s.rows.append([.string(l.name == "boundary" ? "study boundary" : "area layer \(l.name)"), .string(m.path), .string("polygons, EPSG:\(m.epsg)"),
                           .int(m.areas), .null, .null, .string(m.sha256)])
            if let pp = l.populationPath {
                s.rows.append([.string("population of \(l.name)"), .string(pp), .string("CSV"), .null, .null, .null, .string(try Hashing.sha256(file: pp))])
            }
        }
        for (role, path) in [("restricted area", r.area?.path), ("hotspot polygons (proposal)", r.fromHotspots), ("enforcement records", r.enforcement),
                             ("residents by ethnic group", r.residents)] + r.stops.map({ ("stop and search (police.uk)", $0) }) {
            if let path { s.rows.append([.string(role), .string(path), .string((path as NSString).pathExtension), .null, .null, .null, .string(try Hashing.sha256(file: path))]) }
        }
        return s
    }

    static func softwareTable(pdf: Bool) -> Table {
        var s = Table(columns: ["component", "version"])
        s.rows = [[.string("hotspot"), .string(HotspotVersion.string)], [.string("PROJ"), .string(Projection.version)],
                  [.string("GEOS"), .string(GEOSContext.version)]]
        if pdf { s.rows.append([.string("PDF renderer"), .string(HTMLPrinter.version())]) }
        return s
    }

    // MARK: maps

    static func view(_ e: PspoEvidence, margin: Double) -> Extent {
        let a = e.area.extent!
        return Extent(minX: a.minX - margin, minY: a.minY - margin, maxX: a.maxX + margin, maxY: a.maxY + margin)
    }

    static func wardOutlines(_ job: JobInputs, in v: Extent) throws -> MapDocument.Outline? {
        guard let w = job.layers.first(where: { $0.name == "wards" }) ?? job.layers.first else { return nil }
        let geos = try GEOSContext()
        let shown = w.areas.filter { a in a.geometry.extent.map { $0.maxX > v.minX && $0.minX < v.maxX && $0.maxY > v.minY && $0.minY < v.maxY } ?? false }
        let labels = try shown.compactMap { a in try geos.pointOnSurface(a.geometry).map { (at: $0, text: a.name) } }
        return .init(name: w.name, geometries: shown.map(\.geometry), stroke: "#555555", width: 0.3, labels: labels, labelSize: 2.6)
    }

    static func mapOfArea(_ e: PspoEvidence, _ r: Project.PspoRequest, job: JobInputs, asOf: String?, contexts: [ContextLayer] = [], basemap: BasemapSpec? = nil) throws -> String {
        let t = job.incidents.table
        let v = view(e, margin: (r.rings.max() ?? 0) + 150)
        let nIn = e.inside.filter { $0 }.count
        var doc = MapDocument(page: MapPage(paper: .a4, orientation: .portrait), extent: v,
                              title: "\(e.proposal ? "Proposed area (from hotspots)" : "Proposed restricted area"): \(e.name)",
                              subtitle: "",
                              details: [MapJob.types(t),
                                        "Area \(Fmt.fixed(e.areaM2 / 1e6, 3)) km² (\(Fmt.fixed(e.areaM2 / 1e4, 2)) ha) · displacement rings \(r.rings.map { Fmt.number($0) }.joined(separator: " and ")) m",
                                        "Points are police.uk anonymous map points, not addresses · British National Grid (EPSG:27700)"],
                              attribution: Attribution.lines(boundaries: true), madeOn: asOf)
        // Every incident within the frame is drawn (stacked at its map point); the subtitle says how many, and how
        // many of them lie inside the area.
        let f = doc.frameGround.extent
        let shown = (0..<t.count).filter { t.x[$0] >= f.minX && t.x[$0] <= f.maxX && t.y[$0] >= f.minY && t.y[$0] <= f.maxY }
        doc.subtitle = "\(MapJob.period(t)) · \(Fmt.grouped(shown.count)) incidents on this map · \(Fmt.grouped(nIn)) inside the area"
        if let w = try wardOutlines(job, in: f) { doc.outlines.append(w); doc.outlineLegend.append(("Ward boundaries", "#555555")) }
        for (k, z) in e.zones.enumerated() where k >= 1 && z.name.hasPrefix("Ring") {
            doc.outlines.append(.init(name: "ring-\(k)", geometries: [z.geometry], stroke: "#444444", width: 0.35, dash: "2 1.2"))
        }
        if e.zones.count > 1 {
            let ring = "Displacement rings (\(r.rings.map { Fmt.number($0) }.joined(separator: ", ")) m)"
            doc.outlineLegend.append((ring, "#444444")); doc.legendDash[ring] = "2 1.2"
        }
        doc.outlines.append(.init(name: "restricted-area", geometries: [e.area], stroke: "#000000", width: 1.0))
        doc.outlineLegend.append(("Restricted area", "#000000"))
        doc.points = shown.map { XY(t.x[$0], t.y[$0]) }
        doc.contexts = contexts
        try MapJob.addBasemap(&doc, basemap)
        return doc.svg()
    }

    static func mapOfSurroundings(_ e: PspoEvidence, _ r: Project.PspoRequest, job: JobInputs, kde: KDEJob.Computed, asOf: String?,
                                  contexts: [ContextLayer] = [], basemap: BasemapSpec? = nil) throws -> String {
        let t = job.incidents.table, s = kde.surface, g = s.grid
        let v = view(e, margin: 1000)
        let cells = (0..<g.cellCount).filter { s.values[$0] > 0 }
        let cls = KDEJob.densityClassification(cells.map { s.values[$0] }, unit: s.parameters.unit)
        var doc = MapDocument(page: MapPage(paper: .a4, orientation: .portrait), extent: v,
                              title: "Hotspots around \(e.name)",
                              subtitle: "\(MapJob.period(t)) · \(Fmt.grouped(t.count)) incidents in the study area",
                              details: [MapJob.types(t),
                                        "Quartic kernel density, bandwidth \(Fmt.fixed(s.parameters.bandwidth, 0)) m (ArcGIS rule), \(Fmt.number(g.cellSize)) m cells",
                                        "computed over the whole study area; hotspots: the top 5% of cells"],
                              attribution: Attribution.lines(boundaries: true), madeOn: asOf)
        // The cells within the whole frame (not only the square view): the density runs to the frame's edges.
        let fe = doc.frameGround.extent
        var shapes: [MultiPolygon?] = []
        for k in cls.classes.indices {
            let members = cells.indices.filter { cls.classOf[$0] == k }.map { cells[$0] }.filter { i in
                let c = g.centre(index: i); return c.x > fe.minX - g.cellSize && c.x < fe.maxX + g.cellSize && c.y > fe.minY - g.cellSize && c.y < fe.maxY + g.cellSize
            }.map { g.cellPolygon($0) }
            shapes.append(members.isEmpty ? nil : MultiPolygon(dissolveEdgeToEdge(members).map { Polygon(exterior: $0) }))
        }
        doc.fill = .init(classification: cls, shapes: shapes)
        if let w = try wardOutlines(job, in: fe) { doc.outlines.append(w); doc.outlineLegend.append(("Ward boundaries", "#555555")) }
        let hs = kde.hotspots.filter { h in h.geometry.extent.map { $0.maxX > fe.minX && $0.minX < fe.maxX && $0.maxY > fe.minY && $0.minY < fe.maxY } ?? false }
        if !hs.isEmpty {
            let labels = hs.compactMap { h in h.geometry.extent.map { (at: XY($0.maxX, $0.maxY), text: h.id) } }
            doc.outlines.append(.init(name: "hotspots", geometries: hs.map(\.geometry), stroke: "#08306b", width: 0.7, labels: labels, labelSize: 3.0,
                                      labelAnchor: "start", labelColour: "#08306b"))
            doc.outlineLegend.append(("Hotspots (h1 = highest peak in the study area)", "#08306b"))
        }
        doc.outlines.append(.init(name: "restricted-area", geometries: [e.area], stroke: "#000000", width: 1.0))
        doc.outlineLegend.append(("Restricted area", "#000000"))
        doc.contexts = contexts
        try MapJob.addBasemap(&doc, basemap)
        return doc.svg()
    }
}

/// Emerging hot spots around the restricted area (section 5).
struct PspoEmerging {
    /// How the analysis was run, or why it could not be.
    var note: String
    /// `emerging-cells`: the cells that intersect the area, with their category, hot months and Gi* trend.
    var cells: Table
    /// `emerging-summary`: those cells per category, by category name.
    var summary: Table
}

/// Every exhibit table of a pack, one `exhibits/NAME.csv` each (NAME in the comments).
struct PspoExhibits {
    /// Sections 3–7 (`PspoEvidence.tabulate`).
    var evidence: PspoEvidence.Tables
    /// `emerging-cells` and `emerging-summary`.
    var emerging: PspoEmerging
    /// `summary`: the measures (measure, value) the summary section quotes.
    var summary: Table
    /// `parameters`: every parameter of the pack (metadata.json's too).
    var parameters: Table
    /// `inputs`: each input file with its SHA-256 and, for incident files, rows read, accepted and quarantined.
    var inputs: Table
    /// `counts`: rows read … incidents inside the area (`PspoCounts.table`).
    var counts: Table
    /// `software`: the versions of hotspot, PROJ, GEOS and the PDF renderer.
    var software: Table

    /// Each table with its exhibit name, by name (the order they are written in).
    var all: [(name: String, table: Table)] {
        let v = evidence
        var named: [(name: String, table: Table)] = [
            ("incidents-by-source", v.incidentsBySource), ("incidents-by-type", v.incidentsByType), ("incidents-by-month", v.incidentsByMonth),
            ("concentration", v.concentration), ("trend", v.trend), ("windows", v.windows),
            ("displacement-by-month", v.displacementByMonth), ("zones", v.zones),
            ("emerging-cells", emerging.cells), ("emerging-summary", emerging.summary),
            ("summary", summary), ("parameters", parameters), ("inputs", inputs), ("counts", counts), ("software", software),
        ]
        if let ba = v.displacementBeforeAfter { named.append(("displacement-before-after", ba)) }
        if let en = v.enforcement {
            named += [("enforcement-by-restriction", en.byRestriction), ("enforcement-by-characteristic", en.byCharacteristic)]
            if let c = en.vsResidents { named.append(("enforcement-vs-residents", c)) }
            if let f = en.findRates { named.append(("enforcement-find-rates", f)) }
        }
        return named.sorted { $0.name < $1.name }
    }
}

extension MapOptions {
    /// Exhibit figures: SVG and a 200 dpi PNG.
    static var exhibit: MapOptions { var o = MapOptions(); o.formats = [.svg, .png]; o.dpi = 200; return o }
}

/// The pack's charts, by exhibit name.
struct Charts {
    var monthly: String, displacement: String, windows: String?
    var all: [(String, String)] { [("chart-monthly", monthly), ("chart-displacement", displacement)] + (windows.map { [("chart-windows", $0)] } ?? []) }

    init(_ e: PspoEvidence, _ v: PspoEvidence.Tables, _ r: Project.PspoRequest) throws {
        let labels = e.months.map { CivilDate.monthLabel($0) }
        let bm = v.incidentsByMonth
        func column(_ t: Table, _ c: Int) -> [Double?] { t.rows.map { if case .int(let v) = $0[c] { return Double(v) }; return nil } }
        var series: [(String, [Double?])] = [("All selected types", column(bm, 1))]
        let typeCols = bm.columns.indices.filter { bm.columns[$0].hasPrefix("inside_") && bm.columns[$0] != "inside_total" && !bm.columns[$0].hasPrefix("inside_source_") }
        if typeCols.count > 1 {
            let byType = v.incidentsByType
            for (k, c) in typeCols.prefix(4).enumerated() { series.append((byType.rows[k][0].csvText, column(bm, c))) }
        }
        var m = LineChart(title: "Incidents inside \(e.name) per month", yLabel: "Incidents per month", categories: labels, series: LineChart.styled(series))
        if let c = r.change { m.divider = (e.months.firstIndex { $0 >= CivilDate.monthOrdinal(ofDay: c) } ?? 0, "change \(CivilDate.dayLabel(c))") }
        monthly = m.svg()
        let dm = v.displacementByMonth
        let zs = (1...e.zones.count).map { (e.zones[$0 - 1].name, column(dm, $0)) }
        var d = LineChart(title: "Inside the area, in the rings and in the adjacent wards, per month", yLabel: "Incidents per month", categories: labels, series: LineChart.styled(zs))
        d.divider = m.divider
        displacement = d.svg()
        let w = v.windows
        var groups: [String] = []
        for row in w.rows where !groups.contains(row[0].csvText) { groups.append(row[0].csvText) }
        let ringZones = e.zones.map(\.name).filter { $0 == e.name || $0.hasPrefix("Ring") }
        if !groups.isEmpty {
            let values = groups.map { g in ringZones.map { z in Double(w.rows.first { $0[0].csvText == g && $0[1].csvText == z }.map { $0[3].csvText } ?? "0") ?? 0 } }
            windows = BarChart(title: "Year on year: the same months each year", yLabel: "Incidents", groups: groups, bars: ringZones, values: values).svg()
        } else { windows = nil }
    }
}
