import Foundation
import HotspotCore
import HotspotGeo
import HotspotIO
import HotspotCartography

/// ArcGIS Pro's Optimized Hot Spot Analysis for incidents, as its page "How Optimized Hot Spot Analysis works"
/// documents it: locational outliers found, incidents aggregated (a fishnet whose cell comes from the data, hexagons,
/// or the areas of a layer), the scale of clustering found by incremental spatial autocorrelation (Global Moran's I
/// over distance bands, the first significant peak of its z), then Gi* at that distance with FDR; every choice is
/// reported with its reason (`Choice`), as ArcGIS's messages do. What the page leaves unsaid is chosen here and
/// written in docs/reference/optimized.md.
public enum OptimizedJob {
    public struct Request: Sendable, HasGrid {
        /// The aggregation: `cell` nil takes the cell from the data; `hex` hexagons; `clip` with a boundary keeps
        /// every cell inside it (ArcGIS's "bounding polygons defining where incidents are possible"), zeros included.
        public var grid = GridSpec()
        /// Aggregate into the areas of this layer instead (ArcGIS's "polygons for aggregating incidents into counts").
        public var on: String?
        /// Distance bands of the incremental spatial autocorrelation (ArcGIS: 10).
        public var bands = 10
        public var map: MapOptions?
        public init() {}
    }

    /// One decision, as ArcGIS's messages report it: what was decided, the value, and why.
    public struct Choice: Sendable, Equatable {
        public var key: String, value: String, reason: String
    }

    /// The scale of analysis: the bands tried, the incremental spatial autocorrelation, and the distance chosen.
    public struct Scale: Sendable {
        public var distances: [Double]
        public var isa: IncrementalAutocorrelationResult
        public var start: Double, increment: Double
        /// Feature locations left out of the start distance (nearest-neighbour distance > mean + 3 SD).
        public var outliers: Int
        public var chosen: Double
        /// "first peak", or "no significant peak: mean distance to the 8 nearest".
        public var chosenBy: String
        public var fallbackK: Int?
    }

    /// Where the incidents were aggregated, with their counts and centres.
    public struct Locations {
        public var ids: [String], names: [String], geoms: [MultiPolygon], counts: [Double], x: [Double], y: [Double]
        public var extra: [(String, [Value])] = []
        public var grid: SquareGrid?
        public var onLayer = false
    }

    public struct Computed {
        public var locations: Locations
        public var scale: Scale
        public var gi: GiStarResult
        public var choices: [Choice]
        public var warnings: [String]
    }

    public struct Result {
        public var incidents: LoadedIncidents
        public var computed: Computed
        public var warnings: [String]
        public var written: [String]
        public var hot: Int { computed.gi.binFDR.filter { $0 > 0 }.count }
        public var cold: Int { computed.gi.binFDR.filter { $0 < 0 }.count }
    }

    /// ArcGIS's minimum number of features for Gi* ("fewer than 30 features: unreliable").
    public static let minimumLocations = 30

    public static func run(_ req: Project, command: String, inputs: JobInputs? = nil) throws -> Result {
        let job = try inputs ?? req.loadInputs()
        let c = try compute(req.products.optimized ?? Request(), inputs: job)
        return try write(c, req, command: command, inputs: job)
    }

    /// The whole analysis, pure: outliers, aggregation, scale, Gi* with FDR, and the choices.
    public static func compute(_ r: Request, inputs job: JobInputs) throws -> Computed {
        let t = job.incidents.table
        guard t.count >= minimumLocations else {
            throw InputError.unusable("optimized hot spots need at least \(minimumLocations) incidents; there are \(t.count)")
        }
        var choices: [Choice] = [], warnings = job.warnings
        let nn = PointSpacing.nearestDistinct(x: t.x, y: t.y)
        let out = PointSpacing.outliers(nearest: nn)
        let nOut = out.filter { $0 }.count
        choices.append(Choice(key: "incidents", value: "\(t.count)", reason: "incidents accepted after validation (weighted: \(t.isWeighted ? "by the weight column" : "no"))"))
        choices.append(Choice(key: "locational_outliers", value: "\(nOut)",
                              reason: "incidents whose nearest other place is more than 3 standard deviations above the mean nearest-neighbour distance; left out of the cell size, counted in their cells"))
        let at = try aggregate(r, job, nearest: nn, outliers: out, choices: &choices)
        guard at.counts.count >= minimumLocations else {
            throw InputError.unusable("optimized hot spots need at least \(minimumLocations) locations after aggregation; there are \(at.counts.count) (use a smaller --cell, a boundary with --clip, or a layer of more areas)")
        }
        guard at.counts.contains(where: { $0 != at.counts[0] }) else {
            throw InputError.unusable("all \(at.counts.count) locations hold the same count (\(Fmt.number(at.counts[0]))): Moran's I and Gi* are undefined without variation")
        }
        let scale = findScale(x: at.x, y: at.y, values: at.counts, bands: r.bands)
        choices += scaleChoices(scale)
        let nb = Neighbourhood.distanceBandTolerant(x: at.x, y: at.y, distance: scale.chosen)
        let gi = giStar(values: at.counts, neighbourhood: nb)
        let lone = (0..<nb.count).filter { nb.offsets[$0 + 1] - nb.offsets[$0] == 1 }.count
        if lone > 0 { warnings.append("\(lone) location(s) have no neighbour within \(Fmt.fixed(scale.chosen, 1)) m: their Gi* uses only themselves") }
        let threshold = fdrThreshold(gi.p, level: 0.05)
        choices.append(Choice(key: "gi_neighbours", value: "mean \(Fmt.fixed(Double(nb.index.count) / Double(nb.count) - 1, 1)), fewest \((0..<nb.count).map { nb.offsets[$0 + 1] - nb.offsets[$0] - 1 }.min() ?? 0)",
                              reason: "other locations within the distance band, binary weights, the location itself included (Gi*)"))
        choices.append(Choice(key: "fdr", value: threshold.map { "p ≤ \(Fmt.fixed($0, 6))" } ?? "none significant",
                              reason: "Benjamini–Hochberg false discovery rate over \(at.counts.count) locations: the largest raw p counted significant at 95 %"))
        choices.append(Choice(key: "hot_cold", value: "\(gi.binFDR.filter { $0 > 0 }.count) hot, \(gi.binFDR.filter { $0 < 0 }.count) cold",
                              reason: "locations in a hot or cold bin at ≥ 90 % confidence after FDR (gi_bin ±1…±3)"))
        return Computed(locations: at, scale: scale, gi: gi, choices: choices, warnings: warnings)
    }

    /// The largest raw p at or below its Benjamini–Hochberg line (i/m · level), nil when none.
    static func fdrThreshold(_ p: [Double], level: Double) -> Double? {
        let s = p.filter { !$0.isNaN }.sorted()
        let m = Double(s.count)
        return s.indices.last { s[$0] <= Double($0 + 1) / m * level }.map { s[$0] }
    }

    /// The cell of a fishnet from the data: the larger of the mean nearest-neighbour distance (distinct places,
    /// outliers left out) and a hundredth of the longer side of their extent, rounded up to a whole metre.
    public static func cellFromData(x: [Double], y: [Double], nearest nn: [Double], outliers out: [Bool]) -> (cell: Double, ann: Double, extentSide: Double) {
        let keep = x.indices.filter { !out[$0] }
        let d = keep.map { nn[$0] }.filter(\.isFinite)
        let ann = d.isEmpty ? 0 : d.reduce(0, +) / Double(d.count)
        let kx = keep.map { x[$0] }, ky = keep.map { y[$0] }
        let side = max((kx.max() ?? 0) - (kx.min() ?? 0), (ky.max() ?? 0) - (ky.min() ?? 0))
        return (max(1, max(ann, side / 100).rounded(.up)), ann, side)
    }

    /// Incremental spatial autocorrelation on the locations: bands from the distance at which every location
    /// (locational outliers among them aside) has a neighbour, in steps of the mean nearest-neighbour distance;
    /// the first significant peak, else the mean distance to the k nearest (k = 5 % of the locations, 3 to 30).
    public static func findScale(x: [Double], y: [Double], values: [Double], bands: Int) -> Scale {
        let fnn = PointSpacing.nearestDistinct(x: x, y: y)
        let fout = PointSpacing.outliers(nearest: fnn)
        let kept = fnn.indices.filter { !fout[$0] && fnn[$0].isFinite }.map { fnn[$0] }
        let start = kept.max() ?? 1, increment = max(kept.reduce(0, +) / Double(max(1, kept.count)), 1e-6)
        let distances = (0..<bands).map { start + Double($0) * increment }
        let isa = incrementalAutocorrelation(x: x, y: y, values: values, distances: distances)
        var s = Scale(distances: distances, isa: isa, start: start, increment: increment, outliers: fout.filter { $0 }.count,
                      chosen: 0, chosenBy: "", fallbackK: nil)
        if let f = isa.firstPeak {
            s.chosen = distances[f]; s.chosenBy = "first peak"
        } else {
            let k = min(30, max(3, Int((0.05 * Double(x.count)).rounded())))
            s.chosen = PointSpacing.meanKthNearest(x: x, y: y, k: k); s.fallbackK = k
            s.chosenBy = "no significant peak: mean distance to the \(k) nearest"
        }
        return s
    }

    static func scaleChoices(_ s: Scale) -> [Choice] {
        let b = s.isa.bands
        func band(_ i: Int?) -> String { i.map { "\(Fmt.fixed(b[$0].distance, 1)) m (z \(Fmt.fixed(b[$0].z, 2)), p \(Fmt.fixed(b[$0].p, 4)))" } ?? "none" }
        return [
            Choice(key: "band_start", value: "\(Fmt.fixed(s.start, 1)) m", reason: "the smallest distance at which every location has at least one neighbour (\(s.outliers) locational outlier location(s) left out)"),
            Choice(key: "band_increment", value: "\(Fmt.fixed(s.increment, 1)) m", reason: "the mean distance from a location to its nearest neighbour"),
            Choice(key: "bands", value: "\(b.count): \(Fmt.fixed(s.distances.first ?? 0, 1))–\(Fmt.fixed(s.distances.last ?? 0, 1)) m", reason: "Global Moran's I (row-standardised binary distance-band weights, z under randomisation) at each band"),
            Choice(key: "first_peak", value: band(s.isa.firstPeak), reason: "the first band whose z exceeds the bands on either side, with p < 0.05"),
            Choice(key: "max_peak", value: band(s.isa.maxPeak), reason: "the peak with the largest z"),
            Choice(key: "distance_band", value: "\(Fmt.fixed(s.chosen, 1)) m", reason: s.chosenBy == "first peak"
                ? "the first significant peak: the scale at which clustering is most pronounced first"
                : "no band's z is a significant peak, so the mean distance at which a location has \(s.fallbackK ?? 0) neighbours (k = 5 % of the locations, between 3 and 30)"),
        ]
    }
}

extension OptimizedJob {
    /// The locations the incidents are counted in: the areas of the layer `on`, else hexagons or a fishnet whose cell
    /// is given or taken from the data; with a boundary and `clip` every cell inside it, else the cells holding at
    /// least one incident (ArcGIS, without bounding polygons).
    static func aggregate(_ r: Request, _ job: JobInputs, nearest nn: [Double], outliers out: [Bool], choices: inout [Choice]) throws -> Locations {
        let t = job.incidents.table
        if let ln = r.on {
            guard let l = job.layers.first(where: { $0.name == ln }) else { throw InputError.unusable("--on \(ln): no layer of that name among --areas") }
            let (x, y) = try Contiguity.centroids(l.areas)
            choices.append(Choice(key: "aggregation", value: "\(l.areas.count) areas of '\(ln)'", reason: "counted in the given polygons; distances between their centroids"))
            return Locations(ids: l.areas.map(\.id), names: l.areas.map(\.name), geoms: l.areas.map(\.geometry),
                             counts: AreaCounts.compute(t, layer: l).rows.map(\.weighted), x: x, y: y, onLayer: true)
        }
        var cell = r.cell ?? 0
        if let c = r.cell {
            choices.append(Choice(key: "cell_size", value: "\(Fmt.number(c)) m", reason: "given with --cell"))
        } else {
            let d = cellFromData(x: t.x, y: t.y, nearest: nn, outliers: out)
            cell = d.cell
            choices.append(Choice(key: "cell_size", value: "\(Fmt.number(cell)) m",
                                  reason: "the larger of the mean nearest-neighbour distance of the incidents' places (\(Fmt.fixed(d.ann, 1)) m, outliers left out) and 1/100 of the longer side of their extent (\(Fmt.fixed(d.extentSide / 100, 1)) m), rounded up"))
        }
        let bounded = r.clip && job.boundary != nil
        let at = r.hex != nil ? try hexagons(r, job, cell: cell, bounded: bounded) : try fishnet(r, job, cell: cell, bounded: bounded)
        choices.append(Choice(key: "aggregation", value: "\(at.counts.count) \(r.hex != nil ? "hexagons" : "fishnet cells")",
                              reason: bounded ? "every cell touching the boundary (where incidents are possible), empty ones included"
                                              : "the cells holding at least one incident (no boundary with --clip: where incidents are possible is unknown)"))
        return at
    }

    static func fishnet(_ r: Request, _ job: JobInputs, cell: Double, bounded: Bool) throws -> Locations {
        let product = try GridProduct.compute(job.incidents.table, cellSize: cell, rule: r.cellRule, boundary: job.boundary, clip: false,
                                              cellLimit: r.maxCells, extent: r.extent)
        let g = product.choice.grid, counts = product.counts.weighted
        let mask = bounded ? try GridProduct.mask(job.boundary!, grid: g) : nil
        let cells = (0..<g.cellCount).filter { mask?[$0] ?? (counts[$0] > 0) }
        let ids = cells.map { g.cellID($0) }, centres = cells.map { g.centre(index: $0) }
        return Locations(ids: ids, names: ids, geoms: cells.map { g.cellPolygon($0) }, counts: cells.map { counts[$0] },
                         x: centres.map(\.x), y: centres.map(\.y),
                         extra: [("easting", centres.map { .double($0.x, decimals: 1) }), ("northing", centres.map { .double($0.y, decimals: 1) })],
                         grid: g)
    }

    static func hexagons(_ r: Request, _ job: JobInputs, cell: Double, bounded: Bool) throws -> Locations {
        let p = try HexProduct.compute(job.incidents.table, size: cell, rule: r.cellRule, orientation: r.hex ?? .flat, boundary: job.boundary,
                                       clip: bounded, cellLimit: r.maxCells, extent: r.extent)
        let hx = p.grid
        let kept = p.cells.filter { bounded || p.counts.weighted[$0] > 0 }
        let ids = kept.map { hx.cellID($0) }, centres = kept.map { hx.centre(index: $0) }
        return Locations(ids: ids, names: ids, geoms: kept.map { hx.cellPolygon($0) }, counts: kept.map { p.counts.weighted[$0] },
                         x: centres.map(\.x), y: centres.map(\.y),
                         extra: [("easting", centres.map { .double($0.x, decimals: 1) }), ("northing", centres.map { .double($0.y, decimals: 1) })])
    }

    /// isa.csv: one row per band.
    static func isaTable(_ s: Scale) -> Table {
        var t = Table(columns: ["band", "distance_m", "moran_i", "expected_i", "variance", "z", "p", "min_neighbours", "mean_neighbours", "peak"])
        t.rows = s.isa.bands.enumerated().map { b, m in
            let mark = [s.isa.firstPeak == b ? "first" : nil, s.isa.maxPeak == b ? "max" : nil, s.isa.peaks.contains(b) && s.isa.firstPeak != b && s.isa.maxPeak != b ? "peak" : nil]
                .compactMap { $0 }.joined(separator: ";")
            return [.int(b + 1), .double(m.distance, decimals: 3), .double(m.i, decimals: nil), .double(m.expected, decimals: nil), .double(m.variance, decimals: nil),
                    .double(m.z, decimals: nil), .double(m.p, decimals: nil), .int(m.minNeighbours), .double(m.meanNeighbours, decimals: 3), .string(mark)]
        }
        return t
    }

    /// report.txt: every choice with its value and reason, one per paragraph.
    static func report(_ c: Computed) -> String {
        var s = "Optimized hot spot analysis (after ArcGIS Pro's Optimized Hot Spot Analysis; see docs/reference/optimized.md)\n\n"
        for ch in c.choices { s += "\(ch.key): \(ch.value)\n  \(ch.reason)\n" }
        for w in c.warnings { s += "warning: \(w)\n" }
        return s
    }

    static func chart(_ s: Scale) -> ZDistanceChart {
        var ch = ZDistanceChart(title: "Spatial autocorrelation by distance (Global Moran's I, \(s.isa.n) locations)",
                                distances: s.distances, z: s.isa.bands.map(\.z), significant: s.isa.bands.map { $0.p < 0.05 })
        ch.firstPeak = s.isa.firstPeak; ch.maxPeak = s.isa.maxPeak
        ch.chosen = (s.chosen, "Gi* distance \(Fmt.number(s.chosen.rounded())) m")
        return ch
    }

    /// Writes optimized.geojson/.gpkg (the Gi* layer in the hot/cold colours), optimized.csv, isa.csv, isa.svg,
    /// report.txt, the map and metadata.json (every choice under `parameters`).
    static func write(_ c: Computed, _ req: Project, command: String, inputs job: JobInputs) throws -> Result {
        let r = req.products.optimized ?? Request(), at = c.locations, gi = c.gi
        let set = try OutputSet(directory: req.out, database: req.database)
        var t = Table(columns: ["id", "name"] + at.extra.map(\.0) + ["count", "gi_z", "gi_p", "gi_p_fdr", "gi_bin", "neighbours"])
        t.rows = at.ids.indices.map { k in
            [.string(at.ids[k]), .string(at.names[k])] + at.extra.map { $0.1[k] } +
            [Value.count(at.counts[k], weighted: job.incidents.table.isWeighted), .double(gi.z[k], decimals: nil), .double(gi.p[k], decimals: nil),
             .double(gi.pAdjusted[k], decimals: nil), .int(Int(gi.binFDR[k])), .int(Int(gi.neighbours[k]))]
        }
        let cls = MapStyle.codes(gi.binFDR.map(Int.init), table: MapStyle.giBins, field: "gi_bin", title: "Optimized hot spots (Gi*, FDR)")
        try set.writeLayer("optimized", geometries: at.geoms, properties: t, style: .classified(cls))
        let mapParameters = "Optimized hot spots · Gi* within \(Fmt.fixed(c.scale.chosen, 1)) m (\(c.scale.chosenBy)) · FDR · \(at.ids.count) locations"
        let mapProduct = "optimized hot and cold spots (Gi*)"
        if let mo = r.map {
            var ctx = MapJob.Context(incidents: job.incidents, boundary: job.boundary, layers: job.layers, parameters: mapParameters, product: mapProduct)
            ctx.notes = c.warnings.map { "Warning: \($0)" }
            if at.onLayer { ctx.labelOnly = Set(at.ids.indices.filter { gi.binFDR[$0] != 0 }.map { at.ids[$0] }) } else { ctx.blank = "no data" }
            try MapJob.draw(ctx, features: at.geoms, classification: cls, dissolve: !at.onLayer, options: mo, into: set)
        }
        try set.write("optimized.csv", t.csv())
        try set.write("isa.csv", isaTable(c.scale).csv())
        try set.write("isa.svg", chart(c.scale).svg())
        try set.write("report.txt", report(c))
        var params: [String: String] = ["job": "optimized", "map_parameters": mapParameters, "map_product": mapProduct, "bands_requested": "\(r.bands)",
                                        "weights": "Moran's I: binary distance band, row-standardised; Gi*: binary distance band, self included"]
        for ch in c.choices { params[ch.key] = ch.value; params[ch.key + "_reason"] = ch.reason }
        params["distance_band_m"] = Fmt.fixed(c.scale.chosen, 3)
        try set.finish(command: command, parameters: params, inputs: job, grid: at.grid, warnings: c.warnings)
        return Result(incidents: job.incidents, computed: c, warnings: c.warnings, written: set.written.map(\.path) + ["metadata.json"])
    }
}

extension BacktestJob.CellGrid {
    /// Optimized hot spots of each origin's training incidents on this grid: the distance band found by
    /// `OptimizedJob.findScale` on the counts of the study area's cells (in the mask; all without a boundary), then
    /// Gi* within it, the cells hot at 95 % after FDR (as the Gi* candidate).
    func optimized() -> [BacktestJob.Score] {
        let cells = (0..<grid.cellCount).filter { mask?[$0] ?? true }
        let centres = cells.map { grid.centre(index: $0) }
        return split.origins.indices.map { k in
            var counts = [Double](repeating: 0, count: grid.cellCount)
            for i in split.train[k] where cellOf[i] >= 0 { counts[cellOf[i]] += 1 }
            let v = cells.map { counts[$0] }
            guard cells.count > 3, v.contains(where: { $0 != v[0] }) else { return score([], k) }
            let s = OptimizedJob.findScale(x: centres.map(\.x), y: centres.map(\.y), values: v, bands: 10)
            let bins = giStar(grid: grid, values: counts, radius: s.chosen * (1 + 1e-9), mask: mask).bins(fdr: true)
            return score((0..<grid.cellCount).filter { bins[$0] >= 2 }, k)
        }
    }
}
