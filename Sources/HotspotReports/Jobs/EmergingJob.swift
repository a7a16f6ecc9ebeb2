import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

public struct EmergingJobOptions: Sendable {
    public var cell: Double?
    public var cellRule: CellSizeRule = .sfhotspot
    /// Grid extent (EPSG:27700) instead of the boundary's or the incidents'.
    public var extent: Extent?
    public var maxCells = 5_000_000
    public var clip = false
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
    public struct Result {
        public var incidents: LoadedIncidents
        /// The grid (nil when the locations are polygons).
        public var grid: SquareGrid?
        public var ids: [String]
        public var cube: SpaceTimeCube
        public var results: [EmergingResult]
        public var recent: [RecentPattern]
        public var cells: [Int]
        public var warnings: [String]
        public var written: [String]
        /// Cells per pattern, in code order (hot 1…8, cold −1…−8, none), only those present.
        public var summary: [(EmergingPattern, Int)] {
            var c: [EmergingPattern: Int] = [:]
            for k in cells { c[results[k].pattern, default: 0] += 1 }
            return EmergingPattern.allCases.filter { c[$0] != nil }.map { ($0, c[$0]!) }
        }
    }

    /// The emerging hot spot analysis of `p.products.emerging` (defaults when nil) into `p.out`; its map draws the
    /// request's area layers.
    /// With `write` false, the analysis only: nothing is written (the weekly job's emerging layer).
    public static func run(_ req: Project, command: String, inputs: JobInputs? = nil, progress: IncidentReader.Progress? = nil, write: Bool = true) throws -> Result {
        let o = req.products.emerging ?? EmergingJobOptions(), out = req.out, gridDirectories = req.gridDirectories
        let job = try inputs ?? req.loadInputs(progress: progress)
        let b = job.boundary, inc = job.incidents
        let t = inc.table
        guard t.count > 0 else { throw InputError.unusable("no accepted incidents to analyse") }
        var warnings = job.warnings
        // Locations: grid cells, or the areas of a polygon layer.
        var grid: SquareGrid?, mask: [Bool]?, layer: LoadedLayer?
        var nLocations: Int
        var params: [String: String] = [:]
        if let spec = try o.on.map(req.layer(named:)) {
            let l = try Pipeline.loadLayer(spec, gridDirectories: gridDirectories)
            warnings += l.warnings
            layer = l
            nLocations = l.areas.count
            params["layer"] = spec.name
        } else {
            let product = try GridProduct.compute(t, cellSize: o.cell, rule: o.cellRule, boundary: b, clip: false, cellLimit: o.maxCells, extent: o.extent)
            let g = product.choice.grid
            grid = g
            if o.clip, let b { mask = try GridProduct.mask(b, grid: g) }
            nLocations = g.cellCount
            params["cell_m"] = Fmt.number(g.cellSize); params["cell_source"] = product.choice.cellSizeSource
        }
        let steps = o.end.map { TimeSteps(length: o.step, days: t.day, anchor: o.start, end: $0) }
            ?? TimeSteps(length: o.step, days: t.day, anchor: o.start)
        guard steps.count <= TimeSteps.maxSteps else {
            throw InputError.unusable("the data span \(steps.count) time steps of \(o.step.description) (\(steps.label(0)) … \(steps.label(steps.count - 1))), above \(TimeSteps.maxSteps): use a longer --step, or check the dates (inspect lists the months)")
        }
        guard Double(steps.count) * Double(nLocations) <= 2e8 else {
            throw InputError.unusable("a space-time cube of \(nLocations) locations × \(steps.count) steps is too large to hold; use a larger --cell or a longer --step")
        }
        let empty = steps.emptySteps(days: t.day)
        if !empty.isEmpty {
            warnings.append("\(empty.count) of \(steps.count) time steps hold no incidents at all (\(steps.describe(empty))): a gap in the files reads as a real absence of crime and makes places look Sporadic, Oscillating or New; analyse a continuous run of data")
        }
        guard steps.count >= 2 else { throw InputError.unusable("the data span \(steps.count) time step(s) of \(o.step.description); emerging hot spot analysis needs at least 2 (10 or more for a meaningful trend)") }
        if t.resolution == .month, case .days = o.step { warnings.append("the data are monthly (police.uk); day-based steps put every incident on the first of its month") }
        if t.resolution == .month, case .weeks = o.step { warnings.append("the data are monthly (police.uk); weekly steps put every incident in the week holding the first of its month") }
        if let w = trendPowerWarning(steps: steps.count) { warnings.append(w) }
        let loc: [Int32]
        if let l = layer { loc = l.index.assign(x: t.x, y: t.y) } else {
            let g = grid!
            loc = (0..<t.count).map { i -> Int32 in
                guard let k = g.index(x: t.x[i], y: t.y[i]), mask?[k] ?? true else { return -1 }
                return Int32(k)
            }
        }
        let cube = SpaceTimeCube(steps: steps, locations: nLocations, location: loc, days: t.day, weights: t.weight)
        if cube.outsideSteps > 0 { warnings.append("\(cube.outsideSteps) incident(s) fall outside the \(steps.count) time steps (from \(steps.label(0))) and are not in the cube") }
        let st: SpaceTimeGiStarResult
        if let l = layer {
            let rule = o.neighbours ?? .queen
            let nb = try rule.neighbourhood(of: l.areas)
            st = PhaseProgress.phase("space-time Gi*", total: Double(nLocations * steps.count), unit: "cells") {
                spaceTimeGiStar(neighbourhood: nb, cube: cube, window: o.window)
            }
            params["neighbourhood"] = rule.description
        } else {
            let radius: Double
            switch o.neighbours {
            case .distance(let d)?: radius = d
            case .rook?: radius = grid!.cellSize
            default: radius = o.radius ?? grid!.cellSize * 2.0.squareRoot()
            }
            st = PhaseProgress.phase("space-time Gi*", total: Double(nLocations * steps.count), unit: "cells") {
                spaceTimeGiStar(grid: grid!, cube: cube, radius: radius, window: o.window, mask: mask)
            }
            params["neighbourhood_m"] = Fmt.fixed(radius, 3)
        }
        let results = classifyEmerging(z: st.z, p: st.p, counts: cube.counts, options: o.emerging)
        let recent = classifyRecent(z: st.z, p: st.p, options: o.recent)
        let cells = (0..<nLocations).filter { mask?[$0] ?? true }
        let ids = layer.map { $0.areas.map(\.id) } ?? (0..<nLocations).map { grid!.cellID($0) }
        if !write {
            return Result(incidents: inc, grid: grid, ids: ids, cube: cube, results: results, recent: recent, cells: cells, warnings: warnings, written: [])
        }
        // Outputs.
        let set = try OutputSet(directory: out, database: req.database)
        let stepCols = (0..<steps.count).map { "count_" + steps.label($0).replacingOccurrences(of: "..", with: "_").replacingOccurrences(of: "-", with: "_") }
        let lead: [String] = layer == nil ? ["id", "col", "row", "easting", "northing"] : ["id", "name"]
        var tab = Table(columns: lead + ["count"] + stepCols +
                        ["gi_z_last", "gi_p_last", "gi_bin_last", "hot_steps", "cold_steps", "trend_z", "trend_p", "trend_tau",
                         "count_trend_z", "count_trend_p", "count_trend_tau", "category_code", "category", "recent_pattern"])
        let lastP = benjaminiHochberg(st.p[steps.count - 1])
        tab.rows = cells.map { k in
            let r = results[k]
            let series = cube.series(k)
            var head: [Value] = [.string(ids[k])]
            if let g = grid {
                let c = g.centre(index: k)
                head += [.int(k % g.ncols), .int(k / g.ncols), .double(c.x, decimals: 1), .double(c.y, decimals: 1)]
            } else { head.append(.string(layer!.areas[k].name)) }
            let w = t.isWeighted
            return head + [Value.count(series.reduce(0, +), weighted: w)] + series.map { Value.count($0, weighted: w) } +
                [.double(r.finalZ, decimals: nil), .double(r.finalP, decimals: nil),
                 .int(Int(o.emerging.fdr == .none ? giBin(z: r.finalZ, p: r.finalP) : giBin(z: r.finalZ, p: lastP[k], adjusted: true))),
                 .int(r.hotSteps), .int(r.coldSteps),
                 .double(r.trendZ.z, decimals: nil), .double(r.trendZ.p, decimals: nil), .double(r.trendZ.tau, decimals: nil),
                 .double(r.trendCounts.z, decimals: nil), .double(r.trendCounts.p, decimals: nil), .double(r.trendCounts.tau, decimals: nil),
                 .int(Int(r.pattern.rawValue)), .string(r.pattern.name), .string(recent[k].rawValue)]
        }
        let geoms = cells.map { k in layer.map { $0.areas[k].geometry } ?? grid!.cellPolygon(k) }
        let cls = MapStyle.codes(cells.map { Int(results[$0].pattern.rawValue) }, table: MapStyle.emerging, field: "category_code",
                                 title: "Emerging hot spots (\(steps.count) time steps, \(o.step.description))")
        try set.writeLayer("emerging", geometries: geoms, properties: tab, style: .classified(cls))
        try set.write("emerging.csv", tab.csv())
        let result = Result(incidents: inc, grid: grid, ids: ids, cube: cube, results: results, recent: recent, cells: cells, warnings: warnings, written: [])
        var sum = Table(columns: ["category_code", "category", "cells"])
        sum.rows = result.summary.map { [.int(Int($0.0.rawValue)), .string($0.0.name), .int($0.1)] }
        var rc: [RecentPattern: Int] = [:]
        for k in cells { rc[recent[k], default: 0] += 1 }
        var rsum = Table(columns: ["recent_pattern", "cells"])
        rsum.rows = RecentPattern.allCases.filter { rc[$0] != nil }.map { [.string($0.rawValue), .int(rc[$0]!)] }
        params["map_parameters"] = "Space-time Gi* (\(params["neighbourhood"] ?? "cell × √2"), window \(o.window)) · \(steps.label(0)) … \(steps.label(steps.count - 1)) · hot/cold at α \(Fmt.number(o.emerging.alpha)) (FDR \(o.emerging.fdr.rawValue)) · Mann-Kendall trend at α \(Fmt.number(o.emerging.trendAlpha))"
        params["map_product"] = "emerging hot spots"
        params["map_legend"] = cls.title
        // The area layers the map draws (wards…), recorded in metadata.json so that `hotspot map` draws them again.
        var drawn: [LoadedLayer] = []
        if let mo = o.map {
            drawn = try req.layers.filter { $0.name != layer?.name }.map { try Pipeline.loadLayer($0, gridDirectories: gridDirectories) }
            var ctx = MapJob.Context(incidents: inc, boundary: b, layers: drawn + (layer.map { [$0] } ?? []),
                                     parameters: params["map_parameters"]!, product: params["map_product"]!)
            ctx.notes = warnings.map { "Warning: \($0)" }
            if layer != nil { ctx.labelOnly = Set(cells.filter { results[$0].pattern.rawValue != 0 }.map { ids[$0] }); ctx.labelOnlyWhat = "patterned" }
            try MapJob.draw(ctx, features: geoms, classification: cls, dissolve: layer == nil, options: mo, into: set)
        }
        try set.write("emerging-summary.csv", sum.csv())
        try set.write("recent-summary.csv", rsum.csv())
        try set.finish(command: command, parameters: params.merging([
            "job": "emerging", "time_step": o.step.description, "steps": "\(steps.count)",
            "first_step": steps.label(0), "last_step": steps.label(steps.count - 1), "time_window": "\(o.window)",
            "alpha": Fmt.number(o.emerging.alpha), "trend_alpha": Fmt.number(o.emerging.trendAlpha), "fdr": o.emerging.fdr.rawValue,
            "prior_opposite_oscillating": "\(o.emerging.priorOppositeMakesOscillating)",
            "persistent_requires_final_step": "\(o.emerging.persistentRequiresFinalStep)",
            "incidents_outside_steps": "\(cube.outsideSteps)", "incidents_outside_grid": "\(cube.outsideLocations)",
            "recent_params": "hotspot_prop=\(o.recent.hotspotProportion) persistent_prop=\(o.recent.persistentProportion) recent_prop=\(o.recent.recentProportion) critical_p=\(o.recent.criticalP)"]) { a, _ in a },
            inputs: job, grid: grid, extraLayers: (layer.map { [$0] } ?? []) + drawn, warnings: warnings)
        var r = result
        r.written = set.written.map(\.path) + ["metadata.json"]
        return r
    }
}
