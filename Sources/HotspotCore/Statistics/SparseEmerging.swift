/// A space-time cube on the occupied cells of a square grid only (`--sparse` for emerging hot spots): per time
/// step, the cells holding an incident in that step and their (weighted) counts. Memory is proportional to the
/// occupied (cell, step) pairs, never to the grid. Counts are added in incident order, as `SpaceTimeCube` adds them,
/// so every value equals the dense cube's bit for bit.
public struct SparseSpaceTimeCube: Sendable {
    public let grid: SquareGrid
    public var steps: TimeSteps
    /// cells[t]: the row-major indices of the cells occupied in step t, ascending.
    public var cells: [[Int]]
    /// values[t][j]: the weighted count of cells[t][j] in step t.
    public var values: [[Double]]
    /// Incidents dated outside the steps, and incidents outside the grid.
    public var outsideSteps: Int
    public var outsideLocations: Int

    /// Every cell occupied in at least one step, ascending.
    public var occupied: [Int] { sortedUnique(cells.flatMap { $0 }) }

    /// The cells `spaceTimeGiStarSparse` reports with the distance band `radius` (metres): those occupied in some step
    /// and those within `radius` of one, ascending (to size the cube before computing it). `occupied`: `self.occupied`
    /// when already computed (it sorts every occupied (cell, step) pair).
    public func reportedCells(radius: Double, occupied: [Int]? = nil) -> [Int] {
        discCells(around: occupied ?? self.occupied, offs: discOffsets(cell: grid.cellSize, radius: radius), ncols: grid.ncols, nrows: grid.nrows)
    }

    /// Bins incidents (x, y in the grid's CRS, day numbers) into the occupied (step, cell) pairs. As
    /// `SpaceTimeCube.init`: an incident outside the grid counts in `outsideLocations` before its date is looked at.
    public init(grid: SquareGrid, steps: TimeSteps, x: [Double], y: [Double], days: [Int32], weights: [Double] = []) {
        self.grid = grid; self.steps = steps
        var tables = (0..<steps.count).map { _ in CellTable(weighted: !weights.isEmpty, capacity: 1 << 8) }
        var outT = 0, outL = 0
        for i in x.indices {
            guard let k = grid.index(x: x[i], y: y[i]) else { outL += 1; continue }
            guard let t = steps.step(ofDay: Int(days[i])) else { outT += 1; continue }
            tables[t].add(k, weight: weights.isEmpty ? 0 : weights[i])
        }
        var cells: [[Int]] = [], values: [[Double]] = []
        for table in tables {
            var pairs: [(Int, Double)] = []
            table.forEach { k, c, s in pairs.append((k, weights.isEmpty ? Double(c) : s)) }
            pairs.sort { $0.0 < $1.0 }
            cells.append(pairs.map(\.0)); values.append(pairs.map(\.1))
        }
        self.cells = cells; self.values = values
        outsideSteps = outT; outsideLocations = outL
    }
}

/// Space-time Gi* (`spaceTimeGiStar(grid:cube:radius:window:)`) on a sparse cube: the same statistic over every
/// cell of the grid, kept for the cells occupied in some step and the cells within the radius of one ("reported").
///
/// Every other cell has a neighbour sum of 0 in every step, so its z series depends only on W_i, its number of
/// neighbours inside the grid: z_t = −x̄ W_i·s_t / (S √((n W_i s_t − (W_i s_t)²)/(n − 1))) with s_t the steps in the
/// window (for window 0, x̄ and S of step t and s_t = 1). Those cells are counted per W_i (`unreported`) with their
/// series. The reported cells' z and p equal the dense computation's bit for bit (`SparseEmergingTests`).
public struct SparseSpaceTimeGiStar: Sendable {
    public let grid: SquareGrid
    /// The reported cells (row-major indices, ascending).
    public var cells: [Int]
    /// counts[t][j], z[t][j], p[t][j] of reported cell j.
    public var counts: [[Double]]
    public var z: [[Double]]
    public var p: [[Double]]
    /// Neighbours of each reported cell inside the grid (W_i, self included).
    public var neighbours: [Int32]
    public var window: Int
    /// The cells not reported, by neighbour count: how many, and their (shared) z and p series.
    public var unreported: [UnreportedSeries]

    public struct UnreportedSeries: Sendable, Equatable {
        public var neighbours: Int, count: Int
        public var z: [Double], p: [Double]
    }
}

/// Space-time Gi* of a sparse cube with the distance band `radius` (metres, ties and self included, as
/// `giStar(grid:…)`) and the time window `window` (0: Gi* per step; k ≥ 1: ArcGIS's space-time Gi*, mean and
/// variance over the whole cube). Cost: O(steps × reported cells × rows in the disc × log occupied).
/// `reported`: `cube.reportedCells(radius:)` when already computed.
public func spaceTimeGiStarSparse(_ cube: SparseSpaceTimeCube, radius: Double, window: Int = 1, reported: [Int]? = nil) -> SparseSpaceTimeGiStar {
    let g = cube.grid, nc = g.ncols, nr = g.nrows, T = cube.cells.count
    let offs = discOffsets(cell: g.cellSize, radius: radius)
    let reported = reported ?? cube.reportedCells(radius: radius)
    let n = Double(g.cellCount)
    var sums: [[Double]] = [], w: [Int32] = [], counts: [[Double]] = []
    for t in 0..<T {
        let (s, wt, v) = sparseDiscSums(occupied: cube.cells[t], values: cube.values[t], at: reported, offs: offs, ncols: nc, nrows: nr)
        sums.append(s); w = wt; counts.append(v)
    }
    if T == 0 { w = [Int32](repeating: 0, count: reported.count) }
    let groups = unreportedCells(grid: g, offs: offs, reported: w)
    // z of a window's sum `acc` over W·steps neighbours with the cube's (or the step's) mean and S.
    @inline(__always) func zScore(_ acc: Double, _ W: Double, _ mean: Double, _ s: Double, _ n: Double) -> Double {
        (acc - mean * W) / (s * ((n * W - W * W) / (n - 1)).squareRoot())
    }
    var z = [[Double]](), zu = [[Double]](repeating: [], count: groups.count)
    if window <= 0 {
        // Each step on its own: x̄ and S of the step over all n cells (the empty ones add zeros).
        for t in 0..<T {
            let x = cube.values[t]
            let mean = x.reduce(0, +) / n
            let s = (x.reduce(0) { $0 + $1 * $1 } / n - mean * mean).squareRoot()
            z.append(reported.indices.map { zScore(sums[t][$0], Double(w[$0]), mean, s, n) })
            for (k, gr) in groups.enumerated() { zu[k].append(zScore(0, Double(gr.0), mean, s, n)) }
        }
    } else {
        // x̄ and S over the whole cube (n·T cells), summed step by step in cell order as `spaceTimeFromSums`.
        let nT = n * Double(T)
        var tot = 0.0, tot2 = 0.0
        for t in 0..<T { for v in cube.values[t] { tot += v; tot2 += v * v } }
        let mean = tot / nT, s = (tot2 / nT - mean * mean).squareRoot()
        var running = [Double](repeating: 0, count: reported.count)
        for t in 0..<T {
            let steps = Double(min(t, window) + 1)
            var zt = [Double](repeating: 0, count: reported.count)
            for j in reported.indices {
                running[j] += sums[t][j]
                if t - window - 1 >= 0 { running[j] -= sums[t - window - 1][j] }
                zt[j] = zScore(running[j], Double(w[j]) * steps, mean, s, nT)
            }
            z.append(zt)
            for (k, gr) in groups.enumerated() { zu[k].append(zScore(0, Double(gr.0) * steps, mean, s, nT)) }
        }
    }
    let unreported = groups.enumerated().map { k, gr in
        SparseSpaceTimeGiStar.UnreportedSeries(neighbours: gr.0, count: gr.1, z: zu[k], p: zu[k].map(Normal.twoSidedP))
    }
    return SparseSpaceTimeGiStar(grid: g, cells: reported, counts: counts, z: z, p: z.map { $0.map(Normal.twoSidedP) },
                                 neighbours: w, window: max(0, window), unreported: unreported)
}

/// Emerging hot spot categories and the recent typology of a sparse space-time Gi*: for the reported cells, and
/// for each group of unreported cells (`st.unreported`, in that order). The multiple-test adjustment (`o.fdr`)
/// runs over all n cells of the grid, each group counted with its multiplicity, so every category equals the
/// dense `classifyEmerging`'s. `finalAdjusted` is the last step's p adjusted over all cells by `o.adjust` (the
/// dense table's `gi_bin_last`).
public struct SparseEmergingResult: Sendable {
    public var cells: [EmergingResult], cellsRecent: [RecentPattern]
    public var unreported: [EmergingResult], unreportedRecent: [RecentPattern]
    public var finalAdjusted: [Double], unreportedFinalAdjusted: [Double]
}

public func classifyEmergingSparse(_ st: SparseSpaceTimeGiStar, options o: EmergingOptions = EmergingOptions(),
                                   recent: RecentOptions = RecentOptions()) -> SparseEmergingResult {
    let T = st.z.count, R = st.cells.count, G = st.unreported.count
    let z = (0..<T).map { t in st.z[t] + st.unreported.map { $0.z[t] } }
    let p = (0..<T).map { t in st.p[t] + st.unreported.map { $0.p[t] } }
    let counts = st.counts.map { $0 + [Double](repeating: 0, count: G) }
    func groups(_ t: Int) -> [(p: Double, count: Int)] { st.unreported.map { ($0.p[t], $0.count) } }
    var q = p
    switch o.fdr {
    case .none: break
    case .slice:
        q = (0..<T).map { t in let (a, g) = o.adjust.adjust(st.p[t], groups: groups(t)); return a + g }
    case .cube:
        let (a, g) = o.adjust.adjust(st.p.flatMap { $0 }, groups: (0..<T).flatMap(groups))
        q = (0..<T).map { t in Array(a[(t * R)..<((t + 1) * R)]) + Array(g[(t * G)..<((t + 1) * G)]) }
    }
    let all = classifyEmerging(z: z, p: p, q: q, trends: EmergingTrends(z: z, counts: counts), options: o)
    let rec = classifyRecent(z: z, p: p, options: recent)
    let last = T > 0 ? o.adjust.adjust(st.p[T - 1], groups: groups(T - 1)) : ([], [])
    return SparseEmergingResult(cells: Array(all[..<R]), cellsRecent: Array(rec[..<R]),
                                unreported: Array(all[R...]), unreportedRecent: Array(rec[R...]),
                                finalAdjusted: last.0, unreportedFinalAdjusted: last.1)
}

/// Σ x over the disc of each cell of `at` (ascending) and its neighbour count inside the grid, from the occupied
/// cells `occupied` (ascending) and their `values`, with row prefix sums that add the same doubles in the same
/// order as the dense `discSums` (zeros add nothing); also the value of each cell of `at` (0 when unoccupied).
func sparseDiscSums(occupied: [Int], values x: [Double], at cells: [Int], offs: [(dr: Int, half: Int)],
                    ncols nc: Int, nrows nr: Int) -> (sums: [Double], w: [Int32], values: [Double]) {
    var after = [Double](repeating: 0, count: occupied.count)
    for i in occupied.indices {
        let sameRow = i > 0 && occupied[i - 1] / nc == occupied[i] / nc
        after[i] = (sameRow ? after[i - 1] : 0) + x[i]
    }
    let rowSums = after
    @Sendable @inline(__always) func prefix(_ r: Int, _ col: Int) -> Double {
        let k = lowerBound(occupied, r * nc + col)
        return k > 0 && occupied[k - 1] >= r * nc ? rowSums[k - 1] : 0
    }
    let parts = parallelMap(chunks: Parallel.chunks(cells.count, minimum: 1 << 12)) { range -> ([Double], [Int32], [Double]) in
        var s = [Double](), w = [Int32](), v = [Double]()
        s.reserveCapacity(range.count); w.reserveCapacity(range.count); v.reserveCapacity(range.count)
        for i in range {
            let k = cells[i], r = k / nc, c = k % nc
            var acc = 0.0, W = 0
            for o in offs {
                let rr = r + o.dr
                guard rr >= 0, rr < nr else { continue }
                let c0 = max(0, c - o.half), c1 = min(nc - 1, c + o.half)
                acc += prefix(rr, c1 + 1) - prefix(rr, c0)
                W += c1 - c0 + 1
            }
            s.append(acc); w.append(Int32(W))
            let p = lowerBound(occupied, k)
            v.append(p < occupied.count && occupied[p] == k ? x[p] : 0)
        }
        return (s, w, v)
    }
    return (parts.flatMap(\.0), parts.flatMap(\.1), parts.flatMap(\.2))
}

/// `a` sorted, without repeats.
func sortedUnique(_ a: [Int]) -> [Int] {
    var a = a
    a.sort()
    var u = 0
    for k in a.indices where k == 0 || a[k] != a[k - 1] { a[u] = a[k]; u += 1 }
    a.removeLast(a.count - u)
    return a
}
