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
    /// hexagons (`hex`) or a square grid.
    public static func run(_ req: Project, command: String, inputs: JobInputs? = nil, progress: IncidentReader.Progress? = nil) throws -> Result {
        let r = req.products.gistar ?? .init(), out = req.out
        let layerName = r.on, cell = r.cell, rule = r.rule, clip = r.clip, maxCells = r.maxCells, neighbours = r.neighbours
        let fdr = r.fdr, permutations = r.permutations, seed = r.seed, hex = r.hex, extent = r.extent, map = r.map
        let job = try inputs ?? req.loadInputs(progress: progress)
        let b = job.boundary, inc = job.incidents, layers = job.layers
        var warnings = job.warnings
        let set = try OutputSet(directory: out, database: req.database)
        var params: [String: String] = ["job": "gistar", "fdr": "\(fdr)", "permutations": "\(permutations)", "seed": "\(seed)"]
        let gi: GiStarResult, ids: [String], names: [String], geoms: [MultiPolygon], counts: [Double], nbText: String
        var extra: [(String, [Value])] = []
        var gridMeta: SquareGrid?
        if let ln = layerName {
            guard let l = layers.first(where: { $0.name == ln }) else { throw InputError.unusable("--on \(ln): no layer of that name among --areas") }
            let c = AreaCounts.compute(inc.table, layer: l)
            counts = c.rows.map { Double($0.count) }
            let rule = neighbours ?? .queen
            let nb = try rule.neighbourhood(of: l.areas)
            let islands = (0..<nb.count).filter { nb.offsets[$0 + 1] - nb.offsets[$0] == 1 }
            if !islands.isEmpty { warnings.append("\(islands.count) area(s) have no neighbour under \(rule.description) (e.g. \(l.areas[islands[0]].id)); their Gi* uses only themselves") }
            gi = giStar(values: counts, neighbourhood: nb, permutations: permutations, seed: seed)
            ids = l.areas.map(\.id); names = l.areas.map(\.name); geoms = l.areas.map(\.geometry)
            nbText = rule.description
            params["layer"] = ln
        } else if let orientation = hex {
            // Hexagons: neighbours are the hexagons whose centres lie within the distance (default: the size across
            // flats, i.e. the six that share an edge), self included.
            let p = try HexProduct.compute(inc.table, size: cell, rule: rule, orientation: orientation, boundary: b, clip: clip, cellLimit: maxCells, extent: extent)
            let hx = p.grid
            let radius: Double
            switch neighbours ?? .queen {
            case .distance(let d): radius = d
            case .queen, .rook: radius = hx.size
            case .knn: throw InputError.unusable("k-nearest neighbours are for polygon layers (--on NAME); on hexagons use distance:METRES or queen")
            }
            let kept = p.cells
            let position = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
            let reach = Int((radius / hx.size).rounded(.up)) + 1
            let lists = kept.map { k -> [Int] in
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
            counts = kept.map { Double(p.counts.counts[$0]) }
            gi = giStar(values: counts, neighbourhood: Neighbourhood(lists: lists), permutations: permutations, seed: seed)
            ids = kept.map { hx.cellID($0) }; names = ids
            geoms = kept.map { hx.cellPolygon($0) }
            extra = [("easting", kept.map { .double(hx.centre(index: $0).x, decimals: 1) }),
                     ("northing", kept.map { .double(hx.centre(index: $0).y, decimals: 1) })]
            nbText = "hexagon centres within \(Fmt.fixed(radius, 2)) m"
            params["shape"] = "hexagon (\(orientation.rawValue)-top)"; params["across_flats_m"] = Fmt.number(hx.size)
        } else {
            let product = try GridProduct.compute(inc.table, cellSize: cell, rule: rule, boundary: b, clip: false, cellLimit: maxCells, extent: extent)
            let g = product.choice.grid
            gridMeta = g
            var mask: [Bool]?
            if clip, let b { mask = try GridProduct.mask(b, grid: g) }
            counts = product.counts.counts.map(Double.init)
            let radius: Double
            switch neighbours ?? .queen {
            case .distance(let d): radius = d
            case .queen: radius = g.cellSize * 2.0.squareRoot()
            case .rook: radius = g.cellSize
            case .knn: throw InputError.unusable("k-nearest neighbours are for polygon layers (--on NAME); on a grid use distance:METRES, queen or rook")
            }
            if permutations > 0 {
                let offs = (0..<g.cellCount).map { k -> [Int] in
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
                var r = giStar(grid: g, values: counts, radius: radius, mask: mask)
                r.pseudoP = giStar(values: counts, neighbourhood: Neighbourhood(lists: offs), permutations: permutations, seed: seed).pseudoP
                gi = r
            } else {
                gi = giStar(grid: g, values: counts, radius: radius, mask: mask)
            }
            let cells = (0..<g.cellCount).filter { mask?[$0] ?? true }
            ids = (0..<g.cellCount).map { g.cellID($0) }; names = ids
            geoms = (0..<g.cellCount).map { g.cellPolygon($0) }
            nbText = "distance ≤ \(Fmt.fixed(radius, 2)) m"
            extra = [("easting", (0..<g.cellCount).map { .double(g.centre(index: $0).x, decimals: 1) }),
                     ("northing", (0..<g.cellCount).map { .double(g.centre(index: $0).y, decimals: 1) })]
            params["cell_m"] = Fmt.number(g.cellSize); params["cell_source"] = product.choice.cellSizeSource
            params["kept_cells"] = "\(cells.count)"
        }
        params["neighbours"] = nbText
        let keep = (0..<ids.count).filter { !gi.z[$0].isNaN || layerName != nil }
        warnings += sparseWarnings(counts: keep.map { counts[$0] }, bins: keep.map { fdr ? gi.binFDR[$0] : gi.bin[$0] })
        var t = Table(columns: ["id", "name"] + extra.map(\.0) + ["count", "gi_z", "gi_p", "gi_p_fdr", "gi_bin", "neighbours"]
                      + (permutations > 0 ? ["pseudo_p"] : []))
        t.rows = keep.map { k in
            [.string(ids[k]), .string(names[k])] + extra.map { $0.1[k] } +
            [Value.count(counts[k], weighted: inc.table.isWeighted), .double(gi.z[k], decimals: nil), .double(gi.p[k], decimals: nil),
             .double(gi.pAdjusted[k], decimals: nil), .int(Int(fdr ? gi.binFDR[k] : gi.bin[k])), .int(Int(gi.neighbours[k]))]
            + (permutations > 0 ? [.double(gi.pseudoP[k], decimals: nil)] : [])
        }
        let cls = MapStyle.codes(keep.map { Int(fdr ? gi.binFDR[$0] : gi.bin[$0]) }, table: MapStyle.giBins, field: "gi_bin",
                                 title: "Getis-Ord Gi*\(fdr ? " (FDR)" : "")")
        try set.writeLayer("gistar", geometries: keep.map { geoms[$0] }, properties: t, style: .classified(cls))
        params["map_parameters"] = "Gi* · neighbours: \(nbText) · \(fdr ? "Benjamini–Hochberg FDR" : "raw p (no FDR)") · \(keep.count) locations" + (permutations > 0 ? " · \(permutations) permutations" : "")
        params["map_product"] = "hot and cold spots (Gi*)"
        if let mo = map {
            var ctx = MapJob.Context(incidents: inc, boundary: b, layers: layers, parameters: params["map_parameters"]!, product: params["map_product"]!)
            ctx.notes = warnings.map { "Warning: \($0)" }
            if layerName != nil { ctx.labelOnly = Set(keep.filter { (fdr ? gi.binFDR[$0] : gi.bin[$0]) != 0 }.map { ids[$0] }) }
            else { ctx.blank = "no data" }
            try MapJob.draw(ctx, features: keep.map { geoms[$0] }, classification: cls, dissolve: layerName == nil, options: mo, into: set)
        }
        try set.write("gistar.csv", t.csv())
        try set.finish(command: command, parameters: params, inputs: job, grid: gridMeta, warnings: warnings)
        return Result(incidents: inc, gi: gi, ids: ids, names: names, counts: counts, neighbours: nbText, warnings: warnings, written: set.written.map(\.path) + ["metadata.json"])
    }
}

/// Gi* is a large-sample statistic: on a handful of incidents spread over many locations it still reports "hot at
/// 99 %" places, many holding no incident. These warnings say so (and why z is blank when nothing was counted).
func sparseWarnings(counts: [Double], bins: [Int8]) -> [String] {
    let total = counts.reduce(0, +)
    let nonZero = counts.filter { $0 > 0 }.count
    if total == 0 {
        return ["no incident lies in any of the \(counts.count) locations: Gi* is undefined when every count is 0, so gi_z and gi_p are blank"]
    }
    guard total < 30 || Double(nonZero) < 0.05 * Double(counts.count) else { return [] }
    let hotEmpty = zip(counts, bins).filter { $0.1 > 0 && $0.0 == 0 }.count
    return ["sparse data: \(Fmt.number(total)) incidents in \(nonZero) of \(counts.count) locations; Gi* p-values assume counts spread over many locations and are unreliable here (\(hotEmpty) 'hot' location(s) hold no incident themselves); use a larger --cell, a polygon layer (--on), or more data"]
}
