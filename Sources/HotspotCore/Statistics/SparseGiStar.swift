/// Gi* on a sparse grid (`SparseGridCounts`): the same statistic as `giStar(grid:values:radius:)` over every cell of
/// the grid, computed and reported only for the cells that hold an incident or have one within the radius.
///
/// Every other cell has a neighbour sum of 0, so its z depends only on W_i, the number of its neighbours inside the
/// grid: z = −x̄ W_i / (S √((n W_i − W_i²)/(n − 1))) (Ord & Getis 1995, eq. 14, binary weights). Those cells are
/// counted per W_i (`unreported`) rather than stored, and they take part in the adjustment for multiple tests
/// with their multiplicities (`PAdjustment.adjust(_:groups:)`), so the reported cells' z, p and adjusted p equal
/// the dense computation's bit for bit (n, x̄ and S are sums over the same values in the same order; neighbour sums
/// are differences of the same row prefix sums).
public struct SparseGiStar: Sendable {
    public let grid: SquareGrid
    /// The reported cells (row-major indices, ascending): occupied cells and the cells within the radius of one.
    public var cells: [Int]
    /// Weighted count of each reported cell (0 for an empty neighbour).
    public var values: [Double]
    /// Incidents in each reported cell.
    public var counts: [Int32]
    /// Gi* of the reported cells, in the order of `cells`; `n` is every cell of the grid.
    public var result: GiStarResult
    /// The cells not reported, by their neighbour count W: how many, their z, p and adjusted p.
    public var unreported: [UnreportedCells]

    public struct UnreportedCells: Sendable, Equatable {
        public var neighbours: Int, count: Int
        public var z: Double, p: Double, pAdjusted: Double
        /// −3…+3 from the raw p and from the adjusted p (`giBin`), as `GiStarResult.bin` and `binFDR`.
        public var bin: Int8 = 0, binFDR: Int8 = 0
    }

    /// Cells not written that are hot (`> 0`) or cold (`< 0`) at ≥ 90 % confidence: (hot, cold).
    public func unreportedSignificant(fdr: Bool) -> (hot: Int, cold: Int) {
        let b = unreported.map { (fdr ? $0.binFDR : $0.bin, $0.count) }
        return (b.filter { $0.0 > 0 }.reduce(0) { $0 + $1.1 }, b.filter { $0.0 < 0 }.reduce(0) { $0 + $1.1 })
    }

    /// `result` and `unreported` adjusted by `method` over all n cells (the reported ones and the rest).
    public func adjusted(_ method: PAdjustment) -> SparseGiStar {
        var s = self
        let (adj, groups) = method.adjust(result.p, groups: unreported.map { ($0.p, $0.count) })
        s.result.adjustment = method
        s.result.pAdjusted = adj
        s.result.binFDR = method == .none ? result.bin : zip(result.z, adj).map { giBin(z: $0, p: $1, adjusted: true) }
        for k in s.unreported.indices {
            let u = s.unreported[k]
            s.unreported[k].pAdjusted = groups[k]
            s.unreported[k].bin = giBin(z: u.z, p: u.p)
            s.unreported[k].binFDR = method == .none ? s.unreported[k].bin : giBin(z: u.z, p: groups[k], adjusted: true)
        }
        return s
    }
}

/// Gi* with the distance band `radius` (metres, ties included, self included, as `giStar(grid:…)`) on the cells of
/// a sparse grid. Cost: O(reported cells × rows in the disc × log occupied) plus the grid's border cells.
public func giStarSparse(_ sg: SparseGridCounts, radius: Double) -> SparseGiStar {
    let g = sg.grid, nc = g.ncols, nr = g.nrows
    let offs = discOffsets(cell: g.cellSize, radius: radius)
    let x = sg.weighted
    let cells = discCells(around: sg.cells, offs: offs, ncols: nc, nrows: nr)
    // Neighbour sums from the occupied cells' row prefix sums, as the dense prefix adds them (`sparseDiscSums`).
    let (sums, w, values) = sparseDiscSums(occupied: sg.cells, values: x, at: cells, offs: offs, ncols: nc, nrows: nr)

    // n, x̄ and S as the dense path sums them: the values in index order (the empty cells add zeros).
    let n = Double(g.cellCount)
    let mean = x.reduce(0, +) / n
    let s = (x.reduce(0) { $0 + $1 * $1 } / n - mean * mean).squareRoot()
    let z = cells.indices.map { i -> Double in
        let Wd = Double(w[i])
        return (sums[i] - mean * Wd) / (s * ((n * Wd - Wd * Wd) / (n - 1)).squareRoot())
    }
    let counts = cells.map { k -> Int32 in sg.position(of: k).map { sg.counts[$0] } ?? 0 }
    let result = assemble(z: z, neighbours: w, n: g.cellCount, mean: mean, s: s)

    let unreported = unreportedCells(grid: g, offs: offs, reported: w).map { W, count -> SparseGiStar.UnreportedCells in
        let Wd = Double(W)
        let zu = (0.0 - mean * Wd) / (s * ((n * Wd - Wd * Wd) / (n - 1)).squareRoot())
        return .init(neighbours: W, count: count, z: zu, p: Normal.twoSidedP(zu), pAdjusted: .nan)
    }
    // The default adjustment (Benjamini–Hochberg) over all n cells.
    return SparseGiStar(grid: g, cells: cells, values: values, counts: counts, result: result,
                        unreported: unreported).adjusted(.bh)
}

/// Every cell within the disc `offs` of an occupied cell, inside the grid: ascending, without repeats. When the discs
/// together hold more cells than the grid (wide discs that overlap), the cells are marked on a byte per grid cell
/// instead of listed with their repeats.
func discCells(around occupied: [Int], offs: [(dr: Int, half: Int)], ncols nc: Int, nrows nr: Int) -> [Int] {
    let disc = offs.reduce(0) { $0 + 2 * $1.half + 1 }
    if occupied.count > (nc * nr) / max(1, disc) {
        var marked = [Bool](repeating: false, count: nc * nr)
        for k in occupied {
            let r = k / nc, c = k % nc
            for o in offs {
                let rr = r + o.dr
                guard rr >= 0, rr < nr else { continue }
                for cc in max(0, c - o.half)...min(nc - 1, c + o.half) { marked[rr * nc + cc] = true }
            }
        }
        return marked.indices.filter { marked[$0] }
    }
    var cells: [Int] = []
    cells.reserveCapacity(occupied.count * disc)
    for k in occupied {
        let r = k / nc, c = k % nc
        for o in offs {
            let rr = r + o.dr
            guard rr >= 0, rr < nr else { continue }
            for cc in max(0, c - o.half)...min(nc - 1, c + o.half) { cells.append(rr * nc + cc) }
        }
    }
    cells.sort()
    var u = 0
    for k in cells.indices where k == 0 || cells[k] != cells[k - 1] { cells[u] = cells[k]; u += 1 }
    cells.removeLast(cells.count - u)
    return cells
}

/// The cells not reported, as (neighbour count W, how many): every cell's W less the reported cells' (`reported`).
/// Cells at least R rows and R columns from every edge have the full disc; the border band is counted cell by cell.
func unreportedCells(grid g: SquareGrid, offs: [(dr: Int, half: Int)], reported: [Int32]) -> [(Int, Int)] {
    let nc = g.ncols, nr = g.nrows
    // Neighbours of a cell inside the grid (W_i without a mask).
    func neighbourCount(_ r: Int, _ c: Int) -> Int {
        var w = 0
        for o in offs {
            let rr = r + o.dr
            guard rr >= 0, rr < nr else { continue }
            w += min(nc - 1, c + o.half) - max(0, c - o.half) + 1
        }
        return w
    }
    let R = offs.map { max(abs($0.dr), $0.half) }.max() ?? 0
    var histogram: [Int: Int] = [:]
    let full = offs.reduce(0) { $0 + 2 * $1.half + 1 }
    let innerRows = max(0, nr - 2 * R), innerCols = max(0, nc - 2 * R)
    if innerRows > 0 && innerCols > 0 { histogram[full, default: 0] += innerRows * innerCols }
    for r in 0..<nr {
        if r >= R && r < nr - R && innerCols > 0 {
            for c in 0..<min(R, nc) { histogram[neighbourCount(r, c), default: 0] += 1 }
            for c in max(R, nc - R)..<nc { histogram[neighbourCount(r, c), default: 0] += 1 }
        } else {
            for c in 0..<nc { histogram[neighbourCount(r, c), default: 0] += 1 }
        }
    }
    for W in reported { histogram[Int(W), default: 0] -= 1 }
    return histogram.filter { $0.value > 0 }.keys.sorted().map { ($0, histogram[$0]!) }
}
