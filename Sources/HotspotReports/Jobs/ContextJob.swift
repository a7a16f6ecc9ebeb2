import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography

/// The borough against London, its wards against every London ward, from MPS recorded crime (`hotspot context`):
/// counts and rates per 1,000 residents in two periods, the change with the exact Poisson test of `compare`, the
/// borough's rank among London's boroughs, the wards' percentiles among London's wards, and monthly series with
/// their Mann-Kendall trends.
public enum ContextJob {
    public struct Options: Sendable {
        /// MPS files: ward level and/or borough level (`MPSCrimeReader`).
        public var files: [String] = []
        /// Population CSVs: boroughs (code, name, residents) and wards (code, name, residents).
        public var boroughPopulation: String?, wardPopulation: String?
        /// The boroughs to report on (names as in the MPS files, or E09 codes of the population file).
        public var boroughs: [String] = []
        /// The two periods compared (whole months), the first before the second.
        public var periods: [Period] = []
        /// London as the MPS and borough assessments define it: the 32 boroughs the MPS polices, without the City of
        /// London (`false`); `true` adds the City's residents (and any rows of it) to London.
        public var includeCity = false
        /// A count below this in either period is flagged as small (its change is unstable).
        public var smallCount = 10
        /// Borough boundaries (e.g. london-boroughs.gpkg) for the pages' map; nil: pages without a map.
        public var boroughsLayer: String?
        /// Ward boundaries of the chosen boroughs (codes or names as in the MPS ward file) for the ward pages; nil: none.
        public var wardsLayer: String?
        /// Formats of the "<borough> in London" pages (none: no pages): SVG and one PDF by default, PNG on request.
        public var pageFormats: [MapRaster.Format] = [.svg, .pdf]
        public var out = "out/context"
        public init() {}
    }

    /// A category: all crime, a major category, or a minor one within its major.
    public struct Category: Hashable, Sendable, Comparable {
        public var major: String, minor: String
        public var level: String { major.isEmpty ? "all" : (minor.isEmpty ? "major" : "minor") }
        public var label: String { major.isEmpty ? "All crime" : (minor.isEmpty ? major : "\(major) / \(minor)") }
        public static let all = Category(major: "", minor: "")
        public static func < (a: Category, b: Category) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
    }

    /// One area's figures for one category: counts over each period, rates per 1,000 residents, the change.
    public struct Figures: Sendable {
        public var counts: (Int, Int)
        public var population: Double?
        public var rates: (Double?, Double?) { (Self.rate(counts.0, population), Self.rate(counts.1, population)) }
        /// Crimes per 1,000 residents; nil without residents.
        static func rate(_ count: Int, _ population: Double?) -> Double? {
            guard let p = population, p > 0 else { return nil }
            return 1000 * Double(count) / p
        }
        public var test: CountChange
        public init(_ a: Int, _ b: Int, population: Double?, months: (Int, Int)) {
            counts = (a, b); self.population = population
            test = poissonRateTest(before: a, after: b, exposureBefore: Double(months.0), exposureAfter: Double(months.1))
        }
    }

    /// Counts per area and category: area → category → monthly counts over the file's months.
    typealias Cube = [String: [Category: [Int]]]

    /// Adds a row's counts to its category, its major category and all crime.
    static func add(_ cube: inout Cube, area: String, major: String, minor: String, counts: [Int]) {
        for c in [Category.all, Category(major: major, minor: ""), Category(major: major, minor: minor)] {
            var v = cube[area]?[c] ?? [Int](repeating: 0, count: counts.count)
            for k in 0..<counts.count { v[k] += counts[k] }
            cube[area, default: [:]][c] = v
        }
    }

    /// The month indices of a period in a file's months; a period outside the file is an error naming what it holds.
    static func monthRange(_ p: Period, in t: MPSCrimeTable) throws -> Range<Int> {
        let a = CivilDate.monthOrdinal(ofDay: p.first), b = CivilDate.monthOrdinal(ofDay: p.last)
        let c = CivilDate.civil(days: p.first), d = CivilDate.civil(days: p.last)
        guard c.day == 1, d.day == CivilDate.daysInMonth(year: d.year, month: d.month) else {
            throw InputError.unusable("--period \(p.name): MPS counts are monthly; give whole months, e.g. 2024-03..2024-09")
        }
        guard let f = t.months.first, let l = t.months.last, a >= f, b <= l else {
            throw InputError.unusable("--period \(p.name) is outside \(t.path), which holds \(t.coverage): choose months inside it")
        }
        return (a - f)..<(b - f + 1)
    }

    /// Competition ranks (1 = largest; ties share the rank, 1, 2, 2, 4) of `values` (nil: not ranked).
    public static func ranks(_ values: [Double?]) -> [Int?] {
        values.map { v in v.map { x in 1 + values.compactMap { $0 }.filter { $0 > x }.count } }
    }

    /// Percentile rank with ties at their mid-rank: 100 × (the number of `all` below `x` + half the number equal to
    /// it) / n (the usual percentile rank, e.g. Crocker & Algina 1986). With the weak rank (at or below), a ward with no
    /// crimes stood at the 98th percentile when 98 % of London's wards had none too; here it stands at the 49th.
    public static func percentile(_ x: Double, among all: [Double]) -> Double {
        guard !all.isEmpty else { return .nan }
        let below = all.filter { $0 < x }.count, equal = all.filter { $0 == x }.count
        return 100 * (Double(below) + 0.5 * Double(equal)) / Double(all.count)
    }

    /// `percentile(x, among:)` of values sorted ascending (no NaN), by binary search: O(log n) per ward.
    static func percentile(_ x: Double, amongSorted all: [Double]) -> Double {
        guard !all.isEmpty else { return .nan }
        func firstIndex(_ past: (Double) -> Bool) -> Int {
            var lo = 0, hi = all.count
            while lo < hi { let mid = (lo + hi) / 2; if past(all[mid]) { hi = mid } else { lo = mid + 1 } }
            return lo
        }
        let below = firstIndex { $0 >= x }, equal = firstIndex { $0 > x } - below
        return 100 * (Double(below) + 0.5 * Double(equal)) / Double(all.count)
    }

    /// A name as matched between files: lower case, `&` as `and`, single spaces.
    static func key(_ s: String) -> String {
        s.lowercased().replacingOccurrences(of: "&", with: "and").split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
