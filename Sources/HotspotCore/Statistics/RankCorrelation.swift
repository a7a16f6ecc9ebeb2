import RealModule

/// Ranks with ties sharing the average of the ranks they span (1 = the smallest value; `descending`: 1 = the
/// largest). Three values tied for places 2–4 each get rank 3. NaN values get NaN and are not ranked.
public func averageRanks(_ values: [Double], descending: Bool = false) -> [Double] {
    let idx = values.indices.filter { !values[$0].isNaN }.sorted {
        descending ? (values[$0], $1) > (values[$1], $0) : (values[$0], $0) < (values[$1], $1)
    }
    var out = [Double](repeating: .nan, count: values.count)
    var start = 0
    while start < idx.count {
        var end = start
        while end + 1 < idx.count && values[idx[end + 1]] == values[idx[start]] { end += 1 }
        // Places start+1 … end+1 share their mean.
        let rank = Double(start + end + 2) / 2
        for k in start...end { out[idx[k]] = rank }
        start = end + 1
    }
    return out
}

/// Spearman's rank correlation of paired values, with a confidence interval and a p-value.
///
/// ρ is Pearson's correlation of the average ranks (`averageRanks`; ties share their mean rank), as
/// `scipy.stats.spearmanr` computes it. The 95 % interval is Fisher's z transform with the standard error Fieller,
/// Hartley and Pearson (1957, "Tests for rank correlation coefficients. I", Biometrika 44:470–481) give for
/// Spearman's ρ: z = atanh ρ, SE = 1.06 / √(n − 3), interval tanh(z ± 1.959964·SE) (n ≥ 4). The two-sided p-value is
/// the t approximation scipy uses: t = ρ·√((n − 2) / (1 − ρ²)) on n − 2 degrees of freedom (n ≥ 3; p = 0 when
/// |ρ| = 1). ρ is nil when n < 2 or either variable has a single value (every rank tied).
public struct SpearmanCorrelation: Sendable, Equatable {
    /// Pairs used (both values finite).
    public var n: Int
    public var rho: Double?
    public var low: Double?, high: Double?
    public var p: Double?
    /// The standard error of Fisher's z: 1.06 / √(n − 3) (Fieller, Hartley and Pearson 1957).
    public static func fisherSE(n: Int) -> Double { 1.06 / Double(n - 3).squareRoot() }

    public init(_ a: [Double], _ b: [Double], z: Double = 1.959963984540054) {
        precondition(a.count == b.count)
        let keep = a.indices.filter { a[$0].isFinite && b[$0].isFinite }
        n = keep.count
        let ra = averageRanks(keep.map { a[$0] }), rb = averageRanks(keep.map { b[$0] })
        rho = Self.pearson(ra, rb)
        guard let r = rho else { return }
        if n >= 4 {
            let fz = Double.atanh(r), se = Self.fisherSE(n: n)
            low = Double.tanh(fz - z * se); high = Double.tanh(fz + z * se)
        }
        if n >= 3 {
            let df = Double(n - 2)
            p = abs(r) >= 1 ? 0 : StudentT.twoSidedP(r * (df / ((1 - r) * (1 + r))).squareRoot(), df: df)
        }
    }

    /// Pearson's r of `x` and `y` (nil when n < 2 or either has no spread), clamped to [−1, 1].
    static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        guard x.count >= 2 else { return nil }
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (u, v) in zip(x, y) { sxy += (u - mx) * (v - my); sxx += (u - mx) * (u - mx); syy += (v - my) * (v - my) }
        guard sxx > 0, syy > 0 else { return nil }
        return max(-1, min(1, sxy / (sxx * syy).squareRoot()))
    }
}

/// Student's t distribution.
public enum StudentT {
    /// Two-sided p-value of t on `df` degrees of freedom: P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2), the regularized
    /// incomplete beta function (Abramowitz and Stegun 26.7.1).
    public static func twoSidedP(_ t: Double, df: Double) -> Double {
        guard t.isFinite, df > 0 else { return t.isInfinite ? 0 : .nan }
        return regularizedIncompleteBeta(df / 2, 0.5, df / (df + t * t))
    }
}

/// The regularized incomplete beta function I_x(a, b), by its continued fraction evaluated with the modified Lentz
/// method (Press et al., Numerical Recipes, 3rd ed., §6.4), using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where
/// the fraction converges slowly. Relative accuracy about 1e-14.
public func regularizedIncompleteBeta(_ a: Double, _ b: Double, _ x: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let lnFront = Double.logGamma(a + b) - Double.logGamma(a) - Double.logGamma(b) + a * Double.log(x) + b * Double.log(1 - x)
    if x < (a + 1) / (a + b + 2) { return Double.exp(lnFront) * betaFraction(a, b, x) / a }
    return 1 - Double.exp(lnFront) * betaFraction(b, a, 1 - x) / b
}

/// The continued fraction of the incomplete beta function (modified Lentz).
func betaFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
    let tiny = 1e-300, eps = 1e-15
    var c = 1.0, d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1...400 {
        let m = Double(m), m2 = 2 * m
        var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
        d = 1 + aa * d; if abs(d) < tiny { d = tiny }
        c = 1 + aa / c; if abs(c) < tiny { c = tiny }
        d = 1 / d; h *= d * c
        aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
        d = 1 + aa * d; if abs(d) < tiny { d = tiny }
        c = 1 + aa / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        let del = d * c
        h *= del
        if abs(del - 1) < eps { break }
    }
    return h
}
