import Testing
@testable import HotspotCore

/// Emerging hot spots on a sparse grid (issue 26, part 4) give the dense path's numbers bit for bit: the reported
/// cells' z, p, trends and categories, and every other cell's category through its neighbour-count group.
@Suite struct SparseEmergingTests {
    /// Clustered, weighted points over 14 months: one cluster grows, one fades, one appears late; a thin background.
    static func incidents(_ n: Int, seed: UInt64) -> (x: [Double], y: [Double], w: [Double], days: [Int32]) {
        var rng = SplitMix64(seed: seed)
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var x: [Double] = [], y: [Double] = [], w: [Double] = [], d: [Int32] = []
        let centres = [(533_417.3, 171_222.9), (535_100.0, 172_950.5), (531_800.7, 170_050.1)]
        let jan2023 = 19_358   // days since 1970-01-01
        for i in 0..<n {
            let month = Int(u() * 14)
            if i % 20 == 0 {
                x.append(530_000 + u() * 6000); y.append(169_000 + u() * 5000)
            } else {
                // Cluster 0 grows over time, cluster 1 fades, cluster 2 only in the last four months.
                var c = i % 3
                if c == 0 && u() * 14 > Double(month) + 1 { c = 1 }
                if c == 2 && month < 10 { c = Int(u() * 2) }
                if c == 1 && u() * 14 < Double(month) { c = 0 }
                let r = 30 + 250 * u() * u(), a = 2 * Double.pi * u()
                x.append(centres[c].0 + r * cos(a)); y.append(centres[c].1 + r * sin(a))
            }
            w.append((u() * 8).rounded() / 4 + 0.1)
            d.append(Int32(jan2023 + month * 30 + Int(u() * 28)))
        }
        return (x, y, w, d)
    }

    static func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

    @Test(arguments: [(0, FDRScope.slice, PAdjustment.bh, true), (1, .slice, .bh, false), (2, .cube, .holm, true),
                      (1, .none, .bh, true), (1, .cube, .by, false), (1, .slice, .bh, true), (3, .slice, .by, true)])
    func equalsDense(window: Int, fdr: FDRScope, adjust: PAdjustment, weighted: Bool) throws {
        let (x, y, w, days) = Self.incidents(30_000, seed: 17)
        let g = try SquareGrid(covering: Extent(minX: 530_500, minY: 168_000, maxX: 545_000, maxY: 180_000), cellSize: 150)
        let steps = TimeSteps(length: .months(1), days: days)
        let weights = weighted ? w : []
        var o = EmergingOptions(); o.fdr = fdr; o.adjust = adjust
        let radius = 150 * 2.0.squareRoot()

        let location = x.indices.map { i in Int32(g.index(x: x[i], y: y[i]) ?? -1) }
        let cube = SpaceTimeCube(steps: steps, locations: g.cellCount, location: location, days: days, weights: weights)
        let dense = spaceTimeGiStar(grid: g, cube: cube, radius: radius, window: window)
        let classes = classifyEmerging(z: dense.z, p: dense.p, counts: cube.counts, options: o)
        let recent = classifyRecent(z: dense.z, p: dense.p)
        let lastAdjusted = adjust.adjust(dense.p[steps.count - 1])
        let (_, wDense) = discSums(grid: g, values: cube.counts[0], radius: radius, mask: nil)

        let sc = SparseSpaceTimeCube(grid: g, steps: steps, x: x, y: y, days: days, weights: weights)
        #expect(sc.outsideLocations == cube.outsideLocations && sc.outsideLocations > 0)
        #expect(sc.outsideSteps == cube.outsideSteps)
        let st = spaceTimeGiStarSparse(sc, radius: radius, window: window)
        let s = classifyEmergingSparse(st, options: o)
        #expect(st.cells.count < g.cellCount / 2 && st.cells.count > 100)
        #expect(st.unreported.reduce(0) { $0 + $1.count } + st.cells.count == g.cellCount)

        for (j, k) in st.cells.enumerated() {
            for t in 0..<steps.count {
                #expect(Self.same(st.z[t][j], dense.z[t][k]) && Self.same(st.p[t][j], dense.p[t][k]), "cell \(k) step \(t)")
                #expect(Self.same(st.counts[t][j], cube.counts[t][k]))
            }
            let a = s.cells[j], b = classes[k]
            #expect(a.pattern == b.pattern && a.hotSteps == b.hotSteps && a.coldSteps == b.coldSteps, "cell \(k)")
            #expect(Self.same(a.trendZ.z, b.trendZ.z) && Self.same(a.trendCounts.p, b.trendCounts.p))
            #expect(s.cellsRecent[j] == recent[k])
            #expect(Self.same(s.finalAdjusted[j], lastAdjusted[k]))
        }
        // Every other cell: the category, recent pattern, final z and adjusted p of its neighbour-count group.
        let reported = Set(st.cells)
        let group = Dictionary(uniqueKeysWithValues: st.unreported.enumerated().map { ($1.neighbours, $0) })
        for k in 0..<g.cellCount where !reported.contains(k) {
            let gi = try #require(group[Int(wDense[k])])
            #expect(s.unreported[gi].pattern == classes[k].pattern && s.unreportedRecent[gi] == recent[k], "cell \(k)")
            #expect(Self.same(st.unreported[gi].z[steps.count - 1], dense.z[steps.count - 1][k]))
            #expect(Self.same(s.unreportedFinalAdjusted[gi], lastAdjusted[k]))
        }
        // The data make hot patterns of several kinds, so the comparison is not of empty categories.
        let kinds = Set(s.cells.map(\.pattern).filter { $0.rawValue > 0 })
        #expect(kinds.count >= 2, "\(kinds)")
    }

    /// Cold patterns on cells far from every incident are counted, not lost: a dense cluster in a large empty grid.
    @Test func unreportedColdCellsAreClassified() throws {
        let g = try SquareGrid(covering: Extent(minX: 0, minY: 0, maxX: 3000, maxY: 3000), cellSize: 100)
        var x: [Double] = [], y: [Double] = [], d: [Int32] = []
        for t in 0..<12 { for i in 0..<400 { x.append(1500 + Double(i % 20) * 20); y.append(1500 + Double(i / 20) * 20); d.append(Int32(19_358 + t * 31)) } }
        let steps = TimeSteps(length: .months(1), days: d)
        let st = spaceTimeGiStarSparse(SparseSpaceTimeCube(grid: g, steps: steps, x: x, y: y, days: d), radius: 800, window: 1)
        var o = EmergingOptions(); o.fdr = .none
        let s = classifyEmergingSparse(st, options: o)
        let location = x.indices.map { Int32(g.index(x: x[$0], y: y[$0])!) }
        let cube = SpaceTimeCube(steps: steps, locations: g.cellCount, location: location, days: d)
        let dense = classifyEmerging(z: spaceTimeGiStar(grid: g, cube: cube, radius: 800).z,
                                     p: spaceTimeGiStar(grid: g, cube: cube, radius: 800).p, counts: cube.counts, options: o)
        var denseCounts: [EmergingPattern: Int] = [:], sparseCounts: [EmergingPattern: Int] = [:]
        for r in dense { denseCounts[r.pattern, default: 0] += 1 }
        for r in s.cells { sparseCounts[r.pattern, default: 0] += 1 }
        for (k, u) in st.unreported.enumerated() { sparseCounts[s.unreported[k].pattern, default: 0] += u.count }
        #expect(sparseCounts == denseCounts)
        #expect(zip(st.unreported, s.unreported).contains { $0.count > 0 && $1.pattern.rawValue < 0 }, "no unreported cold cells: \(denseCounts)")
    }
}
import Glibc
