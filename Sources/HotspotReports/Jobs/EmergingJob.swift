import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

public struct EmergingJobOptions: Sendable, HasGrid {
    /// The grid (`o.cell`, `o.clip`… read and write it); squares only.
    public var grid = GridSpec()
    /// Neighbourhood distance in metres (default cell × √2: queen).
    public var radius: Double?
    public var step: StepLength = .months(1)
    /// First day of the first step (default: the first month/week present).
    public var start: Int?
    /// A day in the final step (default: the last day present); later incidents are outside the cube.
    public var end: Int?
    /// Neighbourhood time window (ArcGIS's default 1; 0 = spatial Gi* per step).
    public var window = 1
    /// Draw the categories as a print map.
    public var map: MapOptions?
    public var emerging = EmergingOptions()
    public var recent = RecentOptions()
    /// Run on this polygon layer of the request (wards, LSOAs) instead of a grid, with this neighbourhood (default
    /// queen contiguity).
    public var on: String?
    public var neighbours: NeighbourRule?
    public init() {}
}

/// Emerging hot spot analysis on a grid: the space-time cube, space-time Gi*, Mann-Kendall trends and both
/// typologies, per cell; plus a summary of cells per category.
public enum EmergingJob {
    /// Where the analysis runs: the cells of a grid (with `clip`, those inside the boundary only) or the areas of a
    /// polygon layer.
    enum Locations {
        case grid(SquareGrid, mask: [Bool]?)
        case layer(LoadedLayer)

        var count: Int {
            switch self {
            case .grid(let g, _): return g.cellCount
            case .layer(let l): return l.areas.count
            }
        }

        /// False for a grid cell outside the boundary (with `clip`).
        func analysed(_ k: Int) -> Bool {
            if case .grid(_, let mask?) = self { return mask[k] }
            return true
        }

        /// The location of each incident (−1: none, or a masked cell).
        func assign(_ t: IncidentTable) -> [Int32] {
            switch self {
            case .layer(let l): return l.index.assign(x: t.x, y: t.y)
            case .grid(let g, let mask):
                return (0..<t.count).map { i -> Int32 in
                    guard let k = g.index(x: t.x[i], y: t.y[i]), mask?[k] ?? true else { return -1 }
                    return Int32(k)
                }
            }
        }

        /// The area's id, or the cell's.
        func id(_ k: Int) -> String {
            switch self {
            case .grid(let g, _): return g.cellID(k)
            case .layer(let l): return l.areas[k].id
            }
        }

        /// The area's polygon, or the cell's square (EPSG:27700).
        func geometry(_ k: Int) -> MultiPolygon {
            switch self {
            case .grid(let g, _): return g.cellPolygon(k)
            case .layer(let l): return l.areas[k].geometry
            }
        }
    }

    public struct Result {
        public var incidents: LoadedIncidents
        /// The cells or areas analysed.
        var locations: Locations
        /// The grid (nil when the locations are polygons).
        public var grid: SquareGrid? { if case .grid(let g, _) = locations { return g }; return nil }
        /// The polygon layer the locations are (nil on a grid).
        public var layer: LoadedLayer? { if case .layer(let l) = locations { return l }; return nil }
        public var ids: [String]
        public var cube: SpaceTimeCube
        public var results: [EmergingResult]
        public var recent: [RecentPattern]
        public var cells: [Int]
        /// Gi* p-value of each location in the final step (the FDR-adjusted bin of the output table).
        public var finalStepP: [Double]
        /// The metadata.json parameters the analysis fixed: the layer or the cell size, the neighbourhood.
        public var parameters: [String: String]
        public var warnings: [String]
        public var written: [String]
        /// Cells per pattern, in code order (hot 1…8, cold −1…−8, none), only those present.
        public var summary: [(EmergingPattern, Int)] {
            var c: [EmergingPattern: Int] = [:]
            for k in cells { c[results[k].pattern, default: 0] += 1 }
            return EmergingPattern.allCases.compactMap { p in c[p].map { (p, $0) } }
        }
    }

    /// The emerging hot spot analysis of `p.products.emerging` (defaults when nil) into `p.out`; its map draws the
    /// request's area layers: `compute`, then `write`.
    public static func run(_ req: Project, command: String, inputs: JobInputs? = nil) throws -> Result {
        let job = try inputs ?? req.loadInputs()
        return try write(try compute(req, inputs: job), req, command: command, inputs: job)
    }

    // MARK: compute

    /// The analysis of `req.products.emerging` (defaults when nil) on the incidents of `job`: the locations (a grid,
    /// or the polygon layer named by `on`, read here), the time steps, the cube, space-time Gi* and both typologies.
    /// Writes nothing.
    public static func compute(_ req: Project, inputs job: JobInputs) throws -> Result {
        let o = req.products.emerging ?? EmergingJobOptions()
        let t = job.incidents.table
        guard t.count > 0 else { throw InputError.unusable("no accepted incidents to analyse") }
        var warnings = job.warnings
        var params: [String: String] = [:]
        let at = try locations(req, o, job: job, warnings: &warnings, params: &params)
        let steps = try timeSteps(o, t, locations: at.count, warnings: &warnings)
        warnings += VintageWarnings.warnings(job.incidents, keep: { steps.step(ofDay: Int(t.day[$0])) != nil })  // the cube's incidents
        let cube = SpaceTimeCube(steps: steps, locations: at.count, location: at.assign(t), days: t.day, weights: t.weight)
        if cube.outsideSteps > 0 { warnings.append("\(cube.outsideSteps) incident(s) fall outside the \(steps.count) time steps (from \(steps.label(0))) and are not in the cube") }
        let st = try spaceTimeGi(at, cube: cube, o, params: &params)
        let results = classifyEmerging(z: st.z, p: st.p, counts: cube.counts, options: o.emerging)
        let recent = classifyRecent(z: st.z, p: st.p, options: o.recent)
        let cells = (0..<at.count).filter(at.analysed)
        let ids = (0..<at.count).map(at.id)
        return Result(incidents: job.incidents, locations: at, ids: ids, cube: cube, results: results, recent: recent, cells: cells,
                      finalStepP: st.p[steps.count - 1], parameters: params, warnings: warnings, written: [])
    }

    /// The locations: the areas of the layer named by `o.on` (read here; its warnings added), else the grid of the
    /// incidents (or of the boundary), masked to the boundary with `o.clip`.
    static func locations(_ req: Project, _ o: EmergingJobOptions, job: JobInputs, warnings: inout [String], params: inout [String: String]) throws -> Locations {
        if let spec = try o.on.map(req.layer(named:)) {
            let l = try Pipeline.loadLayer(spec, gridDirectories: req.gridDirectories)
            warnings += l.warnings
            params["layer"] = spec.name
            return .layer(l)
        }
        let product = try GridProduct.compute(job.incidents.table, cellSize: o.cell, rule: o.cellRule, boundary: job.boundary, clip: false, cellLimit: o.maxCells, extent: o.extent)
        let g = product.choice.grid
        var mask: [Bool]?
        if o.clip, let b = job.boundary { mask = try GridProduct.mask(b, grid: g) }
        params["cell_m"] = Fmt.number(g.cellSize); params["cell_source"] = product.choice.cellSizeSource
        return .grid(g, mask: mask)
    }

    /// The time steps of `o.step` over the incidents' days, refused when too many, too few or too large a cube; warns
    /// of empty steps, of monthly data in day or week steps and of a trend test with little power.
    static func timeSteps(_ o: EmergingJobOptions, _ t: IncidentTable, locations nLocations: Int, warnings: inout [String]) throws -> TimeSteps {
        let steps = o.end.map { TimeSteps(length: o.step, days: t.day, anchor: o.start, end: $0) }
            ?? TimeSteps(length: o.step, days: t.day, anchor: o.start)
        guard steps.count <= TimeSteps.maxSteps else {
            throw InputError.unusable("the data span \(steps.count) time steps of \(o.step.description) (\(steps.label(0)) … \(steps.label(steps.count - 1))), above \(TimeSteps.maxSteps): use a longer --step, or check the dates (inspect lists the months)")
        }
        guard Double(steps.count) * Double(nLocations) <= 2e8 else {
            throw InputError.unusable("a space-time cube of \(nLocations) locations × \(steps.count) steps is too large to hold; use a larger --cell or a longer --step")
        }
        try MemoryLimit.check(need: nLocations * steps.count * GridProduct.bytesPerCellStep,
                              for: "a space-time cube of \(Fmt.counted(nLocations, "location")) × \(Fmt.counted(steps.count, "step"))",
                              fix: "a larger --cell or a longer --step")
        let empty = steps.emptySteps(days: t.day)
        if !empty.isEmpty {
            warnings.append("\(empty.count) of \(steps.count) time steps hold no incidents at all (\(steps.describe(empty))): a gap in the files reads as a real absence of crime and makes places look Sporadic, Oscillating or New; analyse a continuous run of data")
        }
        guard steps.count >= 2 else { throw InputError.unusable("the data span \(steps.count) time step(s) of \(o.step.description); emerging hot spot analysis needs at least 2 (10 or more for a meaningful trend)") }
        if t.resolution == .month, case .days = o.step { warnings.append("the data are monthly (police.uk); day-based steps put every incident on the first of its month") }
        if t.resolution == .month, case .weeks = o.step { warnings.append("the data are monthly (police.uk); weekly steps put every incident in the week holding the first of its month") }
        if let w = trendPowerWarning(steps: steps.count) { warnings.append(w) }
        return steps
    }

    /// Space-time Gi* of the cube: on a layer with its contiguity (`o.neighbours`, default queen), on a grid within a
    /// distance (`o.neighbours` distance, a cell for rook, else `o.radius` or cell × √2); the neighbourhood recorded.
    static func spaceTimeGi(_ at: Locations, cube: SpaceTimeCube, _ o: EmergingJobOptions, params: inout [String: String]) throws -> SpaceTimeGiStarResult {
        let total = Double(at.count * cube.steps.count)
        switch at {
        case .layer(let l):
            let rule = o.neighbours ?? .queen
            let nb = try rule.neighbourhood(of: l.areas)
            let st = PhaseProgress.phase("space-time Gi*", total: total, unit: "cells") {
                spaceTimeGiStar(neighbourhood: nb, cube: cube, window: o.window)
            }
            params["neighbourhood"] = rule.description
            return st
        case .grid(let g, let mask):
            let radius: Double
            switch o.neighbours {
            case .distance(let d)?: radius = d
            case .rook?: radius = g.cellSize
            default: radius = o.radius ?? g.cellSize * 2.0.squareRoot()
            }
            let st = PhaseProgress.phase("space-time Gi*", total: total, unit: "cells") {
                spaceTimeGiStar(grid: g, cube: cube, radius: radius, window: o.window, mask: mask)
            }
            params["neighbourhood_m"] = Fmt.fixed(radius, 3)
            return st
        }
    }

    // MARK: write

    /// Writes the analysis `r` of `req` into `req.out`: the `emerging` layer and CSV (a row per location), the map
    /// when asked, the category and recent-pattern summaries, then metadata.json. Returns `r` with the files written.
    public static func write(_ r: Result, _ req: Project, command: String, inputs job: JobInputs) throws -> Result {
        let o = req.products.emerging ?? EmergingJobOptions(), steps = r.cube.steps
        var params = r.parameters
        let set = try OutputSet(directory: req.out, database: req.database)
        let tab = locationTable(r, o)
        let geoms = r.cells.map(r.locations.geometry)
        let cls = MapStyle.codes(r.cells.map { Int(r.results[$0].pattern.rawValue) }, table: MapStyle.emerging, field: "category_code",
                                 title: "Emerging hot spots\(r.incidents.table.harm ? " of harm" : "") (\(steps.count) time steps, \(o.step.description))")
        try set.writeLayer("emerging", geometries: geoms, properties: tab, style: .classified(cls))
        try set.write("emerging.csv", tab.csv())
        let mapParameters = "Space-time Gi* (\(params["neighbourhood"] ?? "cell × √2"), window \(o.window)) · \(steps.label(0)) … \(steps.label(steps.count - 1)) · hot/cold at α \(Fmt.number(o.emerging.alpha)) (FDR \(o.emerging.fdr.rawValue)\(o.emerging.fdr == .none || o.emerging.adjust == .bh ? "" : ", \(o.emerging.adjust.title)")) · Mann-Kendall trend at α \(Fmt.number(o.emerging.trendAlpha))"
        let mapProduct = r.incidents.table.harm ? "emerging hot spots of harm" : "emerging hot spots"
        params["map_parameters"] = mapParameters
        params["map_product"] = mapProduct
        params["map_legend"] = cls.title
        // The area layers the map draws (wards…), recorded in metadata.json so that `hotspot map` draws them again.
        var drawn: [LoadedLayer] = []
        if let mo = o.map {
            drawn = try req.layers.filter { $0.name != r.layer?.name }.map { try Pipeline.loadLayer($0, gridDirectories: req.gridDirectories) }
            var ctx = MapJob.Context(incidents: r.incidents, boundary: job.boundary, layers: drawn + (r.layer.map { [$0] } ?? []),
                                     parameters: mapParameters, product: mapProduct)
            ctx.notes = r.warnings.map { "Warning: \($0)" }
            if r.layer != nil { ctx.labelOnly = Set(r.cells.filter { r.results[$0].pattern.rawValue != 0 }.map { r.ids[$0] }); ctx.labelOnlyWhat = "patterned" }
            try MapJob.draw(ctx, features: geoms, classification: cls, dissolve: r.layer == nil, options: mo, into: set)
        }
        try set.write("emerging-summary.csv", summaryTable(r).csv())
        try set.write("recent-summary.csv", recentSummaryTable(r).csv())
        try set.finish(command: command, parameters: params.merging(metadataParameters(r, o)) { a, _ in a },
                       inputs: job, grid: r.grid, extraLayers: (r.layer.map { [$0] } ?? []) + drawn, warnings: r.warnings)
        var written = r
        written.written = set.written.map(\.path) + ["metadata.json"]
        return written
    }

    /// `emerging.csv` and the layer's fields: a row per location analysed with its id (and cell or name), its count
    /// per step, its final-step Gi* (bin FDR-adjusted when `o.emerging.fdr` is), both Mann-Kendall trends and its
    /// categories.
    static func locationTable(_ r: Result, _ o: EmergingJobOptions) -> Table {
        let steps = r.cube.steps, w = r.incidents.table.isWeighted
        let stepCols = (0..<steps.count).map { "count_" + steps.label($0).replacingOccurrences(of: "..", with: "_").replacingOccurrences(of: "-", with: "_") }
        let lead: [String] = r.layer == nil ? ["id", "col", "row", "easting", "northing"] : ["id", "name"]
        var tab = Table(columns: lead + ["count"] + stepCols +
                        ["gi_z_last", "gi_p_last", "gi_bin_last", "hot_steps", "cold_steps", "trend_z", "trend_p", "trend_tau",
                         "count_trend_z", "count_trend_p", "count_trend_tau", "category_code", "category", "recent_pattern"])
        let lastP = o.emerging.adjust.adjust(r.finalStepP)
        tab.rows = r.cells.map { k in
            let e = r.results[k]
            let series = r.cube.series(k)
            var head: [Value] = [.string(r.ids[k])]
            switch r.locations {
            case .grid(let g, _):
                let c = g.centre(index: k)
                head += [.int(k % g.ncols), .int(k / g.ncols), .double(c.x, decimals: 1), .double(c.y, decimals: 1)]
            case .layer(let l): head.append(.string(l.areas[k].name))
            }
            return head + [Value.count(series.reduce(0, +), weighted: w)] + series.map { Value.count($0, weighted: w) } +
                [.double(e.finalZ, decimals: nil), .double(e.finalP, decimals: nil),
                 .int(Int(o.emerging.fdr == .none ? giBin(z: e.finalZ, p: e.finalP) : giBin(z: e.finalZ, p: lastP[k], adjusted: true))),
                 .int(e.hotSteps), .int(e.coldSteps),
                 .double(e.trendZ.z, decimals: nil), .double(e.trendZ.p, decimals: nil), .double(e.trendZ.tau, decimals: nil),
                 .double(e.trendCounts.z, decimals: nil), .double(e.trendCounts.p, decimals: nil), .double(e.trendCounts.tau, decimals: nil),
                 .int(Int(e.pattern.rawValue)), .string(e.pattern.name), .string(r.recent[k].rawValue)]
        }
        return tab
    }

    /// `emerging-summary.csv`: locations per category present, in code order.
    static func summaryTable(_ r: Result) -> Table {
        var sum = Table(columns: ["category_code", "category", "cells"])
        sum.rows = r.summary.map { [.int(Int($0.0.rawValue)), .string($0.0.name), .int($0.1)] }
        return sum
    }

    /// `recent-summary.csv`: locations per recent pattern present, in the patterns' order.
    static func recentSummaryTable(_ r: Result) -> Table {
        var rc: [RecentPattern: Int] = [:]
        for k in r.cells { rc[r.recent[k], default: 0] += 1 }
        var rsum = Table(columns: ["recent_pattern", "cells"])
        rsum.rows = RecentPattern.allCases.compactMap { p in rc[p].map { [.string(p.rawValue), .int($0)] } }
        return rsum
    }

    /// The run's parameters in metadata.json: the steps, the window, the classification's settings and what fell
    /// outside the cube.
    static func metadataParameters(_ r: Result, _ o: EmergingJobOptions) -> [String: String] {
        let steps = r.cube.steps
        return ["job": "emerging", "time_step": o.step.description, "steps": "\(steps.count)",
                "first_step": steps.label(0), "last_step": steps.label(steps.count - 1), "time_window": "\(o.window)",
                "alpha": Fmt.number(o.emerging.alpha), "trend_alpha": Fmt.number(o.emerging.trendAlpha), "fdr": o.emerging.fdr.rawValue, "adjust": o.emerging.fdr == .none ? "none" : o.emerging.adjust.rawValue,
                "prior_opposite_oscillating": "\(o.emerging.priorOppositeMakesOscillating)",
                "persistent_requires_final_step": "\(o.emerging.persistentRequiresFinalStep)",
                "incidents_outside_steps": "\(r.cube.outsideSteps)", "incidents_outside_grid": "\(r.cube.outsideLocations)",
                "recent_params": "hotspot_prop=\(o.recent.hotspotProportion) persistent_prop=\(o.recent.persistentProportion) recent_prop=\(o.recent.recentProportion) critical_p=\(o.recent.criticalP)"]
    }
}
