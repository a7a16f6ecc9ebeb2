/// A density surface on the cells of a sparse grid: the cells with a density above 0 only.
public struct SparseDensity: Sendable {
    public var grid: SquareGrid
    /// Row-major indices of the cells within the bandwidth of an incident, ascending.
    public var cells: [Int]
    /// Density of each cell of `cells`, in `parameters.unit`.
    public var values: [Double]
    public var parameters: KDEParameters
    /// Incidents within h of some cell centre.
    public var contributing: Int
}

/// Exact kernel density (`kernelDensity` in exact mode) on a grid of any size, evaluated band by band of rows over
/// the bands that have an incident within reach, keeping only the cells whose density is above 0. Each cell's terms
/// are added in the same order as the dense evaluation adds them (the same bands code), so every kept value equals
/// the dense surface's bit for bit and every dropped cell is 0 there. Memory: the incidents' row order (4 B an
/// incident), one band of `rows × ncols` doubles per worker at a time, and the kept cells.
public func kernelDensitySparse(x: [Double], y: [Double], weights: [Double] = [], grid: SquareGrid,
                                parameters p: KDEParameters, bandCells: Int = 1 << 21) -> SparseDensity {
    let h = p.bandwidth, c = grid.cellSize, nr = grid.nrows, nc = grid.ncols
    let reach = Int((h / c).rounded(.up)) + 1
    let rows = RowOrder(x: x, y: y, grid: grid, h: h, reach: reach)
    let rowsPerBand = max(1, min(nr, bandCells / max(1, nc)))
    // The bands with an incident in their rows or within reach of them.
    let bands = stride(from: 0, to: nr, by: rowsPerBand).map { $0..<min(nr, $0 + rowsPerBand) }.filter { b in
        let lo = max(rows.lo, b.lowerBound - reach) - rows.lo, hi = min(rows.hi, b.upperBound + reach) - rows.lo
        return rows.starts[hi] > rows.starts[lo]
    }
    let scale = p.kernel.constant / (Double.pi * h * h) * p.unit.scale
    let w = weights
    // Bands are handed out in groups of one per worker, so at most one band buffer per worker is alive.
    var cells: [Int] = [], values: [Double] = []
    var next = 0
    while next < bands.count {
        let group = Array(bands[next..<min(bands.count, next + Parallel.workers)])
        next += group.count
        let parts = parallelMap(chunks: group.indices.map { $0..<($0 + 1) }) { one -> ([Int], [Double]) in
            let band = group[one.lowerBound]
            let out = stampBand(band, rows: rows, x: x, y: y, w: w, grid: grid, kernel: p.kernel, h: h)
            var k: [Int] = [], v: [Double] = []
            for i in out.indices where out[i] != 0 {
                var d = out[i]
                d *= scale
                k.append(band.lowerBound * nc + i); v.append(d)
            }
            return (k, v)
        }
        for (k, v) in parts { cells += k; values += v }
    }
    return SparseDensity(grid: grid, cells: cells, values: values, parameters: p, contributing: rows.order.count)
}
