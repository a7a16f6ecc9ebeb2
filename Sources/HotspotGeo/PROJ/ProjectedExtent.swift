import HotspotCore

/// The extent of points after projection, projecting only the points that can bound it (`hotspot inspect`).
///
/// The source bounding box is cut into 16 × 16 tiles; a lattice of 5 × 5 points per tile goes through PROJ, and
/// each tile gets the bilinear interpolation of its projected corners with an error bound δ (four times the largest
/// difference between interpolation and PROJ at the tile's lattice points, plus 1 cm; the maps are smooth over a
/// tile, so the interpolation error varies slowly). A point can attain the projected maximum of x only if its
/// interpolated x + δ reaches the largest interpolated x − δ of all points; only such candidates are projected
/// exactly. The extent is therefore that of projecting every point. Likewise for counting the points outside a
/// rectangle: only points within δ of its sides are projected.
public struct ProjectedExtent {
    public let extent: Extent?
    /// Points sent through PROJ (lattice excluded) and, of those, the ones PROJ could not transform (left out).
    public let projected: Int, failed: Int
    /// The tiles' interpolation, kept for `countOutside` on the same points (built once).
    let tiles: Tiles

    static let tileCount = 16, sub = 4

    struct Tiles {
        var x0 = 0.0, y0 = 0.0, dx = 1.0, dy = 1.0
        /// Projected lattice, (tiles·sub + 1)² points, row-major.
        var px: [Double] = [], py: [Double] = []
        /// Per tile: δ for x and y.
        var ex: [Double] = [], ey: [Double] = []
        var usable = false

        init(_ p: Projection, x: [Double], y: [Double]) throws {
            guard let e = Extent(x: x, y: y), e.minX.isFinite, e.maxX.isFinite, e.minY.isFinite, e.maxY.isFinite else { return }
            let T = ProjectedExtent.tileCount, S = ProjectedExtent.sub, L = T * S + 1
            x0 = e.minX; y0 = e.minY
            dx = max(e.width, 1e-9) / Double(T); dy = max(e.height, 1e-9) / Double(T)
            var lx = [Double](), ly = [Double]()
            lx.reserveCapacity(L * L); ly.reserveCapacity(L * L)
            for r in 0..<L { for c in 0..<L { lx.append(x0 + Double(c) * dx / Double(S)); ly.append(y0 + Double(r) * dy / Double(S)) } }
            _ = try p.transform(x: &lx, y: &ly)
            guard lx.allSatisfy(\.isFinite), ly.allSatisfy(\.isFinite) else { return }
            px = lx; py = ly
            ex = [Double](repeating: 0, count: T * T); ey = ex
            for tr in 0..<T {
                for tc in 0..<T {
                    var mx = 0.0, my = 0.0
                    for i in 0...S {
                        for j in 0...S {
                            let (ax, ay) = interpolate(tile: tr * T + tc, u: Double(j) / Double(S), v: Double(i) / Double(S))
                            let k = (tr * S + i) * L + tc * S + j
                            mx = max(mx, abs(ax - px[k])); my = max(my, abs(ay - py[k]))
                        }
                    }
                    ex[tr * T + tc] = 4 * mx + 0.01; ey[tr * T + tc] = 4 * my + 0.01
                }
            }
            usable = true
        }

        /// Bilinear interpolation of tile `t`'s projected corners at (u, v) ∈ [0, 1]².
        @inline(__always) func interpolate(tile t: Int, u: Double, v: Double) -> (Double, Double) {
            let T = ProjectedExtent.tileCount, S = ProjectedExtent.sub, L = T * S + 1
            let tr = t / T, tc = t % T
            let k00 = tr * S * L + tc * S, k01 = k00 + S, k10 = k00 + S * L, k11 = k10 + S
            let x = (px[k00] * (1 - u) + px[k01] * u) * (1 - v) + (px[k10] * (1 - u) + px[k11] * u) * v
            let y = (py[k00] * (1 - u) + py[k01] * u) * (1 - v) + (py[k10] * (1 - u) + py[k11] * u) * v
            return (x, y)
        }

        /// Interpolated position of a source point and its tile's δ.
        @inline(__always) func approximate(_ x: Double, _ y: Double) -> (x: Double, y: Double, ex: Double, ey: Double) {
            let T = ProjectedExtent.tileCount
            let fu = (x - x0) / dx, fv = (y - y0) / dy
            let tc = min(T - 1, max(0, Int(fu))), tr = min(T - 1, max(0, Int(fv)))
            let t = tr * T + tc
            let (ax, ay) = interpolate(tile: t, u: fu - Double(tc), v: fv - Double(tr))
            return (ax, ay, ex[t], ey[t])
        }
    }

    /// The projected extent of the points (x, y in the projection's source CRS).
    public init(_ p: Projection, x: [Double], y: [Double]) throws {
        let n = x.count
        tiles = try Tiles(p, x: x, y: y)
        var pick: [Int] = []
        if tiles.usable && n > 256 {
            // The bounds the extremes must reach, then the points that can reach them.
            var loX = -Double.infinity, hiX = Double.infinity, loY = -Double.infinity, hiY = Double.infinity
            for i in 0..<n {
                let a = tiles.approximate(x[i], y[i])
                loX = max(loX, a.x - a.ex); hiX = min(hiX, a.x + a.ex)
                loY = max(loY, a.y - a.ey); hiY = min(hiY, a.y + a.ey)
            }
            for i in 0..<n {
                let a = tiles.approximate(x[i], y[i])
                if a.x + a.ex >= loX || a.x - a.ex <= hiX || a.y + a.ey >= loY || a.y - a.ey <= hiY { pick.append(i) }
            }
        } else {
            pick = Array(0..<n)
        }
        var cx = pick.map { x[$0] }, cy = pick.map { y[$0] }
        _ = try p.transform(x: &cx, y: &cy)
        var fx: [Double] = [], fy: [Double] = []
        for k in cx.indices where cx[k].isFinite && cy[k].isFinite { fx.append(cx[k]); fy.append(cy[k]) }
        extent = Extent(x: fx, y: fy)
        projected = pick.count
        failed = pick.count - fx.count
    }

    /// How many of the same points lie outside `box` after projection (points PROJ cannot transform count as
    /// outside), with the tiles built for the extent.
    public func countOutside(_ p: Projection, x: [Double], y: [Double], box: Extent) throws -> (outside: Int, projected: Int) {
        var outside = 0
        var pick: [Int] = []
        for i in 0..<x.count {
            guard tiles.usable else { pick.append(i); continue }
            let a = tiles.approximate(x[i], y[i])
            let surelyIn = a.x - a.ex >= box.minX && a.x + a.ex <= box.maxX && a.y - a.ey >= box.minY && a.y + a.ey <= box.maxY
            let surelyOut = a.x + a.ex < box.minX || a.x - a.ex > box.maxX || a.y + a.ey < box.minY || a.y - a.ey > box.maxY
            if surelyOut { outside += 1 } else if !surelyIn { pick.append(i) }
        }
        var cx = pick.map { x[$0] }, cy = pick.map { y[$0] }
        _ = try p.transform(x: &cx, y: &cy)
        for k in cx.indices where !(cx[k].isFinite && cy[k].isFinite && box.contains(x: cx[k], y: cy[k])) { outside += 1 }
        return (outside, pick.count)
    }
}
