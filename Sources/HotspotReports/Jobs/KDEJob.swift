import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// Options for a density run, with sfhotspot/ArcGIS-style defaults.
public struct KDEOptions: Sendable, HasGrid {
    /// The grid (`o.cell`, `o.clip`… read and write it); hexagons: `cell` is the distance across flats.
    public var grid = GridSpec()
    /// Fixed bandwidth in metres, else the rule.
    public var bandwidth: Double?
    public var bandwidthRule: BandwidthRule = .arcgis
    /// Multiplier on the chosen bandwidth (sfhotspot's `bandwidth_adjust`).
    public var bandwidthAdjust: Double = 1
    public var kernel: Kernel = .quartic
    public var unit: DensityUnit = .perKm2
    public var mode: KDEMode = .auto
    public var threshold: HotspotThreshold = .topCells(percent: 5)
    public var smooth = false
    /// Drop hotspot polygons holding fewer incidents than this (the rest are renumbered h1, h2, … by peak).
    public var minIncidents = 0
    /// Draw the density with its hotspots as a print map.
    public var map: MapOptions?
    /// Dual KDE: a second set of incident files (e.g. last period), combined with the first on the same grid and
    /// bandwidth.
    public var dualFiles: [String] = []
    public var dualOperation: DualOperation = .ratio
    /// Floor for tiny denominators, in the density unit (default: 1% of the second surface's mean non-zero density).
    public var dualFloor: Double?
    /// Choose the bandwidth (and the cell, when `cell` is nil) by backtesting on the incidents themselves
    /// (`--bandwidth-rule backtest`); `bandwidth` given wins.
    public var backtest: BacktestJob.Options?
    /// A prospective surface (ProMap, Bowers, Johnson & Pease 2004): the incidents weighted by recency,
    /// 1 / (1 + age) within the window, on the last day of the data (`recencyWeights`); nil: every incident alike.
    public var recency: RecencyWindow?
    public init() {}
}

/// Density surface + hotspot polygons, written as cells (GeoJSON, CSV), an ESRI ASCII grid and hotspot polygons.
public enum KDEJob {
    /// hotspots.geojson and hotspots.csv.
    /// Hotspot polygons holding at least `minIncidents`, renumbered h1, h2, … in their order (descending peak).
    static func keep(_ hs: [HotspotPolygon], minIncidents k: Int, warnings: inout [String]) -> [HotspotPolygon] {
        guard k > 0 else { return hs }
        let kept = hs.filter { $0.incidents >= k }
        if kept.count < hs.count {
            warnings.append("\(hs.count - kept.count) of \(hs.count) hotspot polygon(s) hold fewer than \(k) incidents and were dropped (--min-incidents)")
        }
        return kept.enumerated().map { i, h in var h = h; h.id = "h\(i + 1)"; return h }
    }

    /// Hotspot polygons open as dark blue outlines labelled by id (h1 = highest peak).
    static let hotspotStyle = LayerStyle.outline(colour: "#08306b", widthMM: 0.6, labelField: "id")

    /// The density classes of maps and styles: multiples of the mean non-zero cell density.
    /// With harm weights (`--weights`) the density is harm per km² (or m²).
    static func densityClassification(_ values: [Double], unit: DensityUnit, recency: RecencyWindow? = nil, harm: Bool = false) -> Classification {
        let per = unit == .perKm2 ? "km²" : "m²"
        return MapStyle.meanMultiples(values, field: "density_" + unit.rawValue,
                               title: recency.map { "Recency-weighted density (\(harm ? "harm " : "")per \(per), last \($0.description))" } ?? "Density (\(harm ? "harm" : "incidents") per \(per))",
                               ramp: MapStyle.ylOrRd5, decimals: unit == .perKm2 ? 1 : 6)
    }

    static func writeHotspots(_ hotspots: [HotspotPolygon], unit: String, layers: [LoadedLayer], to set: OutputSet) throws {
        var ht = Table(columns: ["id", "area_m2", "area_km2", "incidents", "share", "pai", "peak_" + unit]
                       + layers.flatMap { ["touches_" + $0.name, "touches_" + $0.name + "_names"] })
        ht.rows = hotspots.map { h in
            [.string(h.id), .double(h.areaM2, decimals: 1), .double(h.areaM2 / 1e6, decimals: 6), .int(h.incidents),
             .double(h.share, decimals: 6), .double(h.pai, decimals: 3), .double(h.peakDensity, decimals: nil)]
                + layers.flatMap { l -> [Value] in
                    let ids = h.touches[l.name] ?? []
                    let names = Dictionary(l.areas.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
                    return [.string(ids.joined(separator: ";")), .string(ids.map { names[$0] ?? $0 }.joined(separator: ";"))]
                }
        }
        try set.writeLayer("hotspots", geometries: hotspots.map(\.geometry), properties: ht, style: hotspotStyle)
        try set.write("hotspots.csv", ht.csv())
    }

    /// The raster files of a surface: `NAME-raster.asc` + `.prj` (ESRI ASCII grid), with `geoTIFF` also
    /// `NAME-raster.tif` (Cloud-Optimised GeoTIFF, EPSG:27700, NoData −9999, DEFLATE, through GDAL), and their QGIS
    /// style `NAME-raster.qml` (singleband pseudocolour on `classes`, the vector layer's classes). QGIS opens a file
    /// with the `.qml` of the same base name, so the rasters must not share `NAME.qml`, the vector layer's style: a
    /// vector style on a raster draws it solid black.
    static func writeRaster(_ name: String, values: [Double], grid: SquareGrid, classes: Classification, geoTIFF: Bool, to set: OutputSet) throws {
        let base = rasterName(name)
        try set.write("\(base).asc", ASCIIGridWriter.write(values: values, grid: grid))
        try set.write("\(base).prj", try CRSInfo.esriWKT(epsg: analysisEPSG))
        if geoTIFF {
            try GeoTIFFWriter.write(values: values, grid: grid, epsg: analysisEPSG, to: set.path("\(base).tif"))
            set.record("\(base).tif", try InputFile.contents(set.path("\(base).tif")))
        }
        try set.write("\(base).qml", RasterStyle(classes).qml)
    }

    /// The base name of a surface's raster files (`density` → `density-raster`): not the vector layer's, so that
    /// QGIS gives each its own style.
    public static func rasterName(_ name: String) -> String { name + "-raster" }

    public struct Result {
        public var incidents: LoadedIncidents
        public var surface: DensitySurface
        public var hotspots: [HotspotPolygon]
        public var bandwidthSource: String
        public var cellSource: String
        public var warnings: [String]
        public var written: [String]
        /// `--sparse`: the cells written (density above 0) and the hot ones among them; `surface.values` then holds
        /// the written cells' values only.
        public var sparseCells: (written: Int, hot: Int)? = nil
    }

    /// The density surface and hotspot polygons of `p.products.kde` (defaults when nil), into `p.out`.
    public static func run(_ req: Project, command: String, inputs: JobInputs? = nil) throws -> Result {
        var o = req.products.kde ?? KDEOptions()
        let out = req.out
        var job = try inputs ?? req.loadInputs()
        guard job.incidents.table.count >= 2 else { throw InputError.unusable("kernel density needs at least 2 accepted incidents (got \(job.incidents.table.count))") }
        var warnings = job.warnings
        var backtestTable: Table?
        if o.sparse && o.backtest != nil && o.bandwidth == nil {
            throw InputError.unusable("--bandwidth-rule backtest evaluates dense grids: with --sparse give --bandwidth METRES or another --bandwidth-rule")
        }
        var bandwidthSource = o.bandwidth == nil ? o.bandwidthRule.rawValue : "fixed"
        if let bo = o.backtest, o.bandwidth == nil {
            let (source, table) = try chooseByBacktest(bo, job, &o, warnings: &warnings)
            bandwidthSource = source; backtestTable = table
        }
        // After the backtest, which weighs the training windows itself.
        var recencyNote: [String: String] = [:]
        if let r = o.recency { recencyNote = try weightByRecency(&job, r) }
        let b = job.boundary, inc = job.incidents, layers = job.layers
        let t = inc.table
        var h = o.bandwidth ?? Bandwidth.compute(o.bandwidthRule, x: t.x, y: t.y)
        h *= o.bandwidthAdjust
        if o.sparse {
            return try runSparse(job, o, req, bandwidth: h, bandwidthSource: bandwidthSource, recencyNote: recencyNote, warnings: warnings, command: command)
        }
        if let orientation = o.hex {
            return try runHex(job: job, options: o, orientation: orientation, bandwidth: h,
                              bandwidthSource: bandwidthSource, warnings: warnings, out: out, database: req.database, command: command)
        }
        let c = try compute(job, o, bandwidth: h, warnings: &warnings)
        let product = c.product, grid = product.choice.grid, mask = c.mask, p = c.parameters, surface = c.surface
        let hot = c.hot, studyArea = c.studyAreaM2, hotspots = c.hotspots
        // Outputs.
        let set = try OutputSet(directory: out, database: req.database)
        if let bt = backtestTable { try set.write("backtest.csv", bt.csv()) }
        let unit = "density_" + o.unit.rawValue
        let cells = (0..<grid.cellCount).filter { mask?[$0] ?? true }
        var ct = Table(columns: ["id", "col", "row", "easting", "northing", "count", unit, "hot"])
        let hotSet = Set(hot.cells)
        ct.rows = cells.map { k in
            let c = grid.centre(index: k)
            return [.string(grid.cellID(k)), .int(k % grid.ncols), .int(k / grid.ncols), .double(c.x, decimals: 1), .double(c.y, decimals: 1),
                    .int(Int(product.counts.counts[k])), .double(surface.values[k], decimals: nil), .int(hotSet.contains(k) ? 1 : 0)]
        }
        let cellGeoms = cells.map { grid.cellPolygon($0) }
        let densityClasses = densityClassification(cells.map { surface.values[$0] }, unit: o.unit, recency: o.recency, harm: t.harm)
        try set.writeLayer("density", geometries: cellGeoms, properties: ct, style: .classified(densityClasses))
        try set.writeCSV("density.csv", ct)
        try writeRaster("density", values: surface.values, grid: grid, classes: densityClasses, geoTIFF: true, to: set)
        try writeHotspots(hotspots, unit: unit, layers: layers, to: set)
        let mapLine = (o.recency.map { "Prospective, for the period after \(recencyNote["recency_reference"] ?? ""): \(recencyNote["recency_incidents_weighted"] ?? "") incidents of the last \($0.description) weighted 1/(1 + age in \($0.unit)s) (ProMap) · " } ?? "") + "\(o.kernel.rawValue.capitalized) kernel · bandwidth \(Fmt.fixed(h, 0)) m (\(bandwidthSource)) · \(Fmt.number(grid.cellSize)) m cells · hotspots: \(hot.threshold.description) · \(surface.mode.rawValue) evaluation"
        let mapProduct = (o.recency == nil ? "" : "prospective ") + "kernel density\(t.harm ? " of harm" : "") and hotspots"
        if let mo = o.map {
            var ctx = MapJob.Context(incidents: inc, boundary: b, layers: layers, parameters: mapLine, product: mapProduct)
            ctx.hotspots = hotspots.map { ($0.id, $0.geometry) }
            ctx.blank = "density 0"
            ctx.notes = warnings.map { "Warning: \($0)" }
            try MapJob.draw(ctx, features: cellGeoms, classification: densityClasses, dissolve: true, options: mo, into: set)
        }
        let dualParams = o.dualFiles.isEmpty ? [:] : try writeDual(o, req, job, surface: surface, grid: grid, parameters: p, cells: cells, cellGeoms: cellGeoms, mask: mask, unit: unit, to: set)
        try set.finish(command: command, parameters: dualParams.merging(recencyNote) { a, _ in a }.merging([
            "map_parameters": mapLine, "map_product": mapProduct,
            "job": "kde", "kernel": o.kernel.rawValue, "bandwidth_m": Fmt.fixed(h, 3), "bandwidth_source": bandwidthSource,
            "bandwidth_adjust": Fmt.number(o.bandwidthAdjust), "cell_m": Fmt.number(grid.cellSize), "cell_source": product.choice.cellSizeSource,
            "unit": o.unit.rawValue, "density_of": t.harm ? "harm" : "incidents", "mode": surface.mode.rawValue, "threshold": hot.threshold.description,
            "threshold_level": Fmt.number(hot.level), "smooth": "\(o.smooth)", "clip": "\(o.clip && b != nil)",
            "binned_error_bound_per_incident": Fmt.number(surface.errorPerIncident), "study_area_m2": Fmt.fixed(studyArea, 1)]) { a, _ in a },
            inputs: job, grid: grid, warnings: warnings, backtest: backtestTable)
        return Result(incidents: inc, surface: surface, hotspots: hotspots, bandwidthSource: bandwidthSource,
                      cellSource: product.choice.cellSizeSource, warnings: warnings, written: set.written.map(\.path) + ["metadata.json"])
    }

    /// Density on the cells within the bandwidth of an incident only (`--sparse`): exact evaluation (`auto` is exact
    /// here), each cell's value that of the dense surface; density.geojson/.gpkg and density.csv with the dense
    /// columns, `hot` by the same threshold over all of the grid's cells. No hotspot polygons, raster, dual surface
    /// or map: those need the whole grid.
    static func runSparse(_ job: JobInputs, _ o: KDEOptions, _ req: Project, bandwidth h: Double, bandwidthSource: String,
                          recencyNote: [String: String], warnings w: [String], command: String) throws -> Result {
        var warnings = w
        guard o.dualFiles.isEmpty else { throw InputError.unusable("--dual-with needs the whole grid: leave out --sparse") }
        guard o.mode != .binned else { throw InputError.unusable("--sparse evaluates densities exactly: leave out --mode binned") }
        let inc = job.incidents, t = inc.table
        let product = try SparseGridProduct.compute(t, cellSize: o.cell, rule: o.cellRule, boundary: job.boundary, extent: o.extent)
        let grid = product.choice.grid
        var p = KDEParameters(bandwidth: h, kernel: o.kernel, unit: o.unit, mode: .exact)
        p.mode = .exact
        if let why = KDEPlan(count: t.count, grid: grid, parameters: p).refusal(cellLimit: o.maxCells) {
            throw InputError.unusable(why.replacingOccurrences(of: "use --mode binned, a larger --cell", with: "use a larger --cell"))
        }
        // Each occupied cell brings the cells within the bandwidth: refuse before allocating what cannot be written.
        let reach = min(Double(grid.cellCount), Double(product.counts.cells.count) * (Double.pi * (h / grid.cellSize) * (h / grid.cellSize) + 1))
        guard reach <= Double(Limits.maxCells.upperBound) else {
            throw InputError.unusable("kernel density on \(Fmt.counted(product.counts.cells.count, "occupied cell")) with a \(Fmt.number(h)) m bandwidth would write up to \(Int(reach)) cells of \(Fmt.number(grid.cellSize)) m, above \(Limits.maxCells.upperBound); use a larger --cell or a smaller --bandwidth")
        }
        try MemoryLimit.check(need: Int(reach) * GridProduct.bytesPerCell / 4, for: "kernel density on up to \(Int(reach)) cells",
                              fix: "a larger --cell or a smaller --bandwidth")
        let surface = PhaseProgress.phase("kernel density (sparse)", total: Double(t.count), unit: "incidents") {
            kernelDensitySparse(x: t.x, y: t.y, weights: t.weight, grid: grid, parameters: p)
        }
        if surface.cells.isEmpty { warnings.append("the density surface is empty: no incident lies within the bandwidth of any cell") }
        let counts = surface.cells.map { k in product.counts.position(of: k).map { product.counts.counts[$0] } ?? 0 }
        let hot = selectHotCellsSparse(values: surface.values, counts: counts, cellCount: grid.cellCount,
                                       totalCount: product.counts.counts.reduce(0) { $0 + Int($1) }, threshold: o.threshold)
        if o.map != nil { warnings.append("--map is not drawn for --sparse (its extent is national): open density.gpkg in a GIS") }
        if o.smooth || o.minIncidents > 0 { warnings.append("--smooth and --min-incidents shape hotspot polygons, which --sparse does not make") }
        let set = try OutputSet(directory: req.out, database: req.database)
        let unit = "density_" + o.unit.rawValue
        var ct = Table(columns: ["id", "col", "row", "easting", "northing", "count", unit, "hot"])
        var isHot = [Bool](repeating: false, count: surface.cells.count)
        for i in hot.cells { isHot[i] = true }
        ct.rows = surface.cells.indices.map { i in
            let k = surface.cells[i], c = grid.centre(index: k)
            return [.string(grid.cellID(k)), .int(k % grid.ncols), .int(k / grid.ncols), .double(c.x, decimals: 1), .double(c.y, decimals: 1),
                    .int(Int(counts[i])), .double(surface.values[i], decimals: nil), .int(isHot[i] ? 1 : 0)]
        }
        let classes = densityClassification(surface.values, unit: o.unit, recency: o.recency, harm: t.harm)
        try set.writeLayer("density", geometries: surface.cells.map { grid.cellPolygon($0) }, properties: ct, style: .classified(classes))
        try set.writeCSV("density.csv", ct)
        try set.finish(command: command, parameters: recencyNote.merging(product.parameters) { a, _ in a }.merging([
            "job": "kde", "kernel": o.kernel.rawValue, "bandwidth_m": Fmt.fixed(h, 3), "bandwidth_source": bandwidthSource,
            "bandwidth_adjust": Fmt.number(o.bandwidthAdjust), "cell_m": Fmt.number(grid.cellSize), "cell_source": product.choice.cellSizeSource,
            "unit": o.unit.rawValue, "density_of": t.harm ? "harm" : "incidents", "mode": "exact", "threshold": hot.threshold.description,
            "threshold_level": Fmt.number(hot.level), "clip": "false", "written_cells": "\(surface.cells.count) (density above 0)",
            "hot_cells": "\(hot.cells.count)"]) { a, _ in a },
            inputs: job, grid: grid, warnings: warnings)
        let written = DensitySurface(grid: grid, values: surface.values, parameters: p, mode: .exact, contributing: surface.contributing)
        return Result(incidents: inc, surface: written, hotspots: [], bandwidthSource: bandwidthSource,
                      cellSource: product.choice.cellSizeSource, warnings: warnings, written: set.written.map(\.path) + ["metadata.json"],
                      sparseCells: (surface.cells.count, hot.cells.count))
    }

    /// Weights the incidents by recency (`recencyWeights`, on the last day of the data: the month's last day for
    /// monthly data) in place, multiplying any weights they had; returns the metadata entries saying so. Weeks
    /// on monthly data are refused: every incident of a month carries its first day.
    static func weightByRecency(_ job: inout JobInputs, _ r: RecencyWindow) throws -> [String: String] {
        let t = job.incidents.table
        guard let last = t.day.max().map(Int.init) else { return [:] }
        if case .weeks = r, t.resolution == .month {
            throw InputError.unusable("--recency \(r.token): these incidents are dated by month only (police.uk), so their age in weeks is unknown; give the window in months, e.g. --recency 2months")
        }
        let c = CivilDate.civil(days: last)
        let end = t.resolution == .month ? CivilDate.days(year: c.year, month: c.month, day: CivilDate.daysInMonth(year: c.year, month: c.month)) : last
        let rw = recencyWeights(days: t.day, reference: end, window: r, base: t.weight)
        job.incidents.table.weight = rw.weights
        return ["recency": r.token, "recency_reference": CivilDate.dayLabel(end), "recency_incidents_weighted": "\(rw.used)",
                "recency_rule": "ProMap (Bowers, Johnson & Pease 2004): weight 1/(1 + age), age in whole \(r.unit)s before \(CivilDate.dayLabel(end)), 0 from \(r.length) \(r.unit)s on"]
    }

    /// `--bandwidth-rule backtest`: the bandwidth (and cell) that best predicted the following window on these
    /// incidents (`BacktestJob.evaluate` over `bo`'s windows); sets them in `o` and returns how the bandwidth was
    /// chosen and the candidates' table (backtest.csv).
    static func chooseByBacktest(_ backtest: BacktestJob.Options, _ job: JobInputs, _ o: inout KDEOptions, warnings: inout [String]) throws -> (String, Table) {
        var bo = backtest
        // The bandwidth (and cell) that best predicted the following window on these incidents.
        if let c = o.cell { bo.cells = [c] }
        // A prospective surface (--recency) is chosen among the prospective candidates of its window only.
        bo.gistar = false; bo.moran = false; bo.optimized = false; bo.emerging = false; bo.recency = o.recency.map { [$0] } ?? []
        bo.thresholds = [o.threshold]
        var (origins, cands, scores, w) = try PhaseProgress.phase("backtest", total: 1, unit: "steps") { try BacktestJob.evaluate(job, bo) }
        if o.recency != nil {
            let keep = cands.indices.filter { cands[$0].predictor == "prospective" }
            cands = keep.map { cands[$0] }; scores = keep.map { scores[$0] }
        }
        let usable = origins.indices.filter { !origins[$0].tooFew }
        guard !usable.isEmpty else { throw InputError.unusable("--bandwidth-rule backtest: no origin has \(bo.minTest) or more incidents to test on; give --bandwidth or use another rule") }
        warnings += w
        let best = BacktestJob.pick(cands, scores, usable: usable)
        guard BacktestJob.eligible(cands[best], scores[best], usable: usable) else {
            throw InputError.unusable("--bandwidth-rule backtest: no candidate bandwidth fills \(o.threshold.description) of the area with non-zero density; give --bandwidth, or a larger --cell")
        }
        o.bandwidth = cands[best].bandwidth; o.cell = cands[best].cell
        let source = "backtest (best median PAI \(Fmt.fixed(BacktestJob.median(usable.map { scores[best][$0].pai }), 2)) over \(usable.count) origin(s) of \(bo.train.description) → \(bo.test.description), among \(cands.count) candidates)"
        var bt = Table(columns: ["cell_m", "bandwidth_m"] + (o.recency == nil ? [] : ["recency"]) + ["threshold", "pai_median", "hit_rate_median", "recommended"])
        bt.rows = cands.indices.map { i in
            [.double(cands[i].cell, decimals: nil), .double(cands[i].bandwidth ?? .nan, decimals: nil)] + (o.recency == nil ? [] : [.string(cands[i].recency?.token ?? "")]) + [.string(cands[i].threshold),
             .double(BacktestJob.median(usable.map { scores[i][$0].pai }), decimals: 3),
             .double(BacktestJob.median(usable.map { scores[i][$0].hitRate }), decimals: 4), .int(i == best ? 1 : 0)]
        }
        return (source, bt)
    }

    /// Dual KDE (`--dual-with`): the second period's surface on the same grid and bandwidth, the ratio, log-ratio or
    /// difference per cell, written as `dual.geojson`/`.gpkg`, `dual.csv` and a raster; returns its metadata parameters.
    static func writeDual(_ o: KDEOptions, _ req: Project, _ job: JobInputs, surface: DensitySurface, grid: SquareGrid, parameters p: KDEParameters, cells: [Int],
                          cellGeoms: [MultiPolygon], mask: [Bool]?, unit: String, to set: OutputSet) throws -> [String: String] {
        let b = job.boundary
        let other = try Pipeline.loadIncidents(files: o.dualFiles, options: req.read, gridDirectories: req.gridDirectories, boundary: b)
        let s2 = kernelDensity(x: other.table.x, y: other.table.y, weights: other.table.weight, grid: grid, parameters: p, mask: mask)
        let nz = s2.values.filter { $0 > 0 }
        let floor = o.dualFloor ?? (nz.isEmpty ? 1e-9 : 0.01 * nz.reduce(0, +) / Double(nz.count))
        let dual = dualDensity(surface, s2, operation: o.dualOperation, floor: floor)
        var dt = Table(columns: ["id", "col", "row", "easting", "northing", unit + "_a", unit + "_b", o.dualOperation.rawValue.replacingOccurrences(of: "-", with: "_")])
        dt.rows = cells.map { k in
            let c = grid.centre(index: k)
            return [.string(grid.cellID(k)), .int(k % grid.ncols), .int(k / grid.ncols), .double(c.x, decimals: 1), .double(c.y, decimals: 1),
                    .double(surface.values[k], decimals: nil), .double(s2.values[k], decimals: nil), .double(dual[k], decimals: nil)]
        }
        let dualField = o.dualOperation.rawValue.replacingOccurrences(of: "-", with: "_")
        let dualClasses = MapStyle.quantiles(cells.map { dual[$0] }, field: dualField, title: o.dualOperation.rawValue,
                                             ramp: MapStyle.ylOrRd5, decimals: 3)
        try set.writeLayer("dual", geometries: cellGeoms, properties: dt, style: .classified(dualClasses))
        try set.write("dual.csv", dt.csv())
        try writeRaster("dual", values: dual, grid: grid, classes: dualClasses, geoTIFF: false, to: set)
        return ["dual_operation": o.dualOperation.rawValue, "dual_floor": Fmt.number(floor),
                      "dual_files": o.dualFiles.joined(separator: ";"), "dual_incidents": "\(other.table.count)"]
    }

    /// A density surface and its hotspot polygons, before anything is written.
    struct Computed {
        var product: GridProduct, mask: [Bool]?, parameters: KDEParameters, surface: DensitySurface, hot: HotCells
        var studyAreaM2: Double, hotspots: [HotspotPolygon]
    }

    /// The square-grid surface of `o` at bandwidth `h` metres over the job's incidents, with its hotspot polygons
    /// (what `run` writes; the PSPO pack draws it without writing the layers).
    static func compute(_ job: JobInputs, _ o: KDEOptions, bandwidth h: Double, warnings: inout [String]) throws -> Computed {
        let b = job.boundary, t = job.incidents.table, layers = job.layers
        let product = try GridProduct.compute(t, cellSize: o.cell, rule: o.cellRule, boundary: b, clip: false, cellLimit: o.maxCells, extent: o.extent)
        let grid = product.choice.grid
        if h < grid.cellSize { warnings.append("the bandwidth (\(Fmt.fixed(h, 1)) m) is smaller than the cell size (\(Fmt.number(grid.cellSize)) m): the surface will look like separate dots; use a larger --bandwidth or a smaller --cell") }
        var mask: [Bool]?
        if o.clip, let b {
            let m = try GridProduct.mask(b, grid: grid)
            mask = m
            if !m.contains(true) { warnings.append("the grid does not overlap the boundary") }
        }
        let p = KDEParameters(bandwidth: h, kernel: o.kernel, unit: o.unit, mode: o.mode)
        if let why = KDEPlan(count: t.count, grid: grid, parameters: p).refusal(cellLimit: o.maxCells) { throw InputError.unusable(why) }
        let surface = PhaseProgress.phase("kernel density", total: Double(grid.cellCount), unit: "cells") {
            kernelDensity(x: t.x, y: t.y, weights: t.weight, grid: grid, parameters: p, mask: mask)
        }
        if surface.values.allSatisfy({ $0 == 0 || $0.isNaN }) { warnings.append("the density surface is empty: no incident lies within the bandwidth of any cell") }
        let hot = selectHotCells(surface, threshold: o.threshold, counts: product.counts.counts)
        let studyArea = b?.areas.reduce(0) { $0 + $1.geometry.area } ?? (grid.extent.width * grid.extent.height)
        let hotspots = keep(try HotspotPolygonBuilder.build(surface: surface, hot: hot, smooth: o.smooth, x: t.x, y: t.y,
                                                            studyAreaM2: studyArea, layers: layers.map { ($0.name, $0.areas) }),
                            minIncidents: o.minIncidents, warnings: &warnings)
        return Computed(product: product, mask: mask, parameters: p, surface: surface, hot: hot, studyAreaM2: studyArea, hotspots: hotspots)
    }

    /// Density at hexagon centres, hot hexagons dissolved into hotspot polygons (no ESRI ASCII grid: it is square).
    static func runHex(job: JobInputs, options o: KDEOptions,
                       orientation: HexOrientation, bandwidth h: Double, bandwidthSource: String, warnings w: [String],
                       out: String, database: Project.Database? = nil, command: String) throws -> Result {
        var warnings = w
        let inc = job.incidents, b = job.boundary, layers = job.layers
        let t = inc.table
        let p = try HexProduct.compute(t, size: o.cell, rule: o.cellRule, orientation: orientation, boundary: b, clip: o.clip, cellLimit: o.maxCells, extent: o.extent)
        let hex = p.grid
        if h < hex.size { warnings.append("the bandwidth (\(Fmt.fixed(h, 1)) m) is smaller than the hexagon size (\(Fmt.number(hex.size)) m)") }
        if o.smooth { warnings.append("--smooth applies to square grids; hexagon hotspots follow the hexagon edges") }
        var values = [Double](repeating: .nan, count: hex.cellCount)
        let dens = kernelDensity(x: t.x, y: t.y, weights: t.weight, at: p.cells.map { hex.centre(index: $0) }, bandwidth: h,
                                 kernel: o.kernel, unit: o.unit)
        for (j, k) in p.cells.enumerated() { values[k] = dens[j] }
        let hot = selectHotCells(values: values, threshold: o.threshold, counts: p.counts.counts)
        let studyArea = b?.areas.reduce(0) { $0 + $1.geometry.area } ?? Double(p.cells.count) * hex.cellArea
        let hotspots = keep(try HotspotPolygonBuilder.build(values: values, centres: (0..<hex.cellCount).map { hex.centre(index: $0) },
                                                            cell: { hex.cellPolygon($0) }, hot: hot,
                                                            smoothed: nil, x: t.x, y: t.y, studyAreaM2: studyArea,
                                                            layers: layers.map { ($0.name, $0.areas) }),
                            minIncidents: o.minIncidents, warnings: &warnings)
        let set = try OutputSet(directory: out, database: database)
        let unit = "density_" + o.unit.rawValue
        let hotSet = Set(hot.cells)
        var ct = Table(columns: ["id", "col", "row", "easting", "northing", "count", unit, "hot"])
        ct.rows = p.cells.map { k in
            let c = hex.centre(index: k)
            return [.string(hex.cellID(k)), .int(hex.col0 + k % hex.ncols), .int(hex.row0 + k / hex.ncols), .double(c.x, decimals: 1),
                    .double(c.y, decimals: 1), .int(Int(p.counts.counts[k])), .double(values[k], decimals: nil), .int(hotSet.contains(k) ? 1 : 0)]
        }
        try set.writeLayer("density", geometries: p.geometries, properties: ct,
                           style: .classified(densityClassification(p.cells.map { values[$0] }, unit: o.unit, recency: o.recency, harm: inc.table.harm)))
        try set.writeCSV("density.csv", ct)
        try writeHotspots(hotspots, unit: unit, layers: layers, to: set)
        try set.finish(command: command, parameters: [
            "job": "kde", "shape": "hexagon (\(orientation.rawValue)-top)", "across_flats_m": Fmt.number(hex.size),
            "kernel": o.kernel.rawValue, "bandwidth_m": Fmt.fixed(h, 3), "bandwidth_source": bandwidthSource,
            "bandwidth_adjust": Fmt.number(o.bandwidthAdjust), "cell_source": p.cellSizeSource, "unit": o.unit.rawValue,
            "mode": "exact", "threshold": hot.threshold.description, "threshold_level": Fmt.number(hot.level),
            "clip": "\(o.clip && b != nil)", "study_area_m2": Fmt.fixed(studyArea, 1)],
            inputs: job, warnings: warnings)
        let surface = DensitySurface(grid: SquareGrid(x0: 0, y0: 0, cellSize: hex.size, ncols: hex.ncols, nrows: hex.nrows),
                                     values: values, parameters: KDEParameters(bandwidth: h, kernel: o.kernel, unit: o.unit, mode: .exact), mode: .exact)
        return Result(incidents: inc, surface: surface, hotspots: hotspots, bandwidthSource: bandwidthSource,
                      cellSource: p.cellSizeSource, warnings: warnings, written: set.written.map(\.path) + ["metadata.json"])
    }
}
