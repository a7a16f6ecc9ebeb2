import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// Local and global Moran's I on grid cells, hexagons or the areas of a polygon layer, with the neighbour rules of
/// Gi* (`GiStarJob`): clusters (HH, LL) and outliers (HL, LH) of counts (or of sums of the weight column).
public enum MoranJob {
    public struct Request: Sendable, HasGrid {
        public var grid = GridSpec()
        public var on: String?, neighbours: NeighbourRule?
        /// Adjustment of the pseudo p-values over the locations. Default none, as esda and ArcGIS's Cluster and
        /// Outlier Analysis: a pseudo p is at least 1/(permutations + 1), so an adjustment over thousands of cells
        /// needs many more permutations to find anything.
        public var adjust: PAdjustment = .none
        /// Conditional permutations (esda's default 999) and their seed.
        public var permutations = 999, seed = Limits.defaultSeed
        /// Significance level of a cluster or outlier (adjusted p ≤ α; raw p < α with `adjust: none`).
        public var alpha = 0.05
        public var map: MapOptions?
        public init() {}
    }

    /// The locations with their counts and neighbours (self included, as `Neighbourhood` keeps them; Moran's I
    /// ignores the self entries).
    public struct Locations {
        public var ids: [String], names: [String], geoms: [MultiPolygon], counts: [Double]
        public var extra: [(String, [Value])] = []
        public var neighbourhood: Neighbourhood
        /// The neighbour rule as written in the outputs.
        public var neighbours: String
        public var grid: SquareGrid?
        public var params: [String: String] = [:]
        public var warnings: [String] = []
        public var onLayer: Bool
    }

    public struct Result {
        public var incidents: LoadedIncidents
        public var locations: Locations
        public var local: LocalMoranResult
        public var global: GlobalMoranResult
        public var warnings: [String]
        public var written: [String]

        /// Locations per cluster code (1 HH, 2 LH, 3 LL, 4 HL, 0 not significant).
        public func count(_ code: Int8) -> Int { local.cluster.filter { $0 == code }.count }
        /// "12 HH, 3 LL, 2 HL, 1 LH".
        public var clusters: String { "\(count(1)) HH, \(count(3)) LL, \(count(4)) HL, \(count(2)) LH" }
    }

    /// Moran's I of `req.products.moran` (defaults when nil) into `req.out`: `compute`, then `write`.
    public static func run(_ req: Project, command: String, inputs: JobInputs? = nil) throws -> Result {
        let job = try inputs ?? req.loadInputs()
        let r = req.products.moran ?? Request()
        let at = try locations(r, job)
        guard at.counts.count > 3 else { throw InputError.unusable("Moran's I needs at least 4 locations; there are \(at.counts.count)") }
        var warnings = job.warnings + at.warnings
        let total = at.counts.reduce(0, +)
        guard at.counts.contains(where: { $0 != at.counts[0] }) else {
            throw InputError.unusable("all \(at.counts.count) locations hold the same count (\(Fmt.number(at.counts[0]))): Moran's I is undefined without variation")
        }
        if total < 30 { warnings.append("sparse data: \(Fmt.number(total)) incidents in \(at.counts.count) locations; clusters and outliers of so few incidents are unreliable") }
        let local = localMoran(values: at.counts, neighbourhood: at.neighbourhood, permutations: r.permutations, seed: r.seed,
                               adjustment: r.adjust, alpha: r.alpha)
        let global = globalMoran(values: at.counts, neighbourhood: at.neighbourhood, permutations: r.permutations, seed: r.seed)
        let result = Result(incidents: job.incidents, locations: at, local: local, global: global, warnings: warnings, written: [])
        return try write(result, req, r, command: command, inputs: job)
    }

    /// The locations of the request: the areas of the layer `on`, hexagons (`hex`) or the cells of a square grid
    /// (with `clip`, those inside the boundary), with their counts (sums of the weight column when there is one).
    public static func locations(_ r: Request, _ job: JobInputs) throws -> Locations {
        var at: Locations
        if let ln = r.on {
            guard let l = job.layers.first(where: { $0.name == ln }) else { throw InputError.unusable("--on \(ln): no layer of that name among --areas") }
            let rule = r.neighbours ?? .queen
            let nb = try rule.neighbourhood(of: l.areas)
            let rows = AreaCounts.compute(job.incidents.table, layer: l).rows
            at = Locations(ids: l.areas.map(\.id), names: l.areas.map(\.name), geoms: l.areas.map(\.geometry),
                           counts: rows.map(\.weighted), extra: GiStarJob.incidentCounts(job, rows.map(\.count)), neighbourhood: nb,
                           neighbours: rule.description, params: ["layer": ln], onLayer: true)
            let islands = (0..<nb.count).filter { nb.offsets[$0 + 1] - nb.offsets[$0] == 1 }
            if !islands.isEmpty { at.warnings.append("\(islands.count) area(s) have no neighbour under \(rule.description) (e.g. \(l.areas[islands[0]].id)): their local I is 0 and never significant") }
        } else if let orientation = r.hex {
            let p = try HexProduct.compute(job.incidents.table, size: r.cell, rule: r.cellRule, orientation: orientation, boundary: job.boundary, clip: r.clip,
                                           cellLimit: r.maxCells, extent: r.extent)
            let hx = p.grid, kept = p.cells, radius = try GiStarJob.hexRadius(r.neighbours, hx)
            let ids = kept.map { hx.cellID($0) }
            at = Locations(ids: ids, names: ids, geoms: kept.map { hx.cellPolygon($0) }, counts: kept.map { p.counts.weighted[$0] },
                           extra: [("easting", kept.map { .double(hx.centre(index: $0).x, decimals: 1) }),
                                   ("northing", kept.map { .double(hx.centre(index: $0).y, decimals: 1) })]
                               + GiStarJob.incidentCounts(job, kept.map { Int(p.counts.counts[$0]) }),
                           neighbourhood: Neighbourhood(lists: GiStarJob.hexNeighbours(hx, kept: kept, radius: radius)),
                           neighbours: "hexagon centres within \(Fmt.fixed(radius, 2)) m",
                           params: ["shape": "hexagon (\(orientation.rawValue)-top)", "across_flats_m": Fmt.number(hx.size)], onLayer: false)
        } else {
            at = try onGrid(r, job)
        }
        if job.incidents.table.isWeighted { at.params["counts"] = job.incidents.table.harm ? "harm: sums of the harm table's weights (--weights)" : "sums of the weight column" }
        return at
    }

    /// The cells of a square grid (those inside the boundary with `clip`), neighbours within the rule's distance.
    static func onGrid(_ r: Request, _ job: JobInputs) throws -> Locations {
        let product = try GridProduct.compute(job.incidents.table, cellSize: r.cell, rule: r.cellRule, boundary: job.boundary, clip: false,
                                              cellLimit: r.maxCells, extent: r.extent)
        let g = product.choice.grid
        var mask: [Bool]?
        if r.clip, let b = job.boundary { mask = try GridProduct.mask(b, grid: g) }
        let radius = try GiStarJob.gridRadius(r.neighbours, g)
        let cells = (0..<g.cellCount).filter { mask?[$0] ?? true }
        var position = [Int](repeating: -1, count: g.cellCount)
        for (t, k) in cells.enumerated() { position[k] = t }
        let all = GiStarJob.gridNeighbours(g, radius: radius, mask: mask)
        let lists = cells.map { k in all[k].map { position[$0] } }
        let ids = cells.map { g.cellID($0) }
        return Locations(ids: ids, names: ids, geoms: cells.map { g.cellPolygon($0) }, counts: cells.map { product.counts.weighted[$0] },
                         extra: [("easting", cells.map { .double(g.centre(index: $0).x, decimals: 1) }),
                                 ("northing", cells.map { .double(g.centre(index: $0).y, decimals: 1) })]
                             + GiStarJob.incidentCounts(job, cells.map { Int(product.counts.counts[$0]) }),
                         neighbourhood: Neighbourhood(lists: lists), neighbours: "distance ≤ \(Fmt.fixed(radius, 2)) m", grid: g,
                         params: ["cell_m": Fmt.number(g.cellSize), "cell_source": product.choice.cellSizeSource, "kept_cells": "\(cells.count)"],
                         onLayer: false)
    }

    /// Cluster codes as written (`cl_code`) and drawn, in legend order: ArcGIS's Cluster and Outlier Analysis colours
    /// (High-High red, High-Low pink, Low-High light blue, Low-Low blue, not significant grey).
    public static let clusterClasses: [(Int, String, String)] = [
        (1, "#ff0000", "High-High cluster"), (4, "#ffbebe", "High-Low outlier"), (2, "#bed2ff", "Low-High outlier"),
        (3, "#0070ff", "Low-Low cluster"), (0, "#d9d9d9", "Not significant"),
    ]
    /// The short names of the quadrants by esda code.
    static let quadrantNames = ["not significant", "HH", "LH", "LL", "HL"]

    /// The per-location table: counts (`harm` with a harm table), I, z, lag, quadrant, p, adjusted p, cluster.
    static func table(_ res: Result, weighted: Bool, harm: Bool = false) -> Table {
        let at = res.locations, m = res.local
        var t = Table(columns: ["id", "name"] + at.extra.map(\.0) + [harm ? "harm" : "count", "local_i", "z", "lag_z", "quadrant", "p_sim", "p_adj",
                                                                     "cluster", "cl_code", "neighbours"])
        t.rows = at.ids.indices.map { k in
            [.string(at.ids[k]), .string(at.names[k])] + at.extra.map { $0.1[k] } +
            [Value.count(at.counts[k], weighted: weighted), .double(m.i[k], decimals: nil), .double(m.z[k], decimals: nil),
             .double(m.lag[k], decimals: nil), .string(quadrantNames[Int(m.quadrant[k])]), .double(m.pSim[k], decimals: nil),
             .double(m.pAdjusted[k], decimals: nil), .string(quadrantNames[Int(m.cluster[k])]), .int(Int(m.cluster[k])),
             .int(Int(m.neighbours[k]))]
        }
        return t
    }

    /// Global Moran's I as one row: I, E[I], both variances, z and p, and the permutation p.
    static func globalTable(_ g: GlobalMoranResult) -> Table {
        var t = Table(columns: ["n", "moran_i", "expected_i", "var_norm", "z_norm", "p_norm", "var_rand", "z_rand", "p_rand", "p_sim", "permutations"])
        t.rows = [[.int(g.n), .double(g.i, decimals: nil), .double(g.expected, decimals: nil), .double(g.varianceNormal, decimals: nil),
                   .double(g.zNormal, decimals: nil), .double(g.pNormal, decimals: nil), .double(g.varianceRandom, decimals: nil),
                   .double(g.zRandom, decimals: nil), .double(g.pRandom, decimals: nil), .double(g.pSim, decimals: nil), .int(g.permutations)]]
        return t
    }

    /// Writes `moran.geojson`/`.gpkg` with its style, `moran.csv`, `moran_global.csv`, the map and metadata.
    static func write(_ res: Result, _ req: Project, _ r: Request, command: String, inputs job: JobInputs) throws -> Result {
        let at = res.locations, m = res.local, g = res.global
        let set = try OutputSet(directory: req.out, database: req.database)
        let t = table(res, weighted: job.incidents.table.isWeighted, harm: job.incidents.table.harm)
        let cls = MapStyle.codes(m.cluster.map(Int.init), table: clusterClasses, field: "cl_code",
                                 title: "Local Moran's I\(job.incidents.table.harm ? " of harm" : "")\(r.adjust.shortLabel)")
        try set.writeLayer("moran", geometries: at.geoms, properties: t, style: .classified(cls))
        let mapParameters = "Local Moran's I · neighbours: \(at.neighbours), row-standardised · \(r.permutations) permutations · \(r.adjust.criterion(r.alpha)) · \(at.ids.count) locations"
        let mapProduct = "clusters and outliers (Local Moran's I)"
        var params = at.params
        params.merge(["job": "moran", "adjust": r.adjust.rawValue, "alpha": Fmt.number(r.alpha), "permutations": "\(r.permutations)",
                      "seed": "\(r.seed)", "neighbours": at.neighbours, "weights": "row-standardised",
                      "global_moran_i": Fmt.fixed(g.i, 6), "global_z_rand": Fmt.fixed(g.zRandom, 4), "global_p_sim": Fmt.fixed(g.pSim, 6),
                      "map_parameters": mapParameters, "map_product": mapProduct]) { $1 }
        if let mo = r.map {
            var ctx = MapJob.Context(incidents: job.incidents, boundary: job.boundary, layers: job.layers, parameters: mapParameters, product: mapProduct)
            ctx.notes = res.warnings.map { "Warning: \($0)" }
            if at.onLayer { ctx.labelOnly = Set(at.ids.indices.filter { m.cluster[$0] != 0 }.map { at.ids[$0] }) }
            else { ctx.blank = "no data" }
            try MapJob.draw(ctx, features: at.geoms, classification: cls, dissolve: !at.onLayer, options: mo, into: set)
        }
        try set.write("moran.csv", t.csv())
        try set.write("moran_global.csv", globalTable(g).csv())
        try set.finish(command: command, parameters: params, inputs: job, grid: at.grid, warnings: res.warnings)
        var out = res
        out.written = set.written.map(\.path) + ["metadata.json"]
        return out
    }
}
