/// The length of one time step.
public enum StepLength: Sendable, Codable, Equatable {
    /// n calendar months (1 = monthly, as police.uk data; 6 = half-years).
    case months(Int)
    /// ISO weeks (Monday to Sunday).
    case weeks
    /// n days.
    case days(Int)

    /// Parses `month`, `6months`, `week`, `14days`.
    public init?(parsing s: String) {
        let l = s.lowercased()
        let digits = l.prefix { $0.isNumber }
        let n = Int(digits) ?? 1
        let unit = l.dropFirst(digits.count)
        guard n > 0 else { return nil }
        switch unit {
        case "month", "months": self = .months(n)
        case "week", "weeks": guard n == 1 else { return nil }; self = .weeks
        case "day", "days": self = .days(n)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .months(let n): return n == 1 ? "month" : "\(n) months"
        case .weeks: return "ISO week"
        case .days(let n): return n == 1 ? "day" : "\(n) days"
        }
    }
}

/// Consecutive time steps anchored at a start day, so that windows line up (e.g. 6-month steps starting in March).
public struct TimeSteps: Sendable, Codable, Equatable {
    public var length: StepLength
    /// First day of step 0 (days since 1970-01-01). For weeks, a Monday.
    public var start: Int
    public var count: Int

    /// Steps covering `days` from `anchor` (default: the first month / ISO week / day present), `count` steps
    /// (default: up to the last day present).
    /// Steps from `anchor` (or the first day present) up to the step holding `end`, whether or not its days hold
    /// incidents (a final step fixed by the user, not by the data).
    public init(length: StepLength, days: [Int32], anchor: Int? = nil, end: Int) {
        self.init(length: length, days: days, anchor: anchor, count: 0)
        count = max(0, (step(ofDay: end, unbounded: true) ?? -1) + 1)
    }

    public init(length: StepLength, days: [Int32], anchor: Int? = nil, count: Int? = nil) {
        self.length = length
        let first = Int(days.min() ?? 0), last = Int(days.max() ?? 0)
        var s = anchor ?? first
        switch length {
        case .months:
            let c = CivilDate.civil(days: s); s = CivilDate.days(year: c.year, month: c.month, day: 1)
        case .weeks:
            let weekday = ((s % 7) + 7 + 3) % 7  // 0 = Monday (1970-01-01 was a Thursday)
            s -= weekday
        case .days: break
        }
        start = s
        self.count = 0
        self.count = count ?? max(0, (step(ofDay: last, unbounded: true) ?? -1) + 1)
    }

    /// Step index of a day, or nil outside 0..<count.
    public func step(ofDay d: Int, unbounded: Bool = false) -> Int? {
        let k: Int
        switch length {
        case .months(let n):
            let diff = CivilDate.monthOrdinal(ofDay: d) - CivilDate.monthOrdinal(ofDay: start)
            k = diff >= 0 ? diff / n : -((-diff + n - 1) / n)
        case .weeks:
            let diff = d - start
            k = diff >= 0 ? diff / 7 : -((-diff + 6) / 7)
        case .days(let n):
            let diff = d - start
            k = diff >= 0 ? diff / n : -((-diff + n - 1) / n)
        }
        if unbounded { return k }
        return k >= 0 && k < count ? k : nil
    }

    /// First day of step k.
    public func firstDay(of k: Int) -> Int {
        switch length {
        case .months(let n):
            let o = CivilDate.monthOrdinal(ofDay: start) + k * n
            return CivilDate.days(year: o / 12, month: o % 12 + 1, day: 1)
        case .weeks: return start + 7 * k
        case .days(let n): return start + n * k
        }
    }

    /// Steps that hold none of `days` (a gap in the data reads as a real absence of crime).
    public func emptySteps(days: [Int32]) -> [Int] {
        var seen = [Bool](repeating: false, count: count)
        for d in days { if let k = step(ofDay: Int(d)) { seen[k] = true } }
        return (0..<count).filter { !seen[$0] }
    }

    /// Step indices as labels, consecutive runs joined: `2018-10 … 2022-02, 2022-05`.
    public func describe(_ ks: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        while i < ks.count {
            var j = i
            while j + 1 < ks.count && ks[j + 1] == ks[j] + 1 { j += 1 }
            parts.append(j == i ? label(ks[i]) : "\(label(ks[i])) … \(label(ks[j]))")
            i = j + 1
        }
        return parts.joined(separator: ", ")
    }

    /// The most steps an analysis takes: more is a date typed wrongly or a step far too short.
    public static let maxSteps = 2_000

    /// Label of step k: `2022-03` for months, `2022-03..2022-08` for n months, the first day otherwise.
    public func label(_ k: Int) -> String {
        switch length {
        case .months(let n):
            let a = CivilDate.monthOrdinal(ofDay: firstDay(of: k))
            return n == 1 ? CivilDate.monthLabel(a) : "\(CivilDate.monthLabel(a))..\(CivilDate.monthLabel(a + n - 1))"
        default: return CivilDate.dayLabel(firstDay(of: k))
        }
    }
}

/// Counts per (time step, location): a space-time cube, slices stored step-major.
public struct SpaceTimeCube: Sendable {
    public var steps: TimeSteps
    public var locations: Int
    /// counts[t][location]
    public var counts: [[Double]]
    /// Incidents dated outside the steps, and incidents at no location.
    public var outsideSteps: Int
    public var outsideLocations: Int

    /// Builds the cube from each incident's location index (nil/negative = none) and day.
    public init(steps: TimeSteps, locations: Int, location: [Int32], days: [Int32], weights: [Double] = []) {
        self.steps = steps; self.locations = locations
        var c = [[Double]](repeating: [Double](repeating: 0, count: locations), count: steps.count)
        var outT = 0, outL = 0
        for i in 0..<location.count {
            guard location[i] >= 0 else { outL += 1; continue }
            guard let t = steps.step(ofDay: Int(days[i])) else { outT += 1; continue }
            c[t][Int(location[i])] += weights.isEmpty ? 1 : weights[i]
        }
        counts = c; outsideSteps = outT; outsideLocations = outL
    }

    public init(steps: TimeSteps, counts: [[Double]]) {
        self.steps = steps; self.counts = counts; locations = counts.first?.count ?? 0; outsideSteps = 0; outsideLocations = 0
    }

    /// The series of one location across steps.
    public func series(_ loc: Int) -> [Double] { counts.map { $0[loc] } }
}
