import Foundation
import HotspotCore
import HotspotIO
import HotspotTestSupport
import Testing
@testable import HotspotGeo

/// `hotspot inspect` finds the EPSG:27700 extent without projecting every point (issue 12): the extent must be
/// exactly (bit for bit) that of projecting every point, and so must the count of points outside Great Britain.
@Suite struct ProjectedExtentTests {
    static let gb = Extent(minX: -110_000, minY: -110_000, maxX: 800_000, maxY: 1_400_000)

    func check(_ x: [Double], _ y: [Double], atMost fraction: Double, _ what: String) throws {
        let p = try Projection(from: 4326, to: 27700)
        var fx = x, fy = y
        _ = try p.transform(x: &fx, y: &fy)
        var ox: [Double] = [], oy: [Double] = []
        for i in fx.indices where fx[i].isFinite && fy[i].isFinite { ox.append(fx[i]); oy.append(fy[i]) }
        let e = try ProjectedExtent(p, x: x, y: y)
        #expect(e.extent == Extent(x: ox, y: oy), "\(what): \(String(describing: e.extent)) vs \(String(describing: Extent(x: ox, y: oy)))")
        #expect(Double(e.projected) <= fraction * Double(x.count), "\(what): projected \(e.projected) of \(x.count)")
        let full = (0..<fx.count).filter { !(fx[$0].isFinite && fy[$0].isFinite && Self.gb.contains(x: fx[$0], y: fy[$0])) }.count
        let counted = try e.countOutside(p, x: x, y: y, box: Self.gb)
        #expect(counted.outside == full, "\(what): \(counted.outside) outside vs \(full)")
    }

    @Test func aBoroughAndTheWholeCountryExactly() throws {
        var rng = SplitMix64(seed: 12)
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        // A borough: 100,000 points in Lewisham's box.
        var x = (0..<100_000).map { _ in -0.08 + 0.1 * u() }, y = (0..<100_000).map { _ in 51.41 + 0.08 * u() }
        try check(x, y, atMost: 0.01, "borough")
        // Great Britain and beyond: 200,000 points over 10° × 9°.
        x = (0..<200_000).map { _ in -8 + 10 * u() }; y = (0..<200_000).map { _ in 49.5 + 9 * u() }
        try check(x, y, atMost: 0.01, "Great Britain")
        // Swapped coordinates among them (latitude as longitude): far outside, still exact.
        for i in 0..<50 { (x[i * 997], y[i * 997]) = (y[i * 997], x[i * 997]) }
        try check(x, y, atMost: 0.05, "with swapped points")
        // Few points: all projected.
        try check(Array(x[0..<100]), Array(y[0..<100]), atMost: 1, "100 points")
    }

    @Test func realPoliceUKPoints() throws {
        guard Paths.sharedAvailable else {
            print("skipped: ../shared is absent (real police.uk points around Lewisham)")
            return
        }
        let r = try IncidentReader.read(files: [Paths.sharedFile("data/policeuk/api-points-lewisham-bbox/api-points-2018-MarSep.csv")])
        #expect(r.table.count > 20_000)
        try check(r.table.x, r.table.y, atMost: 0.02, "police.uk API points 2018")
    }
}
