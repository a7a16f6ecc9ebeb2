import Testing
@testable import HotspotCore

/// A minimal cube for every category, hot and cold: the pattern of significant steps is written directly as z
/// series (|z| = 3 is significant, p ≈ 0.0027; |z| = 0.5 is not), one location per case.
@Suite struct EmergingTests {
    static let T = 20
    static func series(_ s: String, strength: (Int) -> Double = { _ in 3 }) -> [Double] {
        // H = hot, C = cold, . = nothing; padded on the left with '.' to T.
        let chars = Array(String(repeating: ".", count: max(0, T - s.count)) + s)
        return chars.enumerated().map { t, c in c == "H" ? strength(t) : (c == "C" ? -strength(t) : 0.5) }
    }

    static let cases: [(String, [Double], EmergingPattern)] = [
        ("new", series("H"), .new),
        ("consecutive", series("HHH"), .consecutive),
        ("intensifying", series(String(repeating: "H", count: 20), strength: { 3 + Double($0) * 0.2 }), .intensifying),
        ("diminishing", series(String(repeating: "H", count: 20), strength: { 8 - Double($0) * 0.2 }), .diminishing),
        ("persistent", series(String(repeating: "H", count: 20), strength: { 3 + Double($0 % 2) }), .persistent),
        ("persistent with one gap (90%)", series("HHHHHHHHH.HHHHHHHHHH", strength: { 3 + Double($0 % 2) }), .persistent),
        ("sporadic", series("H..H....H..H"), .sporadic),
        ("oscillating", series("C..H....H..H"), .oscillating),
        ("historical", series("HHHHHHHHHHHHHHHHHHH.", strength: { 3 + Double($0 % 2) }), .historical),
        ("no pattern", series("...."), .noPattern),
        ("new cold", series("C"), .newCold),
        ("consecutive cold", series("CCC"), .consecutiveCold),
        ("intensifying cold", series(String(repeating: "C", count: 20), strength: { 3 + Double($0) * 0.2 }), .intensifyingCold),
        ("diminishing cold", series(String(repeating: "C", count: 20), strength: { 8 - Double($0) * 0.2 }), .diminishingCold),
        ("persistent cold", series(String(repeating: "C", count: 20), strength: { 3 + Double($0 % 2) }), .persistentCold),
        ("sporadic cold", series("C..C....C..C"), .sporadicCold),
        ("oscillating cold", series("H..C....C..C"), .oscillatingCold),
        ("historical cold", series("CCCCCCCCCCCCCCCCCCC.", strength: { 3 + Double($0 % 2) }), .historicalCold),
    ]

    @Test func everyCategoryHotAndCold() {
        let L = Self.cases.count
        let z = (0..<Self.T).map { t in Self.cases.map { $0.1[t] } }
        let p = z.map { $0.map(Normal.twoSidedP) }
        let counts = z.map { $0.map { _ in 0.0 } }
        var o = EmergingOptions(); o.fdr = .none
        let r = classifyEmerging(z: z, p: p, counts: counts, options: o)
        #expect(r.count == L)
        for (k, c) in Self.cases.enumerated() {
            #expect(r[k].pattern == c.2, "\(c.0): got \(r[k].pattern.name)")
        }
        #expect(EmergingPattern.new.name == "New Hot Spot" && EmergingPattern.historicalCold.name == "Historical Cold Spot")
        // All ArcGIS categories are covered by the table.
        #expect(Set(Self.cases.map(\.2)) == Set(EmergingPattern.allCases))
    }

    @Test func priorColdOption() {
        let z = Self.series("C.........HH").map { [$0] }
        let p = z.map { $0.map(Normal.twoSidedP) }
        var o = EmergingOptions(); o.fdr = .none
        #expect(classifyEmerging(z: z, p: p, counts: z, options: o)[0].pattern == .consecutive)
        o.priorOppositeMakesOscillating = true
        #expect(classifyEmerging(z: z, p: p, counts: z, options: o)[0].pattern == .oscillating)
    }

    @Test func recentTypology() {
        let z: [[Double]] = Self.series("H...............HHHH").map { [$0, $0 > 1 ? $0 : 0.5, 0.5, $0 > 1 ? -$0 : 0.5] }
        var zz = z
        for t in 0..<Self.T { zz[t][1] = t >= 16 ? 3 : 0.5; zz[t][2] = t < 4 ? 3 : 0.5 }
        let p = zz.map { $0.map(Normal.twoSidedP) }
        let r = classifyRecent(z: zz, p: p)
        #expect(r == [.intermittentHot, .emergingHot, .formerHot, .intermittentCold])
        let all = (0..<Self.T).map { _ in [3.0] }
        #expect(classifyRecent(z: all, p: all.map { $0.map(Normal.twoSidedP) }) == [.persistentHot])
    }

    @Test func fewStepsWarn() {
        #expect(trendPowerWarning(steps: 6) != nil && trendPowerWarning(steps: 12) == nil)
        // 6 half-years: the smallest MK p is about 0.0085.
        #expect(abs(mannKendall([1, 2, 3, 4, 5, 6]).p - 0.0085) < 0.0005)
        // The warning quotes the smallest p for the steps it has (it said "with 6 steps" whatever the count).
        #expect(trendPowerWarning(steps: 6)?.contains("with 6 steps the smallest possible p is about 0.0085") == true)
        #expect(trendPowerWarning(steps: 5)?.contains("with 5 steps the smallest possible p is about 0.027") == true)
        #expect(trendPowerWarning(steps: 7)?.contains("with 7 steps") == true && trendPowerWarning(steps: 10) == nil)
    }
}

@Suite struct SpaceTimeNeighbourhoodTests {
    /// On a grid, the sparse-neighbourhood space-time Gi* equals the grid one (queen, window 0 and 1).
    @Test(arguments: [0, 1, 2])
    func sparseEqualsGrid(window: Int) {
        let g = SquareGrid(x0: 0, y0: 0, cellSize: 10, ncols: 12, nrows: 9)
        var rng = SplitMix64(seed: 5)
        let counts = (0..<8).map { _ in (0..<g.cellCount).map { _ in Double(rng.next() % 6) } }
        let cube = SpaceTimeCube(steps: TimeSteps(length: .months(1), days: [0], count: 8), counts: counts)
        let a = spaceTimeGiStar(grid: g, cube: cube, radius: 10 * 2.0.squareRoot(), window: window)
        let lists = (0..<g.cellCount).map { k -> [Int] in
            let r = k / g.ncols, c = k % g.ncols
            return (-1...1).flatMap { dr in (-1...1).compactMap { dc in
                let rr = r + dr, cc = c + dc
                return rr >= 0 && rr < g.nrows && cc >= 0 && cc < g.ncols ? rr * g.ncols + cc : nil } }
        }
        let b = spaceTimeGiStar(neighbourhood: Neighbourhood(lists: lists), cube: cube, window: window)
        for t in 0..<8 { for k in 0..<g.cellCount { #expect(abs(a.z[t][k] - b.z[t][k]) < 1e-9) } }
    }
}
