import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// Getis-Ord Gi* on grid cells or on a polygon layer.
public enum GiStarJob {
    public struct Result {
        public var incidents: LoadedIncidents
        public var gi: GiStarResult
        public var ids: [String]
        public var names: [String]
        /// Incidents per location (weighted), in the order of `ids`.
        public var counts: [Double]
        public var neighbours: String
        public var warnings: [String]
        public var written: [String]
        /// `--sparse`: the cells not written that are hot or cold at ≥ 90 %, counted in the summary.
        public var unreportedSignificant: (hot: Int, cold: Int) = (0, 0)

        /// The `k` hot locations with the largest z, as `ID NAME (N incidents, z Z)` (name omitted for grid cells).
        public func hottest(_ k: Int, fdr: Bool) -> String {
            let bins = gi.bins(fdr: fdr)
            let top = ids.indices.filter { bins[$0] > 0 && gi.z[$0].isFinite }.sorted { (gi.z[$0], ids[$1]) > (gi.z[$1], ids[$0]) }.prefix(k)
            guard !top.isEmpty else { return "no hot location" }
            return top.map { i in
                (names[i] == ids[i] ? ids[i] : "\(ids[i]) \(names[i])") + " (\(Fmt.number(counts[i])) \(counts[i] == 1 ? "incident" : "incidents"), z \(Fmt.fixed(gi.z[i], 2)))"
            }.joined(separator: ", ")
        }
    }

    /// Gi* of `p.products.gistar` (defaults when nil) into `p.out`: on the polygon layer named `on`, else on
    /// hexagons (`hex`) or a square grid. `compute`, then `write`.
    public static func run(_ req: Project, command: String, inputs: JobInputs? = nil) throws -> Result {
        let job = try inputs ?? req.loadInputs()
        let c = try compute(req.products.gistar ?? .init(), inputs: job)
        return try write(c, req, command: command, inputs: job)
    }

    /// Gi* at every location, with what the output needs: pure (no file read or written).
    public struct Computed {
        public var gi: GiStarResult
        public var ids: [String], names: [String], geoms: [MultiPolygon], counts: [Double]
        /// Columns after id and name (a grid's cell centres), one value per location.
        public var extra: [(String, [Value])] = []
        /// The neighbour rule as written in the outputs, e.g. "distance ≤ 282.84 m".
        public var neighbours: String
        public var params: [String: String]
        public var grid: SquareGrid?
        public var warnings: [String]
        /// The locations written: all on a layer, those with a finite z on a grid.
        public var keep: [Int]
        public var onLayer: Bool
        /// On a sparse grid: the statistic with its unreported cells, adjusted over all of the grid's cells.
        public var sparse: SparseGiStar? = nil
    }

    public static func compute(_ r: Project.GiStarRequest, inputs job: JobInputs) throws -> Computed {
        var params: [String: String] = ["job": "gistar", "fdr": "\(r.fdr)", "adjust": r.adjust.rawValue, "permutations": "\(r.permutations)", "seed": "\(r.seed)"]
        var c: Computed
        if r.sparse && r.on != nil { throw InputError.unusable("sparse: true is for grid cells; on: \(r.on!) runs on the layer's areas: remove one of them") }
        if let ln = r.on { c = try onLayer(ln, r, job, &params) }
        else if let orientation = r.hex { c = try onHexagons(orientation, r, job, &params) }
        else if r.sparse { c = try onSparseGrid(r, job, &params) }
        else { c = try onGrid(r, job, &params) }
        params["neighbours"] = c.neighbours
        if job.incidents.table.isWeighted { params["counts"] = job.incidents.table.harm ? "harm: sums of the harm table's weights (--weights)" : "sums of the weight column" }
        c.params = params
        if let s = c.sparse { c.sparse = s.adjusted(r.adjust); c.gi = c.sparse!.result } else { c.gi = c.gi.adjusted(r.adjust) }
        c.keep = (0..<c.ids.count).filter { !c.gi.z[$0].isNaN || c.onLayer }
        c.warnings = job.warnings + c.warnings
        let blank = c.onLayer ? "gi_z and gi_p are blank" : "no cell is written"
        if let why = undefinedEverywhere(c.gi, counts: c.counts, kept: c.keep.count, blank: blank) { c.warnings.append(why) }
        else { c.warnings += sparseWarnings(counts: c.keep.map { c.counts[$0] }, bins: c.keep.map { r.fdr ? c.gi.binFDR[$0] : c.gi.bin[$0] }, blank: blank) }
        if let s = c.sparse {
            let u = s.unreportedSignificant(fdr: r.fdr)
            if u.hot + u.cold > 0 {
                c.warnings.append("\(u.hot + u.cold) cells with no incident within the neighbour distance are significant (\(u.hot) hot, \(u.cold) cold) but not written with --sparse: metadata.json's unreported_cells gives them by neighbour count; use a smaller neighbour distance, or the dense grid to map them")
            }
        }
        return c
    }

    /// On the areas of a polygon layer: neighbours by contiguity, distance or k nearest (default queen).
    static func onLayer(_ ln: String, _ r: Project.GiStarRequest, _ job: JobInputs, _ params: inout [String: String]) throws -> Computed {
        guard let l = job.layers.first(where: { $0.name == ln }) else { throw InputError.unusable("--on \(ln): no layer of that name among --areas") }
        let rows = AreaCounts.compute(job.incidents.table, layer: l).rows, counts = rows.map(\.weighted)
        let rule = r.neighbours ?? .queen
        let nb = try rule.neighbourhood(of: l.areas)
        let islands = (0..<nb.count).filter { nb.offsets[$0 + 1] - nb.offsets[$0] == 1 }
        var warnings: [String] = []
        if !islands.isEmpty { warnings.append("\(islands.count) area(s) have no neighbour under \(rule.description) (e.g. \(l.areas[islands[0]].id)); their Gi* uses only themselves") }
        let gi = giStar(values: counts, neighbourhood: nb, permutations: r.permutations, seed: r.seed)
        params["layer"] = ln
        return Computed(gi: gi, ids: l.areas.map(\.id), names: l.areas.map(\.name), geoms: l.areas.map(\.geometry), counts: counts,
                        extra: incidentCounts(job, rows.map(\.count)),
                        neighbours: rule.description, params: [:], warnings: warnings, keep: [], onLayer: true)
    }

    /// On hexagons: neighbours are the hexagons whose centres lie within the distance (default: the size across
    /// flats, i.e. the six that share an edge), self included.
    static func onHexagons(_ orientation: HexOrientation, _ r: Project.GiStarRequest, _ job: JobInputs, _ params: inout [String: String]) throws -> Computed {
        let p = try HexProduct.compute(job.incidents.table, size: r.cell, rule: r.cellRule, orientation: orientation, boundary: job.boundary, clip: r.clip,
                                       cellLimit: r.maxCells, extent: r.extent)
        let hx = p.grid
        let radius = try hexRadius(r.neighbours, hx)
        let kept = p.cells
        let counts = kept.map { p.counts.weighted[$0] }
        let gi = giStar(values: counts, neighbourhood: Neighbourhood(lists: hexNeighbours(hx, kept: kept, radius: radius)),
                        permutations: r.permutations, seed: r.seed)
        let ids = kept.map { hx.cellID($0) }
        params["shape"] = "hexagon (\(orientation.rawValue)-top)"; params["across_flats_m"] = Fmt.number(hx.size)
        return Computed(gi: gi, ids: ids, names: ids, geoms: kept.map { hx.cellPolygon($0) }, counts: counts,
                        extra: [("easting", kept.map { .double(hx.centre(index: $0).x, decimals: 1) }),
                                ("northing", kept.map { .double(hx.centre(index: $0).y, decimals: 1) })] + incidentCounts(job, kept.map { Int(p.counts.counts[$0]) }),
                        neighbours: "hexagon centres within \(Fmt.fixed(radius, 2)) m", params: [:], warnings: [], keep: [], onLayer: false)
    }

    /// On the occupied cells of a sparse grid and their neighbours (`--sparse`): the dense grid's statistic for
    /// those cells; every other cell's z, p and adjusted p are in metadata.json, by neighbour count.
    static func onSparseGrid(_ r: Project.GiStarRequest, _ job: JobInputs, _ params: inout [String: String]) throws -> Computed {
        guard r.permutations == 0 else { throw InputError.unusable("--permutations needs every cell's neighbour list: leave it out with --sparse") }
        let product = try SparseGridProduct.compute(job.incidents.table, cellSize: r.cell, rule: r.cellRule, boundary: job.boundary, extent: r.extent)
        let g = product.choice.grid
        let radius = try gridRadius(r.neighbours, g)
        // Each occupied cell brings its disc: refuse before allocating what cannot be done (as --max-cells for dense grids).
        let discCells = Double.pi * (radius / g.cellSize) * (radius / g.cellSize) + 1
        let candidates = Double(product.counts.cells.count) * discCells
        guard candidates <= Double(Limits.maxCells.upperBound) else {
            throw InputError.unusable("Gi* on \(Fmt.counted(product.counts.cells.count, "occupied cell")) with neighbours within \(Fmt.number(radius)) m would examine about \(Int(min(candidates, 9e18))) cells, above \(Limits.maxCells.upperBound); use a smaller neighbour distance or a larger --cell")
        }
        try MemoryLimit.check(need: Int(candidates * 64), for: "Gi* on \(Fmt.counted(product.counts.cells.count, "occupied cell")) with neighbours within \(Fmt.number(radius)) m",
                              fix: "a smaller neighbour distance or a larger --cell")
        let s = PhaseProgress.phase("Gi* (sparse)", total: Double(product.counts.cells.count), unit: "cells") { giStarSparse(product.counts, radius: radius) }
        let ids = s.cells.map { g.cellID($0) }
        params["cell_m"] = Fmt.number(g.cellSize); params["cell_source"] = product.choice.cellSizeSource
        params["kept_cells"] = "\(s.cells.count)"
        params.merge(product.parameters) { a, _ in a }
        params["reported_cells"] = "\(s.cells.count) (the occupied cells and the cells within the neighbour distance of one)"
        return Computed(gi: s.result, ids: ids, names: ids, geoms: s.cells.map { g.cellPolygon($0) }, counts: s.values,
                        extra: [("easting", s.cells.map { .double(g.centre(index: $0).x, decimals: 1) }),
                                ("northing", s.cells.map { .double(g.centre(index: $0).y, decimals: 1) })]
                            + incidentCounts(job, s.counts.map { Int($0) }),
                        neighbours: "distance ≤ \(Fmt.fixed(radius, 2)) m", params: [:], grid: g,
                        warnings: r.map == nil ? [] : ["--map is not drawn for --sparse (its extent is national): open gistar.gpkg in a GIS"],
                        keep: [], onLayer: false, sparse: s)
    }

    /// On a square grid: neighbours within a distance (queen: cell × √2, rook: the cell size), by running sums;
    /// with permutations, the neighbour lists for the conditional randomisation.
    static func onGrid(_ r: Project.GiStarRequest, _ job: JobInputs, _ params: inout [String: String]) throws -> Computed {
        let product = try GridProduct.compute(job.incidents.table, cellSize: r.cell, rule: r.cellRule, boundary: job.boundary, clip: false,
                                              cellLimit: r.maxCells, extent: r.extent)
        let g = product.choice.grid
        var mask: [Bool]?
        if r.clip, let b = job.boundary { mask = try GridProduct.mask(b, grid: g) }
        let counts = product.counts.weighted
        let radius = try gridRadius(r.neighbours, g)
        var gi = giStar(grid: g, values: counts, radius: radius, mask: mask)
        if r.permutations > 0 {
            gi.pseudoP = giStar(values: counts, neighbourhood: Neighbourhood(lists: gridNeighbours(g, radius: radius, mask: mask)),
                                permutations: r.permutations, seed: r.seed).pseudoP
        }
        let cells = (0..<g.cellCount).filter { mask?[$0] ?? true }
        let ids = (0..<g.cellCount).map { g.cellID($0) }
        params["cell_m"] = Fmt.number(g.cellSize); params["cell_source"] = product.choice.cellSizeSource
        params["kept_cells"] = "\(cells.count)"
        return Computed(gi: gi, ids: ids, names: ids, geoms: (0..<g.cellCount).map { g.cellPolygon($0) }, counts: counts,
                        extra: [("easting", (0..<g.cellCount).map { .double(g.centre(index: $0).x, decimals: 1) }),
                                ("northing", (0..<g.cellCount).map { .double(g.centre(index: $0).y, decimals: 1) })]
                            + incidentCounts(job, (0..<g.cellCount).map { Int(product.counts.counts[$0]) }),
                        neighbours: "distance ≤ \(Fmt.fixed(radius, 2)) m", params: [:], grid: g, warnings: [], keep: [], onLayer: false)
    }

    /// The hexagon radius of a neighbour rule: a distance, or the size across flats (the six sharing an edge).
    static func hexRadius(_ rule: NeighbourRule?, _ hx: HexGrid) throws -> Double {
        switch rule ?? .queen {
        case .distance(let d): return d
        case .queen, .rook: return hx.size
        case .knn: throw InputError.unusable("k-nearest neighbours are for polygon layers (--on NAME); on hexagons use distance:METRES or queen")
        }
    }

    /// The neighbours (self included) of each kept hexagon, as positions in `kept`: centres within `radius`.
    static func hexNeighbours(_ hx: HexGrid, kept: [Int], radius: Double) -> [[Int]] {
        let position = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
        let reach = Int((radius / hx.size).rounded(.up)) + 1
        return kept.map { k -> [Int] in
            let c = hx.centre(index: k), col = k % hx.ncols, row = k / hx.ncols
            var l: [Int] = []
            for dr in -reach...reach { for dc in -reach...reach {
                let rr = row + dr, cc = col + dc
                guard rr >= 0, rr < hx.nrows, cc >= 0, cc < hx.ncols, let j = position[rr * hx.ncols + cc] else { continue }
                let o = hx.centre(index: rr * hx.ncols + cc)
                if (o.x - c.x) * (o.x - c.x) + (o.y - c.y) * (o.y - c.y) <= radius * radius * (1 + 1e-9) { l.append(j) }
            } }
            return l
        }
    }

    /// The grid radius of a neighbour rule: a distance, queen (cell × √2) or rook (the cell size).
    static func gridRadius(_ rule: NeighbourRule?, _ g: SquareGrid) throws -> Double {
        switch rule ?? .queen {
        case .distance(let d): return d
        case .queen: return g.cellSize * 2.0.squareRoot()
        case .rook: return g.cellSize
        case .knn: throw InputError.unusable("k-nearest neighbours are for polygon layers (--on NAME); on a grid use distance:METRES, queen or rook")
        }
    }

    /// Each cell's neighbours (self included) within `radius` of its centre, among the cells of `mask`.
    static func gridNeighbours(_ g: SquareGrid, radius: Double, mask: [Bool]?) -> [[Int]] {
        (0..<g.cellCount).map { k -> [Int] in
            let c = g.centre(index: k)
            let R = Int((radius / g.cellSize).rounded(.down))
            var l: [Int] = []
            for dr in -R...R { for dc in -R...R {
                let r = k / g.ncols + dr, cc = k % g.ncols + dc
                guard r >= 0, r < g.nrows, cc >= 0, cc < g.ncols, mask?[r * g.ncols + cc] ?? true else { continue }
                let o = g.centre(col: cc, row: r)
                if (o.x - c.x) * (o.x - c.x) + (o.y - c.y) * (o.y - c.y) <= radius * radius * (1 + 1e-12) { l.append(r * g.ncols + cc) }
            } }
            return l
        }
    }

    /// With a harm table (`--weights`) the statistic runs on harm: the incidents of each location go beside it, as
    /// `count` (counts and harm side by side); without one, nothing.
    static func incidentCounts(_ job: JobInputs, _ counts: @autoclosure () -> [Int]) -> [(String, [Value])] {
        job.incidents.table.harm ? [("count", counts().map { .int($0) })] : []
    }

    /// Writes `gistar.geojson`/`.gpkg` with its style, `gistar.csv`, the map and metadata into `req.out`.
    static func write(_ c: Computed, _ req: Project, command: String, inputs job: JobInputs) throws -> Result {
        let r = req.products.gistar ?? .init(), fdr = r.fdr, permutations = r.permutations, keep = c.keep, gi = c.gi
        let inc = job.incidents
        var params = c.params
        let set = try OutputSet(directory: req.out, database: req.database)
        // gi_p_fdr stays Benjamini–Hochberg whatever --adjust; another adjustment adds gi_p_adj.
        let bh = gi.adjustment == .bh ? gi.pAdjusted : c.sparse.map { $0.adjusted(.bh).result.pAdjusted } ?? benjaminiHochberg(gi.p), other = ![.bh, .none].contains(gi.adjustment)
        var t = Table(columns: ["id", "name"] + c.extra.map(\.0) + [inc.table.harm ? "harm" : "count", "gi_z", "gi_p", "gi_p_fdr"] + (other ? ["gi_p_adj"] : [])
                      + ["gi_bin", "neighbours"] + (permutations > 0 ? ["pseudo_p"] : []))
        t.rows = keep.map { k in
            [.string(c.ids[k]), .string(c.names[k])] + c.extra.map { $0.1[k] } +
            [Value.count(c.counts[k], weighted: inc.table.isWeighted), .double(gi.z[k], decimals: nil), .double(gi.p[k], decimals: nil),
             .double(bh[k], decimals: nil)] + (other ? [.double(gi.pAdjusted[k], decimals: nil)] : [])
            + [.int(Int(fdr ? gi.binFDR[k] : gi.bin[k])), .int(Int(gi.neighbours[k]))]
            + (permutations > 0 ? [.double(gi.pseudoP[k], decimals: nil)] : [])
        }
        let cls = MapStyle.codes(keep.map { Int(fdr ? gi.binFDR[$0] : gi.bin[$0]) }, table: MapStyle.giBins, field: "gi_bin",
                                 title: "Getis-Ord Gi*\(inc.table.harm ? " of harm" : "")\(gi.adjustment.shortLabel)")
        try set.writeLayer("gistar", geometries: keep.map { c.geoms[$0] }, properties: t, style: .classified(cls))
        let mapParameters = "Gi* · neighbours: \(c.neighbours) · \(gi.adjustment.title) · \(keep.count) locations" + (permutations > 0 ? " · \(permutations) permutations" : "")
        let mapProduct = inc.table.harm ? "hot and cold spots of harm (Gi*)" : "hot and cold spots (Gi*)"
        params["map_parameters"] = mapParameters; params["map_product"] = mapProduct
        if let s = c.sparse {
            // The cells not written, by neighbour count: how many, and the z, p and adjusted p they all share.
            let sb = s.adjusted(.bh)
            params["unreported_cells"] = zip(s.unreported, sb.unreported).map { u, b in
                "\(u.count) cells with \(u.neighbours) neighbours: z \(Fmt.fixed(u.z, 4)), p \(Fmt.fixed(u.p, 4)), p_fdr \(Fmt.fixed(b.pAdjusted, 4))" + (other ? ", p_adj \(Fmt.fixed(u.pAdjusted, 4))" : "")
                    + ", bin \(fdr ? u.binFDR : u.bin)"
            }.joined(separator: "; ")
        }
        if let mo = r.map, c.sparse == nil {
            var ctx = MapJob.Context(incidents: inc, boundary: job.boundary, layers: job.layers, parameters: mapParameters, product: mapProduct)
            ctx.notes = c.warnings.map { "Warning: \($0)" }
            if c.onLayer { ctx.labelOnly = Set(keep.filter { (fdr ? gi.binFDR[$0] : gi.bin[$0]) != 0 }.map { c.ids[$0] }) }
            else { ctx.blank = "no data" }
            try MapJob.draw(ctx, features: keep.map { c.geoms[$0] }, classification: cls, dissolve: !c.onLayer, options: mo, into: set)
        }
        try set.writeCSV("gistar.csv", t)
        try set.finish(command: command, parameters: params, inputs: job, grid: c.grid, warnings: c.warnings)
        return Result(incidents: inc, gi: gi, ids: c.ids, names: c.names, counts: c.counts, neighbours: c.neighbours, warnings: c.warnings,
                      written: set.written.map(\.path) + ["metadata.json"], unreportedSignificant: c.sparse?.unreportedSignificant(fdr: fdr) ?? (0, 0))
    }
}

/// Why no location has a z (nil when some has): nothing was counted, every neighbourhood is the whole grid (W = n:
/// the neighbourhood is compared with itself), or every location holds the same count (S = 0).
/// `blank` says what the outputs show for it.
func undefinedEverywhere(_ gi: GiStarResult, counts: [Double], kept: Int, blank: String) -> String? {
    guard kept == 0 else { return nil }
    if !counts.contains(where: { $0 > 0 }) { return "no incident lies in any of the \(gi.n) locations: Gi* is undefined when every count is 0, so \(blank)" }
    if gi.s == 0 { return "every one of the \(gi.n) locations holds the same count: Gi* is undefined without variation, so \(blank)" }
    return "every location's neighbours within the distance are the whole grid (\(gi.n) locations): Gi* compares a neighbourhood with the whole, so it is undefined and \(blank); use a smaller neighbour distance (--neighbours distance:M)"
}

/// Gi* is a large-sample statistic: on a handful of incidents spread over many locations it still reports "hot at
/// 99 %" places, many holding no incident. These warnings say so (and why z is blank when nothing was counted).
func sparseWarnings(counts: [Double], bins: [Int8], blank: String = "gi_z and gi_p are blank") -> [String] {
    let total = counts.reduce(0, +)
    let nonZero = counts.filter { $0 > 0 }.count
    if total == 0 {
        return ["no incident lies in any of the \(counts.count) locations: Gi* is undefined when every count is 0, so \(blank)"]
    }
    guard total < 30 || Double(nonZero) < 0.05 * Double(counts.count) else { return [] }
    let hotEmpty = zip(counts, bins).filter { $0.1 > 0 && $0.0 == 0 }.count
    return ["sparse data: \(Fmt.number(total)) incidents in \(nonZero) of \(counts.count) locations; Gi* p-values assume counts spread over many locations and are unreliable here (\(hotEmpty) 'hot' location(s) hold no incident themselves); use a larger --cell, a polygon layer (--on), or more data"]
}
