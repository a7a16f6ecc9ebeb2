import RealModule

/// Standard normal distribution helpers.
public enum Normal {
    /// Two-sided p-value of a z-score, 2·(1 − Φ(|z|)) = erfc(|z|/√2) (computed with erfc, accurate in the tails).
    @inlinable public static func twoSidedP(_ z: Double) -> Double {
        z.isNaN ? .nan : Double.erfc(abs(z) / 2.0.squareRoot())
    }
}

/// Benjamini–Hochberg (1995) adjusted p-values: p̃_(i) = min_{j ≥ i} min(1, m·p_(j)/j) over the m finite p-values
/// (NaN stays NaN). A test is rejected at false-discovery rate q when p̃ ≤ q.
public func benjaminiHochberg(_ p: [Double]) -> [Double] {
    // Sort (p, index) pairs by p; tied p-values end up with the same adjusted value whatever their order.
    var pairs: [(Double, Int32)] = []
    pairs.reserveCapacity(p.count)
    for (i, v) in p.enumerated() where v.isFinite { pairs.append((v, Int32(i))) }
    pairs.sort { $0.0 < $1.0 }
    var out = [Double](repeating: .nan, count: p.count)
    let m = Double(pairs.count)
    var running = 1.0
    for r in stride(from: pairs.count - 1, through: 0, by: -1) {
        running = min(running, pairs[r].0 * m / Double(r + 1))
        out[Int(pairs[r].1)] = min(1, running)
    }
    return out
}
