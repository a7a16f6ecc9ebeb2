/// Counts on the occupied cells of a square grid only, for extents whose full grid does not fit in memory (a
/// 100 m grid over England and Wales has over 40 million cells; its incidents occupy a few hundred thousand).
/// Memory is proportional to the occupied cells, never to the grid. Cell indices are those of the dense grid
/// (`row · ncols + col`, row 0 the southern row), so a sparse cell's id, counts and sums equal the dense grid's
/// bit for bit wherever both run (`SparseGridTests`).
public struct SparseGridCounts: Sendable {
    public let grid: SquareGrid
    /// Row-major indices of the cells holding at least one incident, ascending.
    public var cells: [Int]
    /// Incidents per occupied cell, in the order of `cells`.
    public var counts: [Int32]
    /// Sum of weights per occupied cell; equals `counts` for unweighted input.
    public var weighted: [Double]
    /// Points that fell outside the grid (not counted in any cell).
    public var outside: Int

    /// Position of cell `index` in `cells`, or nil when the cell holds no incident (binary search).
    public func position(of index: Int) -> Int? {
        let k = lowerBound(cells, index)
        return k < cells.count && cells[k] == index ? k : nil
    }
}

/// The first position in the ascending `a` whose value is ≥ `v`.
@inlinable func lowerBound(_ a: [Int], _ v: Int) -> Int {
    var lo = 0, hi = a.count
    while lo < hi {
        let mid = (lo + hi) >> 1
        if a[mid] < v { lo = mid + 1 } else { hi = mid }
    }
    return lo
}

/// Bins points into the occupied cells of `grid` (`binPoints` without a dense array): each worker fills its own
/// open-addressing table over its contiguous chunk of points, and the tables are merged in chunk order, so each
/// weighted sum is added in the same order as `binPoints` adds it (the same doubles).
public func binPointsSparse(x: [Double], y: [Double], weights: [Double] = [], grid: SquareGrid) -> SparseGridCounts {
    let n = x.count
    precondition(y.count == n && (weights.isEmpty || weights.count == n))
    let parts = parallelMap(chunks: Parallel.chunks(n, minimum: 1 << 16)) { range -> (CellTable, Int) in
        var table = CellTable(weighted: !weights.isEmpty)
        var out = 0
        let origin = SIMD2(grid.x0, grid.y0), size = SIMD2(grid.cellSize, grid.cellSize)
        let nc = grid.ncols, nr = grid.nrows
        for i in range {
            let f = ((SIMD2(x[i], y[i]) - origin) / size).rounded(.down)
            guard f.x >= 0, f.y >= 0, f.x < Double(nc), f.y < Double(nr) else { out += 1; continue }
            table.add(Int(f.y) * nc + Int(f.x), weight: weights.isEmpty ? 0 : weights[i])
        }
        return (table, out)
    }
    // The union of the occupied cells, ascending, then each part's sums added in chunk order.
    var cells: [Int] = []
    for (t, _) in parts { t.forEach { k, _, _ in cells.append(k) } }
    cells.sort()
    var w = 0
    for k in cells.indices where k == 0 || cells[k] != cells[k - 1] { cells[w] = cells[k]; w += 1 }
    cells.removeLast(cells.count - w)
    var counts = [Int32](repeating: 0, count: cells.count)
    var weighted = [Double](repeating: 0, count: weights.isEmpty ? 0 : cells.count)
    var outside = 0
    for (t, o) in parts {
        t.forEach { k, c, s in
            let p = lowerBound(cells, k)
            counts[p] &+= c
            if !weights.isEmpty { weighted[p] += s }
        }
        outside += o
    }
    if weights.isEmpty { weighted = counts.map(Double.init) }
    return SparseGridCounts(grid: grid, cells: cells, counts: counts, weighted: weighted, outside: outside)
}

/// Open addressing (linear probing) from a cell index to its count and weight sum; grows at half load.
struct CellTable: Sendable {
    private var keys: [Int]
    private var counts: [Int32]
    private var sums: [Double]
    private var used = 0
    private let weighted: Bool

    init(weighted: Bool, capacity: Int = 1 << 12) {
        self.weighted = weighted
        keys = [Int](repeating: -1, count: capacity)
        counts = [Int32](repeating: 0, count: capacity)
        sums = weighted ? [Double](repeating: 0, count: capacity) : []
    }

    @inline(__always) private static func slot(_ k: Int, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: Int64(k)) &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
    }

    mutating func add(_ k: Int, weight: Double) {
        let mask = keys.count - 1
        var s = Self.slot(k, mask)
        while true {
            let key = keys[s]
            if key == k { counts[s] &+= 1; if weighted { sums[s] += weight }; return }
            if key < 0 { break }
            s = (s + 1) & mask
        }
        keys[s] = k; counts[s] = 1
        if weighted { sums[s] = 0 + weight }
        used += 1
        if used * 2 > keys.count { grow() }
    }

    private mutating func grow() {
        let old = (keys, counts, sums)
        let cap = keys.count * 2, mask = cap - 1
        keys = [Int](repeating: -1, count: cap)
        counts = [Int32](repeating: 0, count: cap)
        sums = weighted ? [Double](repeating: 0, count: cap) : []
        for i in old.0.indices where old.0[i] >= 0 {
            var s = Self.slot(old.0[i], mask)
            while keys[s] >= 0 { s = (s + 1) & mask }
            keys[s] = old.0[i]; counts[s] = old.1[i]
            if weighted { sums[s] = old.2[i] }
        }
    }

    /// Every occupied cell: index, count, weight sum (0 when unweighted).
    func forEach(_ body: (Int, Int32, Double) -> Void) {
        for i in keys.indices where keys[i] >= 0 { body(keys[i], counts[i], weighted ? sums[i] : 0) }
    }
}
