/// ArcGIS Pro Emerging Hot Spot Analysis categories, with ArcGIS's codes (hot 1…8, cold −1…−8, 0 none).
public enum EmergingPattern: Int8, Sendable, Codable, CaseIterable {
    case noPattern = 0
    case new = 1, consecutive = 2, intensifying = 3, persistent = 4, diminishing = 5, sporadic = 6, oscillating = 7, historical = 8
    case newCold = -1, consecutiveCold = -2, intensifyingCold = -3, persistentCold = -4, diminishingCold = -5
    case sporadicCold = -6, oscillatingCold = -7, historicalCold = -8

    public var name: String {
        let base = ["No Pattern Detected", "New", "Consecutive", "Intensifying", "Persistent", "Diminishing", "Sporadic",
                    "Oscillating", "Historical"][Int(abs(rawValue))]
        return rawValue == 0 ? base : base + (rawValue > 0 ? " Hot Spot" : " Cold Spot")
    }
}

/// Which p-values decide that a bin is significant.
public enum FDRScope: String, Sendable, Codable, CaseIterable {
    /// Raw p < α.
    case none
    /// Benjamini–Hochberg within each time step, adjusted p ≤ α.
    case slice
    /// Benjamini–Hochberg over the whole cube, adjusted p ≤ α.
    case cube
}

public struct EmergingOptions: Sendable, Codable, Equatable {
    /// α for a significant hot/cold bin (ArcGIS: 90% confidence).
    public var alpha: Double = 0.10
    /// α for the Mann-Kendall trend of the Gi* z series.
    public var trendAlpha: Double = 0.05
    public var fdr: FDRScope = .slice
    /// The adjustment applied within `fdr`'s scope (slice or cube): Benjamini–Hochberg by default.
    public var adjust: PAdjustment = .bh
    /// With `true`, an earlier significant cold bin makes a location Oscillating instead of New/Consecutive
    /// (sfdep's reading); ESRI's text looks only at earlier hot bins (default `false`).
    public var priorOppositeMakesOscillating = false
    /// With `true` (ESRI's table), Intensifying/Persistent/Diminishing need a significant final step. With `false`
    /// they need only the 90% rule, so they are checked before Historical and Historical is never assigned.
    public var persistentRequiresFinalStep = true
    public init() {}
}

/// One location's classification, with the evidence behind it.
public struct EmergingResult: Sendable {
    public var pattern: EmergingPattern
    public var hotSteps: Int, coldSteps: Int
    public var finalZ: Double, finalP: Double
    /// Mann-Kendall on the Gi* z series (the trend ArcGIS tests) and on the counts.
    public var trendZ: MannKendallResult
    public var trendCounts: MannKendallResult
}

/// Classifies each location (ESRI rule table, first match wins; T steps; "90%" is the integer test 10·n ≥ 9·T):
///
/// | code | pattern | rule (hot side; cold mirrors it with hot ↔ cold and up ↔ down) |
/// |---|---|---|
/// | 1 | New | final step hot, and no other step hot |
/// | 2 | Consecutive | final run of ≥ 2 hot steps, no hot step before it, fewer than 90% hot |
/// | 3 | Intensifying | final hot, ≥ 90% hot, z trend up (MK p < trend α) |
/// | 5 | Diminishing | final hot, ≥ 90% hot, z trend down |
/// | 4 | Persistent | final hot, ≥ 90% hot, no significant trend |
/// | 7 | Oscillating | final hot, < 90% hot, some step cold |
/// | 6 | Sporadic | final hot, < 90% hot, no step cold |
/// | 8 | Historical | final step neither hot nor cold, ≥ 90% hot |
/// | 0 | No Pattern Detected | none of the above |
///
/// Hot patterns take precedence over cold ones. A bin is hot when significant (see `FDRScope`) and z > 0.
public func classifyEmerging(z: [[Double]], p: [[Double]], counts: [[Double]], options o: EmergingOptions = EmergingOptions(),
                             trends: EmergingTrends? = nil) -> [EmergingResult] {
    let T = z.count, L = z.first?.count ?? 0
    let tr = trends ?? EmergingTrends(z: z, counts: counts)
    var q = p
    switch o.fdr {
    case .none: break
    case .slice: q = p.map(o.adjust.adjust)
    case .cube:
        let flat = o.adjust.adjust(p.flatMap { $0 })
        q = (0..<T).map { t in Array(flat[(t * L)..<((t + 1) * L)]) }
    }
    return classifyEmerging(z: z, p: p, q: q, trends: tr, options: o)
}

/// The rule table on given p-values `q` (adjusted within `o.fdr`'s scope, or raw with `.none`): shared by the
/// dense and the sparse classification.
func classifyEmerging(z: [[Double]], p: [[Double]], q: [[Double]], trends tr: EmergingTrends, options o: EmergingOptions) -> [EmergingResult] {
    let T = z.count, L = z.first?.count ?? 0
    var out: [EmergingResult] = []
    out.reserveCapacity(L)
    var hot = [Bool](repeating: false, count: T), cold = hot
    for i in 0..<L {
        for t in 0..<T {
            let s = o.fdr == .none ? q[t][i] < o.alpha : q[t][i] <= o.alpha
            hot[t] = s && z[t][i] > 0; cold[t] = s && z[t][i] < 0
        }
        let trend = tr.z[i].trend(alpha: o.trendAlpha)
        var pattern = side(hot, cold, trend: trend, T: T, o: o)
        if pattern == 0 { pattern = -side(cold, hot, trend: -trend, T: T, o: o) }
        out.append(EmergingResult(pattern: EmergingPattern(rawValue: Int8(pattern)) ?? .noPattern,
                                  hotSteps: hot.filter { $0 }.count, coldSteps: cold.filter { $0 }.count,
                                  finalZ: T > 0 ? z[T - 1][i] : .nan, finalP: T > 0 ? p[T - 1][i] : .nan,
                                  trendZ: tr.z[i], trendCounts: tr.counts[i]))
    }
    return out
}

/// The Mann-Kendall trends of every location's Gi* z series and count series (they do not depend on the FDR
/// scope or α, so compute them once when classifying several ways).
public struct EmergingTrends: Sendable {
    public var z: [MannKendallResult]
    public var counts: [MannKendallResult]
    public init(z: [[Double]], counts: [[Double]]) {
        self.z = mannKendallColumns(z.map { $0.map { $0.isNaN ? 0 : $0 } })
        self.counts = mannKendallColumns(counts)
    }
}

/// The hot-side rules (returns 0…8); call with the sides swapped and the trend negated for cold.
func side(_ a: [Bool], _ b: [Bool], trend: Int, T: Int, o: EmergingOptions) -> Int {
    guard T > 0 else { return 0 }
    let nA = a.filter { $0 }.count, nB = b.filter { $0 }.count
    let final = a[T - 1]
    var run = 0
    for t in stride(from: T - 1, through: 0, by: -1) { if a[t] { run += 1 } else { break } }
    let p90 = 10 * nA >= 9 * T
    let clean = o.priorOppositeMakesOscillating ? nB == 0 : true
    if final {
        if nA == 1 && clean { return 1 }
        if run >= 2 && nA == run && clean && !p90 { return 2 }
    }
    if final || !o.persistentRequiresFinalStep {
        if p90 && trend > 0 { return 3 }
        if p90 && trend < 0 { return 5 }
        if p90 { return 4 }
    }
    if final {
        if nB >= 1 { return 7 }
        return 6
    }
    if !a[T - 1] && !b[T - 1] && p90 { return 8 }
    return 0
}

/// Warning text when a trend test has almost no power (fewer than 10 steps).
public func trendPowerWarning(steps T: Int) -> String? {
    guard T < 10 else { return nil }
    return "only \(T) time steps: the Mann-Kendall trend test has almost no power (with \(T) steps the smallest possible p is about \(smallestTrendP(steps: T).formatted4)); trend-based categories (intensifying, diminishing) are unreliable"
}

/// The smallest two-sided Mann-Kendall p over `n` steps: the p of a strictly monotone series, as `mannKendall`
/// computes it (0.089 for 4 steps, 0.027 for 5, 0.0085 for 6).
public func smallestTrendP(steps n: Int) -> Double {
    guard n >= 2 else { return 1 }
    return mannKendall((0..<n).map(Double.init)).p
}

extension Double {
    /// Two significant digits (0.0085, 0.027, 0.089), without Foundation.
    fileprivate var formatted4: String {
        guard self > 0, isFinite else { return "\(self)" }
        var scale = 1.0, digits = 0
        while self * scale < 10 { scale *= 10; digits += 1 }
        let r = Int((self * scale).rounded())
        let text = String(r)
        return "0." + String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

/// The recent/non-recent typology of sfhotspot's `hotspot_classify()`, implemented as its documentation describes
/// (its code has quirks; we follow the documented definitions): a cell is hot in a step when its Gi* p < critical p
/// and z > 0 (cold: z < 0). With P the share of steps hot, recent = the last ⌈recent·T⌉ steps:
/// - persistent: P ≥ persistent (default 0.8);
/// - emerging: hot in at least one recent step and in no earlier step (and P ≥ hotspot, default 0.1);
/// - former: hot in at least one earlier step and in no recent step (and P ≥ hotspot);
/// - intermittent: P ≥ hotspot, none of the above;
/// - no pattern: P < hotspot. Hot is checked before cold.
public enum RecentPattern: String, Sendable, Codable, CaseIterable {
    case persistentHot = "persistent hotspot", emergingHot = "emerging hotspot", formerHot = "former hotspot"
    case intermittentHot = "intermittent hotspot"
    case persistentCold = "persistent coldspot", emergingCold = "emerging coldspot", formerCold = "former coldspot"
    case intermittentCold = "intermittent coldspot"
    case noPattern = "no pattern"
}

public struct RecentOptions: Sendable, Codable, Equatable {
    public var hotspotProportion = 0.1
    public var persistentProportion = 0.8
    public var recentProportion = 0.2
    public var criticalP = 0.05
    public init() {}
}

public func classifyRecent(z: [[Double]], p: [[Double]], options o: RecentOptions = RecentOptions()) -> [RecentPattern] {
    let T = z.count, L = z.first?.count ?? 0
    let recent = max(1, Int((Double(T) * o.recentProportion).rounded(.up)))
    return (0..<L).map { i in
        func classify(_ flags: [Bool], hot: Bool) -> RecentPattern? {
            let share = Double(flags.filter { $0 }.count) / Double(max(1, T))
            guard share >= o.hotspotProportion, share > 0 else { return nil }
            let inRecent = flags.suffix(recent).contains(true), inEarlier = flags.prefix(T - recent).contains(true)
            if share >= o.persistentProportion { return hot ? .persistentHot : .persistentCold }
            if inRecent && !inEarlier { return hot ? .emergingHot : .emergingCold }
            if inEarlier && !inRecent { return hot ? .formerHot : .formerCold }
            return hot ? .intermittentHot : .intermittentCold
        }
        let hot = (0..<T).map { p[$0][i] < o.criticalP && z[$0][i] > 0 }
        let cold = (0..<T).map { p[$0][i] < o.criticalP && z[$0][i] < 0 }
        return classify(hot, hot: true) ?? classify(cold, hot: false) ?? .noPattern
    }
}
