/// Local Moran's I (Anselin 1995, "Local indicators of spatial association — LISA", Geographical Analysis 27(2),
/// 93–115) for every location, with all its parts, as esda's `Moran_Local` (row-standardised weights,
/// transform='r') reports them.
public struct LocalMoranResult: Sendable {
    /// I_i = (n − 1) · z_i · lag_i / Σ_j z_j²  (esda's `Is`; Σ z² = n, so I_i = (n − 1)/n · z_i · lag_i).
    public var i: [Double]
    /// Standardised values z_i = (x_i − x̄)/σ, σ the population standard deviation (ddof 0).
    public var z: [Double]
    /// Row-standardised spatial lag of z: lag_i = Σ_{j ∈ N(i)} z_j / |N(i)| (0 without neighbours).
    public var lag: [Double]
    /// esda's quadrant code: 1 HH (z > 0, lag > 0), 2 LH (z ≤ 0, lag > 0), 3 LL (z ≤ 0, lag ≤ 0), 4 HL (z > 0, lag ≤ 0).
    public var quadrant: [Int8]
    /// Conditional-permutation pseudo p-values (esda's `p_sim`, folded: the smaller tail), (1 + extreme)/(1 + permutations).
    public var pSim: [Double]
    /// `pSim` adjusted by `adjustment` over all locations.
    public var pAdjusted: [Double]
    /// The quadrant where significant (`adjustment.significant(pAdjusted, alpha)`), else 0.
    public var cluster: [Int8]
    /// Neighbours of each location, itself excluded (|N(i)|).
    public var neighbours: [Int32]
    public var adjustment: PAdjustment, alpha: Double, permutations: Int, seed: UInt64
    /// n (locations), mean x̄ and σ (ddof 0).
    public var n: Int, mean: Double, sd: Double
}

/// Global Moran's I (Moran 1950; Cliff & Ord 1981) with row-standardised weights, as esda's `Moran`.
public struct GlobalMoranResult: Sendable {
    /// I = n/S0 · Σ_ij w_ij d_i d_j / Σ_i d_i², d = x − x̄.
    public var i: Double
    /// E[I] = −1/(n − 1).
    public var expected: Double
    /// Var(I) under normality, (n² S1 − n S2 + 3 S0²)/((n² − 1) S0²) − E[I]², its z and two-sided p (esda `z_norm`, `p_norm`).
    public var varianceNormal: Double, zNormal: Double, pNormal: Double
    /// Var(I) under randomisation (Cliff & Ord 1981, eq. 1.39; kurtosis b2 = n Σd⁴/(Σd²)²), its z and two-sided p
    /// (esda `VI_rand`, `z_rand`, `p_rand`).
    public var varianceRandom: Double, zRandom: Double, pRandom: Double
    /// Pseudo p from `permutations` random permutations of all values, folded as esda's `p_sim`; NaN without.
    public var pSim: Double
    public var permutations: Int
    /// n and the weight sums S0 = Σ_ij w_ij, S1 = ½ Σ_ij (w_ij + w_ji)², S2 = Σ_i (w_i· + w_·i)².
    public var n: Int, s0: Double, s1: Double, s2: Double
}

/// Row-standardised weights from a neighbourhood (self entries dropped): the neighbours of i, each weighted 1/|N(i)|.
/// Compressed rows as `Neighbourhood`.
struct RowWeights {
    var offsets: [Int], index: [Int32]
    init(_ nb: Neighbourhood) {
        var off = [0], idx: [Int32] = []
        idx.reserveCapacity(nb.index.count)
        for i in 0..<nb.count {
            for j in nb.neighbours(of: i) where Int(j) != i { idx.append(j) }
            off.append(idx.count)
        }
        offsets = off; index = idx
    }
    func cardinality(_ i: Int) -> Int { offsets[i + 1] - offsets[i] }
}

/// Local Moran's I on `values` with the neighbours of `nb` (self ignored), row-standardised. With `permutations`
/// > 0, conditional randomisation (Anselin 1995): x_i stays, its |N(i)| neighbours are drawn without replacement
/// from the other n − 1 values; pseudo p as esda (count of simulated I_i ≥ observed, folded to the smaller tail,
/// (count + 1)/(permutations + 1)). Each location draws from its own generator seeded by (seed, i), so results do
/// not depend on the number of threads; locations are split across cores (`Parallel`).
public func localMoran(values x: [Double], neighbourhood nb: Neighbourhood, permutations: Int = 999, seed: UInt64 = 12345,
                       adjustment: PAdjustment = .bh, alpha: Double = 0.05) -> LocalMoranResult {
    let n = x.count
    precondition(nb.count == n && n > 1)
    let w = RowWeights(nb)
    let mean = x.reduce(0, +) / Double(n)
    let sd = (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)).squareRoot()
    let z = x.map { ($0 - mean) / sd }
    let den = z.reduce(0) { $0 + $1 * $1 }
    var lag = [Double](repeating: 0, count: n), li = lag, quad = [Int8](repeating: 0, count: n), card = [Int32](repeating: 0, count: n)
    for i in 0..<n {
        let k = w.cardinality(i)
        card[i] = Int32(k)
        var s = 0.0
        let wi = 1 / Double(k)                                 // libpysal's row-standardised weight
        for t in w.offsets[i]..<w.offsets[i + 1] { s += z[Int(w.index[t])] * wi }
        lag[i] = s
        li[i] = Double(n - 1) * z[i] * s / den
        quad[i] = z[i].isNaN ? 0 : (z[i] > 0 ? (s > 0 ? 1 : 4) : (s > 0 ? 2 : 3))
    }
    let pSim = permutations > 0
        ? localPermutations(x: x, z: z, weights: w, permutations: permutations, seed: seed)
        : [Double](repeating: .nan, count: n)
    let adj = adjustment.adjust(pSim)
    let cluster = (0..<n).map { adjustment.significant(adj[$0], alpha: alpha) ? quad[$0] : 0 }
    return LocalMoranResult(i: li, z: z, lag: lag, quadrant: quad, pSim: pSim, pAdjusted: adj, cluster: cluster, neighbours: card,
                            adjustment: adjustment, alpha: alpha, permutations: permutations, seed: seed, n: n, mean: mean, sd: sd)
}

/// The generator of location `i`: SplitMix64 seeded from the run's seed and the location (its own stream).
func locationGenerator(seed: UInt64, location i: Int) -> SplitMix64 {
    var mix = SplitMix64(seed: seed ^ (UInt64(i) &* 0xD1B5_4A32_D192_ED03))
    return SplitMix64(seed: mix.next())
}

/// The conditional permutations of every location, split across cores; see `localMoran`. A simulated I_i =
/// c·z_i·(mean of the drawn z) is ≥ the observed one exactly when the sum of the drawn values x is ≥ the sum of the
/// neighbours' values (z_i > 0), ≤ it (z_i < 0), or always (z_i = 0): the sums of x are compared, so that equal
/// neighbourhoods (ties, frequent with counts) compare equal however the sum is rounded, as esda finds them.
func localPermutations(x: [Double], z: [Double], weights w: RowWeights, permutations: Int, seed: UInt64,
                       chunks: [Range<Int>]? = nil) -> [Double] {
    let n = z.count
    let tie = 1e-12 * x.reduce(0) { $0 + abs($1) }            // sums of counts are exact; of weights, nearly
    let parts = parallelMap(chunks: chunks ?? Parallel.chunks(n, minimum: 64)) { range -> [Double] in
        var pool = [Int32](0..<Int32(n)), swaps = [Int](repeating: 0, count: n)
        var out = [Double](repeating: .nan, count: range.count)
        x.withUnsafeBufferPointer { xb in
            pool.withUnsafeMutableBufferPointer { pb in
                for i in range {
                    let k = w.cardinality(i)
                    guard k > 0, z[i].isFinite else { continue }
                    var rng = locationGenerator(seed: seed, location: i)
                    pb.swapAt(i, n - 1)                           // the other n − 1 values are pb[0..<n-1]
                    var obs = 0.0
                    for t in w.offsets[i]..<w.offsets[i + 1] { obs += xb[Int(w.index[t])] }
                    let sign = z[i] > 0 ? 1.0 : (z[i] < 0 ? -1.0 : 0.0)
                    var atLeast = 0
                    for _ in 0..<permutations {
                        var s = 0.0
                        for t in 0..<k {                         // partial Fisher–Yates, undone below
                            let r = t + Int((rng.next().multipliedFullWidth(by: UInt64(n - 1 - t))).high)
                            pb.swapAt(t, r); swaps[t] = r
                            s += xb[Int(pb[t])]
                        }
                        for t in stride(from: k - 1, through: 0, by: -1) { pb.swapAt(t, swaps[t]) }
                        if sign * (s - obs) >= -tie { atLeast += 1 }
                    }
                    pb.swapAt(i, n - 1)
                    let extreme = min(atLeast, permutations - atLeast)
                    out[i - range.lowerBound] = Double(extreme + 1) / Double(permutations + 1)
                }
            }
        }
        return out
    }
    return parts.flatMap { $0 }
}

/// Global Moran's I with row-standardised weights (self ignored), its analytic moments under normality and
/// randomisation, and with `permutations` > 0 a pseudo p from full random permutations (seeded).
public func globalMoran(values x: [Double], neighbourhood nb: Neighbourhood, permutations: Int = 999, seed: UInt64 = 12345) -> GlobalMoranResult {
    let n = x.count
    precondition(nb.count == n && n > 3)
    let w = RowWeights(nb)
    let mean = x.reduce(0, +) / Double(n)
    let d = x.map { $0 - mean }
    let (s0, s1, s2) = weightSums(w)
    let i = moranI(d, w, s0: s0)
    let nn = Double(n), ei = -1 / (nn - 1), s02 = s0 * s0
    let vn = (nn * nn * s1 - nn * s2 + 3 * s02) / ((nn - 1) * (nn + 1) * s02) - ei * ei
    let m2 = d.reduce(0) { $0 + $1 * $1 } / nn, m4 = d.reduce(0) { $0 + $1 * $1 * $1 * $1 } / nn
    let k = m4 / (m2 * m2)
    let a = nn * ((nn * nn - 3 * nn + 3) * s1 - nn * s2 + 3 * s02)
    let b = k * ((nn * nn - nn) * s1 - 2 * nn * s2 + 6 * s02)
    let vr = (a - b) / ((nn - 1) * (nn - 2) * (nn - 3) * s02) - ei * ei
    let zn = (i - ei) / vn.squareRoot(), zr = (i - ei) / vr.squareRoot()
    var pSim = Double.nan
    if permutations > 0 {
        var rng = SplitMix64(seed: seed)
        var perm = d, atLeast = 0
        for _ in 0..<permutations {
            for t in stride(from: n - 1, to: 0, by: -1) { perm.swapAt(t, Int((rng.next().multipliedFullWidth(by: UInt64(t + 1))).high)) }
            if moranI(perm, w, s0: s0) >= i { atLeast += 1 }
        }
        pSim = Double(min(atLeast, permutations - atLeast) + 1) / Double(permutations + 1)
    }
    return GlobalMoranResult(i: i, expected: ei, varianceNormal: vn, zNormal: zn, pNormal: Normal.twoSidedP(zn),
                             varianceRandom: vr, zRandom: zr, pRandom: Normal.twoSidedP(zr), pSim: pSim, permutations: permutations,
                             n: n, s0: s0, s1: s1, s2: s2)
}

/// I = n/S0 · Σ_i d_i · Σ_j w_ij d_j / Σ d².
func moranI(_ d: [Double], _ w: RowWeights, s0: Double) -> Double {
    var num = 0.0, den = 0.0
    for i in 0..<d.count {
        let k = w.cardinality(i)
        den += d[i] * d[i]
        guard k > 0 else { continue }
        var s = 0.0
        for t in w.offsets[i]..<w.offsets[i + 1] { s += d[Int(w.index[t])] }
        num += d[i] * s / Double(k)
    }
    return Double(d.count) / s0 * num / den
}

/// S0, S1, S2 of row-standardised weights (w_ij = 1/|N(i)|), with w_ji looked up in j's sorted row.
func weightSums(_ w: RowWeights) -> (Double, Double, Double) {
    let n = w.offsets.count - 1
    var s0 = 0.0, s1 = 0.0
    var rowSum = [Double](repeating: 0, count: n), colSum = rowSum
    for i in 0..<n {
        let k = w.cardinality(i)
        guard k > 0 else { continue }
        let wij = 1 / Double(k)
        for t in w.offsets[i]..<w.offsets[i + 1] {
            let j = Int(w.index[t])
            s0 += wij; rowSum[i] += wij; colSum[j] += wij
            let row = w.index[w.offsets[j]..<w.offsets[j + 1]]
            let wji = row.contains(Int32(i)) ? 1 / Double(w.cardinality(j)) : 0
            s1 += (wij + wji) * (wij + wji)
        }
    }
    // The ordered pairs (j, i) with w_ji = 0 but w_ij ≠ 0 add w_ij² (the loop above saw only pairs with w_ij ≠ 0).
    for i in 0..<n {
        for t in w.offsets[i]..<w.offsets[i + 1] {
            let j = Int(w.index[t])
            if !w.index[w.offsets[j]..<w.offsets[j + 1]].contains(Int32(i)) { s1 += 1 / Double(w.cardinality(i) * w.cardinality(i)) }
        }
    }
    var s2 = 0.0
    for i in 0..<n {
        let t: Double = rowSum[i] + colSum[i]
        s2 += t * t
    }
    return (s0, s1 / 2, s2)
}
