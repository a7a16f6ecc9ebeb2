import Foundation
import HotspotCore
import Testing
@testable import HotspotGeo

@Suite struct HotspotPolygonTests {
    /// Two clusters on a 50 m grid: top-5% cells dissolve into valid polygons whose incident shares add up.
    static func surface() -> (DensitySurface, [Double], [Double]) {
        var g = SystemRandomNumberGenerator()
        var xs: [Double] = [], ys: [Double] = []
        for _ in 0..<3000 { xs.append(Double.random(in: 0...5000, using: &g)); ys.append(Double.random(in: 0...5000, using: &g)) }
        for (cx, cy) in [(1500.0, 1500.0), (3600.0, 3400.0)] {
            for _ in 0..<800 {
                xs.append(cx + 150 * (Double.random(in: -1...1, using: &g) + Double.random(in: -1...1, using: &g)))
                ys.append(cy + 150 * (Double.random(in: -1...1, using: &g) + Double.random(in: -1...1, using: &g)))
            }
        }
        let grid = SquareGrid(x0: 0, y0: 0, cellSize: 50, ncols: 100, nrows: 100)
        return (kernelDensity(x: xs, y: ys, grid: grid, parameters: KDEParameters(bandwidth: 250)), xs, ys)
    }

    /// Cells of a grid in checkerboards and random patches (cells meeting only at a corner, which GEOS 3.11's coverage
    /// union refuses as "overlapping inputs") dissolve into valid polygons covering exactly the cells' area.
    @Test(arguments: [1, 2, 3, 4])
    func cornerTouchingCellsDissolve(seed: UInt64) throws {
        let grid = SquareGrid(x0: 533_000, y0: 168_000, cellSize: 200, ncols: 30, nrows: 30)
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        // A checkerboard in one corner, random cells elsewhere.
        let cells = (0..<grid.cellCount).filter { k in
            let c = k % 30, r = k / 30
            return c < 10 && r < 10 ? (c + r) % 2 == 0 : next() % 3 == 0
        }
        let ctx = try GEOSContext()
        let u = try ctx.coverageUnion(cells.map(grid.cellPolygon))
        #expect(abs(u.area - Double(cells.count) * 200 * 200) < 1e-3)
        #expect(try GEOSGeometry(ctx, u).isValid)
        #expect(u.polygons.count >= 50)   // the checkerboard's 50 cells touch only at corners: each its own part
    }

    @Test(arguments: [false, true])
    func polygonsAreValidAndSharesAddUp(smooth: Bool) throws {
        let (s, xs, ys) = Self.surface()
        let hot = selectHotCells(s, threshold: .topCells(percent: 5))
        #expect(hot.cells.count >= 500 && hot.cells.count <= 520)
        let square = Area(id: "W1", name: "west", geometry: MultiPolygon([Polygon(exterior: [XY(0, 0), XY(2500, 0), XY(2500, 5000), XY(0, 5000), XY(0, 0)])]))
        let hs = try HotspotPolygonBuilder.build(surface: s, hot: hot, smooth: smooth, x: xs, y: ys, studyAreaM2: 25e6,
                                                 layers: [(name: "wards", areas: [square])])
        #expect(hs.count >= 2)
        let ctx = try GEOSContext()
        for h in hs { #expect(try GEOSGeometry(ctx, h.geometry).isValid) }
        // Shares add up: the polygons are disjoint, so their incidents sum to those inside their union.
        let inside = hs.reduce(0) { $0 + $1.incidents }
        let direct = xs.indices.filter { i in hs.contains { h in h.geometry.polygons.contains { pointInRing(XY(xs[i], ys[i]), $0.exterior) && !$0.holes.contains { pointInRing(XY(xs[i], ys[i]), $0) } } } }.count
        #expect(inside == direct)
        #expect(abs(hs.reduce(0) { $0 + $1.share } - Double(inside) / Double(xs.count)) < 1e-12)
        // PAI = (n/N)/(a/A); the two clusters are the top hotspots and sit in the right wards.
        let h1 = hs[0]
        #expect(abs(h1.pai - (Double(h1.incidents) / Double(xs.count)) / (h1.areaM2 / 25e6)) < 1e-9)
        #expect(hs.prefix(2).contains { $0.touches["wards"] == ["W1"] })
        if !smooth { #expect(abs(hs.reduce(0) { $0 + $1.areaM2 } - Double(hot.cells.count) * 2500) < 1e-6) }
    }

    @Test func isobandsOfAConeAreCircles() {
        let grid = SquareGrid(x0: -50, y0: -50, cellSize: 1, ncols: 100, nrows: 100)
        let v = (0..<grid.cellCount).map { k -> Double in let c = grid.centre(index: k); return 40 - (c.x * c.x + c.y * c.y).squareRoot() }
        let mp = isobands(values: v, grid: grid, level: 20)  // a disc of radius 20
        #expect(mp.polygons.count == 1)
        #expect(abs(mp.area - Double.pi * 400) / (Double.pi * 400) < 0.01)
        // A ring (annulus) keeps its hole.
        let ann = v.map { 40 - abs(40 - $0 - 20) }  // high where r ≈ 20
        let a = isobands(values: ann, grid: grid, level: 35)
        #expect(a.polygons.count == 1 && a.polygons[0].holes.count == 1)
    }

    @Test func thresholds() {
        let grid = SquareGrid(x0: 0, y0: 0, cellSize: 1, ncols: 10, nrows: 1)
        let s = DensitySurface(grid: grid, values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], parameters: KDEParameters(bandwidth: 1),
                               mode: .exact, errorPerIncident: 0, contributing: 0)
        #expect(selectHotCells(s, threshold: .topCells(percent: 20)).cells == [8, 9])
        #expect(selectHotCells(s, threshold: .absolute(7)).cells == [7, 8, 9])
        #expect(selectHotCells(s, threshold: .incidentShare(percent: 50), counts: [0, 0, 0, 0, 0, 1, 1, 1, 5, 2]).cells == [8, 9])
        #expect(selectHotCells(s, threshold: .percentile(50)).cells == [5, 6, 7, 8, 9])
        #expect(HotspotThreshold(parsing: "top:5") == .topCells(percent: 5))
        #expect(HotspotThreshold(parsing: "top:0") == nil)
        #expect(HotspotThreshold(parsing: "bogus") == nil)
    }
}
