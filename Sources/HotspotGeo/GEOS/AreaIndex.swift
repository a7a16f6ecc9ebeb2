import CGEOS
import HotspotCore

/// Point-in-polygon attribution for a polygon layer (wards, LSOAs, a study boundary).
///
/// Three tiers: a `PolygonRaster` answers for points in cells wholly inside one polygon (most points, no GEOS call);
/// for points in edge cells, the candidate polygons (from a GEOS STRtree query of the cell, fixed at build time) are
/// tested exactly with GEOS prepared geometries.
///
/// **Boundary rule.** A point strictly inside a polygon goes to it. A point on a boundary (a shared edge, or the
/// layer's outer edge) goes to the first polygon in layer order that covers it; layers are sorted by id, so on a
/// shared ward edge the lower ONS code wins. Every point thus goes to exactly one area or to none.
public final class AreaIndex {
    public let areas: [Area]
    public let raster: PolygonRaster
    let context: GEOSContext
    let geometries: [GEOSGeometry]
    let prepared: [OpaquePointer]
    /// Candidate polygons for each edge cell (cell index → ascending polygon indices).
    let candidates: [Int32: [Int32]]
    /// A finer raster (and its candidates) for millions of points, built on first need: the points in edge cells
    /// cost a GEOS test each, and a finer raster has fewer of them.
    var fine: (raster: PolygonRaster, candidates: [Int32: [Int32]])?
    /// Points from which `assign` uses the finer raster, and its size.
    static let fineFrom = 2_000_000, fineCells = 1 << 22

    /// - Parameter areas: the layer in a projected CRS (metres), valid polygons (see `AreaLayer.validated`).
    public init(areas: [Area], targetCells: Int = 1 << 18) throws {
        self.areas = areas
        let ctx = try GEOSContext()
        context = ctx
        geometries = try areas.map { try GEOSGeometry(ctx, $0.geometry) }
        prepared = try geometries.map {
            guard let p = GEOSPrepare_r(ctx.handle, $0.raw) else { throw ctx.takeError("prepare failed") }
            return p
        }
        raster = PolygonRaster(areas: areas.map(\.geometry), targetCells: targetCells)
        candidates = try Self.candidates(raster, geometries, ctx)
    }

    /// For each edge cell of `raster`, the polygons whose envelope meets it (a GEOS STRtree query of the cell).
    static func candidates(_ raster: PolygonRaster, _ geometries: [GEOSGeometry], _ ctx: GEOSContext) throws -> [Int32: [Int32]] {
        guard let tree = GEOSSTRtree_create_r(ctx.handle, 10) else { throw ctx.takeError("STRtree failed") }
        defer { GEOSSTRtree_destroy_r(ctx.handle, tree) }
        for (i, g) in geometries.enumerated() {
            GEOSSTRtree_insert_r(ctx.handle, tree, g.raw, UnsafeMutableRawPointer(bitPattern: i + 1))
        }
        final class Hits { var items: [Int32] = [] }
        let hits = Hits()
        var cand: [Int32: [Int32]] = [:]
        let g = raster.grid
        for (cell, label) in raster.label.enumerated() where label == PolygonRaster.edge {
            let r = g.ring(index: cell)
            guard let rect = GEOSGeom_createRectangle_r(ctx.handle, r[0].0, r[0].1, r[2].0, r[2].1) else { continue }
            hits.items.removeAll(keepingCapacity: true)
            withExtendedLifetime(hits) {
                GEOSSTRtree_query_r(ctx.handle, tree, rect, { item, data in
                    let h = Unmanaged<Hits>.fromOpaque(data!).takeUnretainedValue()
                    h.items.append(Int32(Int(bitPattern: item) - 1))
                }, Unmanaged.passUnretained(hits).toOpaque())
            }
            GEOSGeom_destroy_r(ctx.handle, rect)
            cand[Int32(cell)] = hits.items.sorted()
        }
        return cand
    }

    deinit { for p in prepared { GEOSPreparedGeom_destroy_r(context.handle, p) } }

    /// Index (into `areas`) of the area holding each point, or −1 when the point lies in none.
    ///
    /// The raster answers for most points; the points in edge cells are split between workers, each
    /// with its own GEOS context and prepared polygons (a prepared geometry builds its index lazily and a context
    /// is not shared between threads). The answer does not depend on the split.
    public func assign(x: [Double], y: [Double], distinctFrom: Int = 1 << 20) -> [Int32] {
        let n = x.count
        // police.uk's incidents sit on a few hundred thousand anonymised map points: each distinct point is placed
        // once (the same answer: a point's area does not depend on which other points are placed with it).
        if n >= distinctFrom, let (ux, uy, index) = DistinctPairs.make(x: x, y: y, giveUpAbove: 0.5, checkAt: min(distinctFrom, 1 << 20)) {
            let placed = assignEach(x: ux, y: uy)
            return placed.withUnsafeBufferPointer { p in index.map { p[Int($0)] } }
        }
        return assignEach(x: x, y: y)
    }

    /// `assign` without looking for repeated points.
    func assignEach(x: [Double], y: [Double]) -> [Int32] {
        let n = x.count
        if n >= Self.fineFrom && fine == nil && raster.label.count < Self.fineCells {
            let f = PolygonRaster(areas: areas.map(\.geometry), targetCells: Self.fineCells)
            if let c = try? Self.candidates(f, geometries, context) { fine = (f, c) }
        }
        let useFine = n >= Self.fineFrom && fine != nil
        let r = useFine ? fine!.raster : raster
        let candidates = useFine ? fine!.candidates : self.candidates
        // The raster pass, in rounds of a chunk of at most 2^20 points per worker (so the workers' answers, copied
        // into the one array of n, never add up to more than a few MB).
        var out = [Int32](repeating: -1, count: n)
        var pending: [Int32] = []
        let chunk = 1 << 20
        var start = 0
        while start < n {
            let ranges = (0..<Parallel.workers).map { k in min(n, start + k * chunk)..<min(n, start + (k + 1) * chunk) }.filter { !$0.isEmpty }
            let parts = parallelMap(chunks: ranges.indices.map { $0..<($0 + 1) }) { k -> ([Int32], [Int32]) in
                let range = ranges[k.lowerBound]
                var o = [Int32](repeating: -1, count: range.count), p: [Int32] = []
                x.withUnsafeBufferPointer { xs in
                    y.withUnsafeBufferPointer { ys in
                        for i in range {
                            let label = r.lookup(x: xs[i], y: ys[i])
                            if label == PolygonRaster.edge { p.append(Int32(i)) } else { o[i - range.lowerBound] = label }
                        }
                    }
                }
                return (o, p)
            }
            for (range, (o, p)) in zip(ranges, parts) { out.replaceSubrange(range, with: o); pending += p }
            start = ranges.last!.upperBound
        }
        guard !pending.isEmpty else { return out }
        let pieces = Parallel.chunks(pending.count, minimum: 20_000)
        let grid = r.grid
        func exact(_ points: [Int32]) -> [Int32] {
            Self.exact(points, x: x, y: y, grid: grid, candidates: candidates, handle: context.handle, prepared: prepared)
        }
        if pieces.count <= 1 {
            for (k, v) in exact(pending).enumerated() { out[Int(pending[k])] = v }
            return out
        }
        let areas = self.areas, pend = pending
        let parts = parallelMap(chunks: pieces) { range -> [Int32] in
            // A context and prepared polygons of this worker's own.
            guard let ctx = try? GEOSContext(), let geoms = try? areas.map({ try GEOSGeometry(ctx, $0.geometry) }) else {
                return [Int32](repeating: Int32.min, count: range.count)
            }
            let prep = geoms.map { GEOSPrepare_r(ctx.handle, $0.raw) }
            defer { for p in prep { if let p { GEOSPreparedGeom_destroy_r(ctx.handle, p) } } }
            guard prep.allSatisfy({ $0 != nil }) else { return [Int32](repeating: Int32.min, count: range.count) }
            return withExtendedLifetime(geoms) {
                Self.exact(Array(pend[range]), x: x, y: y, grid: grid, candidates: candidates, handle: ctx.handle, prepared: prep.map { $0! })
            }
        }
        for (piece, computed) in zip(pieces, parts) {
            // A worker that could not set up GEOS (out of memory) leaves its points to this index's own context.
            let values = computed.first == Int32.min ? exact(Array(pending[piece])) : computed
            for (j, v) in values.enumerated() { out[Int(pending[piece.lowerBound + j])] = v }
        }
        return out
    }

    /// The polygon holding each point of an edge cell: strictly inside the first candidate, else on the boundary of
    /// the first candidate that covers it (the boundary rule above), else −1.
    static func exact(_ points: [Int32], x: [Double], y: [Double], grid: SquareGrid, candidates: [Int32: [Int32]],
                      handle h: GEOSContextHandle_t, prepared: [OpaquePointer]) -> [Int32] {
        points.map { p in
            let i = Int(p)
            guard let cell = grid.index(x: x[i], y: y[i]), let cands = candidates[Int32(cell)], !cands.isEmpty,
                  let pt = GEOSGeom_createPointFromXY_r(h, x[i], y[i]) else { return -1 }
            defer { GEOSGeom_destroy_r(h, pt) }
            for k in cands where GEOSPreparedContainsProperly_r(h, prepared[Int(k)], pt) == 1 { return k }
            for k in cands where GEOSPreparedCovers_r(h, prepared[Int(k)], pt) == 1 { return k }
            return -1
        }
    }

    /// Count of points per area (same order as `areas`) and the number in none.
    public func count(x: [Double], y: [Double], weights: [Double] = []) -> (counts: [Int], weighted: [Double], unassigned: Int) {
        let a = assign(x: x, y: y)
        var c = [Int](repeating: 0, count: areas.count), w = [Double](repeating: 0, count: areas.count), none = 0
        for (i, k) in a.enumerated() {
            if k < 0 { none += 1 } else { c[Int(k)] += 1; w[Int(k)] += weights.isEmpty ? 1 : weights[i] }
        }
        return (c, w, none)
    }
}

/// Validation of a polygon layer before indexing.
public enum AreaLayer {
    /// Checks each area with GEOS; invalid ones are repaired with MakeValid and reported in `warnings`.
    /// Areas are returned sorted by id (the boundary rule of `AreaIndex` depends on it).
    /// With `repair` false, an invalid polygon is an error naming the area and GEOS's reason instead.
    public static func validated(_ areas: [Area], repair: Bool = true) throws -> (areas: [Area], warnings: [String]) {
        let ctx = try GEOSContext()
        var out: [Area] = [], warnings: [String] = []
        for a in areas {
            let g = try GEOSGeometry(ctx, a.geometry)
            if g.isValid { out.append(a); continue }
            let reason = g.validityReason
            guard repair else { throw GeoError.invalidGeometry(area: a.id, reason: reason) }
            let fixed = try g.makeValid().multiPolygon()
            guard !fixed.polygons.isEmpty else { throw GeoError.invalidGeometry(area: a.id, reason: reason) }
            warnings.append("area \(a.id) (\(a.name)) had an invalid polygon (\(reason)); repaired with GEOS MakeValid")
            out.append(Area(id: a.id, name: a.name, geometry: fixed))
        }
        out.sort { $0.id < $1.id }
        return (out, warnings)
    }
}
