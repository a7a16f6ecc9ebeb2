/// How far back a prospective (recency-weighted) surface looks, and in which unit it counts an incident's age:
/// whole weeks or whole calendar months before the reference day.
public enum RecencyWindow: Sendable, Equatable, Hashable, CustomStringConvertible {
    case weeks(Int), months(Int)

    /// `8weeks`, `2months`, `1month`, `4w`, `6m`; nil for anything else (1…520 weeks, 1…120 months).
    public init?(parsing s: String) {
        let l = String(s.lowercased().filter { !$0.isWhitespace }), digits = l.prefix { $0.isNumber }
        guard !digits.isEmpty, let n = Int(String(digits)), n > 0 else { return nil }
        switch l.dropFirst(digits.count) {
        case "w", "week", "weeks": guard n <= 520 else { return nil }; self = .weeks(n)
        case "m", "month", "months": guard n <= 120 else { return nil }; self = .months(n)
        default: return nil
        }
    }

    /// The window's length in its own unit.
    public var length: Int { switch self { case .weeks(let n), .months(let n): return n } }
    public var unit: String { switch self { case .weeks: return "week"; case .months: return "month" } }
    public var description: String { "\(length) \(unit)\(length == 1 ? "" : "s")" }
    /// The spelling `init(parsing:)` reads back (`8weeks`, `2months`).
    public var token: String { "\(length)\(unit)\(length == 1 ? "" : "s")" }
}

/// Prospective-mapping weights of incidents (Bowers, Johnson & Pease 2004, "Prospective hot-spotting: the future
/// of crime mapping?", Brit. J. Criminol. 44(5) 641–658): an incident `a` whole units (weeks or calendar months)
/// old on the reference day weighs w = 1 / (1 + a) when a < L (the window's length), and 0 otherwise; the ages are
/// a = ⌊(reference − day) / 7⌋ in weeks, or the number of calendar months between the incident's month and the
/// reference day's month. The spatial part of ProMap (weights falling with distance, cut off at a bandwidth) is the
/// density kernel's: multiplying these weights into a kernel density gives the space-time surface.
public struct RecencyWeights: Sendable {
    /// One weight per incident (the incidents' own weights multiplied in), 0 for those outside the window or dated
    /// after the reference day.
    public var weights: [Double]
    /// Age of each incident in the window's unit (negative: after the reference day).
    public var ages: [Int]
    /// Incidents with a non-zero weight.
    public var used: Int
    public var window: RecencyWindow
    /// The reference day (days since 1970-01-01): the last day the surface knows of.
    public var reference: Int
}

/// The ProMap recency weights of incidents dated `days` (days since 1970-01-01) on `reference`, multiplied by
/// `base` weights when given (empty: every incident weighs 1). See `RecencyWeights` for the formula and source.
public func recencyWeights(days: [Int32], reference: Int, window: RecencyWindow, base: [Double] = []) -> RecencyWeights {
    let refMonth = CivilDate.monthOrdinal(ofDay: reference)
    var w = [Double](repeating: 0, count: days.count), ages = [Int](repeating: 0, count: days.count)
    var used = 0
    for i in 0..<days.count {
        let d = Int(days[i])
        let a: Int
        switch window {
        case .weeks: a = d > reference ? -1 : (reference - d) / 7
        case .months: a = d > reference ? -1 : refMonth - CivilDate.monthOrdinal(ofDay: d)
        }
        ages[i] = a
        guard a >= 0, a < window.length else { continue }
        w[i] = (base.isEmpty ? 1 : base[i]) / Double(1 + a)
        if w[i] > 0 { used += 1 }
    }
    return RecencyWeights(weights: w, ages: ages, used: used, window: window, reference: reference)
}
