import RealModule

/// A binomial proportion k / n with its Wilson score interval.
///
/// Wilson (1927), "Probable inference, the law of succession, and statistical inference", JASA 22:209–212:
/// with p̂ = k/n and z the normal quantile (1.959964 for 95 %),
/// centre = (p̂ + z²/2n) / (1 + z²/n), half-width = z / (1 + z²/n) · √(p̂(1−p̂)/n + z²/4n²);
/// the interval is centre ± half-width (it stays inside [0, 1], and is not empty at k = 0 or k = n).
/// n = 0 gives no share and no interval (nil).
public struct WilsonInterval: Sendable, Equatable {
    /// Successes and trials.
    public var k: Int, n: Int
    /// k / n (nil when n = 0).
    public var share: Double?
    /// The interval's ends (nil when n = 0).
    public var low: Double?, high: Double?
    public var z: Double

    public init(k: Int, n: Int, z: Double = 1.959963984540054) {
        self.k = k; self.n = n; self.z = z
        guard n > 0 else { share = nil; low = nil; high = nil; return }
        let nn = Double(n), p = Double(k) / nn, z2 = z * z
        let denom = 1 + z2 / nn
        let centre = (p + z2 / (2 * nn)) / denom
        let half = z / denom * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot()
        share = p; low = max(0, centre - half); high = min(1, centre + half)
    }
}

/// The ratio of two rates a / popA over b / popB, with populations as fixed denominators, and its Katz log interval.
///
/// Katz, Baptista, Azen and Pike (1978), "Obtaining confidence intervals for the risk ratio in cohort studies",
/// Biometrics 34:469–474, as used for rate ratios of counts over fixed populations (Rothman, Greenland and Lash,
/// Modern Epidemiology, 3rd ed., ch. 14): RR = (a / popA) / (b / popB); 95 % CI = exp(ln RR ± z·√(1/a + 1/b)).
/// A zero count or population gives no ratio (nil) and no interval.
public struct RateRatio: Sendable, Equatable {
    public var a: Int, popA: Double, b: Int, popB: Double
    public var ratio: Double?
    public var low: Double?, high: Double?

    public init(a: Int, popA: Double, b: Int, popB: Double, z: Double = 1.959963984540054) {
        self.a = a; self.popA = popA; self.b = b; self.popB = popB
        guard a > 0, b > 0, popA > 0, popB > 0 else { ratio = nil; low = nil; high = nil; return }
        let rr = (Double(a) / popA) / (Double(b) / popB)
        let se = (1 / Double(a) + 1 / Double(b)).squareRoot()
        ratio = rr
        low = rr * Double.exp(-z * se); high = rr * Double.exp(z * se)
    }
}


/// The two-proportion z test of k1/n1 against k2/n2 with the pooled proportion (as statsmodels'
/// `proportions_ztest`): p = (k1 + k2) / (n1 + n2), z = (k1/n1 − k2/n2) / √(p(1 − p)(1/n1 + 1/n2)), two-sided
/// p-value 2(1 − Φ(|z|)) (e.g. Agresti, *Categorical Data Analysis*, 3rd ed., §3.1). An empty group, or a pooled
/// share of 0 or 1, gives no z and no p (nil).
public struct TwoProportionTest: Sendable, Equatable {
    public var first: WilsonInterval, second: WilsonInterval
    /// k1/n1 − k2/n2.
    public var difference: Double?
    public var z: Double?, p: Double?

    public init(k1: Int, n1: Int, k2: Int, n2: Int) {
        first = WilsonInterval(k: k1, n: n1); second = WilsonInterval(k: k2, n: n2)
        guard n1 > 0, n2 > 0 else { difference = nil; z = nil; p = nil; return }
        let p1 = Double(k1) / Double(n1), p2 = Double(k2) / Double(n2), pooled = Double(k1 + k2) / Double(n1 + n2)
        difference = p1 - p2
        let se = (pooled * (1 - pooled) * (1 / Double(n1) + 1 / Double(n2))).squareRoot()
        guard se > 0 else { z = nil; p = nil; return }
        z = (p1 - p2) / se
        p = Normal.twoSidedP(z!)
    }
}
