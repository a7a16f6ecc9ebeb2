import Foundation
import HotspotCore
import Testing
@testable import HotspotGeo

@Suite struct AreaIndexTests {
    static func square(_ id: String, _ x0: Double, _ y0: Double, _ s: Double) -> Area {
        Area(id: id, name: id, geometry: MultiPolygon([Polygon(exterior: [XY(x0, y0), XY(x0 + s, y0), XY(x0 + s, y0 + s), XY(x0, y0 + s), XY(x0, y0)])]))
    }

    /// Brute-force even-odd point in polygon, for comparison.
    static func inside(_ p: XY, _ mp: MultiPolygon) -> Bool {
        var c = false
        for r in mp.rings where r.count > 1 {
            for i in 0..<(r.count - 1) {
                let a = r[i], b = r[i + 1]
                if (a.y > p.y) != (b.y > p.y), p.x < a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x) { c.toggle() }
            }
        }
        return c
    }

    @Test func sharedEdgeGoesToTheLowerID() throws {
        let idx = try AreaIndex(areas: [Self.square("A", 0, 0, 100), Self.square("B", 100, 0, 100)])
        let a = idx.assign(x: [50, 150, 100, 100, 250, 0], y: [50, 50, 50, 100, -1, 0])
        #expect(a == [0, 1, 0, 0, -1, 0])
    }

    /// Random points against a brute force on a layer with a hole and a multipolygon, with a coarse and a fine raster.
    @Test(arguments: [64, 1 << 16])
    func agreesWithBruteForce(targetCells: Int) throws {
        let ring: [XY] = (0...72).map { k in
            let t = Double(k % 72) / 72 * 2 * .pi
            let r = 1000 + 300 * sin(5 * t)
            return XY(5000 + r * cos(t), 5000 + r * sin(t))
        }
        let star = Area(id: "star", name: "star", geometry: MultiPolygon([Polygon(exterior: ring, holes: [[XY(4900, 4900), XY(4900, 5100), XY(5100, 5100), XY(5100, 4900), XY(4900, 4900)]])]))
        let two = Area(id: "two", name: "two", geometry: MultiPolygon([Self.square("x", 6500, 6500, 300).geometry.polygons[0], Self.square("y", 3000, 3000, 200).geometry.polygons[0]]))
        let idx = try AreaIndex(areas: [star, two], targetCells: targetCells)
        var g = SystemRandomNumberGenerator()
        let xs = (0..<20_000).map { _ in Double.random(in: 2800...7000, using: &g) }
        let ys = (0..<20_000).map { _ in Double.random(in: 2800...7000, using: &g) }
        let got = idx.assign(x: xs, y: ys)
        for i in 0..<xs.count {
            let p = XY(xs[i], ys[i])
            let want: Int32 = Self.inside(p, star.geometry) ? 0 : (Self.inside(p, two.geometry) ? 1 : -1)
            #expect(got[i] == want, "point \(p)")
        }
    }

    /// Above 2^20 points, repeated points (police.uk's map points) are placed once each: the same answers as placing
    /// every point, points on shared edges and outside every area included; all-distinct input takes the direct path.
    @Test func repeatedPointsArePlacedOnceWithTheSameAnswers() throws {
        let idx = try AreaIndex(areas: [Self.square("A", 0, 0, 100), Self.square("B", 100, 0, 100), Self.square("C", 0, 100, 200)])
        var rng = SystemRandomNumberGenerator()
        let mapX = (0..<5000).map { k in k % 50 == 0 ? 100 : Double.random(in: -20...220, using: &rng).rounded() }
        let mapY = (0..<5000).map { k in k % 70 == 0 ? 100 : Double.random(in: -20...220, using: &rng).rounded() }
        let pick = (0..<60_000).map { _ in Int.random(in: 0..<5000, using: &rng) }
        let x = pick.map { mapX[$0] }, y = pick.map { mapY[$0] }
        let got = idx.assign(x: x, y: y, distinctFrom: 50_000)
        let want = idx.assignEach(x: mapX, y: mapY)
        #expect(zip(pick, got).allSatisfy { want[$0] == $1 })
        #expect(got.contains(-1) && got.contains(0) && got.contains(1) && got.contains(2))
        // All distinct: given up at the check, answered point by point.
        let ux = (0..<60_000).map { Double($0 % 300) - 50 + Double($0) * 1e-6 }, uy = (0..<60_000).map { Double($0 / 300) }
        #expect(idx.assign(x: ux, y: uy, distinctFrom: 50_000) == idx.assignEach(x: ux, y: uy))
    }

    @Test func invalidPolygonIsRepairedWithAWarning() throws {
        let bowtie = Area(id: "bt", name: "bow tie", geometry: MultiPolygon([Polygon(exterior: [XY(0, 0), XY(10, 10), XY(10, 0), XY(0, 10), XY(0, 0)])]))
        let (areas, warnings) = try AreaLayer.validated([bowtie])
        #expect(warnings.count == 1 && warnings[0].contains("MakeValid"))
        #expect(abs(areas[0].geometry.area - 50) < 1e-9)
    }

    @Test func coverageUnionKeepsHoles() throws {
        let ctx = try GEOSContext()
        var cells: [MultiPolygon] = []
        for r in 0..<3 { for c in 0..<3 where !(r == 1 && c == 1) { cells.append(Self.square("", Double(c), Double(r), 1).geometry) } }
        let u = try ctx.coverageUnion(cells)
        #expect(u.polygons.count == 1 && u.polygons[0].holes.count == 1)
        #expect(abs(u.area - 8) < 1e-12)
    }
}
