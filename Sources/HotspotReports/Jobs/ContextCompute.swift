import Foundation
import HotspotCore
import HotspotIO

extension ContextJob {
    /// The borough level: every borough's figures per category, London's, the ranks; the series and trends of the
    /// chosen boroughs and London.
    struct BoroughLevel {
        var cube: Cube = [:]
        /// MPS borough name → (code, residents) for the boroughs ranked (London's members with a population).
        var members: [String: (code: String, residents: Double)] = [:]
        var londonResidents = 0.0
        var unmatched: [(String, String, Int)] = []
        var definition = ""

        init(_ t: MPSCrimeTable, population: ContextPopulation?, includeCity: Bool, ranges: (Range<Int>, Range<Int>)) {
            var isCity: [String: Bool] = [:]
            for r in t.rows {
                if !includeCity, isCity[r.borough] ?? { let c = key(r.borough) == "city of london"; isCity[r.borough] = c; return c }() { continue }
                add(&cube, area: r.borough, major: r.major, minor: r.minor, counts: r.counts)
            }
            let pops = Dictionary((population?.entries ?? []).map { (key($0.name), $0) }, uniquingKeysWith: { a, _ in a })
            for name in cube.keys.sorted() {
                if let e = pops[key(name)] { members[name] = (e.code, e.residents) } else {
                    let (ca, cb) = periodCounts(cube[name]?[.all], ranges)
                    unmatched.append(("borough in \(t.path)", name, ca + cb))
                }
            }
            for e in population?.entries ?? [] where !members.keys.contains(where: { key($0) == key(e.name) }) {
                if key(e.name) == "city of london" && !includeCity { continue }
                unmatched.append(("population row of \(population!.path)", "\(e.name) (\(e.code))", 0))
            }
            londonResidents = members.values.reduce(0) { $0 + $1.residents }
                + (includeCity ? (population?.entries.first { key($0.name) == "city of london" }?.residents ?? 0) : 0)
            let others = unmatched.filter { $0.0.hasPrefix("borough") }.map(\.1)
            definition = "London: the \(members.count) boroughs of \(t.path) with a population" + (includeCity ? " and the City of London" : " (the boroughs the MPS polices, without the City of London, as the MPS and borough assessments define it)")
                + (others.isEmpty ? "" : "; London's counts also hold the rows of \(others.joined(separator: ", ")), which are in no borough")
                + "; residents \(Fmt.number(londonResidents)) from \(population?.path ?? "(no population file)")"
        }

        /// Every category of the file, all crime first.
        var categories: [Category] { Array(Set(cube.values.flatMap(\.keys))).sorted() }

        /// London: every row of the file (also units in no borough) over London's residents.
        func london(_ c: Category) -> [Int] {
            var v: [Int] = []
            for area in cube.keys.sorted() { if let m = cube[area]?[c] { v = v.isEmpty ? m : zip(v, m).map { $0 + $1 } } }
            return v
        }

        /// One row per member borough and London per category, with ranks among the members.
        func table(_ ranges: (Range<Int>, Range<Int>), chosen: [String]) -> Table {
            var t = Table(columns: ["area", "code", "population", "chosen", "level", "major", "minor"] + figureColumns + ["rank_rate", "rank_change", "ranked_of"])
            let names = members.keys.sorted()
            for c in categories {
                let f = names.map { figures(cube[$0]?[c], ranges, population: members[$0]!.residents) }
                let rr = ranks(f.map { $0.rates.1 }), rc = ranks(f.map { $0.test.percentChange })
                for (i, n) in names.enumerated() {
                    t.rows.append([.string(n), .string(members[n]!.code), .double(members[n]!.residents, decimals: 0), .int(chosen.contains(n) ? 1 : 0),
                                   .string(c.level), .string(c.major), .string(c.minor)] + cells(f[i])
                                  + [rr[i].map { .int($0) } ?? .null, rc[i].map { .int($0) } ?? .null, .int(names.count)])
                }
                let l = figures(london(c), ranges, population: londonResidents)
                t.rows.append([.string("London"), .string(""), .double(londonResidents, decimals: 0), .int(0), .string(c.level), .string(c.major), .string(c.minor)]
                              + cells(l) + [.null, .null, .int(names.count)])
            }
            return t
        }
    }

    /// Monthly series (count, rate per 1,000, index to the first month = 100) and Mann-Kendall trends of the chosen
    /// boroughs and London, per category.
    static func series(_ b: BoroughLevel, months: [Int], chosen: [String]) -> (Table, Table) {
        var s = Table(columns: ["area", "level", "major", "minor", "month", "count", "rate_per_1000", "index"])
        var tr = Table(columns: ["area", "level", "major", "minor", "months", "s", "z", "p", "tau", "trend"])
        let areas: [(String, Double?, (Category) -> [Int])] = chosen.map { n in (n, b.members[n]?.residents, { b.cube[n]?[$0] ?? [] }) }
            + [("London", b.londonResidents, b.london)]
        for (name, pop, counts) in areas {
            for c in b.categories {
                let v = counts(c)
                guard !v.isEmpty else { continue }
                for (k, m) in months.enumerated() {
                    s.rows.append([.string(name), .string(c.level), .string(c.major), .string(c.minor), .string(CivilDate.monthLabel(m)), .int(v[k]),
                                   pop.map { .double(1000 * Double(v[k]) / $0, decimals: 5) } ?? .null,
                                   v[0] > 0 ? .double(100 * Double(v[k]) / Double(v[0]), decimals: 2) : .null])
                }
                let mk = mannKendall(v.map(Double.init))
                let dir = mk.trend(alpha: 0.05)
                tr.rows.append([.string(name), .string(c.level), .string(c.major), .string(c.minor), .int(mk.n), .double(mk.s, decimals: 0),
                                .double(mk.z, decimals: 4), .double(mk.p, decimals: 6), .double(mk.tau, decimals: 4),
                                .string(dir > 0 ? "increasing" : (dir < 0 ? "decreasing" : "no trend"))])
            }
        }
        return (s, tr)
    }
}
