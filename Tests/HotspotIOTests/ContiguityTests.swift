import CGEOS
import Foundation
import HotspotCore
import HotspotIO
import HotspotTestSupport
import Testing
@testable import HotspotGeo

/// Contiguity through a sweep over envelopes (issue 12: 35,000 polygons) gives exactly the lists of testing every pair.
@Suite struct ContiguityTests {
    /// The all-pairs loop the sweep replaced.
    func allPairs(_ areas: [Area], _ rule: ContiguityRule) throws -> [[Int]] {
        let ctx = try GEOSContext()
        let geoms = try areas.map { try GEOSGeometry(ctx, $0.geometry) }
        let ext = areas.map { $0.geometry.extent ?? Extent(minX: 0, minY: 0, maxX: 0, maxY: 0) }
        let pattern = rule == .queen ? "F***T****" : "F***1****"
        var lists = [[Int]](repeating: [], count: areas.count)
        for i in 0..<areas.count {
            for j in (i + 1)..<max(i + 1, areas.count) {
                let a = ext[i], b = ext[j]
                guard a.minX <= b.maxX + 0.01, b.minX <= a.maxX + 0.01, a.minY <= b.maxY + 0.01, b.minY <= a.maxY + 0.01 else { continue }
                if GEOSRelatePattern_r(ctx.handle, geoms[i].raw, geoms[j].raw, pattern) == 1 { lists[i].append(j); lists[j].append(i) }
            }
        }
        return lists
    }

    func square(_ x: Double, _ y: Double, _ s: Double) -> Area {
        Area(id: "\(x),\(y),\(s)", name: "", geometry: MultiPolygon([Polygon(exterior: [XY(x, y), XY(x + s, y), XY(x + s, y + s), XY(x, y + s), XY(x, y)], holes: [])]))
    }

    @Test func theSweepFindsEveryPairTheAllPairsLoopFinds() throws {
        // A 12 × 12 lattice of unit squares (queen: corners count, rook: edges only), shuffled, with duplicates,
        // nested and overlapping squares and squares 5 mm apart (inside the 1 cm envelope margin).
        var areas: [Area] = []
        for i in 0..<12 { for j in 0..<12 { areas.append(square(Double(i) * 10, Double(j) * 10, 10)) } }
        areas += [square(0, 0, 10), square(2, 2, 3), square(55, 55, 10), square(120.005, 0, 10), square(-10, -10.005, 10)]
        var rng = SplitMix64(seed: 9)
        areas.shuffle(using: &rng)
        for rule in [ContiguityRule.queen, .rook] {
            let got = try Contiguity.neighbourhood(areas, rule: rule)
            let want = try allPairs(areas, rule)
            #expect(got == Neighbourhood(lists: want), "\(rule)")
        }
    }

    @Test func lewishamLSOAs() throws {
        guard Paths.sharedAvailable else { print("skipped: ../shared is absent (Lewisham LSOAs)"); return }
        let layer = try PolygonLayerReader.read(path: Paths.sharedFile("geodata/lewisham/lbl_lsoa11_full.json"))
        for rule in [ContiguityRule.queen, .rook] {
            #expect(try Contiguity.neighbourhood(layer.areas, rule: rule) == Neighbourhood(lists: try allPairs(layer.areas, rule)))
        }
    }
}
