/// The bands of a Knox near-repeat table, as Ratcliffe's Near Repeat Calculator sets them.
///
/// Spatial rows: row 0 is the same location (distance 0), row k (1…`spatialBands`) holds pairs with
/// (k−1)·`distance` < d ≤ k·`distance` metres, and the last row (`spatialBands` + 1) pairs farther apart.
/// Temporal columns: column 0 holds pairs 0…`days` days apart, column k (1…`temporalBands` − 1) pairs
/// k·`days` + 1 … (k+1)·`days` days apart (0–7, 8–14, 15–21 … for a week), and the last column
/// (`temporalBands`) pairs farther apart in time. Days are calendar days (the time of day is not used, as in the
/// Near Repeat Calculator).
public struct KnoxBands: Sendable, Equatable {
    /// Width of a spatial band, metres.
    public var distance: Double
    public var spatialBands: Int
    /// Width of a temporal band, days.
    public var days: Int
    public var temporalBands: Int
    public init(distance: Double, spatialBands: Int, days: Int, temporalBands: Int) {
        self.distance = distance; self.spatialBands = spatialBands; self.days = days; self.temporalBands = temporalBands
    }
    /// Rows of the table: same location, the bands, beyond.
    public var rows: Int { spatialBands + 2 }
    /// Columns of the table: the bands, beyond.
    public var columns: Int { temporalBands + 1 }
    /// The farthest distance inside the bands, metres.
    public var maxDistance: Double { distance * Double(spatialBands) }

    /// The row of a pair `d` metres apart.
    @inlinable public func row(distance d: Double) -> Int {
        if d <= 0 { return 0 }
        if d > maxDistance { return spatialBands + 1 }
        return min(spatialBands, max(1, Int((d / distance).rounded(.up))))
    }

    /// The column of a pair `dt` (≥ 0) days apart.
    @inlinable public func column(days dt: Int) -> Int {
        dt == 0 ? 0 : min(temporalBands, (dt - 1) / days)
    }

    /// Lower and upper bound of a row in metres (same location: 0…0; beyond: max…∞).
    public func rowRange(_ r: Int) -> (from: Double, to: Double) {
        if r == 0 { return (0, 0) }
        if r > spatialBands { return (maxDistance, .infinity) }
        return (distance * Double(r - 1), distance * Double(r))
    }

    /// First and last day difference of a column (beyond: last nil).
    public func columnRange(_ c: Int) -> (from: Int, to: Int?) {
        if c >= temporalBands { return (days * temporalBands + 1, nil) }
        return (c == 0 ? 0 : c * days + 1, (c + 1) * days)
    }
}

/// The Knox test of space-time interaction (Knox 1964) over bands of distance and time, with the Monte Carlo
/// expectation of Ratcliffe's Near Repeat Calculator (Ratcliffe & Rengert 2008; Johnson et al. 2007): the dates
/// are permuted among the incidents, the locations stay. Every table is `rows × columns` (see `KnoxBands`),
/// flattened row by row: cell (r, c) is at `r * columns + c`.
public struct KnoxResult: Sendable {
    public var bands: KnoxBands
    /// Incidents and unordered pairs, n(n − 1)/2.
    public var n: Int, pairs: Int
    /// Observed pairs per cell.
    public var observed: [Int]
    /// Mean count per cell over the permutations (the Near Repeat Calculator's "expected").
    public var expected: [Double]
    /// Standard deviation of the count per cell over the permutations.
    public var expectedSD: [Double]
    /// The exact expectation under random permutation of the dates: S_r · T_c / pairs, S_r and T_c the row's and the
    /// column's pair totals (pointpats' `expected`, ENST).
    public var exact: [Double]
    /// Knox ratio, observed / expected (NaN when expected is 0).
    public var ratio: [Double]
    /// Pseudo p per cell, (1 + #{permutations with a count ≥ observed}) / (1 + permutations), one-sided (more pairs
    /// than by chance).
    public var pseudoP: [Double]
    public var permutations: Int, seed: UInt64
    /// Significance level of the near-repeat cells.
    public var alpha: Double
    /// Near-repeat cells: inside the bands (not the last row or column), p ≤ `alpha` and ratio > 1.
    public var significant: [Bool]
    /// The pairs in the near-repeat cells, as incident indices (first < second) with their cell.
    public var nearPairs: [(first: Int32, second: Int32, cell: Int32)]
    /// Incidents in at least one pair of a near-repeat cell, and their share of `n`.
    public var nearRepeatIncidents: Int
    public var nearRepeatShare: Double { n == 0 ? 0 : Double(nearRepeatIncidents) / Double(n) }
}

/// Pairs within the bands' reach: endpoints (indices into the incidents) and their row.
struct KnoxPairs: Sendable {
    var a: [Int32] = [], b: [Int32] = [], row: [UInt8] = []
}

extension PointIndex {
    /// The unordered pairs (i < j) of points at most `d` apart whose first point is in `range`, with `visit`
    /// given (i, j, distance). The index's buckets must be at least `d` wide.
    func forEachPair(within d: Double, firsts range: Range<Int>, _ visit: (Int, Int, Double) -> Void) {
        let dd = d * d
        for i in range {
            let (c, r) = bucket(i)
            for rr in max(0, r - 1)...min(nrows - 1, r + 1) {
                for cc in max(0, c - 1)...min(ncols - 1, c + 1) {
                    let bk = rr * ncols + cc
                    for k in start[bk]..<start[bk + 1] {
                        let j = Int(members[k])
                        guard j > i else { continue }
                        let dx = x[j] - x[i], dy = y[j] - y[i], s = dx * dx + dy * dy
                        if s <= dd { visit(i, j, s.squareRoot()) }
                    }
                }
            }
        }
    }
}

/// The Knox near-repeat test: incidents at `x`, `y` (metres, a projected CRS) on `day` (day numbers), in `bands`,
/// with `permutations` seeded permutations of the dates. Only the pairs within `bands.maxDistance` are listed
/// (through a `PointIndex`); the farther row follows from the column totals, which a permutation of the dates does
/// not change. Permutation k draws from its own SplitMix64 stream, so the result is the same on any number of
/// threads.
public func knoxTest(x: [Double], y: [Double], day: [Int32], bands: KnoxBands, permutations: Int = 999,
                     seed: UInt64 = 12345, alpha: Double = 0.05) -> KnoxResult {
    knoxTest(x: x, y: y, day: day, bands: bands, permutations: permutations, seed: seed, alpha: alpha, parts: nil)
}

/// `knoxTest` with the permutations split in `parts` shares (nil: one per worker); the result does not depend on it.
func knoxTest(x: [Double], y: [Double], day: [Int32], bands: KnoxBands, permutations: Int, seed: UInt64, alpha: Double,
              parts: Int?) -> KnoxResult {
    precondition(x.count == y.count && x.count == day.count && bands.spatialBands >= 1 && bands.temporalBands >= 1 && bands.days >= 1 && bands.distance > 0)
    let n = x.count, cols = bands.columns, cells = bands.rows * cols
    let close = knoxClosePairs(x: x, y: y, bands: bands)
    let colTotals = knoxColumnTotals(day: day, bands: bands)
    let pairs = n * (n - 1) / 2
    let observed = knoxTable(close: close, dayOf: { day[Int($0)] }, colTotals: colTotals, bands: bands)
    // Row totals (the last row: every pair beyond the bands' reach).
    var rowTotals = [Int](repeating: 0, count: bands.rows)
    for r in 0..<bands.rows { for c in 0..<cols { rowTotals[r] += observed[r * cols + c] } }
    let exact = (0..<cells).map { pairs == 0 ? 0 : Double(rowTotals[$0 / cols]) * Double(colTotals[$0 % cols]) / Double(pairs) }
    let sim = knoxPermutations(close: close, day: day, colTotals: colTotals, observed: observed, bands: bands,
                               permutations: permutations, seed: seed, parts: parts)
    let P = Double(max(permutations, 1))
    let expected = sim.sum.map { Double($0) / P }
    let sd = (0..<cells).map { k in (max(0, Double(sim.sumSq[k]) / P - expected[k] * expected[k])).squareRoot() }
    let ratio = (0..<cells).map { expected[$0] > 0 ? Double(observed[$0]) / expected[$0] : .nan }
    let p = sim.atLeast.map { Double($0 + 1) / Double(permutations + 1) }
    let significant = (0..<cells).map { k in
        k / cols <= bands.spatialBands && k % cols < bands.temporalBands && permutations > 0 && p[k] <= alpha && ratio[k] > 1
    }
    var near: [(first: Int32, second: Int32, cell: Int32)] = []
    var isNear = [Bool](repeating: false, count: n)
    for k in close.a.indices {
        let dt = abs(Int(day[Int(close.a[k])]) - Int(day[Int(close.b[k])]))
        let cell = Int(close.row[k]) * cols + bands.column(days: dt)
        if significant[cell] {
            near.append((close.a[k], close.b[k], Int32(cell)))
            isNear[Int(close.a[k])] = true; isNear[Int(close.b[k])] = true
        }
    }
    return KnoxResult(bands: bands, n: n, pairs: pairs, observed: observed, expected: expected, expectedSD: sd,
                      exact: exact, ratio: ratio, pseudoP: p, permutations: permutations, seed: seed, alpha: alpha,
                      significant: significant, nearPairs: near, nearRepeatIncidents: isNear.count { $0 })
}

/// The pairs within `bands.maxDistance`, in (first, second) order, found in parallel over a bucket index.
func knoxClosePairs(x: [Double], y: [Double], bands: KnoxBands) -> KnoxPairs {
    let reach = bands.maxDistance
    let index = PointIndex(x: x, y: y, size: max(reach, 1e-9))
    let parts = parallelMap(chunks: Parallel.chunks(x.count, minimum: 512)) { range -> KnoxPairs in
        var p = KnoxPairs()
        index.forEachPair(within: reach, firsts: range) { i, j, d in
            p.a.append(Int32(i)); p.b.append(Int32(j)); p.row.append(UInt8(bands.row(distance: d)))
        }
        return p
    }
    var all = KnoxPairs()
    for p in parts { all.a += p.a; all.b += p.b; all.row += p.row }
    return all
}

/// Pairs per column over all pairs (whatever their distance), from the sorted days with two pointers per bound.
func knoxColumnTotals(day: [Int32], bands: KnoxBands) -> [Int] {
    let d = day.map { Int($0) }.sorted(), n = d.count
    // Pairs at most `gap` days apart.
    func within(_ gap: Int) -> Int {
        var total = 0, lo = 0
        for hi in 0..<n {
            while d[hi] - d[lo] > gap { lo += 1 }
            total += hi - lo
        }
        return total
    }
    var totals: [Int] = []
    var below = 0
    for c in 0..<bands.temporalBands {
        let upTo = within((c + 1) * bands.days)
        totals.append(upTo - below)
        below = upTo
    }
    totals.append(n * (n - 1) / 2 - below)
    return totals
}

/// The table of the close pairs with the days `dayOf` gives their endpoints; the last row from the column totals.
@inline(__always)
func knoxTable(close: KnoxPairs, dayOf: (Int32) -> Int32, colTotals: [Int], bands: KnoxBands) -> [Int] {
    let cols = bands.columns
    var t = [Int](repeating: 0, count: bands.rows * cols)
    for k in close.a.indices {
        let dt = abs(Int(dayOf(close.a[k])) - Int(dayOf(close.b[k])))
        t[Int(close.row[k]) * cols + bands.column(days: dt)] += 1
    }
    let last = (bands.rows - 1) * cols
    for c in 0..<cols {
        var inside = 0
        for r in 0..<(bands.rows - 1) { inside += t[r * cols + c] }
        t[last + c] = colTotals[c] - inside
    }
    return t
}

/// Sums, sums of squares and counts at least the observed, per cell, over the permutations.
/// (Integers throughout, so the totals do not depend on how the permutations were split: a sum of squares in Double
/// would differ in its last bits with the number of threads.)
struct KnoxSimulation: Sendable { var sum: [Int], sumSq: [Int128], atLeast: [Int] }

/// The permutations, split over the workers. Only the endpoints of close pairs need a date: permutation k draws
/// them without replacement from all the dates (a partial Fisher–Yates shuffle seeded by `seed` and k).
func knoxPermutations(close: KnoxPairs, day: [Int32], colTotals: [Int], observed: [Int], bands: KnoxBands,
                      permutations: Int, seed: UInt64, parts: Int? = nil) -> KnoxSimulation {
    // Endpoints renumbered 0..<m, so a permutation draws m dates.
    var slot = [Int32](repeating: -1, count: day.count)
    var m: Int32 = 0
    var ends = KnoxPairs(a: [], b: [], row: close.row)
    ends.a.reserveCapacity(close.a.count); ends.b.reserveCapacity(close.b.count)
    func renumber(_ v: Int32) -> Int32 {
        if slot[Int(v)] < 0 { slot[Int(v)] = m; m += 1 }
        return slot[Int(v)]
    }
    for k in close.a.indices { ends.a.append(renumber(close.a[k])); ends.b.append(renumber(close.b[k])) }
    let cells = observed.count, drawn = Int(m), ends0 = ends
    let chunks = parts.map { k in (0..<k).map { ($0 * permutations / k)..<(($0 + 1) * permutations / k) } }
        ?? Parallel.chunks(permutations, minimum: 8)
    let shares = parallelMap(chunks: chunks) { range -> KnoxSimulation in
        var s = KnoxSimulation(sum: [Int](repeating: 0, count: cells), sumSq: [Int128](repeating: 0, count: cells),
                               atLeast: [Int](repeating: 0, count: cells))
        var pool = day
        var swaps = [Int](repeating: 0, count: drawn)
        for k in range {
            // Each permutation starts from the dates in order (its swaps are undone after), so permutation k is
            // the same whichever worker draws it.
            var rng = SplitMix64(seed: seed ^ (UInt64(k + 1) &* 0x9E37_79B9_7F4A_7C15))
            let steps = min(drawn, pool.count - 1)
            pool.withUnsafeMutableBufferPointer { p in
                let n = p.count
                for t in 0..<max(0, steps) { let r = t + Int(rng.next() % UInt64(n - t)); swaps[t] = r; p.swapAt(t, r) }
            }
            let t = knoxTable(close: ends0, dayOf: { pool[Int($0)] }, colTotals: colTotals, bands: bands)
            pool.withUnsafeMutableBufferPointer { p in
                var u = steps - 1
                while u >= 0 { p.swapAt(u, swaps[u]); u -= 1 }
            }
            for c in 0..<cells {
                s.sum[c] += t[c]; s.sumSq[c] += Int128(t[c]) * Int128(t[c])
                if t[c] >= observed[c] { s.atLeast[c] += 1 }
            }
        }
        return s
    }
    var total = KnoxSimulation(sum: [Int](repeating: 0, count: cells), sumSq: [Int128](repeating: 0, count: cells),
                               atLeast: [Int](repeating: 0, count: cells))
    for p in shares {
        for c in 0..<cells { total.sum[c] += p.sum[c]; total.sumSq[c] += p.sumSq[c]; total.atLeast[c] += p.atLeast[c] }
    }
    return total
}
