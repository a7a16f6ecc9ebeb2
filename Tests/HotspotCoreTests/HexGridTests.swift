import Testing
@testable import HotspotCore

@Suite struct HexGridTests {
    /// Every point goes to the hexagon with the nearest centre (checked against all centres nearby).
    @Test(arguments: HexOrientation.allCases)
    func pointsGoToTheNearestCentre(orientation: HexOrientation) throws {
        let hex = try HexGrid(covering: Extent(minX: 1000, minY: 2000, maxX: 3000, maxY: 3500), size: 150, orientation: orientation)
        var g = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let x = Double.random(in: 1000...3000, using: &g), y = Double.random(in: 2000...3500, using: &g)
            let k = try #require(hex.index(x: x, y: y))
            let c = hex.centre(index: k)
            let d = (c.x - x) * (c.x - x) + (c.y - y) * (c.y - y)
            for j in 0..<hex.cellCount {
                let o = hex.centre(index: j)
                #expect(d <= (o.x - x) * (o.x - x) + (o.y - y) * (o.y - y) + 1e-6)
            }
        }
    }

    @Test(arguments: HexOrientation.allCases)
    func geometry(orientation: HexOrientation) throws {
        let hex = try HexGrid(covering: Extent(minX: 0, minY: 0, maxX: 1000, maxY: 1000), size: 100, orientation: orientation)
        let ring = hex.ring(index: 7)
        #expect(ring.count == 7 && ring.first == ring.last)
        #expect(Polygon.signedArea2(ring) > 0)  // counter-clockwise
        #expect(abs(Polygon(exterior: ring).area - hex.cellArea) < 1e-6)
        #expect(abs(hex.cellArea - 3.0.squareRoot() / 2 * 10_000) < 1e-9)
        // Distance across flats between neighbouring centres equals the size.
        let a = hex.centre(col: 3, row: 4), b = orientation == .pointy ? hex.centre(col: 4, row: 4) : hex.centre(col: 3, row: 5)
        #expect(abs(((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot() - 100) < 1e-9)
        #expect(hex.cellID(0) == "h\(hex.col0)_\(hex.row0)")
    }

    @Test func densityAtPointsEqualsTheSquareGridAtTheSameCentres() {
        var g = SystemRandomNumberGenerator()
        let xs = (0..<2000).map { _ in Double.random(in: 0...2000, using: &g) }
        let ys = (0..<2000).map { _ in Double.random(in: 0...2000, using: &g) }
        let grid = SquareGrid(x0: 0, y0: 0, cellSize: 100, ncols: 20, nrows: 20)
        let sq = kernelDensity(x: xs, y: ys, grid: grid, parameters: KDEParameters(bandwidth: 300, mode: .exact))
        let pts = (0..<grid.cellCount).map { k -> XY in let c = grid.centre(index: k); return XY(c.x, c.y) }
        let at = kernelDensity(x: xs, y: ys, at: pts, bandwidth: 300)
        for k in 0..<grid.cellCount { #expect(abs(at[k] - sq.values[k]) <= 1e-9 * max(1, sq.values[k])) }
        let hexCounts = binPoints(x: xs, y: ys, hex: HexGrid(orientation: .flat, size: 200, col0: -2, row0: -2, ncols: 20, nrows: 20))
        #expect(Int(hexCounts.counts.reduce(0, +)) + hexCounts.outside == xs.count)
    }
}
