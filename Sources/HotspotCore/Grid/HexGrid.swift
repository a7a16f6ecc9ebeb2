import RealModule

/// Orientation of a hexagonal grid.
public enum HexOrientation: String, Sendable, Codable, CaseIterable {
    /// Flat edges at top and bottom; columns of hexagons, odd columns shifted up by half a cell.
    case flat
    /// Points at top and bottom; rows of hexagons, odd rows shifted right by half a cell.
    case pointy
}

/// A hexagonal grid anchored on the CRS origin (a hexagon is centred on (0, 0)), sized by the distance across flats
/// `d` (metres); the circumradius is R = d/√3 and each hexagon's area is (√3/2)·d². Cells are addressed by offset
/// coordinates (col, row) — "odd-q" for flat-top, "odd-r" for pointy-top — with ids `h{col}_{row}`; a point goes to
/// the hexagon whose centre is nearest (cube rounding; a point exactly on an edge goes to one of the two by the
/// rounding rule, deterministically).
public struct HexGrid: Sendable, Equatable, Codable {
    public let orientation: HexOrientation
    /// Distance across flats, metres.
    public let size: Double
    /// Offset coordinates of the first column/row, and the counts.
    public let col0: Int, row0: Int, ncols: Int, nrows: Int

    public var radius: Double { size / 3.0.squareRoot() }
    public var cellArea: Double { 3.0.squareRoot() / 2 * size * size }
    public var cellCount: Int { ncols * nrows }

    public init(orientation: HexOrientation, size: Double, col0: Int, row0: Int, ncols: Int, nrows: Int) {
        self.orientation = orientation; self.size = size; self.col0 = col0; self.row0 = row0; self.ncols = ncols; self.nrows = nrows
    }

    /// The hexagons whose centres lie within one cell of `extent`, so that every point in it has its cell.
    public init(covering e: Extent, size: Double, orientation: HexOrientation, cellLimit: Int = Limits.defaultMaxCells) throws {
        guard size > 0, size.isFinite else { throw GridError.invalidCellSize(size) }
        guard [e.minX, e.minY, e.maxX, e.maxY].allSatisfy({ $0.isFinite && abs($0) < 1e9 }) else { throw GridError.extentOutOfRange }
        let R = size / 3.0.squareRoot()
        let (dx, dy) = orientation == .pointy ? (size, 1.5 * R) : (1.5 * R, size)
        let c0 = Int((e.minX / dx).rounded(.down)) - 1, c1 = Int((e.maxX / dx).rounded(.up)) + 1
        let r0 = Int((e.minY / dy).rounded(.down)) - 1, r1 = Int((e.maxY / dy).rounded(.up)) + 1
        let nd = Double(c1 - c0 + 1) * Double(r1 - r0 + 1)
        guard nd <= Double(cellLimit) else {
            let n = nd < 9e18 ? Int(nd) : Int.max
            throw GridError.tooManyCells(cells: n, limit: cellLimit, cellSize: size,
                                         suggested: SquareGrid.smallestCellSize(for: e, cellLimit: cellLimit))
        }
        self.init(orientation: orientation, size: size, col0: c0, row0: r0, ncols: c1 - c0 + 1, nrows: r1 - r0 + 1)
    }

    /// Centre of the hexagon at offset (col, row).
    public func centre(col: Int, row: Int) -> XY {
        let R = radius
        switch orientation {
        case .pointy:
            return XY(size * (Double(col) + (row & 1 == 0 ? 0 : 0.5)), 1.5 * R * Double(row))
        case .flat:
            return XY(1.5 * R * Double(col), size * (Double(row) + (col & 1 == 0 ? 0 : 0.5)))
        }
    }

    public func centre(index k: Int) -> XY { centre(col: col0 + k % ncols, row: row0 + k / ncols) }

    /// Offset coordinates of the hexagon holding (x, y).
    public func offset(x: Double, y: Double) -> (col: Int, row: Int) {
        let R = radius
        var q: Double, r: Double
        if orientation == .pointy {
            q = (3.0.squareRoot() / 3 * x - y / 3) / R; r = (2.0 / 3 * y) / R
        } else {
            q = (2.0 / 3 * x) / R; r = (-x / 3 + 3.0.squareRoot() / 3 * y) / R
        }
        // Cube rounding.
        let s = -q - r
        var rq = q.rounded(), rr = r.rounded()
        let rs = s.rounded()
        let dq = abs(rq - q), dr = abs(rr - r), ds = abs(rs - s)
        if dq > dr && dq > ds { rq = -rr - rs } else if dr > ds { rr = -rq - rs }
        let aq = Int(rq), ar = Int(rr)
        if orientation == .pointy { return (aq + (ar - (ar & 1)) / 2, ar) }
        return (aq, ar + (aq - (aq & 1)) / 2)
    }

    /// Row-major index of the hexagon holding (x, y), or nil outside the grid.
    public func index(x: Double, y: Double) -> Int? {
        guard x.isFinite, y.isFinite else { return nil }
        let (c, r) = offset(x: x, y: y)
        let cc = c - col0, rr = r - row0
        guard cc >= 0, cc < ncols, rr >= 0, rr < nrows else { return nil }
        return rr * ncols + cc
    }

    /// The hexagon's corners, counter-clockwise, closed.
    public func ring(index k: Int) -> [XY] {
        let c = centre(index: k), R = radius
        let start = orientation == .flat ? 0.0 : 30.0
        var pts = (0..<6).map { i -> XY in
            let a = (start + 60 * Double(i)) * Double.pi / 180
            return XY(c.x + R * Double.cos(a), c.y + R * Double.sin(a))
        }
        pts.append(pts[0])
        return pts
    }

    public func cellID(_ k: Int) -> String { "h\(col0 + k % ncols)_\(row0 + k / ncols)" }

    /// Hexagon `k` as a polygon value.
    public func cellPolygon(_ k: Int) -> MultiPolygon { MultiPolygon([Polygon(exterior: ring(index: k))]) }
}

/// Counts per hexagon.
public func binPoints(x: [Double], y: [Double], weights: [Double] = [], hex: HexGrid) -> GridCounts {
    var counts = [Int32](repeating: 0, count: hex.cellCount), w = [Double](repeating: 0, count: hex.cellCount)
    var outside = 0
    for i in 0..<x.count {
        guard let k = hex.index(x: x[i], y: y[i]) else { outside += 1; continue }
        counts[k] += 1; w[k] += weights.isEmpty ? 1 : weights[i]
    }
    // A square-grid value is not meaningful here; `grid` carries the hex extent's size only for bookkeeping.
    return GridCounts(grid: SquareGrid(x0: 0, y0: 0, cellSize: hex.size, ncols: hex.ncols, nrows: hex.nrows),
                      counts: counts, weighted: w, outside: outside)
}

/// Kernel density at arbitrary points (e.g. hexagon centres), exact: Σ_{d_i<h} w_i K_h(d_i), in `unit`. Incidents are
/// bucketed on a square grid of side h, so each point looks at the 3×3 buckets around it.
public func kernelDensity(x: [Double], y: [Double], weights: [Double] = [], at points: [XY], bandwidth h: Double,
                          kernel: Kernel = .quartic, unit: DensityUnit = .perKm2) -> [Double] {
    guard let e = Extent(x: x, y: y), !points.isEmpty else { return [Double](repeating: 0, count: points.count) }
    let buckets = SquareGrid(x0: e.minX, y0: e.minY, cellSize: h,
                             ncols: Int((e.width / h).rounded(.down)) + 1, nrows: Int((e.height / h).rounded(.down)) + 1)
    var start = [Int](repeating: 0, count: buckets.cellCount + 1)
    let cell = (0..<x.count).map { buckets.index(x: x[$0], y: y[$0])! }
    for k in cell { start[k + 1] += 1 }
    for k in 0..<buckets.cellCount { start[k + 1] += start[k] }
    var order = [Int](repeating: 0, count: x.count), fill = start
    for (i, k) in cell.enumerated() { order[fill[k]] = i; fill[k] += 1 }
    let h2 = h * h, scale = kernel.constant / (Double.pi * h2) * unit.scale
    let sortedOrder = order, starts = start
    let parts = parallelMap(chunks: Parallel.chunks(points.count, minimum: 1024)) { range -> [Double] in
        range.map { pi in
            let p = points[pi]
            let bc = buckets.column(p.x), br = buckets.row(p.y)
            var acc = 0.0
            for r in (br - 1)...(br + 1) where r >= 0 && r < buckets.nrows {
                for c in (bc - 1)...(bc + 1) where c >= 0 && c < buckets.ncols {
                    let k = r * buckets.ncols + c
                    for j in starts[k]..<starts[k + 1] {
                        let i = sortedOrder[j]
                        let dx = x[i] - p.x, dy = y[i] - p.y, d2 = dx * dx + dy * dy
                        if d2 < h2 { acc += (weights.isEmpty ? 1 : weights[i]) * kernel.profile(u2: d2 / h2) }
                    }
                }
            }
            return acc * scale
        }
    }
    return parts.flatMap { $0 }
}
