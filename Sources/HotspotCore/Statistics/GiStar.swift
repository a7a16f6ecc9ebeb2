/// Confidence bins of a Gi* result: ±3 at p < 0.01, ±2 at p < 0.05, ±1 at p < 0.10 (sign of z), 0 otherwise.
/// With FDR, a level counts only when the BH-adjusted p is ≤ the level.
public func giBin(z: Double, p: Double, adjusted: Bool = false) -> Int8 {
    guard !z.isNaN, !p.isNaN else { return 0 }
    let level: Int8
    if adjusted { level = p <= 0.01 ? 3 : (p <= 0.05 ? 2 : (p <= 0.10 ? 1 : 0)) }
    else { level = p < 0.01 ? 3 : (p < 0.05 ? 2 : (p < 0.10 ? 1 : 0)) }
    return z > 0 ? level : (z < 0 ? -level : 0)
}

/// Getis-Ord Gi* for every location, with all its parts.
public struct GiStarResult: Sendable {
    /// z-scores (Ord & Getis 1995 closed form); NaN where the location does not exist (masked).
    public var z: [Double]
    /// Two-sided p-values 2(1 − Φ(|z|)).
    public var p: [Double]
    /// Benjamini–Hochberg adjusted p over all locations.
    public var pAdjusted: [Double]
    /// −3…+3 bins from p (`binFDR` from the adjusted p).
    public var bin: [Int8]
    public var binFDR: [Int8]
    /// Neighbours of each location, itself included (W_i for binary weights).
    public var neighbours: [Int32]
    /// Conditional-permutation pseudo p-values when requested, else empty.
    public var pseudoP: [Double]
    /// n (locations), mean x̄ and S = √(Σx²/n − x̄²) used.
    public var n: Int, mean: Double, s: Double

    /// How `pAdjusted` and `binFDR` were adjusted (Benjamini–Hochberg unless `adjusted(_:)` chose another).
    public var adjustment: PAdjustment = .bh

    /// The bins actually reported: FDR-adjusted (default) or raw.
    public func bins(fdr: Bool) -> [Int8] { fdr ? binFDR : bin }

    /// The same result with `pAdjusted` and `binFDR` from `method` (`none`: the raw p and bins).
    public func adjusted(_ method: PAdjustment) -> GiStarResult {
        var r = self
        r.adjustment = method
        r.pAdjusted = method.adjust(p)
        r.binFDR = method == .none ? bin : zip(z, r.pAdjusted).map { giBin(z: $0, p: $1, adjusted: true) }
        return r
    }
}

/// Sparse binary neighbourhood (self included) in compressed rows: the neighbours of i are
/// `index[offsets[i]..<offsets[i+1]]`.
public struct Neighbourhood: Sendable, Equatable {
    public var offsets: [Int]
    public var index: [Int32]
    public init(offsets: [Int], index: [Int32]) { self.offsets = offsets; self.index = index }
    public var count: Int { offsets.count - 1 }
    public func neighbours(of i: Int) -> ArraySlice<Int32> { index[offsets[i]..<offsets[i + 1]] }

    /// From lists (self added when missing), sorted.
    public init(lists: [[Int]]) {
        var off = [0], idx: [Int32] = []
        for (i, l) in lists.enumerated() {
            let s = Set(l + [i]).sorted()
            idx += s.map(Int32.init); off.append(idx.count)
        }
        self.init(offsets: off, index: idx)
    }

    /// The k nearest neighbours of each point (by Euclidean distance, ties by index) plus itself, through a bucket
    /// index (`PointIndex`): the same lists as `kNearestBruteForce`, in O(n · k) expected time.
    public static func kNearest(x: [Double], y: [Double], k: Int) -> Neighbourhood {
        let index = PointIndex(x: x, y: y)
        return Neighbourhood(lists: x.indices.map { index.nearest($0, k: k) })
    }

    /// The definition, every pair compared: O(n² log n). Kept for the tests.
    public static func kNearestBruteForce(x: [Double], y: [Double], k: Int) -> Neighbourhood {
        let n = x.count
        return Neighbourhood(lists: (0..<n).map { i in
            (0..<n).filter { $0 != i }.sorted { a, b in
                let da = (x[a] - x[i]) * (x[a] - x[i]) + (y[a] - y[i]) * (y[a] - y[i])
                let db = (x[b] - x[i]) * (x[b] - x[i]) + (y[b] - y[i]) * (y[b] - y[i])
                return (da, a) < (db, b)
            }.prefix(k).map { $0 }
        })
    }
}

/// Gi* on an arbitrary binary neighbourhood (self included):
///   z_i = (Σ_j w_ij x_j − x̄ W_i) / (S √((n W_i − W_i²)/(n − 1))),  x̄ = Σx/n, S = √(Σx²/n − x̄²)
/// (Ord & Getis 1995, eq. 14 with binary weights; ArcGIS Hot Spot Analysis; esda `G_Local(star=True, transform="B")`).
public func giStar(values x: [Double], neighbourhood nb: Neighbourhood, permutations: Int = 0, seed: UInt64 = 12345) -> GiStarResult {
    let n = x.count
    precondition(nb.count == n)
    let mean = x.reduce(0, +) / Double(n)
    let s = (x.reduce(0) { $0 + $1 * $1 } / Double(n) - mean * mean).squareRoot()
    var z = [Double](repeating: .nan, count: n), w = [Int32](repeating: 0, count: n)
    for i in 0..<n {
        var sum = 0.0
        for j in nb.neighbours(of: i) { sum += x[Int(j)] }
        let W = Double(nb.offsets[i + 1] - nb.offsets[i])
        w[i] = Int32(W)
        z[i] = (sum - mean * W) / (s * ((Double(n) * W - W * W) / Double(n - 1)).squareRoot())
    }
    var r = assemble(z: z, neighbours: w, n: n, mean: mean, s: s)
    if permutations > 0 { r.pseudoP = conditionalPermutation(x: x, nb: nb, observed: z, permutations: permutations, seed: seed) }
    return r
}

/// Gi* on a square grid with a distance band: neighbours are the cells whose centres lie within `radius` metres
/// (ties at exactly r included, as libpysal's DistanceBand; self included). Cells outside the grid do not exist, so
/// edge cells have fewer neighbours. `mask` (optional) marks the locations that exist; others are neither
/// observations nor neighbours and get NaN. Neighbour sums use running sums along rows: O(cells × rows in the disc).
public func giStar(grid: SquareGrid, values x: [Double], radius: Double, mask: [Bool]? = nil) -> GiStarResult {
    let (sums, w) = discSums(grid: grid, values: x, radius: radius, mask: mask)
    let live = mask.map { m in (0..<x.count).filter { m[$0] } } ?? Array(0..<x.count)
    let n = Double(live.count)
    let mean = live.reduce(0) { $0 + x[$1] } / n
    let s = (live.reduce(0) { $0 + x[$1] * x[$1] } / n - mean * mean).squareRoot()
    var z = [Double](repeating: .nan, count: x.count)
    for i in live {
        let W = Double(w[i])
        z[i] = (sums[i] - mean * W) / (s * ((n * W - W * W) / (n - 1)).squareRoot())
    }
    return assemble(z: z, neighbours: w, n: live.count, mean: mean, s: s)
}

/// Row offsets of the disc of radius r (cells), each with its half-width in columns: (dr, maxDc).
func discOffsets(cell: Double, radius: Double) -> [(dr: Int, half: Int)] {
    let R = Int((radius / cell + 1e-9).rounded(.down))
    let r2 = (radius / cell) * (radius / cell) * (1 + 1e-12)
    return (-R...R).map { dr in
        var half = 0
        while Double((half + 1) * (half + 1) + dr * dr) <= r2 { half += 1 }
        return (dr, half)
    }.filter { Double($0.dr * $0.dr) <= r2 }
}

/// Σ x over each cell's disc neighbourhood and the number of existing neighbours, with row prefix sums.
func discSums(grid: SquareGrid, values x: [Double], radius: Double, mask: [Bool]?) -> (sums: [Double], w: [Int32]) {
    let nr = grid.nrows, nc = grid.ncols
    let offs = discOffsets(cell: grid.cellSize, radius: radius)
    // Prefix sums per row of values and of existence.
    var px = [Double](repeating: 0, count: nr * (nc + 1)), pm = [Int32](repeating: 0, count: nr * (nc + 1))
    for r in 0..<nr {
        for c in 0..<nc {
            let k = r * nc + c, live = mask?[k] ?? true
            px[r * (nc + 1) + c + 1] = px[r * (nc + 1) + c] + (live ? x[k] : 0)
            pm[r * (nc + 1) + c + 1] = pm[r * (nc + 1) + c] + (live ? 1 : 0)
        }
    }
    let sumsX = px, sumsM = pm
    let parts = parallelMap(chunks: Parallel.chunks(nr, minimum: 16)) { rows -> ([Double], [Int32]) in
        var s = [Double](repeating: 0, count: rows.count * nc), w = [Int32](repeating: 0, count: rows.count * nc)
        for r in rows {
            for c in 0..<nc {
                var acc = 0.0, cnt: Int32 = 0
                for o in offs {
                    let rr = r + o.dr
                    guard rr >= 0, rr < nr else { continue }
                    let c0 = max(0, c - o.half), c1 = min(nc - 1, c + o.half)
                    let base = rr * (nc + 1)
                    acc += sumsX[base + c1 + 1] - sumsX[base + c0]
                    cnt += sumsM[base + c1 + 1] - sumsM[base + c0]
                }
                s[(r - rows.lowerBound) * nc + c] = acc
                w[(r - rows.lowerBound) * nc + c] = cnt
            }
        }
        return (s, w)
    }
    return (parts.flatMap(\.0), parts.flatMap(\.1))
}

func assemble(z: [Double], neighbours: [Int32], n: Int, mean: Double, s: Double) -> GiStarResult {
    let p = z.map(Normal.twoSidedP)
    let adj = benjaminiHochberg(p)
    return GiStarResult(z: z, p: p, pAdjusted: adj,
                        bin: zip(z, p).map { giBin(z: $0, p: $1) },
                        binFDR: zip(z, adj).map { giBin(z: $0, p: $1, adjusted: true) },
                        neighbours: neighbours, pseudoP: [], n: n, mean: mean, s: s)
}

/// Conditional permutation (Anselin 1995): for each i, x_i stays and its W_i − 1 neighbours are drawn at random
/// from the other locations. Pseudo p = (1 + #{simulated neighbour sums at least as extreme as the observed one, in
/// the observed direction}) / (1 + permutations), as esda reports it (one-sided, folded). Seeded (SplitMix64).
func conditionalPermutation(x: [Double], nb: Neighbourhood, observed: [Double], permutations: Int, seed: UInt64) -> [Double] {
    let n = x.count
    var rng = SplitMix64(seed: seed)
    var out = [Double](repeating: .nan, count: n)
    var pool = [Int](repeating: 0, count: n)
    for i in 0..<n {
        let k = nb.offsets[i + 1] - nb.offsets[i] - 1
        var observedSum = 0.0
        for j in nb.neighbours(of: i) where Int(j) != i { observedSum += x[Int(j)] }
        var larger = 0
        for _ in 0..<permutations {
            // Partial Fisher–Yates over the other locations.
            for t in 0..<n { pool[t] = t }
            pool.swapAt(i, n - 1)
            var sum = 0.0
            for t in 0..<k {
                let r = t + Int(rng.next() % UInt64(n - 1 - t))
                pool.swapAt(t, r)
                sum += x[pool[t]]
            }
            if observed[i] >= 0 ? sum >= observedSum : sum <= observedSum { larger += 1 }
        }
        out[i] = Double(larger + 1) / Double(permutations + 1)
    }
    return out
}

/// SplitMix64 (Steele, Lea & Flood 2014): small, fast, seeded.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
