/// Counts (and weighted sums) of points per grid cell.
public struct GridCounts: Sendable {
    public let grid: SquareGrid
    /// Incidents per cell, row-major from the south-west.
    public var counts: [Int32]
    /// Sum of weights per cell; equals `counts` for unweighted input.
    public var weighted: [Double]
    /// Points that fell outside the grid (not counted in any cell).
    public var outside: Int
}

/// Bins points into the cells of a square grid: `col = ⌊(x − x0)/c⌋`, `row = ⌊(y − y0)/c⌋`, half-open cells.
/// Runs over contiguous buffers, split across cores; each worker has its own counters, summed at the end.
public func binPoints(x: [Double], y: [Double], weights: [Double] = [], grid: SquareGrid) -> GridCounts {
    let n = x.count
    precondition(y.count == n && (weights.isEmpty || weights.count == n))
    let cells = grid.cellCount
    let parts = parallelMap(chunks: Parallel.chunks(n, minimum: 1 << 16)) { range -> ([Int32], [Double], Int) in
        var c = [Int32](repeating: 0, count: cells)
        var w = weights.isEmpty ? [] : [Double](repeating: 0, count: cells)
        var out = 0
        let x0 = grid.x0, y0 = grid.y0, cs = grid.cellSize, nc = grid.ncols, nr = grid.nrows
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in
                c.withUnsafeMutableBufferPointer { cb in
                    let origin = SIMD2(x0, y0), size = SIMD2(cs, cs)
                    for i in range {
                        // One vector division for both axes (the same IEEE quotients as two scalar ones).
                        let f = ((SIMD2(xs[i], ys[i]) - origin) / size).rounded(.down)
                        let fx = f.x, fy = f.y
                        // NaN and far-away points fail these comparisons too.
                        guard fx >= 0, fy >= 0, fx < Double(nc), fy < Double(nr) else { out += 1; continue }
                        cb[Int(fy) * nc + Int(fx)] &+= 1
                    }
                }
            }
        }
        if !weights.isEmpty {
            for i in range {
                if let k = grid.index(x: x[i], y: y[i]) { w[k] += weights[i] }
            }
        }
        return (c, w, out)
    }
    var counts = [Int32](repeating: 0, count: cells)
    var weighted = [Double](repeating: 0, count: weights.isEmpty ? 0 : cells)
    var outside = 0
    for (c, w, o) in parts {
        for k in 0..<cells { counts[k] &+= c[k] }
        for k in 0..<w.count { weighted[k] += w[k] }
        outside += o
    }
    if weights.isEmpty { weighted = counts.map(Double.init) }
    return GridCounts(grid: grid, counts: counts, weighted: weighted, outside: outside)
}
