import Foundation
import HotspotCore
import HotspotIO

/// Residents per area from a population CSV (ONS code, name and count columns, detected from the values).
public struct ContextPopulation: Sendable {
    public struct Entry: Sendable { public var code: String, name: String, residents: Double }
    public var path: String, sha256: String
    public var entries: [Entry]

    /// The code column is the one whose values look like GSS codes (E05…, E09…); the name column the first other
    /// column of text; the count the last column whose every value is a number ≥ 0.
    public static func read(_ path: String) throws -> ContextPopulation {
        let rows = try CSVRows.read(path)
        guard let header = rows.first, rows.count > 1 else { throw InputError.emptyFile(path) }
        let body = rows.dropFirst().filter { !$0.allSatisfy(\.isEmpty) }
        func isCode(_ s: String) -> Bool { s.count == 9 && (s.hasPrefix("E") || s.hasPrefix("W")) && s.dropFirst().allSatisfy(\.isNumber) }
        let cols = 0..<header.count
        guard let code = cols.first(where: { c in body.allSatisfy { $0.count > c && isCode($0[c]) } }) else {
            throw InputError.unusable("\(path): no column of ONS codes (E05…, E09…); a population file has a code, a name and a count of residents per area")
        }
        guard let value = cols.reversed().first(where: { c in c != code && body.allSatisfy { $0.count > c && (Double($0[c]).map { $0 >= 0 && $0.isFinite } ?? false) } }) else {
            throw InputError.unusable("\(path): no column of resident counts (numbers, 0 or more, on every line)")
        }
        let name = cols.first { c in c != code && c != value && body.allSatisfy { $0.count > c && Double($0[c]) == nil } }
        let entries = body.map { r in Entry(code: r[code], name: name.map { r[$0] } ?? r[code], residents: Double(r[value]) ?? 0) }
        return ContextPopulation(path: path, sha256: try Hashing.sha256(file: path), entries: entries)
    }
}

extension ContextJob {
    /// Every number of the context: the tables as written, and what matched nothing.
    public struct Result {
        public var boroughs: Table, wards: Table?, series: Table, trends: Table
        /// Areas of one side that matched nothing on the other (names, codes, with their counts), as `unmatched.csv`.
        public var unmatched: Table
        /// "London: the 32 boroughs …": how London is defined here.
        public var londonDefinition: String
        /// The borough names reported on (as in the MPS files).
        public var chosen: [String]
        public var sources: [MPSCrimeTable]
        public var populations: [ContextPopulation]
        public var warnings: [String]
        /// The borough level behind the tables, its period ranges and months (for the pages).
        var level: BoroughLevel
        var ranges: (Range<Int>, Range<Int>)
        var months: [Int]
        /// The ward level behind wards.csv and its period ranges (with a ward population; for the ward pages).
        var wardLevel: WardLevel?
        var wardRanges: (Range<Int>, Range<Int>)?
    }

    /// The MPS names of the chosen boroughs (by name, or by the population file's E09 code); an unknown one is an
    /// error listing the boroughs the file holds.
    static func resolve(_ asked: [String], names: [String], population: ContextPopulation?) throws -> [String] {
        try asked.map { a in
            let byCode = population?.entries.first { $0.code == a }.map(\.name) ?? a
            guard let n = names.first(where: { key($0) == key(byCode) }) else {
                throw InputError.unusable("--borough \(a): not in the MPS file; it holds \(names.sorted().joined(separator: ", "))")
            }
            return n
        }
    }

    /// The figures of an area's category over the two periods.
    static func figures(_ monthly: [Int]?, _ r: (Range<Int>, Range<Int>), population: Double?) -> Figures {
        let (a, b) = periodCounts(monthly, r)
        return Figures(a, b, population: population, months: (r.0.count, r.1.count))
    }

    /// The second period's rate per 1,000 residents and the % change: what the pages draw and rank by (the same
    /// values as `figures`, without its test).
    static func rateAndChange(_ monthly: [Int]?, _ r: (Range<Int>, Range<Int>), population: Double?) -> (rate: Double?, change: Double?) {
        let (a, b) = periodCounts(monthly, r)
        return (Figures.rate(b, population), CountChange.percentChange(before: a, after: b))
    }

    /// An area's counts over the two periods (0 without counts).
    static func periodCounts(_ monthly: [Int]?, _ r: (Range<Int>, Range<Int>)) -> (Int, Int) {
        let m = monthly ?? []
        func sum(_ range: Range<Int>) -> Int { m.isEmpty ? 0 : range.reduce(0) { $0 + m[$1] } }
        return (sum(r.0), sum(r.1))
    }

    /// The figures as table cells: counts, rates, change, % change, rate change, p.
    static func cells(_ f: Figures) -> [Value] {
        let (ra, rb) = f.rates
        return [.int(f.counts.0), .int(f.counts.1), ra.map { .double($0, decimals: 4) } ?? .null, rb.map { .double($0, decimals: 4) } ?? .null,
                .int(f.test.change), f.test.percentChange.map { .double($0, decimals: 2) } ?? .null,
                (ra != nil && rb != nil) ? .double(rb! - ra!, decimals: 4) : .null, .double(f.test.p, decimals: 6)]
    }
    static let figureColumns = ["count_a", "count_b", "rate_a", "rate_b", "change", "change_pct", "rate_change", "p"]
}
