import RealModule

/// Standard normal distribution helpers.
public enum Normal {
    /// Two-sided p-value of a z-score, 2·(1 − Φ(|z|)) = erfc(|z|/√2) (computed with erfc, accurate in the tails).
    @inlinable public static func twoSidedP(_ z: Double) -> Double {
        z.isNaN ? .nan : Double.erfc(abs(z) / 2.0.squareRoot())
    }
    /// Φ(z).
    @inlinable public static func cdf(_ z: Double) -> Double { 0.5 * Double.erfc(-z / 2.0.squareRoot()) }
}

/// Benjamini–Hochberg (1995) adjusted p-values: p̃_(i) = min_{j ≥ i} min(1, m·p_(j)/j) over the m finite p-values
/// (NaN stays NaN). A test is rejected at false-discovery rate q when p̃ ≤ q.
public func benjaminiHochberg(_ p: [Double]) -> [Double] {
    let idx = p.indices.filter { p[$0].isFinite }.sorted { (p[$0], $0) < (p[$1], $1) }
    var out = [Double](repeating: .nan, count: p.count)
    let m = Double(idx.count)
    var running = 1.0
    for r in stride(from: idx.count - 1, through: 0, by: -1) {
        running = min(running, p[idx[r]] * m / Double(r + 1))
        out[idx[r]] = min(1, running)
    }
    return out
}
