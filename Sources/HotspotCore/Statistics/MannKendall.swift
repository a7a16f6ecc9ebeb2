/// The Mann-Kendall trend test on one series (as pymannkendall's `original_test`).
public struct MannKendallResult: Sendable, Equatable {
    /// S = Σ_{i<j} sign(x_j − x_i).
    public var s: Double
    /// Var(S) = [n(n−1)(2n+5) − Σ_t t(t−1)(2t+5)] / 18, t the sizes of tied groups.
    public var varS: Double
    /// z = (S − 1)/√Var(S) for S > 0, (S + 1)/√Var(S) for S < 0, else 0 (continuity correction).
    public var z: Double
    /// Two-sided p = 2(1 − Φ(|z|)).
    public var p: Double
    /// Kendall's tau-a = S / (n(n−1)/2).
    public var tau: Double
    public var n: Int

    /// Trend direction at significance α: +1 increasing, −1 decreasing, 0 none.
    public func trend(alpha: Double) -> Int { p < alpha ? (z > 0 ? 1 : (z < 0 ? -1 : 0)) : 0 }
}

/// Mann (1945), Kendall (1975). NaN anywhere in the series gives a NaN result; fewer than 2 values give S = 0.
public func mannKendall(_ x: [Double]) -> MannKendallResult {
    mannKendallColumns(x.map { [$0] })[0]
}

/// Mann-Kendall for many series at once: `series[t][location]` (step-major, as a cube's slices). The pair loop runs
/// over steps on the outside and locations inside, over contiguous rows, so it vectorises; ties are counted per
/// location on a sorted copy. Same definitions as `mannKendall(_:)`.
public func mannKendallColumns(_ series: [[Double]]) -> [MannKendallResult] {
    let T = series.count, L = series.first?.count ?? (T == 0 ? 1 : 0)
    var s = [Int32](repeating: 0, count: L)
    s.withUnsafeMutableBufferPointer { sb in
        for a in 0..<T {
            series[a].withUnsafeBufferPointer { xa in
                for b in (a + 1)..<max(a + 1, T) {
                    series[b].withUnsafeBufferPointer { xb in
                        for i in 0..<L {
                            let d = xb[i] - xa[i]
                            sb[i] &+= d > 0 ? 1 : (d < 0 ? -1 : 0)
                        }
                    }
                }
            }
        }
    }
    let nn = Double(T)
    let base = nn * (nn - 1) * (2 * nn + 5)
    var col = [Double](repeating: 0, count: T)
    var out: [MannKendallResult] = []
    out.reserveCapacity(L)
    for i in 0..<L {
        var hasNaN = false
        for t in 0..<T { col[t] = series[t][i]; if col[t].isNaN { hasNaN = true } }
        if hasNaN { out.append(MannKendallResult(s: .nan, varS: .nan, z: .nan, p: .nan, tau: .nan, n: T)); continue }
        col.sort()
        var tie = 0.0, k = 0
        while k < T {
            var e = k + 1
            while e < T && col[e] == col[k] { e += 1 }
            let t = Double(e - k)
            tie += t * (t - 1) * (2 * t + 5)
            k = e
        }
        let v = (base - tie) / 18, sd = Double(s[i])
        let z = s[i] > 0 ? (sd - 1) / v.squareRoot() : (s[i] < 0 ? (sd + 1) / v.squareRoot() : 0)
        out.append(MannKendallResult(s: sd, varS: v, z: z, p: v > 0 ? Normal.twoSidedP(z) : 1,
                                     tau: T > 1 ? sd / (0.5 * nn * (nn - 1)) : .nan, n: T))
    }
    return out
}
