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
        /// The reported cells of a sparse grid (`--sparse`): location j is the grid's cell `cells[j]`.
        case sparseGrid(SquareGrid, cells: [Int])

        var count: Int {
            switch self {
            case .grid(let g, _): return g.cellCount
            case .layer(let l): return l.areas.count
            case .sparseGrid(_, let cells): return cells.count
            }
        }

        /// The grid cell of location k (nil on a layer).
        func cell(_ k: Int) -> (grid: SquareGrid, index: Int)? {
            switch self {
            case .grid(let g, _): return (g, k)
            case .sparseGrid(let g, let cells): return (g, cells[k])
            case .layer: return nil
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
            case .sparseGrid: preconditionFailure("a sparse grid's cube is built by SparseSpaceTimeCube (computeSparse)")
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
            case .sparseGrid(let g, let cells): return g.cellID(cells[k])
            case .layer(let l): return l.areas[k].id
            }
        }

        /// The area's polygon, or the cell's square (EPSG:27700).
        func geometry(_ k: Int) -> MultiPolygon {
            switch self {
            case .grid(let g, _): return g.cellPolygon(k)
            case .sparseGrid(let g, let cells): return g.cellPolygon(cells[k])
            case .layer(let l): return l.areas[k].geometry
            }
        }
    }

    public struct Result {
        public var incidents: LoadedIncidents
        /// The cells or areas analysed.
        var locations: Locations
        /// The grid (nil when the locations are polygons).
        public var grid: SquareGrid? {
            switch locations {
            case .grid(let g, _), .sparseGrid(let g, _): return g
            case .layer: return nil
            }
        }
        /// The polygon layer the locations are (nil on a grid).
        public var layer: LoadedLayer? { if case .layer(let l) = locations { return l }; return nil }
        public var ids: [String]
        public var cube: SpaceTimeCube
        public var results: [EmergingResult]
        public var recent: [RecentPattern]
        public var cells: [Int]
        /// Gi* p-value of each location in the final step, and adjusted over all locations (every cell of the grid
        /// with `--sparse`) by the run's adjustment: the output table's `gi_bin_last`.
        public var finalStepP: [Double]
        public var finalStepAdjusted: [Double]
        /// With `--sparse`: the cells not written (no incident within the neighbour distance in any step), by
        /// neighbour count, with their category and recent pattern; they count in `summary`.
        public var unreported: [Unreported] = []
        public struct Unreported: Sendable {
            public var neighbours: Int, count: Int
            public var result: EmergingResult, recent: RecentPattern
        }
        /// The metadata.json parameters the analysis fixed: the layer or the cell size, the neighbourhood.
        public var parameters: [String: String]
        public var warnings: [String]
        public var written: [String]
        /// Cells per pattern, in code order (hot 1…8, cold −1…−8, none), only those present.
        public var summary: [(EmergingPattern, Int)] {
            var c: [EmergingPattern: Int] = [:]
            for k in cells { c[results[k].pattern, default: 0] += 1 }
            for u in unreported { c[u.result.pattern, default: 0] += u.count }
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
        if o.grid.sparse { return try computeSparse(req, o, inputs: job) }
        var warnings = job.warnings
        var params: [String: String] = [:]
        let at = try locations(req, o, job: job, warnings: &warnings, params: &params)
        let steps = try timeSteps(o, t, warnings: &warnings)
        try checkCubeSize(locations: at.count, steps: steps, o)
        warnings += VintageWarnings.warnings(job.incidents, keep: { steps.step(ofDay: Int(t.day[$0])) != nil })  // the cube's incidents
        let cube = SpaceTimeCube(steps: steps, locations: at.count, location: at.assign(t), days: t.day, weights: t.weight)
        if cube.outsideSteps > 0 { warnings.append("\(cube.outsideSteps) incident(s) fall outside the \(steps.count) time steps (from \(steps.label(0))) and are not in the cube") }
        let st = try spaceTimeGi(at, cube: cube, o, params: &params)
        let results = classifyEmerging(z: st.z, p: st.p, counts: cube.counts, options: o.emerging)
        let recent = classifyRecent(z: st.z, p: st.p, options: o.recent)
        let cells = (0..<at.count).filter(at.analysed)
        let ids = (0..<at.count).map(at.id)
        return Result(incidents: job.incidents, locations: at, ids: ids, cube: cube, results: results, recent: recent, cells: cells,
                      finalStepP: st.p[steps.count - 1], finalStepAdjusted: o.emerging.adjust.adjust(st.p[steps.count - 1]),
                      parameters: params, warnings: warnings, written: [])
    }

    /// `--sparse`: the cube on the occupied (cell, step) pairs only, space-time Gi* and the categories of the cells
    /// occupied in some step and of the cells within the neighbour distance of one; every other cell is counted by
    /// its neighbour count (`Result.unreported`), with the category the dense run gives it.
    static func computeSparse(_ req: Project, _ o: EmergingJobOptions, inputs job: JobInputs) throws -> Result {
        guard o.on == nil else { throw InputError.unusable("--sparse is for grids: leave it out with --on (a layer's areas are held whole)") }
        let t = job.incidents.table
        var warnings = job.warnings
        let choice = try SparseGridProduct.choose(t, cellSize: o.cell, rule: o.cellRule, boundary: job.boundary, extent: o.extent)
        let g = choice.grid
        let radius = gridRadius(o, g)
        let steps = try timeSteps(o, t, warnings: &warnings)
        warnings += VintageWarnings.warnings(job.incidents, keep: { steps.step(ofDay: Int(t.day[$0])) != nil })
        let sc = PhaseProgress.phase("space-time cube (sparse)", total: Double(t.count), unit: "incidents") {
            SparseSpaceTimeCube(grid: g, steps: steps, x: t.x, y: t.y, days: t.day, weights: t.weight)
        }
        if sc.outsideSteps > 0 { warnings.append("\(sc.outsideSteps) incident(s) fall outside the \(steps.count) time steps (from \(steps.label(0))) and are not in the cube") }
        // Each occupied cell brings its disc: refuse before allocating what cannot be done.
        let occupiedCells = sc.occupied, occupied = occupiedCells.count
        let candidates = Double(occupied) * (Double.pi * (radius / g.cellSize) * (radius / g.cellSize) + 1)
        guard candidates <= Double(Limits.maxCells.upperBound) else {
            throw InputError.unusable("emerging on \(Fmt.counted(occupied, "occupied cell")) with neighbours within \(Fmt.number(radius)) m would examine about \(Int(min(candidates, 9e18))) cells, above \(Limits.maxCells.upperBound); use a smaller neighbour distance (--radius, --neighbours distance:M) or a larger --cell")
        }
        let reported = sc.reportedCells(radius: radius, occupied: occupiedCells)
        try checkCubeSize(locations: reported.count, steps: steps, o, sparse: true)
        let st = PhaseProgress.phase("space-time Gi* (sparse)", total: Double(reported.count * steps.count), unit: "cells") {
            spaceTimeGiStarSparse(sc, radius: radius, window: o.window, reported: reported)
        }
        let cls = classifyEmergingSparse(st, options: o.emerging, recent: o.recent)
        var cube = SpaceTimeCube(steps: steps, counts: st.counts)
        cube.locations = st.cells.count; cube.outsideSteps = sc.outsideSteps; cube.outsideLocations = sc.outsideLocations
        let unreported = st.unreported.indices.map {
            Result.Unreported(neighbours: st.unreported[$0].neighbours, count: st.unreported[$0].count, result: cls.unreported[$0], recent: cls.unreportedRecent[$0])
        }
        let patterned = unreported.filter { $0.result.pattern != .noPattern }
        if !patterned.isEmpty {
            let names = Set(patterned.map(\.result.pattern)).sorted { $0.rawValue > $1.rawValue }.map(\.name).joined(separator: ", ")
            warnings.append("\(patterned.reduce(0) { $0 + $1.count }) cells with no incident within the neighbour distance in any step have a pattern (\(names)) but are not written with --sparse: emerging-summary.csv counts them and metadata.json's unreported_cells gives them by neighbour count; use a smaller neighbour distance (--radius, --neighbours distance:M), or the dense grid to map them")
        }
        if o.map != nil { warnings.append("--map is not drawn for --sparse (its extent is national): open emerging.gpkg in a GIS") }
        var params = SparseGridProduct.parameters(grid: g, occupied: occupied)
        params["cell_m"] = Fmt.number(g.cellSize); params["cell_source"] = choice.cellSizeSource
        params["neighbourhood_m"] = Fmt.fixed(radius, 3)
        params["reported_cells"] = "\(st.cells.count) (the cells occupied in some step and the cells within the neighbour distance of one)"
        params["unreported_cells"] = unreported.map {
            "\($0.count) cells with \($0.neighbours) neighbours: category \($0.result.pattern.rawValue) (\($0.result.pattern.name)), recent \($0.recent.rawValue), z_last \(Fmt.fixed($0.result.finalZ, 4))"
        }.joined(separator: "; ")
        let T = steps.count
        return Result(incidents: job.incidents, locations: .sparseGrid(g, cells: st.cells), ids: st.cells.map { g.cellID($0) }, cube: cube,
                      results: cls.cells, recent: cls.cellsRecent, cells: Array(st.cells.indices),
                      finalStepP: T > 0 ? st.p[T - 1] : [], finalStepAdjusted: cls.finalAdjusted,
                      unreported: unreported, parameters: params, warnings: warnings, written: [])
    }

    /// The neighbour distance on a grid: `o.neighbours`' distance, a cell for rook, else `o.radius` or cell × √2.
    static func gridRadius(_ o: EmergingJobOptions, _ g: SquareGrid) -> Double {
        switch o.neighbours {
        case .distance(let d)?: return d
        case .rook?: return g.cellSize
        default: return o.radius ?? g.cellSize * 2.0.squareRoot()
        }
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
    static func timeSteps(_ o: EmergingJobOptions, _ t: IncidentTable, warnings: inout [String]) throws -> TimeSteps {
        let steps = o.end.map { TimeSteps(length: o.step, days: t.day, anchor: o.start, end: $0) }
            ?? TimeSteps(length: o.step, days: t.day, anchor: o.start)
        guard steps.count <= TimeSteps.maxSteps else {
            throw InputError.unusable("the data span \(steps.count) time steps of \(o.step.description) (\(steps.label(0)) … \(steps.label(steps.count - 1))), above \(TimeSteps.maxSteps): use a longer --step, or check the dates (inspect lists the months)")
        }
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

    /// Refuses a cube of `nLocations` × the steps that is too large to hold (2 × 10⁸ location-steps, or the memory).
    /// With `sparse`, the locations are the reported cells and a smaller neighbour distance is advice too.
    static func checkCubeSize(locations nLocations: Int, steps: TimeSteps, _ o: EmergingJobOptions, sparse: Bool = false) throws {
        let fix = sparse ? "a larger --cell, a longer --step or a smaller neighbour distance" : "a larger --cell or a longer --step"
        guard Double(steps.count) * Double(nLocations) <= 2e8 else {
            throw InputError.unusable("a space-time cube of \(nLocations) locations × \(steps.count) steps is too large to hold; use \(fix)")
        }
        try MemoryLimit.check(need: nLocations * steps.count * GridProduct.bytesPerCellStep,
                              for: "a space-time cube of \(Fmt.counted(nLocations, "location")) × \(Fmt.counted(steps.count, "step"))",
                              fix: fix)
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
        case .sparseGrid: preconditionFailure("sparse grids go through computeSparse")
        case .grid(let g, let mask):
            let radius = gridRadius(o, g)
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
        try set.writeCSV("emerging.csv", tab)
        let mapParameters = "Space-time Gi* (\(params["neighbourhood"] ?? "cell × √2"), window \(o.window)) · \(steps.label(0)) … \(steps.label(steps.count - 1)) · hot/cold at α \(Fmt.number(o.emerging.alpha)) (FDR \(o.emerging.fdr.rawValue)\(o.emerging.fdr == .none || o.emerging.adjust == .bh ? "" : ", \(o.emerging.adjust.title)")) · Mann-Kendall trend at α \(Fmt.number(o.emerging.trendAlpha))"
        let mapProduct = r.incidents.table.harm ? "emerging hot spots of harm" : "emerging hot spots"
        params["map_parameters"] = mapParameters
        params["map_product"] = mapProduct
        params["map_legend"] = cls.title
        // The area layers the map draws (wards…), recorded in metadata.json so that `hotspot map` draws them again.
        var drawn: [LoadedLayer] = []
        if let mo = o.map, !o.grid.sparse {
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
        let lastP = r.finalStepAdjusted
        tab.rows = r.cells.map { k in
            let e = r.results[k]
            let series = r.cube.series(k)
            var head: [Value] = [.string(r.ids[k])]
            if let (g, cell) = r.locations.cell(k) {
                let c = g.centre(index: cell)
                head += [.int(cell % g.ncols), .int(cell / g.ncols), .double(c.x, decimals: 1), .double(c.y, decimals: 1)]
            } else if let l = r.layer { head.append(.string(l.areas[k].name)) }
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
        for u in r.unreported { rc[u.recent, default: 0] += u.count }
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
