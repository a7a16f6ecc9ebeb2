import Testing
@testable import HotspotCore

/// Sparse grids (issue 26, part 4) give the dense path's numbers bit for bit wherever both run.
@Suite struct SparseGridTests {
    /// Clustered points (a few hot spots and a sparse background), with fractional weights.
    static func points(_ n: Int, seed: UInt64, spread: Double = 3000) -> ([Double], [Double], [Double]) {
        var rng = SplitMix64(seed: seed)
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var x: [Double] = [], y: [Double] = [], w: [Double] = []
        let centres = [(533_417.3, 171_222.9), (535_100.0, 172_950.5), (531_800.7, 170_050.1)]
        for i in 0..<n {
            if i % 50 == 0 {
                x.append(530_000 + u() * spread * 2); y.append(169_000 + u() * spread * 2)
            } else {
                let c = centres[i % 3], r = 40 + 300 * u() * u(), a = 2 * Double.pi * u()
                x.append(c.0 + r * cos(a)); y.append(c.1 + r * sin(a))
            }
            w.append((u() * 8).rounded() / 4 + 0.1)
        }
        return (x, y, w)
    }

    static func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

    @Test(arguments: [(100.0, false), (37.3, true), (250.0, true)])
    func binningEqualsDense(cell: Double, weighted: Bool) throws {
        let (x, y, w) = Self.points(200_000, seed: 7)
        let g = try SquareGrid(covering: Extent(minX: 530_500, minY: 169_500, maxX: 536_000, maxY: 174_000), cellSize: cell)
        let dense = binPoints(x: x, y: y, weights: weighted ? w : [], grid: g)
        let sparse = binPointsSparse(x: x, y: y, weights: weighted ? w : [], grid: g)
        let occupied = (0..<g.cellCount).filter { dense.counts[$0] > 0 }
        #expect(sparse.cells == occupied)
        #expect(sparse.counts == occupied.map { dense.counts[$0] })
        #expect(zip(sparse.weighted, occupied.map { dense.weighted[$0] }).allSatisfy(Self.same))
        #expect(sparse.outside == dense.outside && sparse.outside > 0)
        #expect(sparse.position(of: occupied[3]) == 3)
        #expect(sparse.position(of: (0..<g.cellCount).first { dense.counts[$0] == 0 }!) == nil)
    }

    /// z, p, every adjustment and the bins of the reported cells, and the z and adjusted p of every other cell,
    /// equal the dense Gi*; a grid smaller than the disc exercises the border counting.
    @Test(arguments: [(100.0, 100 * 2.0.squareRoot(), 530_500.0), (73.0, 400.0, 530_500.0), (200.0, 900.0, 533_000.0)])
    func giStarEqualsDense(cell: Double, radius: Double, minX: Double) throws {
        let (x, y, w) = Self.points(20_000, seed: 11)
        let g = try SquareGrid(covering: Extent(minX: minX, minY: 169_500, maxX: 541_000, maxY: 178_000), cellSize: cell)
        let dense = binPoints(x: x, y: y, weights: w, grid: g)
        let sg = binPointsSparse(x: x, y: y, weights: w, grid: g)
        let d0 = giStar(grid: g, values: dense.weighted, radius: radius)
        let s0 = giStarSparse(sg, radius: radius)
        #expect(s0.cells.count < g.cellCount && s0.cells.count >= sg.cells.count)
        #expect(s0.unreported.reduce(0) { $0 + $1.count } + s0.cells.count == g.cellCount)
        for method in PAdjustment.allCases {
            let d = d0.adjusted(method), s = s0.adjusted(method)
            for (i, k) in s.cells.enumerated() {
                #expect(Self.same(s.result.z[i], d.z[k]) && Self.same(s.result.p[i], d.p[k]))
                #expect(Self.same(s.result.pAdjusted[i], d.pAdjusted[k]), "\(method) cell \(k)")
                #expect(s.result.bin[i] == d.bin[k] && s.result.binFDR[i] == d.binFDR[k])
                #expect(s.result.neighbours[i] == d.neighbours[k])
                #expect(Self.same(s.values[i], dense.weighted[k]) && s.counts[i] == dense.counts[k])
            }
            let reported = Set(s.cells)
            let groups = Dictionary(uniqueKeysWithValues: s.unreported.map { ($0.neighbours, $0) })
            for k in 0..<g.cellCount where !reported.contains(k) {
                let u = try #require(groups[Int(d.neighbours[k])])
                #expect(dense.counts[k] == 0)
                #expect(Self.same(u.z, d.z[k]) && Self.same(u.p, d.p[k]) && Self.same(u.pAdjusted, d.pAdjusted[k]), "\(method) cell \(k)")
            }
            #expect(s.result.n == d.n && Self.same(s.result.mean, d.mean) && Self.same(s.result.s, d.s))
        }
    }

    /// Grouped adjustment equals adjusting the expanded list, for every method, with ties across entries and groups.
    @Test func groupedAdjustmentEqualsExpanded() {
        var rng = SplitMix64(seed: 3)
        let p = (0..<300).map { _ in Double(rng.next() % 1000) / 1000 }
        let groups: [(p: Double, count: Int)] = [(0.5, 40), (0.004, 3), (p[7], 5), (1.0, 100), (.nan, 2)]
        var expanded = p
        for g in groups where g.p.isFinite { expanded += [Double](repeating: g.p, count: g.count) }
        for method in PAdjustment.allCases {
            let full = method.adjust(expanded)
            let (a, ga) = method.adjust(p, groups: groups)
            #expect(zip(a, full.prefix(p.count)).allSatisfy(Self.same), "\(method)")
            var at = p.count
            for (k, g) in groups.enumerated() where g.p.isFinite {
                #expect(Self.same(ga[k], full[at]), "\(method) group \(k)"); at += g.count
            }
            #expect(ga[4].isNaN)
        }
    }

    /// Exact kernel density on the sparse path equals the dense exact surface: each kept cell bit for bit, every
    /// other cell 0 there; small bands force many of them, some empty.
    @Test(arguments: [(100.0, 400.0, 64), (37.3, 150.0, 1 << 21)])
    func densityEqualsDense(cell: Double, h: Double, bandCells: Int) throws {
        let (x, y, w) = Self.points(30_000, seed: 5, spread: 2000)
        let g = try SquareGrid(covering: Extent(minX: 530_500, minY: 169_500, maxX: 545_000, maxY: 180_000), cellSize: cell)
        var p = KDEParameters(bandwidth: h)
        p.mode = .exact
        let dense = kernelDensity(x: x, y: y, weights: w, grid: g, parameters: p)
        let sparse = kernelDensitySparse(x: x, y: y, weights: w, grid: g, parameters: p, bandCells: bandCells)
        #expect(sparse.cells == (0..<g.cellCount).filter { dense.values[$0] != 0 })
        #expect(zip(sparse.values, sparse.cells.map { dense.values[$0] }).allSatisfy(Self.same))
        #expect(sparse.contributing == dense.contributing)
        #expect(sparse.cells.count > 100 && sparse.cells.count < g.cellCount)
    }

    /// A 100 m grid over England and Wales (≈ 40 million cells) is binned, tested and smoothed in memory
    /// proportional to its occupied cells.
    @Test func nationalExtent() throws {
        let ew = Extent(minX: 82_000, minY: 5_000, maxX: 656_000, maxY: 658_000)
        let g = try SquareGrid(covering: ew, cellSize: 100, cellLimit: Int.max)
        #expect(g.cellCount > 35_000_000)
        var (x, y, _) = Self.points(50_000, seed: 9)
        x += [100_000.5, 650_000.5]; y += [10_000.5, 650_000.5]
        let sg = binPointsSparse(x: x, y: y, grid: g)
        #expect(sg.counts.reduce(0, +) == 50_002 && sg.outside == 0)
        let gi = giStarSparse(sg, radius: 100 * 2.0.squareRoot())
        #expect(gi.unreported.reduce(0) { $0 + $1.count } + gi.cells.count == g.cellCount)
        #expect(gi.result.binFDR.contains(3))
        let kde = kernelDensitySparse(x: x, y: y, grid: g, parameters: KDEParameters(bandwidth: 400))
        #expect(kde.cells.count > 1000 && kde.cells.count < 200_000)
    }
}

#if canImport(Glibc)
import Glibc
#endif
