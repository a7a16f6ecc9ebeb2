/// A named period of whole days, e.g. `2019-03..2019-09` (March to September inclusive) or
/// `2024-01-01..2024-03-31`.
public struct Period: Sendable, Codable, Equatable {
    public var name: String
    /// First and last day (inclusive), days since 1970-01-01.
    public var first: Int, last: Int
    public var days: Int { last - first + 1 }

    public init(name: String, first: Int, last: Int) { self.name = name; self.first = first; self.last = last }

    /// Parses `YYYY-MM..YYYY-MM`, `YYYY-MM-DD..YYYY-MM-DD` (inclusive) or a single `YYYY-MM`.
    public init?(parsing s: String) {
        let parts = s.components(separatedBy: "..")
        guard parts.count == 1 || parts.count == 2 else { return nil }
        func bound(_ t: String, end: Bool) -> Int? {
            let f = t.split(separator: "-").map { Int($0) }
            guard f.allSatisfy({ $0 != nil }) else { return nil }
            if f.count == 2, let y = f[0], let m = f[1], (1...12).contains(m), CivilDate.plausibleYears.contains(y) {
                return end ? CivilDate.days(year: y, month: m, day: CivilDate.daysInMonth(year: y, month: m)) : CivilDate.days(year: y, month: m, day: 1)
            }
            if f.count == 3, let y = f[0], let m = f[1], let d = f[2], (1...12).contains(m), CivilDate.plausibleYears.contains(y), d >= 1, d <= CivilDate.daysInMonth(year: y, month: m) {
                return CivilDate.days(year: y, month: m, day: d)
            }
            return nil
        }
        guard let a = bound(parts[0], end: false), let b = bound(parts.last!, end: true), a <= b else { return nil }
        self.init(name: s, first: a, last: b)
    }

    public func contains(day d: Int) -> Bool { d >= first && d <= last }
}

extension String {
    fileprivate func components(separatedBy sep: String) -> [String] {
        var out: [String] = [], cur = Substring(self)
        while let r = cur.firstRange(of: sep) { out.append(String(cur[..<r.lowerBound])); cur = cur[r.upperBound...] }
        out.append(String(cur))
        return out
    }
}
