import RealModule

/// A change in counts between two periods, with the exact conditional test of equal Poisson rates.
public struct CountChange: Sendable, Equatable {
    public var before: Int, after: Int
    /// after − before.
    public var change: Int { after - before }
    /// 100 · (after − before) / before; nil when before = 0.
    public var percentChange: Double? { Self.percentChange(before: before, after: after) }
    /// 100 · (after − before) / before; nil when before = 0 (without the test, for figures that need no p).
    public static func percentChange(before: Int, after: Int) -> Double? { before > 0 ? 100 * Double(after - before) / Double(before) : nil }
    /// Two-sided p of the exact conditional test (see `poissonRateTest`).
    public var p: Double
}

/// Exact conditional test for two Poisson counts (Przyborowski & Wilenski 1940): under equal rates, given n = a + b,
/// b ~ Binomial(n, e_b / (e_a + e_b)), e the exposures (period lengths). The two-sided p sums the probabilities of
/// all outcomes no more likely than the one observed (R's `binom.test` / `poisson.test` convention, relative
/// tolerance 1e-7).
public func poissonRateTest(before a: Int, after b: Int, exposureBefore ea: Double = 1, exposureAfter eb: Double = 1) -> CountChange {
    let n = a + b
    guard n > 0 else { return CountChange(before: a, after: b, p: 1) }
    let p0 = eb / (ea + eb)
    // Outcomes more than 40 standard deviations from the mean n·p₀ have probability below e^−800 (Chernoff), which
    // is 0 in a Double: only the window around the mean (and the observed outcome) can add to the sum. This makes the
    // test O(√n) instead of O(n) for the large counts of London-wide totals; the sum is unchanged.
    let mean = Double(n) * p0, sd = (Double(n) * p0 * (1 - p0)).squareRoot()
    let lo = max(0, min(b, Int((mean - 40 * sd - 1).rounded(.down)))), hi = min(n, max(b, Int((mean + 40 * sd + 1).rounded(.up))))
    // log Γ(j + 1) is needed for j = k and j = n − k over the window: when the two ranges overlap (periods of about
    // equal length), one table of the same values serves both, halving the calls. The terms that do not depend on
    // k are computed once.
    let first = min(lo, n - hi), last = max(hi, n - lo)
    let table = last - first + 1 <= 2 * (hi - lo + 1) ? (first...last).map { Double.logGamma(Double($0 + 1)) } : nil
    func logFactorial(_ j: Int) -> Double {
        if let table { return table[j - first] }
        return Double.logGamma(Double(j + 1))
    }
    let lgN = Double.logGamma(Double(n + 1)), logP = Double.log(p0), logQ = Double.log(1 - p0), tolerance = Double.log(1 + 1e-7)
    func logPMF(_ k: Int) -> Double {
        let lc = lgN - logFactorial(k) - logFactorial(n - k)
        let lp = (k > 0 ? Double(k) * logP : 0) + (n - k > 0 ? Double(n - k) * logQ : 0)
        return lc + lp
    }
    let observed = logPMF(b)
    var p = 0.0
    for k in lo...hi {
        let l = logPMF(k)
        if l <= observed + tolerance { p += Double.exp(l) }
    }
    return CountChange(before: a, after: b, p: min(1, p))
}

/// How well a hotspot product from one period predicted incidents in a later one.
public struct HotspotAccuracy: Sendable, Equatable {
    /// Later incidents inside the hotspot area, and all later incidents.
    public var captured: Int, total: Int
    /// Hit rate n/N.
    public var hitRate: Double
    /// Prediction Accuracy Index (n/N)/(a/A) (Chainey, Tompson & Uhlig 2008).
    public var pai: Double
    /// Recapture Rate Index (n₂/n₁)/(N₂/N₁) (Levine 2008): n the counts in the hotspot area, N all, 1 the period the
    /// map was made from, 2 the later one. nil without the earlier counts.
    public var rri: Double?
    public var areaM2: Double, studyAreaM2: Double
}

public func hotspotAccuracy(capturedLater n2: Int, totalLater N2: Int, areaM2 a: Double, studyAreaM2 A: Double,
                            capturedEarlier n1: Int? = nil, totalEarlier N1: Int? = nil) -> HotspotAccuracy {
    var rri: Double?
    if let n1, let N1, n1 > 0, N1 > 0, N2 > 0 { rri = (Double(n2) / Double(n1)) / (Double(N2) / Double(N1)) }
    return HotspotAccuracy(captured: n2, total: N2, hitRate: N2 > 0 ? Double(n2) / Double(N2) : .nan,
                           pai: predictionAccuracyIndex(captured: Double(n2), total: Double(N2), area: a, studyArea: A),
                           rri: rri, areaM2: a, studyAreaM2: A)
}
