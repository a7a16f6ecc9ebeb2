import Foundation
import HotspotCore

/// When `Projection.transform` may interpolate instead of sending every point through PROJ (issue 26, part 2).
public struct Interpolation: Sendable, Equatable {
    /// Interpolate only when at least this many (distinct) points are to be projected: below it the lattice does not
    /// pay for itself, and PROJ gives its exact result.
    public var minimumPoints: Int
    /// A tile is used only when its measured error bound is at most this (metres); its points go through PROJ
    /// otherwise.
    public var limitMetres: Double
    /// Also project every point through PROJ and report the largest difference (`HOTSPOT_PROJECTION=check`).
    public var check: Bool

    public init(minimumPoints: Int, limitMetres: Double, check: Bool = false) {
        self.minimumPoints = minimumPoints; self.limitMetres = limitMetres; self.check = check
    }

    /// What the reading pipeline uses for incidents: from 100,000 distinct points, tiles bounded by 0.1 mm.
    public static let incidents = Interpolation(minimumPoints: 100_000, limitMetres: 1e-4)

    /// `HOTSPOT_PROJECTION`: `exact` (every point through PROJ: nil), `interpolated` (the default) or `check`.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> Interpolation? {
        switch env["HOTSPOT_PROJECTION"] {
        case "exact": return nil
        case "check": var i = incidents; i.check = true; return i
        default: return incidents
        }
    }

    /// The values `HOTSPOT_PROJECTION` may take.
    public static let environmentValues = ["interpolated", "exact", "check"]

    /// How an incident store entry was projected under `i` (part of its key: an entry projected exactly is never
    /// used where interpolation is asked for, nor the reverse).
    public static func storeTag(_ i: Interpolation?) -> String {
        guard let i else { return "exact" }
        return "interpolated from \(i.minimumPoints) points, tiles within \(i.limitMetres) m"
    }
}

/// What projection by interpolation did (in `ProjectionInfo`, hence in every output's metadata; absent when every
/// point went through PROJ).
public struct InterpolationInfo: Sendable, Codable, Equatable {
    /// Points whose coordinates were interpolated; `exact`: points sent through PROJ instead (in tiles whose bound is
    /// above the limit, or not finite), and the lattice's own points (control and test points).
    public var interpolated: Int, exact: Int, latticePoints: Int
    /// Tiles of the lattice, and how many met the limit.
    public var tiles: Int, usableTiles: Int
    /// The largest error bound of a tile used (metres, distance), and the limit a tile must meet.
    public var boundMetres: Double, limitMetres: Double
}

/// Projection by interpolation: PROJ on a lattice of control points over the points' bounding box, then bicubic
/// (4 × 4-point Lagrange) interpolation inside each tile. Each tile's error bound is measured, not assumed: PROJ
/// projects the tile's centre and the midpoints of its four sides, and the bound is 4 × the largest distance there
/// between interpolation and PROJ, plus 1 µm (the error of cubic interpolation of a smooth map peaks at these
/// half-way points, and varies slowly across a tile). Tiles whose bound exceeds the limit, and points that are not
/// finite, go through PROJ. Operations that use a transformation grid (e.g. OSTN15, piecewise bilinear on its
/// 1/60° × 1/120° cells, whose kinks a smooth interpolant cannot follow) are not interpolated: `make` returns nil.
struct ProjectionLattice: Sendable {
    let x0: Double, y0: Double, hx: Double, hy: Double
    /// Tiles across and down.
    let nx: Int, ny: Int
    /// Projected nodes, interleaved x, y; (nx + 3) × (ny + 3), row-major; node (i, j) lies at
    /// (x0 + (i − 1)·hx, y0 + (j − 1)·hy) (one node of margin each side for the 4 × 4 stencils).
    let nodes: [Double]
    /// Per tile: usable (its bound is within the limit), and its bound (metres; infinite when a node or test point
    /// could not be projected).
    let usable: [Bool]
    let bounds: [Double]
    let bound: Double
    let latticePoints: Int

    /// The lattice for points `x`, `y` (the projection's source CRS), or nil when the operation uses a grid or
    /// the points have no finite bounding box.
    static func make(_ p: Projection, x: [Double], y: [Double], limit: Double) -> ProjectionLattice? {
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for i in 0..<x.count where x[i].isFinite && y[i].isFinite {
            minX = min(minX, x[i]); maxX = max(maxX, x[i]); minY = min(minY, y[i]); maxY = max(maxY, y[i])
        }
        guard minX <= maxX, minY <= maxY else { return nil }
        // PROJ picks an operation per point by area of use: the one at the box's corners and centre must use no grid.
        for (cx, cy) in [(minX, minY), (maxX, minY), (minX, maxY), (maxX, maxY), ((minX + maxX) / 2, (minY + maxY) / 2)] {
            var a = [cx], b = [cy]
            _ = a.withUnsafeMutableBufferPointer { xb in b.withUnsafeMutableBufferPointer { yb in p.transformInPlace(x: xb, y: yb) } }
            let def = p.operationInfo.definition
            if def.contains("grids=") || def.contains("gridshift") || def.contains("deformation") { return nil }
        }
        // About one tile per 16 points, at most 128 × 128, shaped like the box.
        let cap = max(16, min(16_384, x.count / 16))
        let w = maxX - minX, h = maxY - minY
        let aspect = w > 0 && h > 0 ? w / h : (w > 0 ? Double(cap) : 1 / Double(cap))
        let nx = max(1, min(cap, Int((Double(cap) * aspect).squareRoot())))
        let ny = max(1, min(cap, cap / nx))
        let tiny = 1e-9 * max(1, abs(minX), abs(minY))
        let hx = max(w, tiny) / Double(nx), hy = max(h, tiny) / Double(ny)
        let sx = nx + 3, sy = ny + 3
        // Control nodes, then per tile its centre, then the midpoints of horizontal sides ((nx) × (ny + 1)), then of
        // vertical sides ((nx + 1) × ny): one PROJ batch.
        var lx: [Double] = [], ly: [Double] = []
        let total = sx * sy + nx * ny + nx * (ny + 1) + (nx + 1) * ny
        lx.reserveCapacity(total); ly.reserveCapacity(total)
        for j in 0..<sy { for i in 0..<sx { lx.append(minX + Double(i - 1) * hx); ly.append(minY + Double(j - 1) * hy) } }
        for j in 0..<ny { for i in 0..<nx { lx.append(minX + (Double(i) + 0.5) * hx); ly.append(minY + (Double(j) + 0.5) * hy) } }
        for j in 0...ny { for i in 0..<nx { lx.append(minX + (Double(i) + 0.5) * hx); ly.append(minY + Double(j) * hy) } }
        for j in 0..<ny { for i in 0...nx { lx.append(minX + Double(i) * hx); ly.append(minY + (Double(j) + 0.5) * hy) } }
        p.projectInRounds(x: &lx, y: &ly)
        var nodes = [Double](repeating: .nan, count: 2 * sx * sy)
        for k in 0..<(sx * sy) { nodes[2 * k] = lx[k]; nodes[2 * k + 1] = ly[k] }
        var lattice = ProjectionLattice(x0: minX, y0: minY, hx: hx, hy: hy, nx: nx, ny: ny, nodes: nodes,
                                        usable: [], bounds: [], bound: 0, latticePoints: total)
        let centre = sx * sy, hSides = centre + nx * ny, vSides = hSides + nx * (ny + 1)
        var usable = [Bool](repeating: false, count: nx * ny)
        var bounds = [Double](repeating: .infinity, count: nx * ny)
        var worst = 0.0
        for j in 0..<ny {
            for i in 0..<nx {
                // The tile's 16 stencil nodes must all be projected.
                var ok = true
                for b in 0..<4 { for a in 0..<4 where !nodes[2 * ((j + b) * sx + i + a)].isFinite { ok = false } }
                guard ok else { continue }
                var m = 0.0
                for (k, u, v) in [(centre + j * nx + i, 0.5, 0.5), (hSides + j * nx + i, 0.5, 0.0), (hSides + (j + 1) * nx + i, 0.5, 1.0),
                                  (vSides + j * (nx + 1) + i, 0.0, 0.5), (vSides + j * (nx + 1) + i + 1, 1.0, 0.5)] {
                    let (ax, ay) = lattice.interpolate(tileX: i, tileY: j, u: u, v: v)
                    let d = ((ax - lx[k]) * (ax - lx[k]) + (ay - ly[k]) * (ay - ly[k])).squareRoot()
                    if !d.isFinite { ok = false }
                    m = max(m, d)
                }
                let b = 4 * m + 1e-6
                if ok { bounds[j * nx + i] = b }
                if ok && b <= limit { usable[j * nx + i] = true; worst = max(worst, b) }
            }
        }
        lattice = ProjectionLattice(x0: minX, y0: minY, hx: hx, hy: hy, nx: nx, ny: ny, nodes: nodes,
                                    usable: usable, bounds: bounds, bound: worst, latticePoints: total)
        return lattice
    }

    /// Cubic Lagrange weights for nodes at −1, 0, 1, 2 at t ∈ [0, 1] (exactly 0, 1, 0, 0 at t = 0).
    @inline(__always) static func weights(_ t: Double) -> (Double, Double, Double, Double) {
        let a = t + 1, b = t - 1, c = t - 2
        return (-t * b * c / 6, a * b * c / 2, -a * t * c / 2, a * t * b / 6)
    }

    @inline(__always) func interpolate(tileX i: Int, tileY j: Int, u: Double, v: Double) -> (Double, Double) {
        nodes.withUnsafeBufferPointer { interpolate($0, tileX: i, tileY: j, u: u, v: v) }
    }

    @inline(__always) func interpolate(_ n: UnsafeBufferPointer<Double>, tileX i: Int, tileY j: Int, u: Double, v: Double) -> (Double, Double) {
        let (a0, a1, a2, a3) = Self.weights(u), (b0, b1, b2, b3) = Self.weights(v)
        let s = nx + 3
        @inline(__always) func row(_ r: Int) -> (Double, Double) {
            let k = 2 * ((j + r) * s + i)
            return (a0 * n[k] + a1 * n[k + 2] + a2 * n[k + 4] + a3 * n[k + 6],
                    a0 * n[k + 1] + a1 * n[k + 3] + a2 * n[k + 5] + a3 * n[k + 7])
        }
        let (x0, y0) = row(0), (x1, y1) = row(1), (x2, y2) = row(2), (x3, y3) = row(3)
        let rx = b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3
        let ry = b0 * y0 + b1 * y1 + b2 * y2 + b3 * y3
        return (rx, ry)
    }

    /// Interpolates `x[range]`, `y[range]`; returns the projected coordinates and the indices (of the slice) of points
    /// left for PROJ (their entries hold the source coordinates).
    func apply(x: ArraySlice<Double>, y: ArraySlice<Double>) -> (x: [Double], y: [Double], exact: [Int]) {
        var ox = [Double](), oy = [Double](), exact = [Int]()
        ox.reserveCapacity(x.count); oy.reserveCapacity(y.count)
        let fnx = Double(nx), fny = Double(ny)
        nodes.withUnsafeBufferPointer { n in
            usable.withUnsafeBufferPointer { ok in
                for k in x.indices {
                    let px = x[k], py = y[k]
                    let fu = (px - x0) / hx, fv = (py - y0) / hy
                    // Not finite, or outside the box (cannot happen for the points the box was made from).
                    guard fu >= 0, fv >= 0, fu <= fnx, fv <= fny else { exact.append(k); ox.append(px); oy.append(py); continue }
                    let i = min(nx - 1, Int(fu)), j = min(ny - 1, Int(fv))
                    guard ok[j * nx + i] else { exact.append(k); ox.append(px); oy.append(py); continue }
                    let (rx, ry) = interpolate(n, tileX: i, tileY: j, u: fu - Double(i), v: fv - Double(j))
                    ox.append(rx); oy.append(ry)
                }
            }
        }
        return (ox, oy, exact)
    }
}

extension Projection {
    /// Projects x/y in place by interpolation where `policy` allows (see `ProjectionLattice`), the rest through PROJ;
    /// nil when it did not interpolate (too few points, a grid-based operation, no usable tile), and x/y are untouched.
    func projectByInterpolation(x: inout [Double], y: inout [Double], policy: Interpolation) -> InterpolationInfo? {
        let n = x.count
        guard n >= policy.minimumPoints, n > 0,
              let lattice = ProjectionLattice.make(self, x: x, y: y, limit: policy.limitMetres),
              lattice.usable.contains(true) else { return nil }
        let first = (x[0], y[0])
        // Rounds of one chunk (≤ 1 million points) per worker, as `projectInRounds`: only a round's points are copied.
        let chunk = min(1_000_000, max(100_000, (n + Parallel.workers - 1) / Parallel.workers))
        var exact: [Int] = []
        var start = 0
        while start < n {
            let ranges = (0..<Parallel.workers).map { k in min(n, start + k * chunk)..<min(n, start + (k + 1) * chunk) }.filter { !$0.isEmpty }
            let inputs = ranges.map { (Array(x[$0]), Array(y[$0])) }
            let parts = parallelMap(chunks: inputs.indices.map { $0..<($0 + 1) }) { r in
                lattice.apply(x: inputs[r.lowerBound].0[...], y: inputs[r.lowerBound].1[...])
            }
            for (range, part) in zip(ranges, parts) {
                x.replaceSubrange(range, with: part.x); y.replaceSubrange(range, with: part.y)
                exact += part.exact.map { $0 + range.lowerBound }
            }
            start = ranges.last!.upperBound
            PhaseProgress.send(.advance(Double(start)))
        }
        if !exact.isEmpty {
            var ex = exact.map { x[$0] }, ey = exact.map { y[$0] }
            projectInRounds(x: &ex, y: &ey)
            for (k, i) in exact.enumerated() { x[i] = ex[k]; y[i] = ey[k] }
        }
        // Record the operation for the first point in this `PJ`, as `projectInRounds` does.
        var fx = [first.0], fy = [first.1]
        _ = fx.withUnsafeMutableBufferPointer { xb in fy.withUnsafeMutableBufferPointer { yb in transformInPlace(x: xb, y: yb) } }
        return InterpolationInfo(interpolated: n - exact.count, exact: exact.count, latticePoints: lattice.latticePoints,
                                 tiles: lattice.usable.count, usableTiles: lattice.usable.lazy.filter { $0 }.count,
                                 boundMetres: lattice.bound, limitMetres: policy.limitMetres)
    }
}
