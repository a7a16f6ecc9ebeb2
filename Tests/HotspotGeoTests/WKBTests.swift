import HotspotCore
import Testing
@testable import HotspotGeo

/// ISO WKB as the FlatGeobuf writer builds it: rings closed (OGC 06-103r4 §6.1.7), little-endian, counts right.
@Suite struct WKBTests {
    /// The ring's point count and its first and last points, read back from a one-polygon MultiPolygon's WKB.
    static func firstRing(_ d: [UInt8]) -> (count: Int, first: XY, last: XY) {
        func u32(_ at: Int) -> Int { Int(d[at]) | Int(d[at + 1]) << 8 | Int(d[at + 2]) << 16 | Int(d[at + 3]) << 24 }
        func f64(_ at: Int) -> Double {
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(d[at + k]) << (8 * k) }
            return Double(bitPattern: v)
        }
        // 1 + 4 + 4 (multipolygon), 1 + 4 + 4 (polygon), then the ring's count and points.
        let n = u32(18), p = 22
        return (n, XY(f64(p), f64(p + 8)), XY(f64(p + 16 * (n - 1)), f64(p + 16 * (n - 1) + 8)))
    }

    @Test func openRingsAreClosedAndClosedOnesKept() {
        let open = [XY(0, 0), XY(10, 0), XY(10, 10), XY(0, 10)]
        var a: [UInt8] = []
        WKB.appendMultiPolygon(&a, MultiPolygon([Polygon(exterior: open)]))
        let r = WKBTests.firstRing(a)
        #expect(r.count == 5 && r.first == r.last && r.first == XY(0, 0))
        #expect(a.count == 22 + 5 * 16)
        var b: [UInt8] = []
        WKB.appendMultiPolygon(&b, MultiPolygon([Polygon(exterior: open + [XY(0, 0)])]))
        #expect(b == a)
    }
}
