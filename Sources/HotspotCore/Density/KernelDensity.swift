/// Units of a density surface.
public enum DensityUnit: String, Sendable, Codable, CaseIterable {
    /// Incidents per square kilometre (ArcGIS's default output unit): per-m² value × 10⁶.
    case perKm2 = "per_km2"
    case perM2 = "per_m2"
    public var scale: Double { self == .perKm2 ? 1e6 : 1 }
}

/// How densities are evaluated.
public enum KDEMode: String, Sendable, Codable, CaseIterable {
    /// Exact up to `KDEParameters.exactBudget` kernel evaluations, binned above.
    case auto
    /// Every incident's own distance to every cell centre within h.
    case exact
    /// Incidents first binned to a fine grid (cell / `subdivisions`), then each non-empty fine cell's weight stamped
    /// once from its centre. Error bound: |binned − exact| ≤ L · δ · N(cell), with L the kernel's Lipschitz constant,
    /// δ = (c / s)/√2 the farthest an incident moves, and N the weight of incidents within h + δ of the cell centre.
    case binned
}

public struct KDEParameters: Sendable, Codable, Equatable {
    public var kernel: Kernel = .quartic
    /// Bandwidth (search radius) h in metres.
    public var bandwidth: Double
    public var unit: DensityUnit = .perKm2
    public var mode: KDEMode = .auto
    /// Fine-grid subdivisions per output cell in binned mode.
    public var subdivisions: Int = 4
    /// Kernel evaluations (incidents × cells in a footprint) up to which `auto` stays exact (≈ 1 s on 2 cores).
    public var exactBudget: Double = 4e8
    public init(bandwidth: Double, kernel: Kernel = .quartic, unit: DensityUnit = .perKm2, mode: KDEMode = .auto) {
        self.bandwidth = bandwidth; self.kernel = kernel; self.unit = unit; self.mode = mode
    }
}

/// A density surface on a square grid: the values and everything needed to explain them.
public struct DensitySurface: Sendable {
    public var grid: SquareGrid
    /// Density per cell (row-major from the south-west) in `parameters.unit`; NaN = NoData (outside a clip mask).
    public var values: [Double]
    public var parameters: KDEParameters
    /// The mode actually used (`auto` resolved).
    public var mode: KDEMode
    /// Binned mode: the bound's L · δ in output units per unit weight (0 for exact).
    public var errorPerIncident: Double
    /// Incidents that contributed (within h of some cell centre).
    public var contributing: Int

    public init(grid: SquareGrid, values: [Double], parameters: KDEParameters, mode: KDEMode, errorPerIncident: Double = 0,
                contributing: Int = 0) {
        self.grid = grid; self.values = values; self.parameters = parameters; self.mode = mode
        self.errorPerIncident = errorPerIncident; self.contributing = contributing
    }
}

/// Kernel density at the cell centres of `grid`: density(c) = Σ_{d_i < h} w_i · K_h(d_i), every incident counting
/// (also those outside the grid but within h of it). Parallel over bands of rows; each cell's sum is taken over the
/// incidents in the same order whatever the number of threads, so results are reproducible bit for bit.
public func kernelDensity(x: [Double], y: [Double], weights: [Double] = [], grid: SquareGrid,
                          parameters p: KDEParameters, mask: [Bool]? = nil) -> DensitySurface {
    let h = p.bandwidth, c = grid.cellSize
    let mode = KDEPlan(count: x.count, grid: grid, parameters: p).mode
    var values: [Double]
    var errorPerIncident = 0.0
    var contributing = 0
    if mode == .exact {
        (values, contributing) = stampKernels(x: x, y: y, w: weights, grid: grid, kernel: p.kernel, h: h)
    } else {
        let s = max(1, p.subdivisions)
        let fc = c / Double(s)
        // Fine grid aligned with the output grid, padded by h so that incidents just outside still count.
        let pad = (h / c).rounded(.up) + 1
        let fine = SquareGrid(x0: grid.x0 - pad * c, y0: grid.y0 - pad * c, cellSize: fc,
                              ncols: (grid.ncols + 2 * Int(pad)) * s, nrows: (grid.nrows + 2 * Int(pad)) * s)
        let b = binPoints(x: x, y: y, weights: weights.isEmpty ? [] : weights, grid: fine)
        var fx: [Double] = [], fy: [Double] = [], fw: [Double] = []
        for k in 0..<fine.cellCount where b.counts[k] > 0 {
            let ctr = fine.centre(index: k)
            fx.append(ctr.x); fy.append(ctr.y); fw.append(weights.isEmpty ? Double(b.counts[k]) : b.weighted[k])
        }
        (values, _) = stampKernels(x: fx, y: fy, w: fw, grid: grid, kernel: p.kernel, h: h)
        contributing = x.count - b.outside
        errorPerIncident = p.kernel.lipschitz(bandwidth: h) * (fc / 2.0.squareRoot()) * p.unit.scale
    }
    let scale = p.kernel.constant / (Double.pi * h * h) * p.unit.scale
    for k in 0..<values.count { values[k] *= scale }
    if let mask { for k in 0..<values.count where !mask[k] { values[k] = .nan } }
    return DensitySurface(grid: grid, values: values, parameters: p, mode: mode, errorPerIncident: errorPerIncident,
                          contributing: contributing)
}

/// Σ w_i · k((d_i/h)²) at every cell centre (the kernel's profile, without its constant).
func stampKernels(x: [Double], y: [Double], w: [Double], grid: SquareGrid, kernel: Kernel, h: Double) -> ([Double], Int) {
    let c = grid.cellSize, nr = grid.nrows, nc = grid.ncols
    let reach = Int((h / c).rounded(.up)) + 1
    let rows = RowOrder(x: x, y: y, grid: grid, h: h, reach: reach)
    let contributing = rows.order.count

    // Bands of rows, several per worker for balance.
    // (Bands of at least 2·reach rows keep the incidents gathered twice, by neighbouring bands, below half.)
    let rowsPerBand = max(2 * reach, nr / (Parallel.workers * 8), 1)
    let bands = stride(from: 0, to: nr, by: rowsPerBand).map { $0..<min(nr, $0 + rowsPerBand) }
    let parts = parallelMap(chunks: bands) { band -> [Double] in
        stampBand(band, rows: rows, x: x, y: y, w: w, grid: grid, kernel: kernel, h: h)
    }
    var values: [Double] = []
    values.reserveCapacity(nr * nc)
    for p in parts { values += p }
    return (values, contributing)
}

/// Incidents in order of their grid row, by a counting sort on the (clamped) row: rows `lo..<hi` are the grid's
/// padded by `reach` rows each side, and incidents farther than h from every row are dropped.
struct RowOrder: Sendable {
    let lo: Int, hi: Int
    /// `order[starts[r - lo]..<starts[r - lo + 1]]`: the incidents of row r, in input order.
    let starts: [Int]
    let order: [Int32]

    init(x: [Double], y: [Double], grid: SquareGrid, h: Double, reach: Int) {
        let n = x.count, c = grid.cellSize, nr = grid.nrows, nc = grid.ncols
        let lo = -reach, hi = nr + reach
        var bucketStart = [Int](repeating: 0, count: hi - lo + 1)
        // The row of incident i, or nil when it is dropped (computed twice, for counting and for placing, rather
        // than kept: 4 bytes per incident less at the peak).
        @inline(__always) func rowOf(_ i: Int) -> Int? {
            let r = ((y[i] - grid.y0) / c).rounded(.down)
            guard r >= Double(lo), r < Double(hi), x[i] > grid.x0 - h - c, x[i] < grid.x0 + Double(nc) * c + h + c else { return nil }
            return Int(r)
        }
        for i in 0..<n { if let r = rowOf(i) { bucketStart[r - lo + 1] += 1 } }
        for k in 1..<bucketStart.count { bucketStart[k] += bucketStart[k - 1] }
        var order = [Int32](repeating: 0, count: bucketStart[bucketStart.count - 1])
        var fill = bucketStart
        for i in 0..<n {
            guard let r = rowOf(i) else { continue }
            order[fill[r - lo]] = Int32(i); fill[r - lo] += 1
        }
        self.lo = lo; self.hi = hi; starts = bucketStart; self.order = order
    }
}

/// The kernel sums of the cells of the rows `band` (row-major, `band.count` × ncols), from the incidents of the rows
/// within reach of it, each cell's terms added in the incidents' row order.
func stampBand(_ band: Range<Int>, rows: RowOrder, x: [Double], y: [Double], w: [Double], grid: SquareGrid,
                       kernel: Kernel, h: Double) -> [Double] {
    let nc = grid.ncols, lo = rows.lo, hi = rows.hi
    let reach = -lo
    var out = [Double](repeating: 0, count: band.count * nc)
    let bLo = max(lo, band.lowerBound - reach) - lo, bHi = min(hi, band.upperBound + reach) - lo
    // The band's incidents gathered in row order: the stamping loop then reads them in sequence (a random read
    // of x and y per incident from within that loop costs more than the stamping itself at millions of
    // incidents). The order of the additions into each cell is unchanged.
    let j0 = rows.starts[bLo], j1 = rows.starts[bHi]
    var gx = [Double](repeating: 0, count: j1 - j0), gy = gx, gw = w.isEmpty ? [] : gx
    rows.order.withUnsafeBufferPointer { ord in
        for j in j0..<j1 {
            let i = Int(ord[j])
            gx[j - j0] = x[i]; gy[j - j0] = y[i]
            if !w.isEmpty { gw[j - j0] = w[i] }
        }
    }
    gx.withUnsafeBufferPointer { xs in
    gy.withUnsafeBufferPointer { ys in
    gw.withUnsafeBufferPointer { ws in
    out.withUnsafeMutableBufferPointer { o in
        stampIncidents(xs, ys, ws, band: band, into: o, grid: grid, kernel: kernel, h: h)
    }}}}
    return out
}

/// Adds each incident's kernel term (`xs`, `ys`, weights `ws` or 1 when empty) to the cells of the rows `band`
/// within h of it, `o` holding those rows (row-major from row `band.lowerBound`).
private func stampIncidents(_ xs: UnsafeBufferPointer<Double>, _ ys: UnsafeBufferPointer<Double>, _ ws: UnsafeBufferPointer<Double>,
                            band: Range<Int>, into o: UnsafeMutableBufferPointer<Double>, grid: SquareGrid, kernel: Kernel, h: Double) {
    let c = grid.cellSize, nc = grid.ncols
    let h2 = h * h, invH2 = 1 / h2
    for j in 0..<xs.count {
        let px = xs[j], py = ys[j], wi = ws.isEmpty ? 1 : ws[j]
        let r0 = max(band.lowerBound, ceilInt((py - h - grid.y0) / c - 0.5))
        let r1 = min(band.upperBound - 1, floorInt((py + h - grid.y0) / c - 0.5))
        guard r0 <= r1 else { continue }
        for r in r0...r1 {
            let dy = grid.y0 + (Double(r) + 0.5) * c - py
            let dy2 = dy * dy
            guard dy2 < h2 else { continue }
            let half = (h2 - dy2).squareRoot()
            let c0 = max(0, ceilInt((px - half - grid.x0) / c - 0.5))
            let c1 = min(nc - 1, floorInt((px + half - grid.x0) / c - 0.5))
            guard c0 <= c1 else { continue }
            let base = (r - band.lowerBound) * nc
            var dx = grid.x0 + (Double(c0) + 0.5) * c - px
            if kernel == .quartic {
                for col in c0...c1 {
                    let d2 = dx * dx + dy2
                    if d2 < h2 { let t = 1 - d2 * invH2; o[base + col] += wi * t * t }
                    dx += c
                }
            } else {
                for col in c0...c1 {
                    let d2 = dx * dx + dy2
                    if d2 < h2 { o[base + col] += wi * kernel.profile(u2: d2 * invH2) }
                    dx += c
                }
            }
        }
    }
}


/// What a kernel density evaluation will cost, known before any memory is allocated: the evaluation mode `auto`
/// resolves to, the kernel evaluations of the exact mode (n · (π (h/c)² + 1)) and the cells of the binned mode's
/// padded fine grid (((ncols + 2p)·s) · ((nrows + 2p)·s), p = ⌈h/c⌉ + 1 cells of padding, s subdivisions).
public struct KDEPlan: Sendable {
    public let mode: KDEMode
    public let exactEvaluations: Double
    public let fineCells: Double

    public init(count: Int, grid: SquareGrid, parameters p: KDEParameters) {
        let h = p.bandwidth, c = grid.cellSize
        let footprint = Double.pi * (h / c) * (h / c) + 1
        exactEvaluations = Double(count) * footprint
        let s = Double(max(1, p.subdivisions)), pad = (h / c).rounded(.up) + 1
        fineCells = (Double(grid.ncols) + 2 * pad) * s * (Double(grid.nrows) + 2 * pad) * s
        mode = p.mode == .auto ? (exactEvaluations <= p.exactBudget ? .exact : .binned) : p.mode
    }

    /// Why this evaluation should not be attempted (memory or hours of work), or nil.
    public func refusal(cellLimit: Int) -> String? {
        if mode == .binned && fineCells > 16 * Double(cellLimit) {
            return "binned kernel density would pad the grid to \(Int(min(fineCells, 9e18))) fine cells (bandwidth/cell too large), above \(16 * cellLimit); use a larger --cell or a smaller --bandwidth"
        }
        if mode == .exact && exactEvaluations > 5e11 {
            return "exact kernel density would take \(Int(min(exactEvaluations, 9e18))) kernel evaluations (hours); use --mode binned, a larger --cell or a smaller --bandwidth"
        }
        return nil
    }
}