import RealModule
import Testing
@testable import HotspotCore

@Suite struct StatisticsTests {
    /// pymannkendall `original_test` vectors (../shared/reference/README.md), to the 6 decimals published.
    @Test(arguments: [
        ([1.0, 2, 3, 4, 5], 10.0, 16.666667, 2.204541, 0.027486, 1.0),
        ([1.0, 2, 2, 3], 5.0, 7.666667, 1.444630, 0.148562, 0.833333),
        ([5.0, 3, 3, 3, 1, 0], -12.0, 24.666667, -2.214815, 0.026773, -0.8),
        ([0.5, -1.2, 2.3, 2.3, 3.1, 4.0, 3.9, 5.2], 23.0, 64.333333, 2.742866, 0.006091, 0.821429),
    ])
    func mannKendallVectors(x: [Double], s: Double, v: Double, z: Double, p: Double, tau: Double) {
        let r = mannKendall(x)
        #expect(r.s == s)
        #expect(abs(r.varS - v) < 5e-7)
        #expect(abs(r.z - z) < 5e-7)
        #expect(abs(r.p - p) < 5e-7)
        #expect(abs(r.tau - tau) < 5e-7)
    }

    @Test func mannKendallEdgeCases() {
        #expect(mannKendall([3, 3, 3]).z == 0)
        #expect(mannKendall([1, .nan, 2]).z.isNaN)
        #expect(mannKendall([2, 1]).trend(alpha: 0.05) == 0)
    }

    @Test func benjaminiHochbergVector() {
        let p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.060, 0.074, 0.205, 0.212, 0.216]
        let want = [0.01, 0.04, 0.084, 0.084, 0.084, 0.1, 0.1057, 0.216, 0.216, 0.216]
        let got = benjaminiHochberg(p)
        for (g, w) in zip(got, want) { #expect(abs(g - w) < 5e-5) }
        #expect(got.filter { $0 <= 0.05 }.count == 2)
        #expect(benjaminiHochberg([0.5, .nan, 0.01])[1].isNaN)
    }

    static let lattice: [Double] = [  // first printed row is the northern row
        0, 1, 0, 2, 0,
        1, 4, 6, 3, 0,
        0, 7, 9, 5, 1,
        0, 2, 4, 1, 0,
        0, 0, 1, 0, 0,
    ]
    static let latticeZ: [Double] = [
        -0.3246, 0.1320, 0.8652, -0.0513, -0.5381,
        0.3153, 1.8071, 3.2750, 1.4809, -0.0513,
        0.4986, 2.6226, 3.9273, 1.9702, -0.2346,
        -0.4179, 0.9916, 1.9702, 0.6654, -0.7845,
        -1.1788, -0.7845, -0.6012, -0.9678, -1.3923,
    ]

    static func flipRows(_ v: [Double]) -> [Double] {
        var out: [Double] = []
        for r in 0..<5 { let src = (4 - r) * 5; out.append(contentsOf: v[src..<(src + 5)]) }
        return out
    }

    /// esda G_Local(star=True, transform="B") on the 5×5 lattice with queen neighbours including self.
    @Test func giStarLatticeGridAndSparseAgree() {
        // Grid rows run south to north: flip the printed rows.
        let values = Self.flipRows(Self.lattice), want = Self.flipRows(Self.latticeZ)
        let grid = SquareGrid(x0: 0, y0: 0, cellSize: 100, ncols: 5, nrows: 5)
        let g = giStar(grid: grid, values: values, radius: 100 * 2.0.squareRoot())
        #expect(abs(g.z[12] - 3.927349) < 5e-7)
        for k in 0..<25 { #expect(abs(g.z[k] - want[k]) < 5e-5, "cell \(k)") }
        #expect(g.n == 25 && abs(g.mean - 1.88) < 1e-12 && abs(g.s - 2.503118) < 5e-7)
        #expect(g.neighbours[12] == 9 && g.neighbours[0] == 4)
        // The same through an explicit queen neighbourhood.
        let lists = (0..<25).map { k -> [Int] in
            let r = k / 5, c = k % 5
            return (-1...1).flatMap { dr in (-1...1).compactMap { dc in
                let rr = r + dr, cc = c + dc
                return rr >= 0 && rr < 5 && cc >= 0 && cc < 5 ? rr * 5 + cc : nil } }
        }
        let s = giStar(values: values, neighbourhood: Neighbourhood(lists: lists))
        for k in 0..<25 { #expect(abs(s.z[k] - g.z[k]) < 1e-12) }
        #expect(g.bin[12] == 3 && g.binFDR[12] == 3)
        #expect(abs(g.p[12] - Normal.twoSidedP(g.z[12])) < 1e-15)
    }

    /// Gi* is unchanged when a constant is added to every value (x̄ shifts, S does not).
    @Test func giStarInvariantUnderAddingAConstant() {
        let grid = SquareGrid(x0: 0, y0: 0, cellSize: 50, ncols: 30, nrows: 20)
        var g = SystemRandomNumberGenerator()
        let v = (0..<600).map { _ in Double(Int.random(in: 0...9, using: &g)) }
        let a = giStar(grid: grid, values: v, radius: 120)
        let b = giStar(grid: grid, values: v.map { $0 + 7 }, radius: 120)
        for k in 0..<600 { #expect(abs(a.z[k] - b.z[k]) < 1e-9) }
    }

    @Test func distanceBandIncludesTies() {
        // r = 200 on a 100 m grid: 13 cells (the four 200 m offsets are ties and count).
        let offs = discOffsets(cell: 100, radius: 200)
        #expect(offs.reduce(0) { $0 + 2 * $1.half + 1 } == 13)
        #expect(discOffsets(cell: 50, radius: 75).reduce(0) { $0 + 2 * $1.half + 1 } == 9)  // queen
    }

    @Test func permutationPseudoPIsSeededAndSensible() {
        let values = Self.lattice
        let lists = (0..<25).map { k -> [Int] in
            let r = k / 5, c = k % 5
            return (-1...1).flatMap { dr in (-1...1).compactMap { dc in
                let rr = r + dr, cc = c + dc
                return rr >= 0 && rr < 5 && cc >= 0 && cc < 5 ? rr * 5 + cc : nil } }
        }
        let a = giStar(values: values, neighbourhood: Neighbourhood(lists: lists), permutations: 999, seed: 7)
        let b = giStar(values: values, neighbourhood: Neighbourhood(lists: lists), permutations: 999, seed: 7)
        #expect(a.pseudoP == b.pseudoP)
        #expect(a.pseudoP[12] <= 0.01)  // the centre is the hottest place by far
        #expect(a.pseudoP.allSatisfy { $0 > 0 && $0 <= 1 })
    }

    @Test func timeStepsLineUpWithAnchors() {
        let d = { (y: Int, m: Int, dd: Int) in Int32(CivilDate.days(year: y, month: m, day: dd)) }
        let days = [d(2019, 3, 1), d(2019, 9, 30), d(2020, 3, 15), d(2021, 8, 31)]
        let half = TimeSteps(length: .months(6), days: days, anchor: Int(d(2019, 3, 1)))
        #expect(half.label(0) == "2019-03..2019-08")
        #expect(half.step(ofDay: Int(d(2019, 9, 30))) == 1)
        #expect(half.count == 5)
        let weeks = TimeSteps(length: .weeks, days: [d(2024, 1, 3), d(2024, 1, 15)])
        #expect(CivilDate.dayLabel(weeks.start) == "2024-01-01")  // a Monday
        #expect(weeks.count == 3)
        #expect(StepLength(parsing: "6months") == .months(6) && StepLength(parsing: "week") == .weeks)
        let cube = SpaceTimeCube(steps: half, locations: 2, location: [0, 1, -1, 0], days: days)
        #expect(cube.counts[0] == [1, 0] && cube.counts[1] == [0, 1] && cube.outsideLocations == 1)
    }
}

@Suite struct MannKendallColumnsTests {
    /// Every column against a plain O(T²) computation of S and of the tie-corrected variance written here.
    @Test func columnsEqualABruteForce() {
        var g = SystemRandomNumberGenerator()
        let T = 24, L = 300
        let series = (0..<T).map { _ in (0..<L).map { _ in Double(Int.random(in: 0...4, using: &g)) } }
        let cols = mannKendallColumns(series)
        for i in 0..<L {
            let x = series.map { $0[i] }
            var s = 0
            for a in 0..<T { for b in (a + 1)..<T { s += x[b] > x[a] ? 1 : (x[b] < x[a] ? -1 : 0) } }
            var groups: [Double: Int] = [:]
            for v in x { groups[v, default: 0] += 1 }
            let n = Double(T)
            let ties = groups.values.reduce(0.0) { acc, t in let t = Double(t); return acc + t * (t - 1) * (2 * t + 5) }
            let v = (n * (n - 1) * (2 * n + 5) - ties) / 18
            #expect(cols[i].s == Double(s))
            #expect(abs(cols[i].varS - v) < 1e-9)
            #expect(abs(cols[i].tau - Double(s) / (n * (n - 1) / 2)) < 1e-12)
        }
    }
}

@Suite struct ComparisonTests {
    /// scipy.stats.binomtest(k, n, p).pvalue (two-sided, "minlike"), computed once and copied here.
    @Test func poissonRateTestMatchesScipy() {
        #expect(abs(poissonRateTest(before: 30, after: 49).p - 0.04216544399495113) < 1e-12)
        #expect(abs(poissonRateTest(before: 119, after: 97).p - 0.15287717983620966) < 1e-12)
        #expect(abs(poissonRateTest(before: 20, after: 5, exposureBefore: 28, exposureAfter: 31).p - 0.0010987646088095931) < 1e-12)
        #expect(abs(poissonRateTest(before: 3, after: 0).p - 0.25) < 1e-12)
        // Large counts (London-wide totals): the sum over the window of ±40 SD equals scipy's binomtest (scipy 1.x,
        // `binomtest(k, n, 0.5).pvalue`, which sums every outcome) and, to summation rounding, a sum over every outcome.
        #expect(abs(poissonRateTest(before: 1049, after: 881).p - 0.0001426295467688344) < 1e-15)
        #expect(abs(poissonRateTest(before: 4900, after: 5100).p - 0.04658552770494645) < 1e-12)
        #expect(abs(poissonRateTest(before: 723, after: 1064).p - 7.19412379257591e-16) < 1e-24)
        #expect(poissonRateTest(before: 20304, after: 31112).p == 0)
        func everyOutcome(_ a: Int, _ b: Int, _ p0: Double) -> Double {
            let n = a + b
            func l(_ k: Int) -> Double { Double.logGamma(Double(n + 1)) - Double.logGamma(Double(k + 1)) - Double.logGamma(Double(n - k + 1)) + Double(k) * Double.log(p0) + Double(n - k) * Double.log(1 - p0) }
            let o = l(b)
            return min(1, (0...n).reduce(0.0) { $0 + (l($1) <= o + Double.log(1 + 1e-7) ? Double.exp(l($1)) : 0) })
        }
        for (a, b, ea, eb) in [(52_079, 53_142, 7.0, 7.0), (9_000, 9_100, 6.0, 7.0), (100_000, 100_400, 1.0, 1.0)] {
            let full = everyOutcome(a, b, eb / (ea + eb)), fast = poissonRateTest(before: a, after: b, exposureBefore: ea, exposureAfter: eb).p
            #expect(abs(fast - full) <= 1e-10 * full + 1e-14, "\(a) \(b): \(fast) vs \(full)")  // summation rounding of ~10⁵ terms
        }
        // The log Γ table shared by k and n − k (and the constant terms computed once) give the very same p, to the
        // bit, as each term computed in full over the same window (the test before it had a table).
        func window(_ a: Int, _ b: Int, _ ea: Double, _ eb: Double) -> Double {
            let n = a + b, p0 = eb / (ea + eb)
            func l(_ k: Int) -> Double {
                (Double.logGamma(Double(n + 1)) - Double.logGamma(Double(k + 1)) - Double.logGamma(Double(n - k + 1)))
                    + ((k > 0 ? Double(k) * Double.log(p0) : 0) + (n - k > 0 ? Double(n - k) * Double.log(1 - p0) : 0))
            }
            let mean = Double(n) * p0, sd = (Double(n) * p0 * (1 - p0)).squareRoot(), o = l(b)
            let lo = max(0, min(b, Int((mean - 40 * sd - 1).rounded(.down)))), hi = min(n, max(b, Int((mean + 40 * sd + 1).rounded(.up))))
            var p = 0.0
            for k in lo...hi where l(k) <= o + Double.log(1 + 1e-7) { p += Double.exp(l(k)) }
            return min(1, p)
        }
        for (a, b, ea, eb) in [(30, 49, 1.0, 1.0), (20, 5, 28, 31), (3, 0, 7, 7), (0, 9, 7, 7), (1049, 881, 7, 7), (52_079, 53_142, 7, 7),
                               (9_000, 9_100, 6, 7), (400, 30, 1, 12), (20_304, 31_112, 7, 7), (5, 500_000, 3, 4)] {
            #expect(poissonRateTest(before: a, after: b, exposureBefore: ea, exposureAfter: eb).p == window(a, b, ea, eb), "\(a) \(b)")
        }
        #expect(poissonRateTest(before: 0, after: 0).p == 1)
        #expect(poissonRateTest(before: 0, after: 4).percentChange == nil)
        #expect(poissonRateTest(before: 40, after: 30).percentChange == -25)
    }

    @Test func accuracyIndices() {
        let a = hotspotAccuracy(capturedLater: 30, totalLater: 100, areaM2: 1e6, studyAreaM2: 20e6, capturedEarlier: 40, totalEarlier: 80)
        #expect(a.hitRate == 0.3)
        #expect(abs(a.pai - 6) < 1e-12)          // (30/100)/(1/20)
        #expect(abs(a.rri! - 0.6) < 1e-12)       // (30/40)/(100/80)
        #expect(hotspotAccuracy(capturedLater: 1, totalLater: 2, areaM2: 1, studyAreaM2: 2).rri == nil)
    }

    @Test func periods() {
        let p = Period(parsing: "2019-03..2019-09")!
        #expect(p.days == 214)
        #expect(p.contains(day: CivilDate.days(year: 2019, month: 9, day: 30)))
        #expect(!p.contains(day: CivilDate.days(year: 2019, month: 10, day: 1)))
        #expect(Period(parsing: "2024-02-10..2024-02-20")!.days == 11)
        #expect(Period(parsing: "2019-09..2019-03") == nil)
        #expect(Period(parsing: "2019-13..2020-01") == nil)
    }
}
