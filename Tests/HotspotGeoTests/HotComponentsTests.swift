import Foundation
import HotspotCore
import Testing
@testable import HotspotGeo

/// `HotComponents` (weekly hotspot tracking on cells) against GEOS: its parts are the parts of the dissolved cells, and
/// two parts touch exactly when GEOS says their polygons intersect.
@Suite struct HotComponentsTests {
    /// A seeded generator (SplitMix64), so each case is the same on every run.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: 1...12)
    func partsAndTouchingAgreeWithGEOS(seed: Int) throws {
        var rng = Seeded(state: UInt64(seed))
        let grid = SquareGrid(x0: 0, y0: 0, cellSize: 100, ncols: 14, nrows: 11)
        // Two periods of scattered hot cells (about 20 % of the grid each): many parts, corner contacts, holes.
        func hot() -> [Int] { (0..<grid.cellCount).filter { _ in Double.random(in: 0..<1, using: &rng) < 0.2 } }
        let values = (0..<grid.cellCount).map { _ in Double.random(in: 0..<1, using: &rng) }
        let a = HotComponents(hot: hot(), values: values, grid: grid), b = HotComponents(hot: hot(), values: values, grid: grid)
        let ctx = try GEOSContext()
        func geometry(_ c: HotComponents, _ k: Int) throws -> GEOSGeometry { try GEOSGeometry(ctx, try ctx.coverageUnion(c.cells[k].map(grid.cellPolygon))) }
        // Every part dissolves into one polygon (edge-connected cells), and all parts together into as many polygons.
        for k in 0..<a.count { #expect(try ctx.coverageUnion(a.cells[k].map(grid.cellPolygon)).polygons.count == 1) }
        #expect(try ctx.coverageUnion(a.cells.flatMap { $0 }.map(grid.cellPolygon)).polygons.count == a.count)
        // Ordered by peak, highest first.
        #expect(zip(a.peak, a.peak.dropFirst()).allSatisfy { $0 >= $1 })
        // touching ⟺ GEOS intersects.
        let gb = try (0..<b.count).map { try geometry(b, $0) }
        for k in 0..<a.count {
            let ga = try geometry(a, k)
            let geosSays = gb.indices.filter { ga.intersects(gb[$0]) }
            #expect(a.touching(k, in: b) == geosSays, "part \(k), seed \(seed)")
        }
    }
}
